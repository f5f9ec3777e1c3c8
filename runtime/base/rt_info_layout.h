/* The allocation infos' layout (rt_info.c), for that file and its unit
 * test (tests/unit/test_rt_info.c), which looks inside. */
#ifndef SONDE_RT_INFO_LAYOUT_H
#define SONDE_RT_INFO_LAYOUT_H
#include <stdint.h>

struct gslot {
	uint64_t size;
	uint32_t stack;
	uint8_t kind;
};

/* The infos by index, in chunks that never move once mapped, so a look-up
 * by index (every free) takes no lock: an index is handed out only after
 * its entry and chunk are written. */
#define CHUNK_BITS 14
#define CHUNK_ENTRIES (1u << CHUNK_BITS)
#define CHUNKS (1u << (32 - CHUNK_BITS)) /* every uint32_t index */
extern struct gslot *rt_info_chunks[CHUNKS];
struct tslot {
	uint64_t size;
	uint32_t stack, info; /* info 0: empty */
	uint8_t kind;
};
extern struct tslot *rt_info_tab;
extern uint64_t rt_info_cap, rt_info_n;
extern uint32_t rt_info_next;

/* The table's slot for (kind, size, stack), before the mask. */
static inline uint64_t key_hash(int kind, uint64_t size, uint32_t stack)
{
	uint64_t h = (size * 0x9e3779b97f4a7c15ull) ^ ((uint64_t)stack * 0xc2b2ae3d27d4eb4full) ^ (uint64_t)kind;
	return h ^ (h >> 31);
}

#endif
