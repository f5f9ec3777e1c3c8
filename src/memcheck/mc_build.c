/* Loss records from the runtime's leak verdicts (HR_LEAK records). */
#include "memcheck/mc_build.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "heap_protocol.h"
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

_Static_assert((int)HLH_STDSTRING == (int)MC_STDSTRING && (int)HLH_LENGTH64 == (int)MC_LENGTH64 &&
		       (int)HLH_NEWARRAY == (int)MC_NEWARRAY && (int)HLH_MULTIINH == (int)MC_MULTIPLEINHERITANCE &&
		       (int)HLH_COUNT == (int)MC_HEURISTICS,
	       "the runtime's heuristic numbers are the model's");

static enum mc_leak_kind kind_of(uint8_t state)
{
	switch (state) {
	case HL_DEFINITE: return MC_DEFINITE;
	case HL_INDIRECT: return MC_INDIRECT;
	case HL_POSSIBLE: return MC_POSSIBLE;
	default: return MC_REACHABLE;
	}
}

/* Directory and thread names live as long as the process: few, and shared. */
static const char *intern_str(const char *s, size_t n)
{
	static struct interner strs;
	return interned(&strs, intern_n(&strs, s, n));
}

/* The function valgrind names for a free: "free", "operator delete(void*)" ... */
static const char *free_fn(int how)
{
	static const char *const del[2][8] = {
		{ "operator delete(void*)", "operator delete(void*, std::nothrow_t const&)",
		  "operator delete(void*, unsigned long)", "operator delete(void*, unsigned long)",
		  "operator delete(void*, std::align_val_t)",
		  "operator delete(void*, std::align_val_t, std::nothrow_t const&)",
		  "operator delete(void*, unsigned long, std::align_val_t)",
		  "operator delete(void*, unsigned long, std::align_val_t)" },
		{ "operator delete[](void*)", "operator delete[](void*, std::nothrow_t const&)",
		  "operator delete[](void*, unsigned long)", "operator delete[](void*, unsigned long)",
		  "operator delete[](void*, std::align_val_t)",
		  "operator delete[](void*, std::align_val_t, std::nothrow_t const&)",
		  "operator delete[](void*, unsigned long, std::align_val_t)",
		  "operator delete[](void*, unsigned long, std::align_val_t)" },
	};
	int base = HK_FREE_BASE(how);
	int v = ((how & HK_NOTHROW) ? 1 : 0) | ((how & HK_SIZED) ? 2 : 0) | ((how & HK_ALIGNED) ? 4 : 0);
	switch (base) {
	case HK_DELETE: return del[0][v];
	case HK_DELETE_ARRAY: return del[1][v];
	case HK_REALLOC: return "realloc";
	default: return "free";
	}
}

/* The runtime's frames between the program's: its wrapper around main
 * (runtime/memcheck/mc_mode.c: shown when main tail-called a function, where valgrind's
 * stack goes on below main) and its exit (runtime/core/rt_exit.c: under the
 * C library's exit in what atexit handlers allocate). */
static bool is_runtime_between(const struct heap_frame *f)
{
	const char *base = f->module ? strrchr(f->module, '/') : NULL;
	if (!f->func || !base || strcmp(base, "/libsonde-rt.so"))
		return false;
	return !strcmp(f->func, "main_wrapper") || !strcmp(f->func, "rt_exit_libc_entry") || !strcmp(f->func, "exit");
}

/* A stack as valgrind shows it: the allocator's (or free's) own frame
 * `top_fn` "in" the runtime (none if NULL), then the program's frames. */
static void fill_frames(struct mc_stack *s, struct heap_view *v, uint32_t stack, const char *top_fn,
			const struct mc_entries *entries, size_t num_callers)
{
	if (top_fn) {
		vec_push(&s->frames, mc_entry_frame(entries, top_fn));
		if (num_callers <= 1)
			return;
	}
	struct heap_frame fr[256];
	size_t want = top_fn ? num_callers - 1 : num_callers;
	size_t n = heap_view_frames_to_main(v, stack, fr, want < 256 ? want : 256);
	for (size_t i = 0; i < n; i++) {
		if (is_runtime_between(&fr[i]))
			continue;
		struct mc_frame f = { 0 };
		f.ip = fr[i].ip;
		f.func = fr[i].func;
		/* valgrind prints the file's name and keeps its directory apart */
		const char *slash = fr[i].file ? strrchr(fr[i].file, '/') : NULL;
		f.file = slash ? slash + 1 : fr[i].file;
		f.dir = slash ? intern_str(fr[i].file, (size_t)(slash - fr[i].file)) : NULL;
		f.line = fr[i].line;
		f.object = fr[i].module;
		if (f.object && entries->rt_path && !strcmp(f.object, entries->rt_path)) {
			/* the runtime's own code (a fault in posix_memalign's store):
			 * named as valgrind names its replacements, "in" the object */
			f.file = f.dir = NULL;
			f.line = 0;
		}
		vec_push(&s->frames, f);
	}
}

