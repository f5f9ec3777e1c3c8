/* The leak check of a live process, run from inside it (at exit): stop the
 * other threads, collect memcheck's root set, classify with mc_mark.c,
 * resume. libc only, syscalls and mmap: never calls malloc or stdio, so it
 * is safe while other threads are stopped anywhere (inside malloc too). */
#ifndef SONDE_MC_ROOTS_H
#define SONDE_MC_ROOTS_H
#include <sys/types.h>

#include "mc_mark.h"

struct mc_scan_stats {
	struct mc_mark_stats mark;
	uint32_t threads_stopped; /* other threads whose registers and stack were read */
	uint32_t threads_missed;  /* did not answer in time: stack mapping scanned whole */
	uint32_t root_ranges;     /* memory ranges scanned as roots */
	uint32_t direct;          /* 1: memory read directly (all threads stopped) */
};

/* Classifies blocks[0..n) (sorted by start, not overlapping) into
 * state_out[i] (MC_KIND/MC_HEUR of mc_mark.h) and, for definitely lost
 * blocks, indirect_out[i] (bytes of the blocks their clique holds).
 *
 * exclude[0..nex): memory that must not be scanned as roots: the caller's
 * own tables (its live-block map, buffers, its own writable data: see
 * mc_object_data_ranges). blocks, state_out, indirect_out and this module's
 * own memory are excluded without being listed. skip_tids[0..nskip):
 * threads not to stop (the caller's own service threads, which may block
 * every signal); their stacks are scanned whole like any mapping.
 * heuristics: MC_HEUR_ALL for valgrind's default (MC_IGNORE_GLIBC_LINKS
 * is always added: the blocks come from glibc's allocator).
 * mc_scan_stack_from: where the calling thread's stack starts being a root:
 * a stack address at the caller's entry point (e.g. the stack pointer when
 * main returned, or __builtin_frame_address(0) of the exit hook), so the
 * frames below it (the caller's own work, uninitialised locals holding
 * stale pointers, which valgrind sees as undefined and skips) are not
 * scanned.
 *
 * Returns 0, or -1 (working memory could not be mapped, or a scan is
 * already running in another thread). One scan at a time. */
MC_HIDDEN int mc_leak_scan(const struct mc_block *blocks, size_t n, const struct mc_range *exclude,
			   size_t nex, const pid_t *skip_tids, size_t nskip, unsigned heuristics,
			   uint8_t *state_out, uint64_t *indirect_out, struct mc_scan_stats *st);

/* Where the calling thread's stack starts being a root for the next
 * mc_leak_scan (see above); 0: from mc_leak_scan's own stack pointer. */
MC_HIDDEN extern uint64_t mc_scan_stack_from;
/* With mc_scan_stack_from: the calling thread's register values where its
 * stack was marked (the program's call to exit), roots too. */
MC_HIDDEN extern const uint64_t *mc_scan_regs;
MC_HIDDEN extern size_t mc_scan_nregs;
/* The order lost blocks are walked in to form cliques (mc_mark_set_order):
 * NULL for address order. */
MC_HIDDEN extern const uint32_t *mc_scan_order;

/* The writable PT_LOAD segments of the loaded object holding addr (e.g. the
 * runtime's own .data/.bss), page-rounded, into out[0..max). Returns how
 * many. Uses dl_iterate_phdr (the loader's lock): call it before
 * mc_leak_scan, not while threads are stopped. */
MC_HIDDEN size_t mc_object_data_ranges(const void *addr, struct mc_range *out, size_t max);

/* The real-time signal that stops threads. glibc keeps signals 32 and 33
 * (cancellation, setxid) for itself and SIGRTMIN (34) already starts past
 * them; the first few above SIGRTMIN are the ones programs and libraries
 * pick most, so take one further up. */
#define MC_STOP_SIGNAL (SIGRTMIN + 7)

#endif
