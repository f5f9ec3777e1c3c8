/* A redzone block's layout (mc_redzone.c; the sizes in mc_redzone.h), for
 * that file and its unit test (tests/unit/test_mc_blocks.c). */
#ifndef SONDE_RT_MC_REDZONE_LAYOUT_H
#define SONDE_RT_MC_REDZONE_LAYOUT_H
#include <stddef.h>
#include <stdint.h>

#include "mc_redzone.h"

#define HEADER 16
#define FRONT_CANARY 16
#define MIN_FRONT MC_RZ_FRONT
_Static_assert(MC_RZ_FRONT == HEADER + FRONT_CANARY, "the layout in mc_redzone.h");
#define TAIL 16
#define GUARDED 0x80000000u /* in header.front: the block ends at a guard page (mc_guard.c) */

/* packed: a guarded block (and so its header) is only as aligned as its
 * size needs */
struct __attribute__((packed)) header {
	uint64_t size;
	uint32_t front; /* bytes from the base to the block */
	uint32_t check; /* ties size and front to the block's address */
};

/* The end of the tail redzone: the block rounded up to 16, plus 16. */
static inline size_t tail_end(size_t n)
{
	return ((n + 15) & ~(size_t)15) + TAIL;
}

/* The freed pattern covers small blocks whole and the head and the end of
 * bigger ones: filling and checking every byte of big blocks cost more than
 * the rest of free (two passes over memory that has gone cold by the time
 * the block leaves), and stale writes mostly hit the first fields. */
#define FILL_WHOLE 512
#define FILL_HEAD 256
#define FILL_END 64

#endif
