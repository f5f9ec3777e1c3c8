/* The live-block map: pointer -> allocation info index, for every block
 * the runtime saw allocated and not yet freed.
 *
 * Why in the target: with it a free is written as the info index of the
 * block it frees (a few bytes that repeat, so zstd folds them away) instead
 * of a 6-byte address, and the reader needs no address bookkeeping.
 *
 * Concurrency: 256 stripes chosen by the pointer's region and page, each an
 * open-addressing table (linear probing, backward-shift deletion) behind
 * its own spinlock, so threads rarely meet. Ordering: the allocation hook
 * inserts after the real allocator returned, the free hook removes before
 * the real free runs, so a block's removal always precedes the insertion
 * of whatever reuses its address. Tables live in mmap'd memory, outside
 * the program's heap. */
#include <sched.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>

#include "rt.h"
#include "rt_ptrmap_layout.h"

_Alignas(64) struct stripe rt_ptrmap_stripes[STRIPES];

static inline void slock(_Atomic int *l)
{
	for (unsigned spins = 0; atomic_exchange_explicit(l, 1, memory_order_acquire);) {
		while (atomic_load_explicit(l, memory_order_relaxed)) {
			if (++spins > 200)
				sched_yield(); /* the holder may be preempted (more threads than cores) */
			else
				__builtin_ia32_pause();
		}
	}
}

static inline void sunlock(_Atomic int *l)
{
	atomic_store_explicit(l, 0, memory_order_release);
}

/* The stripe's lock when threaded (rt_threaded, rt.h). */
static inline bool lock_if_threaded(struct stripe *st)
{
	if (!rt_threaded())
		return false;
	slock(&st->lock);
	return true;
}

static struct slot *alloc_slots(uint64_t cap)
{
	return rt_map(cap * sizeof(struct slot));
}

/* Small tables are kept sparse: probes then end at the first slot almost
 * always, and a probe loop of random length mispredicts (it cost twice the
 * rest of the look-up). Big ones, which miss the cache anyway, are kept
 * half full to save memory (32 bytes per live block). */
static inline bool too_full(uint32_t n, uint64_t cap)
{
	return cap <= SPARSE_CAP ? ((uint64_t)n + 1) * 8 > cap : ((uint64_t)n + 1) * 2 > cap;
}

/* Doubles the table; false when memory is out (the insert is dropped). */
static bool grow(struct stripe *st)
{
	uint64_t ncap = st->cap ? st->cap * 2 : FIRST_CAP;
	struct slot *ns = alloc_slots(ncap);
	if (!ns)
		return false;
	for (uint64_t i = 0; i < st->cap; i++) {
		if (!st->s[i].ptr)
			continue;
		uint64_t j = home(st->s[i].ptr) & (ncap - 1);
		while (ns[j].ptr)
			j = (j + 1) & (ncap - 1);
		ns[j] = st->s[i];
	}
	if (st->s)
		rt_unmap(st->s, st->cap * sizeof(struct slot));
	st->s = ns;
	st->cap = ncap;
	return true;
}

uint32_t rt_ptrmap_put(uint64_t ptr, uint32_t info, uint32_t me, uint64_t *key)
{
	struct stripe *st = stripe_of(ptr);
	uint32_t old = 0;
	bool locked = lock_if_threaded(st);
	/* after every other thread's free seen here, so after the free of
	 * whatever block had this address before (a thread's own frees come
	 * before by position; one thread alone takes no lock) */
	if (locked && (*key < st->free_clock || (*key == st->free_clock && (st->free_thread != me || !me))))
		*key = st->free_clock + 1;
	if (*key > st->clock)
		st->clock = *key;
	if (too_full(st->n, st->cap) && !grow(st)) {
		if (locked)
			sunlock(&st->lock);
		return 0;
	}
	uint64_t mask = st->cap - 1, j = home(ptr) & mask;
	while (st->s[j].ptr && st->s[j].ptr != ptr)
		j = (j + 1) & mask;
	if (st->s[j].ptr)
		old = st->s[j].info; /* its free was never seen */
	else
		st->n++;
	st->s[j].ptr = ptr;
	st->s[j].info = info;
	st->s[j].tag = me;
	if (locked)
		sunlock(&st->lock);
	return old;
}

uint32_t rt_ptrmap_take(uint64_t ptr, uint32_t me, uint64_t *key)
{
	struct stripe *st = stripe_of(ptr);
	bool locked = lock_if_threaded(st);
	if (!st->cap) {
		if (locked)
			sunlock(&st->lock);
		return 0;
	}
	uint64_t mask = st->cap - 1, i = home(ptr) & mask;
	while (st->s[i].ptr && st->s[i].ptr != ptr)
		i = (i + 1) & mask;
	uint32_t info = st->s[i].info;
	if (!st->s[i].ptr) {
		if (locked)
			sunlock(&st->lock);
		return 0;
	}
	/* a block another thread allocated: its free sorts after every
	 * allocation made here so far, so after its own */
	if ((st->s[i].tag != me || !me) && *key <= st->clock)
		*key = st->clock + 1;
	if (*key > st->free_clock) {
		st->free_clock = *key;
		st->free_thread = me;
	} else if (*key == st->free_clock && st->free_thread != me) {
		st->free_thread = 0;
	}
	/* backward-shift deletion keeps probe chains intact without tombstones */
	st->s[i].ptr = 0;
	st->n--;
	for (uint64_t j = i;;) {
		j = (j + 1) & mask;
		if (!st->s[j].ptr)
			break;
		uint64_t k = home(st->s[j].ptr) & mask;
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		st->s[i] = st->s[j];
		st->s[j].ptr = 0;
		i = j;
	}
	if (locked)
		sunlock(&st->lock);
	return info;
}

void rt_ptrmap_foreach(void (*fn)(uint64_t ptr, uint32_t info, uint32_t tag, void *ctx), void *ctx)
{
	for (size_t k = 0; k < STRIPES; k++) {
		const struct stripe *st = &rt_ptrmap_stripes[k];
		for (uint64_t i = 0; i < st->cap; i++)
			if (st->s[i].ptr)
				fn(st->s[i].ptr, st->s[i].info, st->s[i].tag, ctx);
	}
}

uint32_t rt_ptrmap_get(uint64_t ptr)
{
	struct stripe *st = stripe_of(ptr);
	bool locked = lock_if_threaded(st);
	uint32_t info = 0;
	if (st->cap) {
		uint64_t mask = st->cap - 1, i = home(ptr) & mask;
		while (st->s[i].ptr && st->s[i].ptr != ptr)
			i = (i + 1) & mask;
		if (st->s[i].ptr)
			info = st->s[i].info;
	}
	if (locked)
		sunlock(&st->lock);
	return info;
}

uint32_t rt_ptrmap_find_near(uint64_t addr, uint64_t slack, uint64_t (*size)(uint32_t info), uint64_t *ptr)
{
	for (size_t k = 0; k < STRIPES; k++) {
		struct stripe *st = &rt_ptrmap_stripes[k];
		bool locked = lock_if_threaded(st);
		for (uint64_t i = 0; i < st->cap; i++) {
			uint64_t p = st->s[i].ptr;
			uint32_t info = st->s[i].info;
			if (!p || p > addr + slack || addr >= p + size(info) + slack)
				continue;
			if (locked)
				sunlock(&st->lock);
			*ptr = p;
			return info;
		}
		if (locked)
			sunlock(&st->lock);
	}
	return 0;
}
