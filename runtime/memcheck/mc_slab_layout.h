/* The slot allocator's layout (mc_slab.c), for that file and its unit
 * test (tests/unit/test_mc_slab.c), which looks inside. */
#ifndef SONDE_RT_MC_SLAB_LAYOUT_H
#define SONDE_RT_MC_SLAB_LAYOUT_H
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define REGION_SIZE (32ull << 30)
#define SPAN_SHIFT 18
#define SPAN (1ull << SPAN_SHIFT)
#define NSPANS (REGION_SIZE >> SPAN_SHIFT)
#define MIN_SLOT 64
#define CELLS_PER_SPAN (SPAN / MIN_SLOT)
#define CELL_WORDS 2 /* a slot's info, then its block's age: one cache line for both stores */
#define SMALL_MAX 1024 /* classes every 16 bytes up to here, then 4 per doubling */
#define NSMALL ((SMALL_MAX - MIN_SLOT) / 16 + 1)
#define NCLASS (NSMALL + 4 * 6)
#define TCACHE 64 /* slots a thread keeps per class */
#define BATCH (TCACHE / 2)

extern _Atomic uint64_t mc_slab_next_span;

/* Slot index in its span by a multiply: floor(in * ceil(2^40 / size) / 2^40)
 * is in / size for in < 2^18 and size <= 2^16 (the error stays below
 * 2^-22, under the 1/size a quotient's fraction keeps from the next
 * integer); a division on every malloc and free cost more. */
#define RECIP_SHIFT 40
extern uint64_t mc_slab_recip[NCLASS];

struct pool {
	_Atomic int lock;
	uint32_t n, cap;
	void **stack;
	uint64_t carve, carve_end; /* the class's newest span, not handed out yet */
};
extern struct pool mc_slab_pools[NCLASS];

struct tcache {
	struct tcache *next; /* on the free list, once its thread ended */
	uint32_t n[NCLASS];
	void *slot[NCLASS][TCACHE];
};
extern struct tcache *mc_slab_spare; /* the caches of ended threads */

static inline uint32_t class_size(unsigned c)
{
	if (c < NSMALL)
		return MIN_SLOT + 16 * c;
	unsigned k = c - NSMALL, e = 10 + k / 4;
	return (1u << e) + (k % 4 + 1) * (1u << (e - 2));
}

static inline unsigned class_of(size_t n)
{
	if (n <= MIN_SLOT)
		return 0;
	if (n <= SMALL_MAX)
		return (unsigned)((n + 15) / 16 - MIN_SLOT / 16);
	unsigned e = 63 - (unsigned)__builtin_clzll(n - 1);
	return NSMALL + (e - 10) * 4 + (unsigned)((n - 1 - (1ull << e)) >> (e - 2));
}

#endif
