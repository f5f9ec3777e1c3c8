/* The live-block map's layout (rt_ptrmap.c), for that file and the unit
 * tests that look inside it (tests/unit/test_rt_ptrmap.c, test_heap_order.c). */
#ifndef SONDE_RT_PTRMAP_LAYOUT_H
#define SONDE_RT_PTRMAP_LAYOUT_H
#include <stdatomic.h>
#include <stdint.h>

#define STRIPES 256
#define FIRST_CAP 256 /* slots per stripe at first use, power of two */
#define SPARSE_CAP 4096 /* up to here a stripe stays 1/8 full */

struct slot {
	uint64_t ptr; /* 0: empty */
	uint32_t info;
	uint32_t tag; /* the index that put it (0: unknown); memcheck mode: the block's age */
};

struct stripe {
	_Atomic int lock;
	uint32_t n;
	uint64_t cap; /* 0 until first use */
	struct slot *s;
	uint64_t clock;       /* the highest key a block was put here with */
	uint64_t free_clock;  /* the highest key a block was taken with */
	uint32_t free_thread; /* the index that took one with it (0: several, or unknown) */
	char pad[64 - sizeof(int) - 2 * sizeof(uint32_t) - 3 * sizeof(uint64_t) - sizeof(void *)];
};
_Static_assert(sizeof(struct stripe) == 64, "a stripe a cache line");

extern struct stripe rt_ptrmap_stripes[STRIPES];

static inline uint64_t mix(uint64_t p)
{
	p ^= p >> 33;
	p *= 0xff51afd7ed558ccdull;
	p ^= p >> 29;
	return p;
}

/* Stripes by 64 MiB region first: glibc gives each thread arena its own
 * aligned 64 MiB heaps, so a thread's blocks meet in stripes other
 * threads seldom touch (no cache-line ping-pong between cores), and
 * a cross-thread free still finds its block. Then by 4 KiB page, sixteen
 * taking turns: a page's blocks share a stripe and, by home(), slots. */
static inline struct stripe *stripe_of(uint64_t ptr)
{
	uint64_t region = mix(ptr >> 26);
	return &rt_ptrmap_stripes[((region & 15) << 4 | ((ptr >> 12) & 15)) & (STRIPES - 1)];
}

/* A block's home slot (before the mask): its 16-byte granule, without the
 * page bits that chose the stripe, so neighbouring blocks have neighbouring
 * slots (allocations and frees come in address order often: cache hits). */
static inline uint64_t home(uint64_t ptr)
{
	uint64_t g = ptr >> 4;
	uint64_t hi = g >> 12;
	return (g & 0xff) | ((hi ^ (hi >> 17) * 0x9e37u) << 8);
}

#endif
