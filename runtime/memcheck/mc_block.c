/* Memcheck mode's blocks: every allocation comes from the checking
 * allocator (redzones, mc_redzone.c) with its info in its slot or the
 * live map; every call is checked as valgrind checks it (fishy sizes, bad
 * alignments, invalid and mismatched frees); a freed block waits in the
 * quarantine, filled, and is checked for writes when it leaves. No events
 * are sent: the counts stay with the threads, the infos are definitions. */
#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "mc_describe.h"
#include "mc_freed.h"
#include "mc_guard.h"
#include "mc_mode.h"
#include "mc_redzone.h"
#include "mc_slab.h"
#include "mc_trace.h"

/* Freed redzone blocks larger than this skip the quarantine (the C library
 * unmaps blocks that big). */
#define MC_FREED_GIVE_BACK (4u << 20)
/* --trace-malloc's arguments */
#define U(x) ((uint64_t)(uintptr_t)(x))

bool mc_no_mismatch;

uint64_t mc_key_floor(struct rt_thread *t)
{
	return rt_key_at(t ? t->clock : 1, rt_key_base(time_base()));
}

/* ---- live blocks: a slab slot's info cell, else the live map ---------------- */

/* The info cell of the slot block ptr starts (NULL: none). */
static inline uint32_t *slab_cell(void *ptr)
{
	return mc_slab_cell((uint64_t)(uintptr_t)ptr - MC_RZ_FRONT);
}

/* Memcheck mode: a new block's age, its place in allocation order. The
 * leak check forms cliques in that order, as valgrind does in address
 * order (its allocator hands out rising addresses to a program that frees
 * little). Threads take ages in runs of 64, so only one call in 64 touches
 * the shared counter; ages of different threads interleave by runs. */
static _Atomic uint32_t g_next_age = 1;

static inline uint32_t next_age(struct rt_thread *t)
{
	if (RT_UNLIKELY(!t))
		return atomic_fetch_add_explicit(&g_next_age, 1, memory_order_relaxed);
	struct mc_thread *m = mc_thread(t);
	if (RT_UNLIKELY(m->age_next == m->age_end)) {
		m->age_next = atomic_fetch_add_explicit(&g_next_age, 64, memory_order_relaxed);
		m->age_end = m->age_next + 64;
	}
	return m->age_next++;
}

/* rt_ptrmap_put's contract; a slot's cell cannot hold a stale block (the
 * slot was free). age: kept with the block (the map keeps it as its tag,
 * since memcheck mode has no keys to order). */
static inline uint32_t live_put(void *ptr, uint32_t info, uint32_t age, uint64_t *key)
{
	uint32_t *cell = slab_cell(ptr);
	if (cell) {
		cell[0] = info;
		cell[1] = age;
		return 0;
	}
	return rt_ptrmap_put((uint64_t)(uintptr_t)ptr, info, age, key);
}

static inline uint32_t live_take(void *ptr, uint64_t *key)
{
	if (mc_slab_owns((uint64_t)(uintptr_t)ptr)) { /* never in the live map */
		uint32_t *cell = slab_cell(ptr);
		if (!cell)
			return 0;
		/* two threads freeing one block at once: only one gets it */
		if (rt_threaded())
			return __atomic_exchange_n(cell, 0, __ATOMIC_RELAXED);
		uint32_t info = *cell;
		*cell = 0;
		return info;
	}
	return rt_ptrmap_take((uint64_t)(uintptr_t)ptr, t_self ? t_self->index : 0, key);
}

uint32_t mc_live_get(void *ptr)
{
	if (mc_slab_owns((uint64_t)(uintptr_t)ptr)) {
		uint32_t *cell = slab_cell(ptr);
		return cell ? *cell : 0;
	}
	return rt_ptrmap_get((uint64_t)(uintptr_t)ptr);
}

void rt_live_foreach(void (*fn)(uint64_t ptr, uint32_t info, uint32_t age, void *ctx), void *ctx)
{
	rt_ptrmap_foreach(fn, ctx);
	mc_slab_foreach_live(MC_RZ_FRONT, fn, ctx);
}

/* A block leaves the live map: its info, and the key of its free. */
static inline uint32_t take_block(void *ptr, uint64_t *key)
{
	*key = mc_key_floor(t_self);
	return live_take(ptr, key);
}

