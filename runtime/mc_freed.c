/* Memcheck mode: the blocks freed recently (address -> info and the stack
 * of the free), so a second free of one can say "0 bytes inside a block of
 * size N free'd" with both stacks, like valgrind's freed-block list. A
 * fixed ring: the oldest entries go first. */
#include <sched.h>
#include <stdatomic.h>

#include "mc_freed.h"
#include "rt.h"

#define RING (1u << 16) /* frees remembered */
#define SLOTS (RING * 2) /* hash slots, power of two */

struct ent {
	uint64_t ptr; /* 0: empty */
	uint32_t info, free_stack;
};

static _Atomic int g_lock;
static struct ent *g_tab;   /* SLOTS, open addressing */
static uint64_t *g_ring;    /* RING addresses, oldest at g_head */
static uint32_t g_head, g_count;

static void lk(void)
{
	while (atomic_exchange_explicit(&g_lock, 1, memory_order_acquire))
		sched_yield();
}

static void unlk(void)
{
	atomic_store_explicit(&g_lock, 0, memory_order_release);
}

static inline uint32_t slot_of(uint64_t p)
{
	p ^= p >> 33;
	p *= 0xff51afd7ed558ccdull;
	return (uint32_t)(p >> 40) & (SLOTS - 1);
}

static struct ent *find(uint64_t ptr)
{
	for (uint32_t i = slot_of(ptr);; i = (i + 1) & (SLOTS - 1)) {
		if (!g_tab[i].ptr || g_tab[i].ptr == ptr)
			return &g_tab[i];
	}
}

/* Backward-shift deletion: no tombstones in a table that churns. */
static void erase(struct ent *e)
{
	uint32_t i = (uint32_t)(e - g_tab);
	g_tab[i].ptr = 0;
	for (uint32_t j = i;;) {
		j = (j + 1) & (SLOTS - 1);
		if (!g_tab[j].ptr)
			return;
		uint32_t k = slot_of(g_tab[j].ptr);
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		g_tab[i] = g_tab[j];
		g_tab[j].ptr = 0;
		i = j;
	}
}

void mc_freed_note(uint64_t ptr, uint32_t info, uint32_t free_stack)
{
	lk();
	if (!g_tab) {
		g_tab = rt_map(SLOTS * sizeof(*g_tab));
		g_ring = rt_map(RING * sizeof(*g_ring));
		if (!g_tab || !g_ring) {
			unlk();
			return;
		}
	}
	if (g_count == RING) { /* forget the oldest */
		struct ent *old = find(g_ring[g_head]);
		if (old->ptr)
			erase(old);
		g_head = (g_head + 1) & (RING - 1);
		g_count--;
	}
	struct ent *e = find(ptr);
	if (!e->ptr) {
		g_ring[(g_head + g_count) & (RING - 1)] = ptr;
		g_count++;
	}
	*e = (struct ent){ ptr, info, free_stack };
	unlk();
}

bool mc_freed_find(uint64_t ptr, uint32_t *info, uint32_t *free_stack)
{
	bool found = false;
	lk();
	if (g_tab) {
		struct ent *e = find(ptr);
		if (e->ptr) {
			*info = e->info;
			*free_stack = e->free_stack;
			found = true;
		}
	}
	unlk();
	return found;
}
