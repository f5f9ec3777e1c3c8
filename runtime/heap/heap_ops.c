/* Heap profiling (`sonde heap`): the operations behind the hooks. Every
 * allocation goes to the real allocator and is recorded as an event with
 * its stack's info (HR_ALLOC, HR_REALLOC, HR_FREE...), keyed so the reader
 * can interleave the threads (rt_key.h); the live-block map lets a free
 * name its block's info instead of an address. */
#include <errno.h>
#include <stdatomic.h>
#include <string.h>

#include "rt_core.h"
#include "rt_ops.h"

/* The lowest key an event may have now: the thread's last, in the time
 * step the timer last set; the key clock itself while other threads have
 * events in the same step (rt_key_need_clock). */
static inline uint64_t key_floor(struct rt_thread *t)
{
	bool clock = t && rt_threaded() && rt_key_need_clock(&rt_key_word, &t->key_step);
	uint64_t base = time_base(); /* after the step's acquire: its base */
	if (!clock)
		return rt_key_at(t ? t->clock : 1, rt_key_base(base));
	t->clock_keys = true;
	return rt_key_at(t->clock, rt_key_clock(base));
}

static uint64_t heap_key_floor(struct rt_thread *t)
{
	return key_floor(t);
}

/* rt_ptrmap_put with the calling thread's index as the block's tag. */
static inline uint32_t live_put(void *ptr, uint32_t info, uint64_t *key)
{
	return rt_ptrmap_put((uint64_t)(uintptr_t)ptr, info, t_self ? t_self->index : 0, key);
}

/* An allocation event (with the records it depends on). old_info: the
 * block realloc moved from (HR_REALLOC), or -1 for a plain allocation;
 * floor: a key the event's key must reach (realloc: the old block's). */
static NOINLINE void rec_block(int kind, size_t size, void *ptr, int64_t old_info, uint64_t floor,
			       struct rt_caller c)
{
	struct rt_thread *t = rt_self();
	if (!t)
		return;
	bool is_new;
	uint32_t stack, stale;
	uint64_t key = key_floor(t);
	if (key < floor)
		key = floor;
	/* the block enters the live map, which sets its key; stale: a block
	 * recorded at the same address whose free we never saw */
	uint32_t info = rt_block_info(t, kind, size, c, &is_new, &stack);
	stale = info ? live_put(ptr, info, &key) : 0;
	if (!ev_begin(t, t->sc.n_new * MAX_NODE_REC + MAX_EVENT_REC))
		return;
	uint8_t *p = ev_nodes(t, t->buf + t->pos);
	if (is_new) {
		p = rt_put_info_rec(p, info, kind, size, stack);
		t->defs = true;
	}
	if (old_info > 0 && key > floor) {
		/* the live map put the new block after the old one's free: the
		 * free keeps its own key (another thread may already reuse the
		 * old address after it), so the realloc is sent as both */
		p = put_key(t, p, floor);
		*p++ = HR_FREE;
		p += varint_put(p, (uint64_t)old_info);
		old_info = -1;
	}
	p = put_key(t, p, key);
	if (RT_UNLIKELY(stale)) {
		*p++ = HR_FREE;
		p += varint_put(p, stale);
	}
	if (old_info < 0) {
		*p++ = HR_ALLOC;
		p += varint_put(p, info);
	} else {
		*p++ = HR_REALLOC;
		p += varint_put(p, (uint64_t)old_info);
		p += varint_put(p, info);
	}
	ev_end(t, p, key);
}

static inline void rec_alloc(int kind, size_t size, void *ptr, struct rt_caller c)
{
	rec_block(kind, size, ptr, -1, 0, c);
}

/* A block leaves the live map: its info, and the key of its free. */
static inline uint32_t take_block(void *ptr, uint64_t *key)
{
	*key = key_floor(t_self);
	return rt_ptrmap_take((uint64_t)(uintptr_t)ptr, t_self ? t_self->index : 0, key);
}

/* A free of a block whose info was already taken from the live map. */
static NOINLINE void rec_free_info(uint32_t info, int kind, uint64_t key)
{
	struct rt_thread *t = rt_self();
	if (!t || !ev_begin(t, MAX_EVENT_REC))
		return;
	if (key < t->clock)
		key = t->clock; /* the thread state was made after the key was */
	uint8_t *p = put_key(t, t->buf + t->pos, key);
	*p++ = rt_free_rec(kind);
	p += varint_put(p, info);
	ev_end(t, p, key);
}

