/* Memcheck mode's allocator for blocks with redzones (up to MC_SLAB_MAX
 * bytes with them): size classes in slots of one reserved region, a cache
 * of free slots per thread. It replaces the C library's allocator there
 * because the quarantine frees in FIFO order, which makes glibc coalesce
 * and consolidate on most calls; and because a slot's address says where
 * its info lives (a side array per span), so the live map is not needed
 * for these blocks: a free finds its block's info by arithmetic, an
 * invalid free is any address that is no live slot's. */
#ifndef SONDE_RT_MC_SLAB_H
#define SONDE_RT_MC_SLAB_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MC_SLAB_MAX 65536 /* the largest slot */

extern uint64_t mc_slab_lo, mc_slab_hi; /* the region; empty when off */

/* Reserves the region (address space only); false if the system refuses,
 * and then every call below finds nothing and mc_slab_alloc fails. */
bool mc_slab_init(void);
/* A free slot of at least n bytes, 16-byte aligned; NULL when n is too
 * big or the region is used up (the caller falls back to the C library). */
void *mc_slab_alloc(size_t n);
/* Returns a slot mc_slab_alloc gave. */
void mc_slab_free(void *slot);

static inline bool mc_slab_owns(uint64_t a)
{
	return a - mc_slab_lo < mc_slab_hi - mc_slab_lo;
}

/* The cell of the slot starting exactly at slot, NULL if no slot starts
 * there: cell[0] its block's info (0: not live), cell[1] the block's age
 * (its place in allocation order, for the leak check). */
uint32_t *mc_slab_cell(uint64_t slot);
/* The start of the slot holding address a, 0 if a is in no slot (reports
 * on wild addresses: arithmetic only, a is never read). */
uint64_t mc_slab_slot_of(uint64_t a);
/* Calls fn(slot + off, info, age) for every slot with a non-zero info. */
void mc_slab_foreach_live(uint64_t off, void (*fn)(uint64_t ptr, uint32_t info, uint32_t age, void *ctx),
			  void *ctx);
/* A thread ends: its cached slots go back to the shared pools; what it
 * frees later goes straight there, what it allocates comes from the C
 * library. */
void mc_slab_thread_exit(void);
/* In a forked child: the locks other threads held are free again. */
void mc_slab_after_fork(void);

#endif