/* The bytes a block of this info counts for (memcheck mode's totals). */
static uint64_t info_bytes(uint32_t info)
{
	uint64_t size = 0;
	uint32_t stack;
	int kind = 0;
	return rt_info_get(info, &size, &stack, &kind) ? rt_reported_size(kind, size) : 0;
}

/* Memcheck mode's allocation: the block's info (and what it needs) as
 * definitions, the counts kept here; no event (its report needs none).
 * old_info: the block a realloc moved from (-1: none). */
static NOINLINE void mc_rec_block(struct rt_thread *t, int kind, size_t size, void *ptr, int64_t old_info,
				  struct rt_caller c)
{
	bool is_new;
	uint32_t stack;
	uint64_t key = mc_key_floor(t);
	uint32_t info = rt_block_info(t, kind, size, c, &is_new, &stack);
	if (info)
		live_put(ptr, info, next_age(t), &key);
	struct mc_thread *m = mc_thread(t);
	m->allocs++;
	m->bytes += rt_reported_size(kind, size);
	if (old_info >= 0) { /* valgrind counts a moving realloc as a free too */
		m->frees++;
		m->freed += old_info ? info_bytes((uint32_t)old_info) : 0;
	}
	if (!is_new && !t->sc.n_new)
		return;
	if (!ev_begin(t, t->sc.n_new * MAX_NODE_REC + MAX_EVENT_REC))
		return;
	uint8_t *p = ev_nodes(t, t->buf + t->pos);
	if (is_new)
		p = rt_put_info_rec(p, info, kind, size, stack);
	ev_end_defs(t, p);
}

/* An allocation's records (old_info: the block a realloc moved from, -1:
 * none). */
static inline void rec_block(int kind, size_t size, void *ptr, int64_t old_info, struct rt_caller c)
{
	struct rt_thread *t = rt_self();
	if (t)
		mc_rec_block(t, kind, size, ptr, old_info, c);
}

void mc_rec_block_op(int kind, size_t size, void *ptr, int64_t old_info, uint64_t floor, struct rt_caller c)
{
	rec_block(kind, size, ptr, old_info, c);
}

static inline void rec_alloc(int kind, size_t size, void *ptr, struct rt_caller c)
{
	rec_block(kind, size, ptr, -1, c);
}

/* A free of a block already out of the live map: counted. */
static inline void rec_free_info(uint32_t info)
{
	struct rt_thread *t = rt_self();
	if (t) {
		mc_thread(t)->frees++;
		mc_thread(t)->freed += info_bytes(info);
	}
}

/* ---- the checks -------------------------------------------------------------- */

/* Memcheck mode, before a free: false if p is no live block (reported:
 * the caller must not free it); a mismatched free is reported and goes on.
 * *size: the block's. */
static bool mc_check_free(void *p, uint32_t info, int how, struct rt_caller c, uint64_t *size)
{
	uint64_t a = (uint64_t)(uintptr_t)p;
	if (!info) {
		/* valgrind's description: a block near it, live or recently freed */
		struct mc_heap_desc d;
		uint64_t on_stack = 0, frame = 0;
		struct rt_thread *t = rt_self();
		/* else "Address 0x.. is on thread 1's stack" (the live part, and
		 * the 128-byte red zone below the stack pointer) */
		if (!mc_describe_heap(a, &d) && t && a + 128 >= c.sp && a < t->sc.stack_hi) {
			on_stack = rt_thread_num();
			/* "in frame #1, created by main": frame 0 of the walk is #1 */
			frame = (uint64_t)(rt_stack_frame_holding(&t->sc, c.ip, c.sp, c.bp, a) + 1);
		}
		mc_rec_error((struct rt_error){ .kind = HE_INVALID_FREE, .how = (uint8_t)how, .addr = a, .info = d.info,
						.free_stack = d.free_stack, .block = d.info ? d.block : frame,
						.size = on_stack, .free_how = d.free_how }, c);
		return false;
	}
	uint32_t stack;
	int akind;
	*size = 0;
	if (rt_info_get(info, size, &stack, &akind)) {
		akind &= ~RT_KIND_THREAD_VECTOR;
		bool is_new = akind == HK_NEW, is_new_array = akind == HK_NEW_ARRAY;
		int base = HK_FREE_BASE(how);
		bool ok = base == HK_DELETE ? is_new : base == HK_DELETE_ARRAY ? is_new_array : !is_new && !is_new_array;
		if (!ok && !mc_no_mismatch)
			mc_rec_error((struct rt_error){ .kind = HE_MISMATCHED_FREE, .how = (uint8_t)how, .addr = a,
							.info = info, .block = a }, c);
	}
	return true;
}

