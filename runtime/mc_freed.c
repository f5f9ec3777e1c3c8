/* Memcheck mode: the blocks freed recently (address, size, info and the
 * stack of the free), so a second free of one can say "0 bytes inside a
 * block of size N free'd" with both stacks, like valgrind's freed-block
 * list; and the quarantine: freed blocks stay allocated, filled with the
 * freed pattern, until VOLUME bytes were freed after them, so their
 * addresses are not handed out again at once and a write after the free
 * shows when they leave.
 *
 * A ring, oldest first: a free appends, the oldest entries leave. Lookups
 * (an invalid free, a fault in --precise mode) are errors, rare enough for
 * a scan of the ring; the common path touches memory in order only. */
#include <sched.h>
#include <stdatomic.h>

#include "mc_freed.h"
#include "rt.h"

#define RING (1u << 16) /* frees remembered */
#define VOLUME (20u << 20) /* bytes held, valgrind's --freelist-vol */
#define PREFETCH_AHEAD 4    /* blocks leaving soon whose memory is fetched early */

struct ent {
	struct mc_freed_block b;
	bool held; /* still allocated, in quarantine */
};

static _Atomic int g_lock;
static struct ent *g_ring; /* RING entries, oldest at g_head */
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

/* Forgets the oldest entry; a held block goes to *out. */
static bool pop_oldest(struct mc_freed_block *out)
{
	struct ent *old = &g_ring[g_head];
	bool held = old->held;
	if (held) {
		*out = old->b;
		g_held_bytes -= old->b.size;
	}
	g_head = (g_head + 1) & (RING - 1);
	g_count--;
	/* the caller checks the blocks that leave, long out of cache: fetch
	 * the ones next in line now (the ring is FIFO) */
	if (g_count > PREFETCH_AHEAD) {
		const struct ent *next = &g_ring[(g_head + PREFETCH_AHEAD) & (RING - 1)];
		if (next->held) {
			const char *p = (const char *)(uintptr_t)next->b.ptr;
			uint64_t n = next->b.size < 256 ? next->b.size : 256;
			__builtin_prefetch(p - 48); /* our header, the allocator's */
			for (uint64_t off = 0; off < n; off += 64)
				__builtin_prefetch(p + off);
		}
	}
	return held;
}

size_t mc_freed_note(const struct mc_freed_block *b, bool held, struct mc_freed_block *out, size_t max)
{
	size_t n_out = 0;
	lk();
	if (!g_ring && !(g_ring = rt_map(RING * sizeof(*g_ring)))) {
		unlk();
		if (held && max) /* no quarantine: the caller releases it */
			out[n_out++] = *b;
		return n_out;
	}
	while (g_count && n_out < max && (g_count == RING || (held && g_held_bytes + b->size > VOLUME)))
		if (pop_oldest(&out[n_out]))
			n_out++;
	if (g_count == RING) { /* out has no room: the block is not remembered */
		unlk();
		if (held && n_out < max)
			out[n_out++] = *b;
		return n_out;
	}
	struct ent *e = &g_ring[(g_head + g_count) & (RING - 1)];
	e->b = *b;
	e->held = held;
	g_count++;
	if (held)
		g_held_bytes += b->size;
	unlk();
	return n_out;
}

bool mc_freed_find(uint64_t ptr, struct mc_freed_block *out)
{
	bool found = false;
	lk();
	for (uint32_t i = g_count; g_ring && i-- > 0;) { /* the latest free of ptr */
		const struct ent *e = &g_ring[(g_head + i) & (RING - 1)];
		if (e->b.ptr == ptr) {
			*out = e->b;
			found = true;
			break;
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
	for (uint32_t i = 0; g_ring && i < g_count; i++) {
		const struct ent *e = &g_ring[(g_head + i) & (RING - 1)];
		if (e->held)
			fn(&e->b, ctx);
	}
	unlk();
}
