/* The per-stack costs beside cachegrind.out.PID (in cachegrind.stacks.PID,
 * which the guide's `cg_annotate cachegrind.out.*` does not pick up), as
 * text:
 *
 *   # sonde stacks: events Ir I1mr ILmr ...
 *   COMM-PID/TID;outer;...;leaf 123 4 0 ...   one count per event
 *
 * The outermost frame is the guest thread, named as sonde's recordings
 * name a thread root with `--tid` (folded output): its comm (the program's
 * base name, or what the thread set with prctl(PR_SET_NAME), spaces made
 * '_' and ';' ':'), '-', the process id, '/', the thread id. The others
 * are functions named as cachegrind names them (their ELF symbol, "???"
 * when none), outermost first; the counts follow the last space-free
 * fields, so names may hold spaces. A thread's lines add up to its
 * totals (`sonde cachegrind --per-thread=yes`), all lines to the
 * cachegrind.out's summary. profile/stacks_reader.c reads it back as a
 * model with one weight per event, each sample's pid, tid and comm from
 * the thread frame (kept as the stack's root frame too). */
#ifndef SONDE_CACHEGRIND_CG_STACKS_H
#define SONDE_CACHEGRIND_CG_STACKS_H

#include "cachegrind/cg_raw.h"

#define CG_STACKS_HEADER "# sonde stacks: events"

/* Where the stacks of the cachegrind.out file `out` go: its name with
 * "cachegrind.out." made "cachegrind.stacks.", else out + ".stacks".
 * Allocated. */
char *cg_stacks_path(const char *out);

/* 0, or -1 with errno. */
int cg_stacks_write(const char *path, const struct cg_raw *r);

#endif
