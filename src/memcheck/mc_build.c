/* Loss records from the runtime's leak verdicts (HR_LEAK records). */
#include "memcheck/mc_build.h"

#include <stdlib.h>
#include <string.h>

#include "../runtime/heap_protocol.h"
#include "util/die.h"
#include "util/hashmap.h"

const char *mc_alloc_fn(int kind)
{
	switch (kind) {
	case HK_CALLOC: return "calloc";
	case HK_REALLOC: return "realloc";
	case HK_REALLOCARRAY: return "reallocarray";
	case HK_MEMALIGN: return "memalign";
	case HK_POSIX_MEMALIGN: return "posix_memalign";
	case HK_ALIGNED_ALLOC: return "aligned_alloc";
	case HK_VALLOC: return "valloc";
	case HK_PVALLOC: return "pvalloc";
	case HK_NEW: return "operator new(unsigned long)";
	case HK_NEW_ARRAY: return "operator new[](unsigned long)";
	default: return "malloc";
	}
}

static enum mc_leak_kind kind_of(uint8_t state)
{
	switch (state) {
	case HL_DEFINITE: return MC_DEFINITE;
	case HL_INDIRECT: return MC_INDIRECT;
	case HL_POSSIBLE: return MC_POSSIBLE;
	default: return MC_REACHABLE;
	}
}

/* Directory strings live as long as the process: few, and shared. */
static const char *intern_dir(const char *s, size_t n)
{
	static struct interner dirs;
	return interned(&dirs, intern_n(&dirs, s, n));
}

/* The function valgrind names for a free: "free", "operator delete(void*)" ... */
static const char *free_fn(int how)
{
	switch (how) {
	case HK_DELETE: return "operator delete(void*)";
	case HK_DELETE_ARRAY: return "operator delete[](void*)";
	case HK_REALLOC: return "realloc";
	default: return "free";
	}
}

/* A stack as valgrind shows it: the allocator's (or free's) own frame
 * `top_fn` "in" the runtime, then the program's frames. */
static void fill_frames(struct mc_stack *s, struct heap_view *v, uint32_t stack, const char *top_fn,
			const char *alloc_object, size_t num_callers)
{
	struct mc_frame top = { 0 };
	top.func = top_fn;
	top.object = alloc_object;
	vec_push(&s->frames, top);
	if (num_callers <= 1)
		return;
	struct heap_frame fr[256];
	size_t n = heap_view_frames(v, stack, fr, num_callers - 1 < 256 ? num_callers - 1 : 256);
	for (size_t i = 0; i < n; i++) {
		struct mc_frame f = { 0 };
		f.ip = fr[i].ip;
		f.func = fr[i].func;
		/* valgrind prints the file's name and keeps its directory apart */
		const char *slash = fr[i].file ? strrchr(fr[i].file, '/') : NULL;
		f.file = slash ? slash + 1 : fr[i].file;
		f.dir = slash ? intern_dir(fr[i].file, (size_t)(slash - fr[i].file)) : NULL;
		f.line = fr[i].line;
		f.object = fr[i].module;
		vec_push(&s->frames, f);
	}
}

void mc_build_leaks(struct mc_result *r, const struct heap_trace *t, const struct heap_analysis *a,
		    struct heap_view *v, const char *alloc_object, size_t num_callers)
{
	r->allocs = a->allocations;
	r->frees = a->frees;
	r->bytes_allocated = a->bytes;
	r->in_use_bytes = a->leaked > 0 ? (uint64_t)a->leaked : 0;
	r->in_use_blocks = a->leaked_blocks;
	r->leak_checked = t->leaks.n > 0 || !a->leaked_blocks;
	/* (kind, allocation kind, stack) -> loss record */
	struct u64map index = { 0 };
	for (size_t i = 0; i < t->leaks.n; i++) {
		const struct heap_leak *l = &t->leaks.v[i];
		const struct heap_info *in = heap_trace_info(t, l->info);
		uint64_t key = (uint64_t)in->stack << 16 | (uint64_t)in->kind << 4 | l->state;
		bool ins;
		uint64_t *slot = u64map_upsert(&index, key, r->losses.n, &ins);
		if (ins) {
			struct mc_loss loss = { 0 };
			loss.kind = kind_of(l->state);
			fill_frames(&loss.alloc, v, in->stack, mc_alloc_fn(in->kind), alloc_object, num_callers);
			vec_push(&r->losses, loss);
		}
		struct mc_loss *loss = &r->losses.v[*slot];
		loss->bytes += in->size;
		loss->blocks++;
		if (l->state == HL_DEFINITE || l->state == HL_POSSIBLE)
			loss->indirect_bytes += l->indirect;
	}
	u64map_free(&index);
}

void mc_build_errors(struct mc_result *r, const struct heap_trace *t, struct heap_view *v, const char *alloc_object,
		     size_t num_callers)
{
	for (size_t i = 0; i < t->errors.n; i++) {
		const struct heap_error_rec *x = &t->errors.v[i];
		struct mc_error e = { 0 };
		e.kind = x->kind == HE_MISMATCHED_FREE ? MC_MISMATCHED_FREE : MC_INVALID_FREE;
		e.addr = x->addr;
		e.how = x->how == HK_DELETE ? "delete" : x->how == HK_DELETE_ARRAY ? "delete[]" : x->how == HK_REALLOC ? "realloc()" : "free()";
		fill_frames(&e.where, v, x->where, free_fn(x->how), alloc_object, num_callers);
		if (x->info) {
			const struct heap_info *in = heap_trace_info(t, x->info);
			e.rel = MC_ADDR_INSIDE;
			e.offset = 0;
			e.block_size = in->size;
			fill_frames(&e.alloc_stack, v, in->stack, mc_alloc_fn(in->kind), alloc_object, num_callers);
			if (x->free_stack) {
				e.block_freed = true;
				fill_frames(&e.free_stack, v, x->free_stack, "free", alloc_object, num_callers);
			}
		}
		if (x->kind == HE_INVALID_FREE)
			r->frees++; /* valgrind counts every call to a free function */
		mc_result_add_error(r, &e);
	}
}
