/* Memcheck's precise mode (`sonde memcheck --precise[=N]`): blocks on
 * pages of their own that end at an inaccessible guard page, so a read or
 * write past the end faults at the instruction itself; freed blocks' pages
 * become inaccessible until they leave the quarantine, so a use after free
 * faults too. The fault handler (mc_mode.c) asks which block an address
 * belongs to.
 *
 *   base | front slack, header, canaries | the block | padding | guard page
 */
#ifndef SONDE_RT_MC_GUARD_H
#define SONDE_RT_MC_GUARD_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* every: 0 off, 1 every block, N every Nth block. */
void mc_guard_init(unsigned every);
/* Whether the next block should get guard pages (counts the sample). */
bool mc_guard_wanted(void);
/* The alignment a guarded block of n bytes gets: malloc's (16). */
size_t mc_guard_align(size_t n);
/* Maps a region for a block of n bytes needing front bytes before it;
 * returns the block's address (aligned by mc_guard_align; from its end to
 * the guard page, fewer than 16 bytes of padding), NULL past the limits
 * on regions or when the mapping fails (the caller falls back to
 * redzones). Any size: a big block costs one page more too. */
void *mc_guard_alloc(size_t n, size_t front);
/* Whether p is a block mc_guard_alloc returned (live or freed). */
bool mc_guard_owns(const void *p);
/* A freed block: its pages become inaccessible; true when they also went
 * back to the system (a big block: it costs nothing in the quarantine). */
bool mc_guard_protect(void *p, size_t n);
/* Unmaps a block's region (it left the quarantine). */
void mc_guard_release(void *p, size_t n);
/* The guarded block whose region (guard page included) holds addr:
 * its address; false if none. Lock-free: called from the fault handler. */
bool mc_guard_find(uint64_t addr, uint64_t *block);
/* Makes the page holding addr accessible for one instruction (the fault
 * handler steps over the access), and back. */
void mc_guard_open_page(uint64_t addr);
void mc_guard_close_page(uint64_t addr);

#endif