/* Memcheck mode: a block that left the quarantine is checked for writes
 * after its free, then really freed. where, how: the call that pushed it
 * out (a free or realloc of another block). */
static void mc_release_freed(const struct mc_freed_block *b, uint32_t where, int how)
{
	struct mc_damage d;
	void *p = (void *)(uintptr_t)b->ptr;
	if (!mc_rz_freed_intact(p, b->size, &d))
		mc_rec_error_where((struct rt_error){ .kind = HE_FREED_WRITE, .how = (uint8_t)how, .where = where,
						      .addr = d.addr, .size = d.len, .info = b->info,
						      .free_stack = b->free_stack, .block = b->ptr, .free_how = b->how });
	mc_rz_release(p, b->size);
}

/* Memcheck mode: a live block is freed (already out of the live map):
 * its redzones are checked, then it goes into the quarantine filled with
 * the freed pattern. */
static void mc_retire(void *p, uint32_t info, uint64_t size, int how, struct rt_caller c)
{
	uint64_t a = (uint64_t)(uintptr_t)p;
	uint32_t fstack = mc_call_stack(c);
	struct mc_damage before, after;
	if (mc_rz_check(p, size, &before, &after)) {
		if (before.len)
			mc_rec_error_where((struct rt_error){ .kind = HE_OVERRUN, .how = (uint8_t)how, .where = fstack,
							      .addr = before.addr, .size = before.len, .info = info, .block = a });
		if (after.len)
			mc_rec_error_where((struct rt_error){ .kind = HE_OVERRUN, .how = (uint8_t)how, .where = fstack,
							      .addr = after.addr, .size = after.len, .info = info, .block = a });
	}
	struct mc_freed_block b = { a, size, info, fstack, (uint8_t)how }, out[4];
	/* every block waits, --freelist-vol decides how long; a guarded one
	 * whose pages went back waits at no cost. A redzone block over
	 * MC_FREED_GIVE_BACK goes back to the C library at once (remembered,
	 * not held): held, only its first and last bytes would be checked;
	 * given back, it is unmapped and any later access faults, reported as
	 * valgrind's invalid read or write of that block. */
	int held = size <= MC_FREED_GIVE_BACK ? MC_HELD : MC_NOT_HELD;
	if ((held || (!mc_slab_owns(a) && mc_guard_owns(p))) && mc_rz_fill_freed(p, size))
		held = MC_HELD_FREE_OF_COST;
	struct rt_thread *t = rt_self();
	struct mc_ring *ring = NULL;
	if (t && !(ring = mc_thread(t)->ring))
		ring = mc_thread(t)->ring = mc_ring_new();
	size_t n = mc_freed_note(ring, &b, held, out, 4);
	for (size_t i = 0; i < n; i++)
		mc_release_freed(&out[i], fstack, how);
	if (!held)
		mc_rz_release(p, size);
}

/* Memcheck mode, a free or realloc outside tracing (after the exit
 * report, in a forked child, inside the runtime): a block from the
 * checking allocator is released as such, anything else goes to the real
 * allocator. */
static bool mc_release_untraced(void *p)
{
	uint64_t key;
	uint32_t info = take_block(p, &key);
	if (!info) /* a slot or guarded block that is no live block: the C library would abort on it */
		return mc_slab_owns((uint64_t)(uintptr_t)p) || mc_guard_owns(p);
	mc_rz_release(p, rt_info_size(info));
	return true;
}

/* Memcheck mode: malloc's "fishy (possibly negative) value" check. */
static inline bool mc_fishy(uint64_t v, int fn, int arg, struct rt_caller c)
{
	if (RT_LIKELY((int64_t)v >= 0))
		return false;
	mc_rec_error((struct rt_error){ .kind = HE_FISHY, .how = (uint8_t)fn, .size = v, .block = (uint64_t)arg }, c);
	return true;
}

/* Memcheck mode: an alignment that is no power of two (or, for
 * posix_memalign, no multiple of sizeof(void *)). */
static inline bool mc_bad_align(size_t align, int fn, struct rt_caller c)
{
	bool ok = align && !(align & (align - 1)) && (fn != HK_POSIX_MEMALIGN || align % sizeof(void *) == 0);
	if (ok)
		return false;
	mc_rec_error((struct rt_error){ .kind = HE_BAD_ALIGN, .how = (uint8_t)fn, .size = align }, c);
	return true;
}

