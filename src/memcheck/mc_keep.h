/* --keep-stacktraces: which of a block's stacks valgrind keeps, so which
 * its reports can show. */
#ifndef SONDE_MEMCHECK_KEEP_H
#define SONDE_MEMCHECK_KEEP_H
#include "memcheck/mc_model.h"
#include "memcheck/mc_opts.h"

/* A stack valgrind did not keep becomes its empty stack ("at 0x0: ???");
 * a freed block's allocation stack that is not shown any more is emptied
 * of frames (no "Block was alloc'd at"). Before the loss records are
 * grouped: with no stacks kept, valgrind merges them by kind. */
void mc_keep_stacks(struct mc_result *r, enum mc_keep_stacks keep);

#endif
