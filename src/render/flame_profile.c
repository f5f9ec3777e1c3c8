/* The flame tree of a profile model: each group of samples (render/
 * folded_profile.h) added once, its frames named as folded stacks name
 * them, kinds from the model rather than from annotations parsed back. */
#include <stdlib.h>
#include <string.h>

#include "profile/model.h"
#include "render/flame.h"
#include "render/folded_profile.h"
#include "util/strbuf.h"

struct adder {
	struct flame_tree *t;
	const struct profile *p;
	const struct folded_opts *o;
	struct strbuf sb;
	prof_name_vec names;
	VEC(const char *) ptr;
	VEC(size_t) len;
	VEC(uint8_t) kind;
};

static void add_group(void *ctx, size_t sample, uint64_t weight)
{
	struct adder *a = ctx;
	sb_reset(&a->sb);
	profile_sample_names(a->p, a->o, sample, &a->sb, &a->names);
	a->ptr.n = a->len.n = a->kind.n = 0;
	for (size_t i = 0; i < a->names.n; i++) {
		const struct prof_name *n = &a->names.v[i];
		vec_push(&a->ptr, a->sb.buf + n->start);
		/* text read back: annotation and all, so the tree takes each
		 * frame exactly as from the folded file */
		vec_push(&a->len, n->len + (a->p->from_text && n->mark ? 4 : 0));
		vec_push(&a->kind, n->mark == 'k' ? FK_KERNEL : n->mark == 'i' ? FK_INLINE : n->mark == 'j' ? FK_JIT : FK_NORMAL);
	}
	if (a->p->from_text)
		flame_tree_add(a->t, a->ptr.v, a->len.v, a->names.n, weight, 0);
	else
		flame_tree_add_kinds(a->t, a->ptr.v, a->len.v, a->kind.v, a->names.n, weight);
}

void flame_tree_add_profile(struct flame_tree *t, const struct profile *p, const struct folded_opts *o)
{
	struct adder a = { .t = t, .p = p, .o = o, .sb = STRBUF_INIT };
	profile_each_group(p, o, add_group, &a);
	sb_free(&a.sb);
	vec_free(&a.names);
	vec_free(&a.ptr);
	vec_free(&a.len);
	vec_free(&a.kind);
}

bool flame_tree_looks_rust(const struct flame_tree *t)
{
	/* (A bare "std::" is not enough: C++ has it too.) */
	static const char *const marks[] = { "core::", "alloc::", "std::rt::", "std::sys", "std::panicking",
					     "std::thread::", "{{closure}}", "__rust_", "rust_begin_unwind",
					     "hashbrown::", NULL };
	for (size_t i = 0; i < t->names.n; i++)
		for (size_t k = 0; marks[k]; k++)
			if (strstr(interned(&t->names, (uint32_t)i), marks[k]))
				return true;
	return false;
}
