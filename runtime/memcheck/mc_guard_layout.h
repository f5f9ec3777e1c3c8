/* The guarded blocks' page map and limits (mc_guard.c), for that file and
 * its unit test (tests/unit/test_mc_blocks.c), which looks inside. */
#ifndef SONDE_RT_MC_GUARD_LAYOUT_H
#define SONDE_RT_MC_GUARD_LAYOUT_H
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define MAX_DATA_PAGES 16
#define MAX_REGIONS 24000
#define SLOTS (1u << 20) /* page map, power of two; at most half full */
#define MAX_BIG 4096     /* big regions, live or in quarantine */

struct slot {
	_Atomic uint64_t page; /* page number + 1; 0: empty */
	_Atomic uint64_t block;
};

extern _Atomic int mc_guard_lock;
extern struct slot *mc_guard_map; /* the page map: SLOTS slots */
extern size_t mc_guard_used, mc_guard_regions;

struct big {
	_Atomic uint64_t block; /* 0: a free entry; written last */
	_Atomic uint64_t base, end; /* the region, its guard page included */
};
extern size_t mc_guard_nbig; /* big entries in use (under mc_guard_lock) */

static inline uint32_t mc_guard_slot_of(uint64_t page)
{
	page *= 0x9e3779b97f4a7c15ull;
	return (uint32_t)(page >> 40) & (SLOTS - 1);
}

/* Under mc_guard_lock: page -> block into the map, and out of it. */
void mc_guard_map_put(uint64_t page, uint64_t block);
void mc_guard_map_erase(uint64_t page);

#endif
