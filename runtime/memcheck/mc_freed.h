/* Memcheck mode: recently freed blocks, for reports on frees of them, and
 * the quarantine that holds freed blocks back from reuse; one ring per
 * thread. */
#ifndef SONDE_RT_MC_FREED_H
#define SONDE_RT_MC_FREED_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mc_freed_block {
	uint64_t ptr, size;
	uint32_t info, free_stack; /* the block's info; the stack of its free */
	uint8_t how;               /* the function that freed it (HK_FREE, HK_DELETE | HK_SIZED, ...) */
};

struct mc_ring;
/* The frees a ring holds at most (mc_freed.c says why so few). */
#define MC_RING_ENTRIES (1u << 14)

/* valgrind's --freelist-vol and --freelist-big-blocks (before any ring). */
void mc_freed_config(uint64_t volume, uint64_t big_blocks);

/* A thread's ring (NULL when out of memory). Rings live as long as the
 * process: a thread's state, and its ring, go to the next thread. */
struct mc_ring *mc_ring_new(void);
/* The bytes r holds in quarantine. */
uint64_t mc_ring_held_bytes(const struct mc_ring *r);
/* How a freed block waits: not at all (only remembered), in quarantine
 * at its size, or in quarantine at no cost (its memory went back to the
 * system: only the ring's room limits it). */
enum mc_hold { MC_NOT_HELD, MC_HELD, MC_HELD_FREE_OF_COST };

/* A block was freed (r: the freeing thread's ring; NULL: none). held
 * (enum mc_hold): it is still allocated, in quarantine. Blocks that leave
 * the quarantine to make room (at most max) are copied to out for the
 * caller to check and release; returns how many. */
size_t mc_freed_note(struct mc_ring *r, const struct mc_freed_block *b, int held, struct mc_freed_block *out,
		     size_t max);
/* The freed block that started at ptr, if some ring remembers it. */
bool mc_freed_find(uint64_t ptr, struct mc_freed_block *out);
/* The freed block whose bytes, widened by slack on both sides, hold addr
 * (each ring's latest such free). */
bool mc_freed_find_near(uint64_t addr, uint64_t slack, struct mc_freed_block *out);
/* Calls fn for every block in quarantine, each ring oldest first (at exit). */
void mc_freed_foreach_held(void (*fn)(const struct mc_freed_block *b, void *ctx), void *ctx);

#endif