/* realloc and reallocarray: the old block leaves the live map before the
 * real call (once it returns, another thread may be handed its address)
 * and goes back if the call failed. */
static inline uint32_t realloc_take(void *old, uint64_t *key)
{
	*key = 0;
	return old ? take_block(old, key) : 0;
}

static inline void realloc_done(void *old, uint32_t oinfo, uint64_t key, void *p, size_t n, struct rt_caller c)
{
	if (p)
		rec_block(HK_REALLOC, n, p, oinfo, key, c);
	else if (old && n == 0)
		rec_free_info(oinfo, HK_FREE, key); /* realloc(p, 0) freed p */
	else if (oinfo)
		live_put(old, oinfo, &key); /* failed: p is still live */
}

/* ---- the operations ---------------------------------------------------------- */

static void *heap_malloc(size_t n, struct rt_caller c)
{
	void *p = rt_real.malloc(n);
	if (p)
		rec_alloc(HK_MALLOC, n, p, c);
	else
		errno = ENOMEM;
	return p;
}

static void *heap_calloc(size_t n, size_t m, struct rt_caller c)
{
	void *p = rt_real.calloc(n, m);
	if (p)
		rec_alloc(rt_tls_calloc_kind(c.ip, n, m), n * m, p, c);
	return p;
}

static void heap_free(void *p, int kind, struct rt_caller c)
{
	/* out of the live map before the real free: the address may be reused
	 * by another thread the moment free returns */
	uint64_t key;
	uint32_t info = take_block(p, &key);
	rec_free_info(info, kind, key);
	rt_real.free(p);
}

static int heap_posix_memalign(void **out, size_t align, size_t n, struct rt_caller c)
{
	int r = rt_real.posix_memalign(out, align, n);
	if (r == 0)
		rec_alloc(HK_POSIX_MEMALIGN, n, *out, c);
	return r;
}

static void *heap_aligned(int kind, size_t align, size_t n, struct rt_caller c)
{
	void *p = rt_real_aligned(kind, align, n);
	if (p)
		rec_alloc(kind, kind == HK_PVALLOC ? rt_pvalloc_size(n, align) : n, p, c);
	return p;
}

static void *heap_cxx_new(const char *name, int kind, size_t n, size_t al, bool aligned, struct rt_caller c)
{
	void *p = al ? rt_real.memalign(al, n ? n : 1) : rt_real.malloc(n ? n : 1);
	if (p)
		rec_alloc(kind, n, p, c);
	return p;
}

static void *heap_realloc(void *old, size_t n, struct rt_caller c)
{
	if (!tracing())
		return rt_real.realloc(old, n);
	t_guard = 1;
	uint64_t key;
	uint32_t oinfo = realloc_take(old, &key);
	void *p = rt_real.realloc(old, n);
	realloc_done(old, oinfo, key, p, n, c);
	t_guard = 0;
	return p;
}

static void *heap_reallocarray(void *old, size_t n, size_t m, struct rt_caller c)
{
	if (!tracing())
		return rt_real.reallocarray(old, n, m);
	t_guard = 1;
	void *p;
	if (old) {
		uint64_t key;
		uint32_t oinfo = realloc_take(old, &key);
		p = rt_real.reallocarray(old, n, m);
		realloc_done(old, oinfo, key, p, n * m, c);
	} else {
		p = rt_real.reallocarray(old, n, m);
		if (p)
			rec_alloc(HK_REALLOCARRAY, n * m, p, c);
	}
	t_guard = 0;
	return p;
}

static void heap_free_untraced(void *p)
{
	rt_real.free(p);
}

static size_t heap_usable_size(void *p)
{
	return rt_real.malloc_usable_size ? rt_real.malloc_usable_size(p) : 0;
}

const struct rt_ops rt_heap_ops = {
	.malloc = heap_malloc,
	.calloc = heap_calloc,
	.free = heap_free,
	.posix_memalign = heap_posix_memalign,
	.aligned = heap_aligned,
	.cxx_new = heap_cxx_new,
	.rec_block = rec_block,
	.realloc = heap_realloc,
	.reallocarray = heap_reallocarray,
	.free_untraced = heap_free_untraced,
	.usable_size = heap_usable_size,
	.key_floor = heap_key_floor,
};
