/* Memcheck mode's slot allocator (see mc_slab.h).
 *
 * The region is reserved once (no memory until touched) and cut into
 * spans of 256 KiB, each of one size class; a span's slots are handed
 * out in address order the first time, then reused through the pools.
 * Every span has a side array of cells (info, age), one per slot. Free slots
 * sit in the thread's cache (no locks) and overflow into a pool per
 * class (a spin lock). */
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>

#include "mc_slab.h"
#include "mc_slab_layout.h"
#include "rt.h"

uint64_t mc_slab_lo, mc_slab_hi;

static uint32_t *g_cells;            /* CELLS_PER_SPAN cells per span */
static uint8_t g_span_class[NSPANS]; /* class + 1; 0: not in use */
_Atomic uint64_t mc_slab_next_span;
uint64_t mc_slab_recip[NCLASS];
struct pool mc_slab_pools[NCLASS];
static __thread struct tcache *t_tc RT_TLS;
static __thread bool t_ended RT_TLS; /* past mc_slab_thread_exit: no cache again */
static _Atomic int g_spare_lock;
struct tcache *mc_slab_spare;

bool mc_slab_init(void)
{
	void *r = mmap(NULL, REGION_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (r == MAP_FAILED)
		return false;
	void *c = mmap(NULL, NSPANS * CELLS_PER_SPAN * CELL_WORDS * sizeof(uint32_t), PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (c == MAP_FAILED) {
		munmap(r, REGION_SIZE);
		return false;
	}
	/* not roots for the leak check: the slots are the blocks, the cells
	 * hold no pointers */
	rt_map_note(r, REGION_SIZE);
	rt_map_note(c, NSPANS * CELLS_PER_SPAN * CELL_WORDS * sizeof(uint32_t));
	for (unsigned k = 0; k < NCLASS; k++)
		mc_slab_recip[k] = ((1ull << RECIP_SHIFT) + class_size(k) - 1) / class_size(k);
	g_cells = c;
	mc_slab_lo = (uint64_t)(uintptr_t)r;
	mc_slab_hi = mc_slab_lo + REGION_SIZE;
	return true;
}

static struct tcache *tcache_get(void)
{
	struct tcache *tc = t_tc;
	if (RT_LIKELY(tc) || t_ended)
		return tc;
	rt_spin_lock(&g_spare_lock);
	tc = mc_slab_spare;
	if (tc)
		mc_slab_spare = tc->next;
	rt_spin_unlock(&g_spare_lock);
	if (!tc)
		tc = rt_map(sizeof *tc);
	return t_tc = tc;
}

/* Takes up to BATCH slots of class c into the thread's cache: from the
 * pool, else new ones from the class's span (a new span when it is used up). */
static void refill(struct tcache *tc, unsigned c)
{
	struct pool *p = &mc_slab_pools[c];
	rt_spin_lock(&p->lock);
	uint32_t k = p->n < BATCH ? p->n : BATCH;
	p->n -= k;
	if (k)
		memcpy(tc->slot[c], p->stack + p->n, k * sizeof(void *));
	uint64_t size = class_size(c);
	while (k < BATCH) {
		if (p->carve + size > p->carve_end) {
			uint64_t s = atomic_fetch_add(&mc_slab_next_span, 1);
			if (s >= NSPANS)
				break;
			g_span_class[s] = (uint8_t)(c + 1);
			p->carve = mc_slab_lo + (s << SPAN_SHIFT);
			p->carve_end = p->carve + SPAN;
		}
		tc->slot[c][k++] = (void *)(uintptr_t)p->carve;
		p->carve += size;
	}
	rt_spin_unlock(&p->lock);
	tc->n[c] = k;
}

/* Puts k slots into the pool of class c (out of memory: they stay unused). */
static void pool_put(unsigned c, void *const *slots, uint32_t k)
{
	struct pool *p = &mc_slab_pools[c];
	rt_spin_lock(&p->lock);
	if (p->n + k > p->cap) {
		uint32_t ncap = p->cap ? 2 * p->cap : 1024;
		while (ncap < p->n + k)
			ncap *= 2;
		void **ns = rt_map(ncap * sizeof(void *));
		if (!ns) {
			rt_spin_unlock(&p->lock);
			return;
		}
		if (p->stack) {
			memcpy(ns, p->stack, p->n * sizeof(void *));
			rt_unmap(p->stack, p->cap * sizeof(void *));
		}
		p->stack = ns;
		p->cap = ncap;
	}
	memcpy(p->stack + p->n, slots, k * sizeof(void *));
	p->n += k;
	rt_spin_unlock(&p->lock);
}

/* Moves the thread's cached slots of class c beyond keep to the pool. */
static void spill(struct tcache *tc, unsigned c, uint32_t keep)
{
	pool_put(c, tc->slot[c] + keep, tc->n[c] - keep);
	tc->n[c] = keep;
}

void *mc_slab_alloc(size_t n)
{
	if (n > MC_SLAB_MAX || !g_cells)
		return NULL;
	unsigned c = class_of(n);
	struct tcache *tc = tcache_get();
	if (RT_UNLIKELY(!tc))
		return NULL;
	if (RT_UNLIKELY(!tc->n[c])) {
		refill(tc, c);
		if (!tc->n[c])
			return NULL;
	}
	return tc->slot[c][--tc->n[c]];
}

void mc_slab_free(void *slot)
{
	uint64_t s = ((uint64_t)(uintptr_t)slot - mc_slab_lo) >> SPAN_SHIFT;
	unsigned c = g_span_class[s] - 1u;
	struct tcache *tc = tcache_get();
	if (RT_UNLIKELY(!tc)) { /* the thread is ending, or out of memory */
		pool_put(c, &slot, 1);
		return;
	}
	if (RT_UNLIKELY(tc->n[c] == TCACHE))
		spill(tc, c, TCACHE - BATCH);
	tc->slot[c][tc->n[c]++] = slot;
}

uint32_t *mc_slab_cell(uint64_t slot)
{
	if (!mc_slab_owns(slot))
		return NULL;
	uint64_t off = slot - mc_slab_lo, s = off >> SPAN_SHIFT;
	unsigned c1 = g_span_class[s];
	if (!c1)
		return NULL;
	uint64_t size = class_size(c1 - 1), in = off & (SPAN - 1);
	uint64_t idx = (in * mc_slab_recip[c1 - 1]) >> RECIP_SHIFT;
	if (idx * size != in || in + size > SPAN)
		return NULL;
	return &g_cells[(s * CELLS_PER_SPAN + idx) * CELL_WORDS];
}

uint64_t mc_slab_slot_of(uint64_t a)
{
	if (!mc_slab_owns(a) || !g_cells)
		return 0;
	uint64_t off = a - mc_slab_lo, s = off >> SPAN_SHIFT;
	unsigned c1 = g_span_class[s];
	if (!c1)
		return 0;
	uint64_t size = class_size(c1 - 1), idx = ((off & (SPAN - 1)) * mc_slab_recip[c1 - 1]) >> RECIP_SHIFT;
	if ((idx + 1) * size > SPAN) /* the span's tail, after its last slot */
		return 0;
	return mc_slab_lo + (s << SPAN_SHIFT) + idx * size;
}

void mc_slab_foreach_live(uint64_t off, void (*fn)(uint64_t ptr, uint32_t info, uint32_t age, void *ctx), void *ctx)
{
	uint64_t used = atomic_load(&mc_slab_next_span);
	if (used > NSPANS)
		used = NSPANS;
	for (uint64_t s = 0; s < used; s++) {
		unsigned c1 = g_span_class[s];
		if (!c1)
			continue;
		uint32_t size = class_size(c1 - 1), nslots = (uint32_t)(SPAN / size);
		const uint32_t *cell = &g_cells[s * CELLS_PER_SPAN * CELL_WORDS];
		uint64_t base = mc_slab_lo + (s << SPAN_SHIFT);
		for (uint32_t i = 0; i < nslots; i++, cell += CELL_WORDS)
			if (cell[0])
				fn(base + (uint64_t)i * size + off, cell[0], cell[1], ctx);
	}
}

void mc_slab_thread_exit(void)
{
	struct tcache *tc = t_tc;
	t_ended = true;
	if (!tc)
		return;
	for (unsigned c = 0; c < NCLASS; c++)
		if (tc->n[c])
			spill(tc, c, 0);
	t_tc = NULL;
	rt_spin_lock(&g_spare_lock);
	tc->next = mc_slab_spare;
	mc_slab_spare = tc;
	rt_spin_unlock(&g_spare_lock);
}

void mc_slab_after_fork(void)
{
	for (unsigned c = 0; c < NCLASS; c++)
		atomic_store(&mc_slab_pools[c].lock, 0);
	atomic_store(&g_spare_lock, 0);
}
