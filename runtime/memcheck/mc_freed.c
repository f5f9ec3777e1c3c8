/* Memcheck mode: the blocks freed recently (address, size, info and the
 * stack of the free), so a second free of one can say "0 bytes inside a
 * block of size N free'd" with both stacks, like valgrind's freed-block
 * list; and the quarantine: freed blocks stay allocated, filled with the
 * freed pattern, until enough bytes were freed after them, so their
 * addresses are not handed out again at once and a write after the free
 * shows when they leave.
 *
 * One ring per thread, oldest first: a free appends to its thread's ring
 * (its lock is the thread's own, so threads do not contend), the oldest
 * entries leave. Lookups (an invalid free, a fault in --precise mode) are
 * errors, rare enough for a scan of every ring. */
#include <sched.h>
#include <stdatomic.h>

#include "mc_freed.h"
#include "rt.h"

/* The first ring (the main thread's, usually) holds valgrind's
 * --freelist-vol; the others a quarter of it, so many threads do not pin
 * many times that much memory. Every ring holds at most MC_RING_ENTRIES
 * frees (mc_freed.h): the blocks leaving are checked, and a quarantine of small blocks
 * that outgrows the caches makes every allocation land on cold memory
 * (65,536 made malloc/free pairs a third slower; Dr. Memory delays 2,000
 * frees). Blocks of at least --freelist-big-blocks bytes wait in a list of
 * their own and leave first, as in valgrind, so one big free does not
 * flush the small blocks. */
#define BIG_ENTRIES 64u
#define PREFETCH_AHEAD 4 /* blocks leaving soon whose memory is fetched early */

static uint64_t g_volume = 20000000, g_big_size = 1000000; /* valgrind's defaults */

void mc_freed_config(uint64_t volume, uint64_t big_blocks)
{
	g_volume = volume;
	g_big_size = big_blocks;
}

/* mc_freed_block's fields and the flag in its padding: 32 bytes, two
 * entries a cache line (the ring is read where it is coldest, its head) */
struct ent {
	uint64_t ptr, size;
	uint32_t info, free_stack;
	uint8_t how;
	uint8_t held; /* enum mc_hold: still allocated, in quarantine */
};
_Static_assert(sizeof(struct ent) == 32, "ring entries two a cache line");

static inline struct mc_freed_block block_of(const struct ent *e)
{
	return (struct mc_freed_block){ e->ptr, e->size, e->info, e->free_stack, e->how };
}

struct mc_ring {
	_Atomic int lock;
	uint32_t head, count; /* of MC_RING_ENTRIES, a power of two */
	uint32_t big_head, big_count; /* of BIG_ENTRIES: big held blocks, oldest first */
	uint64_t volume, held_bytes;
	struct mc_ring *next; /* every ring, for lookups */
	struct ent big[BIG_ENTRIES];
	struct ent ent[];
};

static _Atomic int g_rings_lock;
static struct mc_ring *g_rings;

struct mc_ring *mc_ring_new(void)
{
	rt_spin_lock(&g_rings_lock);
	bool first = !g_rings;
	rt_spin_unlock(&g_rings_lock);
	struct mc_ring *r = rt_map(sizeof *r + MC_RING_ENTRIES * sizeof(struct ent));
	if (!r)
		return NULL;
	r->volume = first ? g_volume : g_volume / 4;
	rt_spin_lock(&g_rings_lock);
	r->next = g_rings;
	g_rings = r;
	rt_spin_unlock(&g_rings_lock);
	return r;
}

uint64_t mc_ring_held_bytes(const struct mc_ring *r)
{
	return r->held_bytes;
}

/* Forgets the oldest entry; a held block goes to *out. */
static bool pop_oldest(struct mc_ring *r, struct mc_freed_block *out)
{
	struct ent *old = &r->ent[r->head];
	bool held = old->held != MC_NOT_HELD;
	if (held)
		*out = block_of(old);
	if (old->held == MC_HELD)
		r->held_bytes -= old->size;
	r->head = (r->head + 1) & (MC_RING_ENTRIES - 1);
	r->count--;
	/* the caller checks the blocks that leave, long out of cache: fetch
	 * the ones next in line now (the ring is FIFO) */
	if (r->count > 2 * PREFETCH_AHEAD) /* the entries that will be read there */
		__builtin_prefetch(&r->ent[(r->head + 2 * PREFETCH_AHEAD) & (MC_RING_ENTRIES - 1)]);
	if (r->count > PREFETCH_AHEAD) {
		const struct ent *next = &r->ent[(r->head + PREFETCH_AHEAD) & (MC_RING_ENTRIES - 1)];
		if (next->held == MC_HELD) {
			const char *p = (const char *)(uintptr_t)next->ptr;
			uint64_t n = next->size < 256 ? next->size : 256;
			__builtin_prefetch(p - 48); /* our header, the allocator's */
			for (uint64_t off = 0; off < n; off += 64)
				__builtin_prefetch(p + off);
		}
	}
	return held;
}

static void pop_big(struct mc_ring *r, struct mc_freed_block *out)
{
	const struct ent *e = &r->big[r->big_head];
	*out = block_of(e);
	r->held_bytes -= e->size;
	r->big_head = (r->big_head + 1) % BIG_ENTRIES;
	r->big_count--;
}

