/* The memcheck result's small helpers: freeing, kind and heuristic names,
 * valgrind's stack cut at main, error contexts and loss-record grouping. */
#include <stdlib.h>
#include <string.h>

#include "memcheck/mc_model.h"

void mc_stack_free(struct mc_stack *s)
{
	vec_free(&s->frames);
}

void mc_result_free(struct mc_result *r)
{
	for (size_t i = 0; i < r->losses.n; i++)
		mc_stack_free(&r->losses.v[i].alloc);
	for (size_t i = 0; i < r->errors.n; i++) {
		mc_stack_free(&r->errors.v[i].where);
		mc_stack_free(&r->errors.v[i].alloc_stack);
		mc_stack_free(&r->errors.v[i].free_stack);
	}
	vec_free(&r->losses);
	vec_free(&r->errors);
	mc_stack_free(&r->signal_stack);
}

const char *mc_leak_kind_text(enum mc_leak_kind k)
{
	static const char *const t[] = { "definitely lost", "indirectly lost", "possibly lost",
					 "still reachable" };
	return (unsigned)k < MC_LEAK_KINDS ? t[k] : "lost";
}

const char *mc_leak_kind_word(enum mc_leak_kind k)
{
	static const char *const t[] = { "definite", "indirect", "possible", "reachable" };
	return (unsigned)k < MC_LEAK_KINDS ? t[k] : "definite";
}

const char *mc_heuristic_name(int h)
{
	static const char *const t[] = { "none", "stdstring", "length64", "newarray", "multipleinheritance" };
	return h >= 0 && h < MC_HEURISTICS ? t[h] : "none";
}

/* valgrind reads enum sets so: words between commas (empty ones skipped),
 * "all" or "none" alone, else at least one of the set's words. */
bool mc_parse_heuristics(const char *s, unsigned *out)
{
	unsigned set = 0;
	bool all = false, none = false;
	for (const char *w = s; *w;) {
		size_t n = strcspn(w, ",");
		if (n) {
			int h = 1;
			for (; h < MC_HEURISTICS; h++)
				if (n == strlen(mc_heuristic_name(h)) && !memcmp(w, mc_heuristic_name(h), n))
					break;
			if (h < MC_HEURISTICS)
				set |= 1u << h;
			else if (n == 3 && !memcmp(w, "all", 3))
				all = true;
			else if (n == 4 && !memcmp(w, "none", 4))
				none = true;
			else
				return false;
		}
		w += n + (w[n] == ',');
	}
	if (all + none + (set != 0) != 1)
		return false;
	*out = all ? MC_HEURISTICS_ALL : set;
	return true;
}

/* glibc's entry points that call main; valgrind compares exact names, so a
 * versioned "__libc_start_main@@GLIBC_2.34" is an ordinary frame. */
static bool below_main(const char *f)
{
	return f && (!strcmp(f, "__libc_start_main") || !strcmp(f, "__libc_start_call_main") ||
		     !strcmp(f, "generic_start_main") || !strcmp(f, "_start"));
}

const char *mc_frame_name(const struct mc_frame *f)
{
	return below_main(f->func) ? "(below main)" : f->func;
}

const char *mc_frame_supp_name(const struct mc_frame *f)
{
	if (below_main(f->func))
		return "(below main)";
	return f->mangled ? f->mangled : f->func;
}

size_t mc_stack_shown(const struct mc_stack *s, unsigned max_frames)
{
	size_t n = s->frames.n < max_frames ? s->frames.n : max_frames;
	for (size_t i = 0; i < n; i++) {
		const char *f = s->frames.v[i].func;
		if (f && (!strcmp(f, "main") || below_main(f)))
			return i + 1;
	}
	return n;
}

static bool str_eq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static bool stack_prefix_eq(const struct mc_stack *a, const struct mc_stack *b, size_t depth)
{
	size_t na = a->frames.n < depth ? a->frames.n : depth;
	size_t nb = b->frames.n < depth ? b->frames.n : depth;
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (a->frames.v[i].ip != b->frames.v[i].ip)
			return false;
	return true;
}

/* Errors of one context: same kind and message details, same first frames
 * (valgrind compares 4 frames, "medium resolution"). */
static bool same_context(const struct mc_error *a, const struct mc_error *b)
{
	if (a->kind != b->kind || !stack_prefix_eq(&a->where, &b->where, 4))
		return false;
	switch (a->kind) {
	case MC_INVALID_READ:
	case MC_INVALID_WRITE:
		/* damage found later (a note says where) has the finding call's
		 * stack, not the write's: its block's stack tells apart too */
		return a->size == b->size && str_eq(a->note, b->note) &&
		       ((a->where.frames.n && !a->note) || stack_prefix_eq(&a->alloc_stack, &b->alloc_stack, 4));
	case MC_INVALID_FREE:
	case MC_MISMATCHED_FREE:
		return str_eq(a->how, b->how);
	case MC_OVERLAP:
	case MC_FISHY_VALUE:
		return str_eq(a->func, b->func);
	default:
		return true;
	}
}

void mc_result_add_error(struct mc_result *r, struct mc_error *e)
{
	for (size_t i = 0; i < r->errors.n; i++) {
		struct mc_error *o = &r->errors.v[i];
		if (o->suppressed == e->suppressed && same_context(o, e)) {
			o->count = (o->count ? o->count : 1) + (e->count ? e->count : 1);
			mc_stack_free(&e->where);
			mc_stack_free(&e->alloc_stack);
			mc_stack_free(&e->free_stack);
			return;
		}
	}
	vec_push(&r->errors, *e);
	memset(e, 0, sizeof(*e));
}

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

/* valgrind's order of kinds among records of one size: still reachable
 * first, definitely lost last. */
static int kind_rank(enum mc_leak_kind k)
{
	return k == MC_REACHABLE ? 0 : k == MC_POSSIBLE ? 1 : k == MC_INDIRECT ? 2 : 3;
}

static int cmp_loss(const void *pa, const void *pb)
{
	const struct mc_loss *a = pa, *b = pb;
	int c = cmp_u64(a->bytes + a->indirect_bytes, b->bytes + b->indirect_bytes);
	if (!c)
		c = kind_rank(a->kind) - kind_rank(b->kind);
	if (!c)
		c = cmp_u64(a->blocks, b->blocks);
	if (!c)
		c = cmp_u64(a->age, b->age);
	/* not valgrind's: records built by hand may share an age */
	for (size_t i = 0; !c && i < a->alloc.frames.n && i < b->alloc.frames.n; i++)
		c = cmp_u64(a->alloc.frames.v[i].ip, b->alloc.frames.v[i].ip);
	if (!c)
		c = cmp_u64(a->alloc.frames.n, b->alloc.frames.n);
	return c;
}

void mc_result_group_losses(struct mc_result *r, unsigned frames)
{
	size_t out = 0;
	for (size_t i = 0; i < r->losses.n; i++) {
		struct mc_loss *l = &r->losses.v[i];
		size_t j = 0;
		for (; j < out; j++) {
			struct mc_loss *o = &r->losses.v[j];
			if (o->kind == l->kind && stack_prefix_eq(&o->alloc, &l->alloc, frames))
				break;
		}
		if (j < out) {
			r->losses.v[j].bytes += l->bytes;
			r->losses.v[j].indirect_bytes += l->indirect_bytes;
			r->losses.v[j].blocks += l->blocks;
			mc_stack_free(&l->alloc);
		} else {
			r->losses.v[out++] = *l;
		}
	}
	r->losses.n = out;
	if (out > 1)
		qsort(r->losses.v, out, sizeof(*r->losses.v), cmp_loss);
}
