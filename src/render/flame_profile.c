/* The flame tree of a profile model: each group of samples (render/
 * folded_profile.h) added once, its frames named as folded stacks name
 * them, kinds from the model rather than from annotations parsed back. */
#include <stdlib.h>
#include <string.h>

#include "profile/model.h"
#include "render/flame.h"
#include "render/folded_profile.h"
#include "util/die.h"
#include "util/satadd.h"
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
		vec_push(&a->kind, n->mark == 'k' ? FK_KERNEL : n->mark == 'i' ? FK_INLINE : FK_NORMAL);
		/* (a recording's _[j] frames keep main's colours: FK_NORMAL) */
	}
	if (a->p->from_text)
		flame_tree_add(a->t, a->ptr.v, a->len.v, a->names.n, weight, 0);
	else
		flame_tree_add_kinds(a->t, a->ptr.v, a->len.v, a->kind.v, a->names.n, weight);
}

static uint8_t kind_of(const struct prof_loc *l)
{
	return l->kernel ? FK_KERNEL : l->inlined ? FK_INLINE : l->jit ? FK_JIT : FK_NORMAL;
}

/* A profile read from folded text: each sample is one distinct stack,
 * each frame one location whose name and kind are what the text said, so
 * the tree takes them without writing the text again. (Frames whose text
 * is empty are left out, as flame_tree_add does.) */
static void add_text(struct flame_tree *t, const struct profile *p, const struct folded_opts *o)
{
	uint32_t *name_of = xmalloc((p->locs.n + 1) * sizeof(*name_of));
	memset(name_of, 0xff, (p->locs.n + 1) * sizeof(*name_of));
	VEC(uint32_t) path = { 0 };
	VEC(uint32_t) locs = { 0 };
	VEC(uint32_t) names = { 0 };
	VEC(uint8_t) kinds = { 0 };
	for (size_t i = 0; i < p->samples.n; i++) {
		uint32_t node = p->rstacks.v[p->samples.v[i].rstack].node;
		vec_reserve(&path, p->nodes.v[node].depth);
		uint32_t d = profile_node_path(p, node, path.v); /* root first */
		locs.n = names.n = kinds.n = 0;
		for (uint32_t k = 0; k < d; k++) {
			uint32_t loc = path.v[k];
			const struct prof_loc *l = &p->locs.v[loc];
			uint8_t kind = kind_of(l);
			if (kind == FK_NORMAL && !l->func)
				continue;
			vec_push(&locs, loc);
			vec_push(&names, 0);
			vec_push(&kinds, kind);
		}
		for (size_t j = 0; j < locs.n; j++) { /* interned in walking order */
			size_t at = t->reverse ? locs.n - 1 - j : j;
			uint32_t loc = locs.v[at];
			if (name_of[loc] == UINT32_MAX)
				name_of[loc] = intern(&t->names, prof_str(p, p->locs.v[loc].func));
			names.v[at] = name_of[loc];
		}
		flame_tree_add_ids(t, names.v, kinds.v, names.n, prof_value(p, i, o->counts ? PROF_WEIGHT_SAMPLES : o->weight));
	}
	free(name_of);
	vec_free(&path);
	vec_free(&locs);
	vec_free(&names);
	vec_free(&kinds);
}

/* add_text when the tree is the model's trie (text with no empty frame,
 * added first, not reversed). profile_from_folded numbers trie nodes as
 * add_text's walk (samples in order, each root first) first meets them,
 * so tree node n is trie node n: made in id order, with no look-up, each
 * valued by its subtree (children have higher ids than their parent). */
static void add_trie(struct flame_tree *t, const struct profile *p, const struct folded_opts *o)
{
	uint32_t *name_of = xmalloc(p->locs.n * sizeof(*name_of));
	memset(name_of, 0xff, p->locs.n * sizeof(*name_of));
	uint64_t *sum = xcalloc(p->nodes.n, sizeof(*sum));
	for (size_t i = 0; i < p->samples.n; i++) {
		uint32_t leaf = p->rstacks.v[p->samples.v[i].rstack].node;
		uint64_t v = prof_value(p, i, o->counts ? PROF_WEIGHT_SAMPLES : o->weight);
		sum[leaf] = sat_add(sum[leaf], v, &t->capped);
	}
	for (size_t n = p->nodes.n; n-- > 1;)
		sum[p->nodes.v[n].parent] = sat_add(sum[p->nodes.v[n].parent], sum[n], &t->capped);
	t->nodes.v[0].value = sat_add(t->nodes.v[0].value, sum[0], &t->capped);
	for (uint32_t n = 1; n < p->nodes.n; n++) {
		uint32_t loc = p->nodes.v[n].loc;
		if (name_of[loc] == UINT32_MAX)
			name_of[loc] = intern(&t->names, prof_str(p, p->locs.v[loc].func));
		if (flame_tree_new_child(t, p->nodes.v[n].parent, name_of[loc], kind_of(&p->locs.v[loc])) != n)
			die("flame tree: trie node %u out of order", n);
		t->nodes.v[n].value = sum[n];
	}
	free(name_of);
	free(sum);
}

/* Whether add_trie may build the tree: every text frame is a tree node. */
static bool trie_is_tree(const struct flame_tree *t, const struct profile *p)
{
	if (t->reverse || t->diff || t->nodes.n != 1)
		return false;
	for (size_t i = 0; i < p->locs.n; i++)
		if (kind_of(&p->locs.v[i]) == FK_NORMAL && !p->locs.v[i].func)
			return false; /* add_text leaves it out */
	return true;
}

void flame_tree_add_profile(struct flame_tree *t, const struct profile *p, const struct folded_opts *o)
{
	if (p->from_text && o->kernel && o->inline_marks) { /* each mark is the location's kind */
		if (trie_is_tree(t, p))
			add_trie(t, p, o);
		else
			add_text(t, p, o);
		return;
	}
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