void mc_build_leaks(struct mc_result *r, const struct heap_trace *t, const struct heap_analysis *a,
		    struct heap_view *v, const struct mc_entries *entries, size_t num_callers)
{
	r->allocs = a->allocations;
	r->frees = a->frees;
	r->bytes_allocated = a->bytes;
	r->in_use_bytes = a->leaked > 0 ? (uint64_t)a->leaked : 0;
	r->in_use_blocks = a->leaked_blocks;
	r->leak_checked = t->leaks.n > 0 || !a->leaked_blocks;
	/* The age of an allocation stack (with its allocation function): the
	 * first info made with it. Infos are numbered as the program first
	 * allocated each (kind, size, stack), so this is the order valgrind
	 * created its ExeContexts in, the last key of its loss record order. */
	struct u64map age = { 0 };
	for (size_t i = 1; i < t->infos.n; i++) {
		const struct heap_info *in = &t->infos.v[i];
		bool ins;
		if (in->defined)
			u64map_upsert(&age, (uint64_t)in->stack << 8 | in->kind, i, &ins);
	}
	/* (kind, allocation kind, stack) -> loss record; the verdicts come in
	 * allocation order, so a record is made by its oldest block, as
	 * valgrind's by its lowest address */
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
			const uint64_t *born = u64map_get(&age, (uint64_t)in->stack << 8 | in->kind);
			loss.age = born ? *born : l->info;
			fill_frames(&loss.alloc, v, in->stack, mc_alloc_fn(in->kind), entries, num_callers);
			vec_push(&r->losses, loss);
		}
		struct mc_loss *loss = &r->losses.v[*slot];
		loss->bytes += in->size;
		loss->blocks++;
		if (l->state == HL_DEFINITE || l->state == HL_POSSIBLE)
			loss->indirect_bytes += l->indirect;
		if (l->heur && l->heur < MC_HEURISTICS) {
			r->heur_bytes[l->heur] += in->size;
			r->heur_blocks[l->heur]++;
		}
	}
	u64map_free(&index);
	u64map_free(&age);
}

static const char *strfn_name(int how)
{
	static const char *const names[] = { "memcpy", "mempcpy", "strcpy", "stpcpy", "strncpy",
					     "stpncpy", "strcat", "strncat", "wcscpy" };
	return how >= 0 && how < (int)(sizeof names / sizeof *names) ? names[how] : "memcpy";
}

/* Where the runtime found damage it cannot tie to the write itself: the
 * last line of the report, which says the "at" stack is where it was found. */
static const char *found_note(const struct heap_error_rec *x)
{
	bool at_exit = HOW_AT_EXIT(x->how);
	if (x->kind == HE_FREED_WRITE) {
		if (x->how == HOW_FATAL)
			return "Found in the freed block when the program crashed: the write came after the free";
		return at_exit ? "Found in the freed block at exit: the write came after the free"
			       : "Found when the freed block left quarantine: the write came after the free";
	}
	if (x->how == HOW_FATAL)
		return "Found in the block's redzone when the program crashed: the write came earlier";
	switch (at_exit ? HOW_EXIT : HK_FREE_BASE(x->how)) {
	case HOW_EXIT: return "Found in the block's redzone at exit: the write came earlier";
	case HK_DELETE: return "Found in the block's redzone by delete: the write came earlier";
	case HK_DELETE_ARRAY: return "Found in the block's redzone by delete[]: the write came earlier";
	case HK_REALLOC: return "Found in the block's redzone by realloc(): the write came earlier";
	default: return "Found in the block's redzone by free(): the write came earlier";
	}
}

/* The first frame of a found-late error's stack: the free function whose
 * call found it, "_exit" for _exit() and _Exit(); none when the stack
 * starts in libc's exit() or at a crash. */
static const char *found_top(const struct heap_error_rec *x)
{
	if (x->how == HOW_UEXIT)
		return "_exit";
	if (x->how == HOW_EXIT || x->how == HOW_FATAL || x->how == HOW_QUARANTINE)
		return NULL;
	return free_fn(x->how);
}

/* "Address 0x.. is N bytes before/inside/after a block of size M". */
static void relate(struct mc_error *e, const struct heap_error_rec *x, const struct heap_info *in)
{
	uint64_t start = x->block, end = x->block + in->size;
	e->block_size = in->size;
	if (e->addr < start) {
		e->rel = MC_ADDR_BEFORE;
		e->offset = start - e->addr;
	} else if (e->addr >= end && !(e->addr == start && in->size == 0)) {
		e->rel = MC_ADDR_AFTER;
		e->offset = e->addr - end;
	} else {
		e->rel = MC_ADDR_INSIDE;
		e->offset = e->addr - start;
	}
}

struct found {
	uint64_t order;
	size_t idx;
};

