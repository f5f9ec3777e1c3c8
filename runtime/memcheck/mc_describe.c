/* Memcheck mode: the heap block near an address (mc_describe.h), in
 * valgrind's order: live blocks first (the most recent use of the
 * memory), then the recently freed ones. */
#include "mc_describe.h"
#include "mc_freed.h"
#include "mc_redzone.h"
#include "mc_slab.h"
#include "rt.h"

static bool near(uint64_t addr, uint64_t block, uint64_t size)
{
	return block <= addr + MC_DESCRIBE_SLACK && addr < block + size + MC_DESCRIBE_SLACK;
}

bool mc_describe_heap(uint64_t addr, struct mc_heap_desc *d)
{
	*d = (struct mc_heap_desc){ 0, 0, 0, 0 };
	/* a slot holds its block with all its redzones: no neighbour's block
	 * comes within the slack */
	uint64_t slot = mc_slab_slot_of(addr);
	uint32_t *cell = slot ? mc_slab_cell(slot) : NULL;
	if (cell && *cell && near(addr, slot + MC_RZ_FRONT, rt_info_size(*cell))) {
		d->block = slot + MC_RZ_FRONT;
		d->info = *cell;
		return true;
	}
	if (!slot && (d->info = rt_ptrmap_find_near(addr, MC_DESCRIBE_SLACK, rt_info_size, &d->block)))
		return true;
	struct mc_freed_block f;
	if (!mc_freed_find_near(addr, MC_DESCRIBE_SLACK, &f))
		return false;
	*d = (struct mc_heap_desc){ f.ptr, f.info, f.free_stack, f.how };
	return true;
}
