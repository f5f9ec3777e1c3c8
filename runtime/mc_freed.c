/* Memcheck mode: the blocks freed recently (address -> size, info and the
 * stack of the free), so a second free of one can say "0 bytes inside a
 * block of size N free'd" with both stacks, like valgrind's freed-block
 * list; and the quarantine: freed blocks stay allocated, filled with the
 * freed pattern, until VOLUME bytes were freed after them, so their
 * addresses are not handed out again at once and a write after the free
 * shows when they leave. A fixed ring: the oldest entries go first. */
#include <sched.h>
#include <stdatomic.h>

#include "mc_freed.h"
#include "rt.h"

#define RING (1u << 14) /* frees remembered (the table stays cache-sized) */
#define VOLUME (20u << 20) /* bytes held, valgrind's --freelist-vol */
#define SLOTS (RING * 2) /* hash slots, power of two */

struct ent {
	struct mc_freed_block b; /* b.ptr 0: empty */
	bool held;               /* still allocated, in quarantine */
};

static _Atomic int g_lock;
static struct ent *g_tab;   /* SLOTS, open addressing */
static uint64_t *g_ring;    /* RING addresses, oldest at g_head */
static uint32_t g_head, g_count;
static uint64_t g_held_bytes;

static void lk(void)
{
	rt_spin_lock(&g_lock);
}

static void unlk(void)
{
	rt_spin_unlock(&g_lock);
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
		if (!g_tab[i].b.ptr || g_tab[i].b.ptr == ptr)
			return &g_tab[i];
	}
}

/* Backward-shift deletion: no tombstones in a table that churns. */
static void erase(struct ent *e)
{
	uint32_t i = (uint32_t)(e - g_tab);
	g_tab[i].b.ptr = 0;
	for (uint32_t j = i;;) {
		j = (j + 1) & (SLOTS - 1);
		if (!g_tab[j].b.ptr)
			return;
		uint32_t k = slot_of(g_tab[j].b.ptr);
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		g_tab[i] = g_tab[j];
		g_tab[j].b.ptr = 0;
		i = j;
	}
}

/* Forgets the oldest entry; a held block goes to *out. */
static bool pop_oldest(struct mc_freed_block *out)
{
	struct ent *old = find(g_ring[g_head]);
	bool held = false;
	if (old->b.ptr) {
		held = old->held;
		if (held) {
			*out = old->b;
			g_held_bytes -= old->b.size;
		}
		erase(old);
	}
	g_head = (g_head + 1) & (RING - 1);
	g_count--;
	return held;
}

size_t mc_freed_note(const struct mc_freed_block *b, bool held, struct mc_freed_block *out, size_t max)
{
	size_t n_out = 0;
	lk();
	if (!g_tab) {
		g_tab = rt_map(SLOTS * sizeof(*g_tab));
		g_ring = rt_map(RING * sizeof(*g_ring));
		if (!g_tab || !g_ring) {
			unlk();
			if (held && max) /* no quarantine: the caller releases it */
				out[n_out++] = *b;
			return n_out;
		}
	}
	while (g_count && n_out < max &&
	       (g_count == RING || (held && g_held_bytes + b->size > VOLUME)))
		if (pop_oldest(&out[n_out]))
			n_out++;
	if (g_count == RING) { /* out has no room: the block is not remembered */
		unlk();
		if (held && n_out < max)
			out[n_out++] = *b;
		return n_out;
	}
	struct ent *e = find(b->ptr);
	if (!e->b.ptr) {
		g_ring[(g_head + g_count) & (RING - 1)] = b->ptr;
		g_count++;
	} else if (e->held) { /* cannot happen: a held block is not freed twice */
		g_held_bytes -= e->b.size;
	}
	e->b = *b;
	e->held = held;
	if (held)
		g_held_bytes += b->size;
	unlk();
	return n_out;
}

bool mc_freed_find(uint64_t ptr, struct mc_freed_block *out)
{
	bool found = false;
	lk();
	if (g_tab) {
		struct ent *e = find(ptr);
		if (e->b.ptr) {
			*out = e->b;
			found = true;
		}
	}
	unlk();
	return found;
}

void mc_freed_foreach_held(void (*fn)(const struct mc_freed_block *b, void *ctx), void *ctx)
{
	/* bounded: at a crash, the faulting thread may hold the lock */
	for (int i = 0; atomic_exchange_explicit(&g_lock, 1, memory_order_acquire); i++) {
		if (i == 1000)
			return;
		sched_yield();
	}
	for (uint32_t i = 0; g_tab && i < g_count; i++) {
		struct ent *e = find(g_ring[(g_head + i) & (RING - 1)]);
		if (e->b.ptr && e->held)
			fn(&e->b, ctx);
	}
	unlk();
}