static int by_found(const void *pa, const void *pb)
{
	const struct found *a = pa, *b = pb;
	if (a->order != b->order)
		return a->order < b->order ? -1 : 1;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

void mc_build_errors(struct mc_result *r, const struct heap_trace *t, struct heap_view *v,
		     const struct mc_entries *entries, size_t num_callers)
{
	/* in the order they were found, as valgrind reports them: the stream
	 * holds each thread's errors in its own chunks */
	struct found *order = xmalloc((t->errors.n + 1) * sizeof(*order));
	for (size_t i = 0; i < t->errors.n; i++)
		order[i] = (struct found){ t->errors.v[i].order, i };
	qsort(order, t->errors.n, sizeof(*order), by_found);
	for (size_t k = 0; k < t->errors.n; k++) {
		const struct heap_error_rec *x = &t->errors.v[order[k].idx];
		struct mc_error e = { 0 };
		e.addr = x->addr;
		e.tid = x->thread ? (int)x->thread : 1;
		e.thread_name = x->thread_name[0] ? intern_str(x->thread_name, strlen(x->thread_name)) : NULL;
		const char *top = free_fn(x->how);
		switch (x->kind) {
		case HE_MISMATCHED_FREE:
			e.kind = MC_MISMATCHED_FREE;
			break;
		case HE_INVALID_FREE:
			e.kind = MC_INVALID_FREE;
			r->frees++; /* valgrind counts every call to a free function */
			if (!x->info && x->size) {
				e.rel = MC_ADDR_STACK;
				e.offset = x->size;
				e.stack_frame = x->block < 256 ? (unsigned)x->block : 0;
			}
			break;
		case HE_OVERRUN:
		case HE_FREED_WRITE:
			e.kind = MC_INVALID_WRITE;
			e.size = x->size;
			e.note = found_note(x);
			top = found_top(x);
			break;
		case HE_INVALID_READ:
		case HE_INVALID_WRITE:
		case HE_INVALID_JUMP:
			e.kind = x->kind == HE_INVALID_READ	 ? MC_INVALID_READ
				 : x->kind == HE_INVALID_WRITE ? MC_INVALID_WRITE
							       : MC_INVALID_JUMP;
			e.size = x->size;
			top = NULL; /* the faulting instruction's own frames */
			break;
		case HE_OVERLAP:
			e.kind = MC_OVERLAP;
			e.func = top = strfn_name(x->how);
			e.addr2 = x->block;
			e.size = x->size ? x->size - 1 : 0;
			break;
		case HE_FISHY:
			e.kind = MC_FISHY_VALUE;
			e.func = top = mc_alloc_fn(x->how);
			e.arg = x->block == 1 ? "nmemb" : "size";
			e.size = x->size;
			break;
		case HE_BAD_ALIGN:
			e.kind = MC_BAD_ALIGNMENT;
			e.func = top = mc_alloc_fn(x->how);
			e.size = x->size;
			break;
		default:
			continue;
		}
		int base = HK_FREE_BASE(x->how);
		e.how = base == HK_DELETE ? "delete" : base == HK_DELETE_ARRAY ? "delete[]" : base == HK_REALLOC ? "realloc()" : "free()";
		if (x->where || (top && (x->kind == HE_OVERRUN || x->kind == HE_FREED_WRITE)))
			fill_frames(&e.where, v, x->where, top, entries, num_callers);
		if (e.stack_frame && e.stack_frame < e.where.frames.n) {
			const char *file;
			unsigned line;
			if (heap_view_func_entry(v, e.where.frames.v[e.stack_frame].ip, &file, &line)) {
				const char *slash = strrchr(file, '/');
				e.frame_file = slash ? slash + 1 : file;
				e.frame_line = line;
			}
		}
		if (x->info && x->kind != HE_OVERLAP && x->kind != HE_FISHY && x->kind != HE_BAD_ALIGN) {
			const struct heap_info *in = heap_trace_info(t, x->info);
			relate(&e, x, in);
			fill_frames(&e.alloc_stack, v, in->stack, mc_alloc_fn(in->kind), entries, num_callers);
			if (x->free_stack) {
				e.block_freed = true;
				fill_frames(&e.free_stack, v, x->free_stack, free_fn(x->free_how), entries, num_callers);
			}
		}
		mc_result_add_error(r, &e);
	}
	free(order);
}

void mc_build_fatal(struct mc_result *r, const struct heap_trace *t, struct heap_view *v,
		    const struct mc_entries *entries, size_t num_callers)
{
	const struct heap_fatal_rec *f = &t->fatal;
	if (!t->have_fatal || f->signo != r->signal) /* it did not end the program */
		return;
	r->fatal = (struct mc_fatal){ .known = true, .code = f->code, .addr = f->addr,
				      .core = (f->flags & HF_CORE) != 0, .grow_to = f->grow_to,
				      .stack_limit = f->stack_limit, .tid = f->thread ? (int)f->thread : 1 };
	/* valgrind turns a jump to no code into a permissions fault */
	if ((f->flags & HF_FETCH) && f->signo == SIGSEGV && f->code > 0)
		r->fatal.code = SEGV_ACCERR;
	if (f->thread_name[0])
		r->fatal.thread_name = intern_str(f->thread_name, strlen(f->thread_name));
	if (f->where)
		fill_frames(&r->signal_stack, v, f->where, NULL, entries, num_callers);
}
