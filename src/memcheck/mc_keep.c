/* --keep-stacktraces (see mc_keep.h): valgrind keeps the allocation stack
 * (alloc), the free's (free), both (alloc-and-free, the default), the
 * allocation's until the free replaces it (alloc-then-free), or none. */
#include "memcheck/mc_keep.h"

/* valgrind's stack for "nothing kept": one unknown frame at 0 */
static void forget(struct mc_stack *s)
{
	mc_stack_free(s);
	struct mc_frame f = { 0 };
	vec_push(&s->frames, f);
}

void mc_keep_stacks(struct mc_result *r, enum mc_keep_stacks keep)
{
	if (keep == MC_KEEP_ALLOC_AND_FREE)
		return;
	bool alloc = keep != MC_KEEP_FREE && keep != MC_KEEP_NONE;
	bool free_ = keep != MC_KEEP_ALLOC && keep != MC_KEEP_NONE;
	for (size_t i = 0; i < r->errors.n; i++) {
		struct mc_error *e = &r->errors.v[i];
		if (e->rel == MC_ADDR_NONE || e->rel == MC_ADDR_STACK)
			continue;
		if (!e->block_freed) {
			if (!alloc)
				forget(&e->alloc_stack);
			continue;
		}
		if (!free_)
			forget(&e->free_stack);
		if (keep != MC_KEEP_ALLOC) /* the freed block's "Block was alloc'd at" goes */
			mc_stack_free(&e->alloc_stack);
	}
	if (!alloc)
		for (size_t i = 0; i < r->losses.n; i++)
			forget(&r->losses.v[i].alloc);
}