/* Memcheck mode's realloc: like valgrind's, it always moves the block
 * (a stale pointer to the old one then points into the quarantine) and
 * never touches a pointer that is no live block. */
static NOINLINE void *mc_realloc(void *old, size_t n, int kind, struct rt_caller c)
{
	if (!tracing()) {
		uint64_t key;
		uint32_t oinfo = old ? take_block(old, &key) : 0;
		if (!oinfo && (mc_slab_owns((uint64_t)(uintptr_t)old) || mc_guard_owns(old))) { /* no live block: as if invalid */
			errno = ENOMEM;
			return NULL;
		}
		if (!oinfo)
			return rt_real.realloc(old, n);
		uint64_t on = rt_info_size(oinfo);
		void *p = rt_real.malloc(n ? n : 1);
		if (p) {
			memcpy(p, old, on < n ? on : n);
			mc_rz_release(old, on);
		}
		return p;
	}
	t_guard = 1;
	void *p = NULL;
	uint64_t key = 0, on = 0;
	uint32_t oinfo = 0;
	if (mc_fishy(n, HK_REALLOC, 0, c))
		goto out;
	if (old) {
		oinfo = take_block(old, &key);
		if (!mc_check_free(old, oinfo, HK_REALLOC, c, &on))
			goto out; /* reported; the pointer is not touched */
		if (n == 0) { /* glibc frees the block and returns NULL */
			if (RT_UNLIKELY(mc_trace_on))
				mc_trace("realloc(%p,0)free(%p)%n = 0", U(old), U(old));
			rec_free_info(oinfo);
			mc_retire(old, oinfo, on, HK_REALLOC, c);
			goto out;
		}
	}
	p = mc_rz_alloc(n, 0);
	if (RT_UNLIKELY(mc_trace_on)) {
		if (old)
			mc_trace("realloc(%p,%u) = %p", U(old), (uint64_t)n, U(p));
		else
			mc_trace("realloc(0x0,%u)malloc(%u) = %p", (uint64_t)n, (uint64_t)n, U(p));
	}
	if (!p) {
		if (oinfo) /* back as a new block: the clique order may differ a little */
			live_put(old, oinfo, next_age(t_self), &key);
		goto out;
	}
	if (old) {
		memcpy(p, old, on < n ? on : n);
		rec_block(HK_REALLOC, n, p, oinfo, c);
		mc_retire(old, oinfo, on, HK_REALLOC, c);
	} else {
		rec_alloc(kind, n, p, c);
	}
out:
	t_guard = 0;
	if (!p && n)
		errno = ENOMEM;
	return p;
}

/* Memcheck mode's memalign and aligned_alloc: glibc rounds a bad
 * alignment up to a power of two (memalign) or fails (aligned_alloc). */
static NOINLINE void *mc_aligned(int kind, size_t align, size_t n, struct rt_caller c)
{
	if (mc_bad_align(align, kind, c)) {
		if (kind == HK_ALIGNED_ALLOC || align > ((size_t)1 << 40)) {
			errno = EINVAL;
			return NULL;
		}
		size_t a = 16;
		while (a < align)
			a <<= 1;
		align = a;
	}
	if (mc_fishy(n, kind, 0, c)) {
		errno = ENOMEM;
		return NULL;
	}
	return mc_rz_alloc(n, align);
}

/* ---- the operations (struct rt_ops) -------------------------------------------- */

void *mc_malloc(size_t n, struct rt_caller c)
{
	void *p = NULL;
	if (!mc_fishy(n, HK_MALLOC, 0, c))
		p = mc_rz_alloc(n, 0);
	if (RT_UNLIKELY(mc_trace_on))
		mc_trace("malloc(%u) = %p", (uint64_t)n, U(p));
	if (p)
		rec_alloc(HK_MALLOC, n, p, c);
	else
		errno = ENOMEM;
	return p;
}

void *mc_calloc(size_t n, size_t m, struct rt_caller c)
{
	/* like valgrind: an overflowing product fails quietly */
	void *p = NULL;
	bool over = m && n > SIZE_MAX / m;
	if (!over && !mc_fishy(n, HK_CALLOC, 1, c) && !mc_fishy(m, HK_CALLOC, 0, c) && (p = mc_rz_alloc(n * m, 0)))
		memset(p, 0, n * m);
	if (!p)
		errno = ENOMEM;
	if (RT_UNLIKELY(mc_trace_on)) /* valgrind's line stops short on an overflow */
		mc_trace(over ? "calloc(%u,%u)" : "calloc(%u,%u) = %p", (uint64_t)n, (uint64_t)m, U(p));
	if (p)
		rec_alloc(rt_tls_calloc_kind(c.ip, n, m), n * m, p, c);
	return p;
}

