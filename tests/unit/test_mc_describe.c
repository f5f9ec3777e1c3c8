/* Memcheck mode's description of an address (runtime/memcheck/mc_describe.c) over
 * the slots (mc_slab.c), the live map (rt_ptrmap.c) and the recent frees
 * (mc_freed.c), all linked here with the runtime's stand-ins and an
 * info table of this file's own (rt_info_size).
 *
 * What must hold, as valgrind describes an address: a live block whose
 * bytes or 16 bytes either side hold it, before a freed one; a freed
 * block the same way; nothing else. And the addresses are never read:
 * the live map's blocks here are addresses nothing is mapped at, and the
 * wild ones point at an inaccessible page, so a read would crash the test. */
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mc_describe.h"
#include "mc_freed.h"
#include "mc_redzone.h"
#include "mc_slab.h"
#include "rt.h"
#include "unit.h"

#include "rt_test_stubs.h"

/* infos: index -> size */
static uint64_t g_info_size[64];

uint64_t rt_info_size(uint32_t info)
{
	return info && info < 64 && g_info_size[info] ? g_info_size[info] - 1 : 0; /* stored + 1 */
}

static uint32_t info_of_size(uint32_t info, uint64_t size)
{
	g_info_size[info] = size + 1;
	return info;
}

static bool desc(uint64_t a, struct mc_heap_desc *d)
{
	return mc_describe_heap(a, d);
}

/* Slot blocks: near means within the block or 16 bytes of it, the slot's
 * header and front canaries beyond that say nothing. */
static void test_slots(void)
{
	CHECK(mc_slab_init());
	uint8_t *s1 = mc_slab_alloc(MC_RZ_FRONT + 48 + 32); /* a 48-byte block with its redzones */
	uint8_t *s2 = mc_slab_alloc(MC_RZ_FRONT + 48 + 32);
	CHECK(s1 && s2);
	uint64_t b1 = (uint64_t)(uintptr_t)s1 + MC_RZ_FRONT;
	*mc_slab_cell((uint64_t)(uintptr_t)s1) = info_of_size(1, 48);
	struct mc_heap_desc d;
	CHECK(desc(b1, &d) && d.block == b1 && d.info == 1 && !d.free_stack);
	CHECK(desc(b1 + 47, &d) && d.block == b1);
	CHECK(desc(b1 + 48 + 15, &d) && d.block == b1);
	CHECK(desc(b1 - 16, &d) && d.block == b1);
	CHECK(!desc(b1 - 17, &d) && d.info == 0 && d.block == 0);
	CHECK(!desc(b1 + 48 + 16, &d));
	/* s2's slot is not live: nothing, whatever the offset */
	for (uint64_t off = 0; off < 112; off += 8)
		CHECK(!desc((uint64_t)(uintptr_t)s2 + off, &d));
	/* the slot lookup is arithmetic: slot starts, span tails, other spans */
	CHECK(mc_slab_slot_of(b1) == (uint64_t)(uintptr_t)s1);
	CHECK(mc_slab_slot_of((uint64_t)(uintptr_t)s1) == (uint64_t)(uintptr_t)s1);
	CHECK(mc_slab_slot_of(mc_slab_lo - 1) == 0 && mc_slab_slot_of(mc_slab_hi) == 0);
	CHECK(mc_slab_slot_of(mc_slab_hi - 1) == 0); /* a span not in use */
	*mc_slab_cell((uint64_t)(uintptr_t)s1) = 0;
	mc_slab_free(s1);
	mc_slab_free(s2);
}

/* Blocks in the live map: the same rule, found by a scan; the first block
 * that fits, and no read of any of them (nothing is mapped there). */
static void test_live_map(void)
{
	uint64_t a = 0x7e0000001000ull, b = 0x7e0000100000ull, key = 0;
	rt_ptrmap_put(a, info_of_size(2, 100), 1, &key);
	rt_ptrmap_put(b, info_of_size(3, 0), 1, &key);
	struct mc_heap_desc d;
	CHECK(desc(a + 50, &d) && d.block == a && d.info == 2);
	CHECK(desc(a + 115, &d) && d.block == a);
	CHECK(!desc(a + 116, &d));
	CHECK(desc(a - 16, &d) && d.block == a);
	CHECK(!desc(a - 17, &d));
	CHECK(desc(b, &d) && d.block == b && d.info == 3); /* a 0-byte block */
	CHECK(desc(b + 15, &d) && desc(b - 16, &d) && !desc(b + 16, &d));
	CHECK(rt_ptrmap_take(a, 1, &key) == 2 && rt_ptrmap_take(b, 1, &key) == 3);
	CHECK(!desc(a + 50, &d));
}

/* Freed blocks: described with their free, after any live block near. */
static void test_freed(void)
{
	struct mc_ring *r = mc_ring_new();
	uint64_t f = 0x7e0000200000ull, key = 0;
	struct mc_freed_block fb = { f, 64, info_of_size(4, 64), 77, 32 }, out[2];
	CHECK(r && mc_freed_note(r, &fb, MC_HELD, out, 2) == 0);
	struct mc_heap_desc d;
	CHECK(desc(f + 8, &d) && d.block == f && d.info == 4 && d.free_stack == 77 && d.free_how == 32);
	CHECK(desc(f + 64 + 15, &d) && d.block == f);
	CHECK(!desc(f + 64 + 16, &d));
	/* a live block reusing the memory wins */
	rt_ptrmap_put(f, info_of_size(5, 32), 1, &key);
	CHECK(desc(f + 8, &d) && d.block == f && d.info == 5 && !d.free_stack);
	CHECK(desc(f + 60, &d) && d.info == 4); /* past the live one's reach: the freed one */
	CHECK(rt_ptrmap_take(f, 1, &key) == 5);
}

/* Wild addresses: no answer, no read (an inaccessible page, the null
 * page, the top of the address space, the middle of the slot region). */
static void test_wild(void)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	uint8_t *none = mmap(NULL, pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(none != MAP_FAILED);
	const uint64_t wild[] = { (uint64_t)(uintptr_t)none + 24, 0, 8, 0xdeadbeef, ~0ull, ~0ull - 15,
				  mc_slab_lo + (mc_slab_hi - mc_slab_lo) / 2 + 40 };
	for (size_t i = 0; i < sizeof wild / sizeof wild[0]; i++) {
		struct mc_heap_desc d;
		CHECK(!desc(wild[i], &d));
	}
	munmap(none, pg);
}

int main(void)
{
	RUN(test_slots);
	RUN(test_live_map);
	RUN(test_freed);
	RUN(test_wild);
	UNIT_EXIT();
}