size_t mc_freed_note(struct mc_ring *r, const struct mc_freed_block *b, int held, struct mc_freed_block *out,
		     size_t max)
{
	size_t n_out = 0;
	/* no quarantine, or bigger than it: the caller releases it */
	if (!r || (held == MC_HELD && b->size > r->volume)) {
		if (held && max)
			out[n_out++] = *b;
		return n_out;
	}
	/* a block held at no cost waits in the ring, whatever its size */
	uint64_t cost = held == MC_HELD ? b->size : 0;
	bool big = held == MC_HELD && b->size >= g_big_size;
	bool locked = rt_spin_lock_if_threaded(&r->lock);
	/* make room as valgrind does after adding it: the big blocks leave
	 * first (a new big one itself when no older is left), then the oldest */
	for (;;) {
		bool ring_full = !big && r->count == MC_RING_ENTRIES, big_full = big && r->big_count == BIG_ENTRIES;
		bool over = held == MC_HELD && r->held_bytes + cost > r->volume;
		if (n_out == max || !(ring_full || big_full || over))
			break;
		if (r->big_count && (big_full || over))
			pop_big(r, &out[n_out++]);
		else if (big || !r->count)
			break; /* the new big block goes at once (below) */
		else if (pop_oldest(r, &out[n_out]))
			n_out++;
	}
	if ((!big && r->count == MC_RING_ENTRIES) || (big && (r->big_count == BIG_ENTRIES ||
							  r->held_bytes + cost > r->volume))) {
		/* no room: released at once, not remembered */
		rt_spin_unlock_if(locked, &r->lock);
		if (held && n_out < max)
			out[n_out++] = *b;
		return n_out;
	}
	struct ent e = { b->ptr, b->size, b->info, b->free_stack, b->how, (uint8_t)held };
	if (big) {
		r->big[(r->big_head + r->big_count++) % BIG_ENTRIES] = e;
	} else {
		r->ent[(r->head + r->count) & (MC_RING_ENTRIES - 1)] = e;
		r->count++;
	}
	r->held_bytes += cost;
	rt_spin_unlock_if(locked, &r->lock);
	return n_out;
}

/* Takes a lock, a bounded number of tries: at a crash, the faulting
 * thread may hold it. */
static bool lock_bounded(_Atomic int *l)
{
	for (int i = 0; atomic_exchange_explicit(l, 1, memory_order_acquire); i++) {
		if (i == 1000)
			return false;
		sched_yield();
	}
	return true;
}

/* Whether e is the block looked for: one starting at addr (exact), or
 * whose bytes widened by slack hold addr. */
static inline bool matches(const struct ent *e, uint64_t addr, uint64_t slack, bool exact)
{
	return exact ? e->ptr == addr : e->ptr <= addr + slack && addr < e->ptr + e->size + slack;
}

/* The latest free (each ring newest first, then its big blocks) of such a
 * block. */
static bool find(uint64_t addr, uint64_t slack, bool exact, struct mc_freed_block *out)
{
	bool found = false;
	if (!lock_bounded(&g_rings_lock))
		return false;
	for (struct mc_ring *r = g_rings; r && !found; r = r->next) {
		if (!lock_bounded(&r->lock))
			continue;
		for (uint32_t i = r->count; i-- > 0 && !found;) {
			const struct ent *e = &r->ent[(r->head + i) & (MC_RING_ENTRIES - 1)];
			if (matches(e, addr, slack, exact)) {
				*out = block_of(e);
				found = true;
			}
		}
		for (uint32_t i = r->big_count; i-- > 0 && !found;) {
			const struct ent *e = &r->big[(r->big_head + i) % BIG_ENTRIES];
			if (matches(e, addr, slack, exact)) {
				*out = block_of(e);
				found = true;
			}
		}
		rt_spin_unlock(&r->lock);
	}
	rt_spin_unlock(&g_rings_lock);
	return found;
}

bool mc_freed_find(uint64_t ptr, struct mc_freed_block *out)
{
	return find(ptr, 0, true, out);
}

bool mc_freed_find_near(uint64_t addr, uint64_t slack, struct mc_freed_block *out)
{
	return find(addr, slack, false, out);
}

void mc_freed_foreach_held(void (*fn)(const struct mc_freed_block *b, void *ctx), void *ctx)
{
	if (!lock_bounded(&g_rings_lock))
		return;
	for (struct mc_ring *r = g_rings; r; r = r->next) {
		if (!lock_bounded(&r->lock))
			continue;
		for (uint32_t i = 0; i < r->count; i++) {
			const struct ent *e = &r->ent[(r->head + i) & (MC_RING_ENTRIES - 1)];
			if (e->held) {
				struct mc_freed_block b = block_of(e);
				fn(&b, ctx);
			}
		}
		for (uint32_t i = 0; i < r->big_count; i++) {
			struct mc_freed_block b = block_of(&r->big[(r->big_head + i) % BIG_ENTRIES]);
			fn(&b, ctx);
		}
		rt_spin_unlock(&r->lock);
	}
	rt_spin_unlock(&g_rings_lock);
}