void mc_free(void *p, int kind, struct rt_caller c)
{
	uint64_t key;
	uint32_t info = take_block(p, &key);
	if (RT_UNLIKELY(mc_trace_on))
		mc_trace("%s(%p)", mc_trace_free_name(kind), U(p));
	uint64_t size;
	if (mc_check_free(p, info, kind, c, &size)) {
		rec_free_info(info);
		mc_retire(p, info, size, kind, c);
	} /* else not a live block: freeing it would corrupt the heap */
}

/* valgrind traces free(0x0) too */
void mc_free_null(int kind)
{
	if (RT_UNLIKELY(mc_trace_on))
		mc_trace("%s(0x0)", mc_trace_free_name(kind));
}

int mc_posix_memalign(void **out, size_t align, size_t n, struct rt_caller c)
{
	void *p = NULL;
	int r;
	if (mc_bad_align(align, HK_POSIX_MEMALIGN, c))
		r = EINVAL;
	else if (mc_fishy(n, HK_POSIX_MEMALIGN, 0, c) || !(p = mc_rz_alloc(n, align)))
		r = ENOMEM;
	else
		r = 0;
	if (RT_UNLIKELY(mc_trace_on))
		mc_trace("memalign(al %u, size %u) = %p", (uint64_t)align, (uint64_t)n, U(p));
	if (r == 0) {
		rec_alloc(HK_POSIX_MEMALIGN, n, p, c);
		*out = p;
	}
	return r;
}

/* valloc and pvalloc take any size; memalign and aligned_alloc are checked. */
void *mc_aligned_op(int kind, size_t align, size_t n, struct rt_caller c)
{
	size_t size = kind == HK_PVALLOC ? rt_pvalloc_size(n, align) : n;
	void *p = kind == HK_VALLOC || kind == HK_PVALLOC ? mc_rz_alloc(size, align) : mc_aligned(kind, align, n, c);
	if (RT_UNLIKELY(mc_trace_on))
		mc_trace("memalign(al %u, size %u) = %p", (uint64_t)align, (uint64_t)size, U(p));
	if (p)
		rec_alloc(kind, size, p, c);
	return p;
}

void *mc_cxx_new(const char *name, int kind, size_t n, size_t al, bool aligned, struct rt_caller c)
{
	void *p = NULL;
	if (!mc_fishy(n, kind, 0, c) && !(al && mc_bad_align(al, kind, c)))
		p = mc_rz_alloc(n, al);
	if (RT_UNLIKELY(mc_trace_on)) {
		if (aligned)
			mc_trace("%s(size %u, al %u) = %p", name, (uint64_t)n, (uint64_t)al, U(p));
		else
			mc_trace("%s(%u) = %p", name, (uint64_t)n, U(p));
	}
	if (p)
		rec_alloc(kind, n, p, c);
	return p;
}

void *mc_realloc_op(void *old, size_t n, struct rt_caller c)
{
	return mc_realloc(old, n, HK_REALLOC, c);
}

void *mc_reallocarray(void *old, size_t n, size_t m, struct rt_caller c)
{
	return mc_realloc(old, n * m, old ? HK_REALLOC : HK_REALLOCARRAY, c);
}

void mc_free_untraced(void *p)
{
	if (!mc_release_untraced(p))
		rt_real.free(p);
}

/* A checked block has exactly its size. */
size_t mc_usable_size(void *p)
{
	uint32_t info = mc_live_get(p);
	/* while tracing, every block of the program's is known: anything
	 * else is no block, and the C library would read its header
	 * (valgrind answers 0) */
	if (info || mc_slab_owns((uint64_t)(uintptr_t)p) || mc_guard_owns(p) ||
	    (atomic_load_explicit(&rt_state, memory_order_relaxed) == ST_ON && !t_guard)) {
		size_t size = info ? rt_info_size(info) : 0;
		if (RT_UNLIKELY(mc_trace_on) && tracing())
			mc_trace("malloc_usable_size(%p) = %u", U(p), (uint64_t)size);
		return size;
	}
	return rt_real.malloc_usable_size ? rt_real.malloc_usable_size(p) : 0;
}
