/* The totals cachegrind prints on stderr at exit ("==PID== I   refs: ..."),
 * in valgrind 3.19's layout, from a cachegrind.out's events and summary. */
#ifndef SONDE_CACHEGRIND_CG_SUMMARY_H
#define SONDE_CACHEGRIND_CG_SUMMARY_H
#include <stdio.h>

#include "cachegrind/cg_data.h"

void cg_print_summary(FILE *f, int pid, const struct cg_data *d);

struct cg_raw;
/* --per-thread=yes: a line per guest thread after the summary, its
 * I refs, D refs, D1 and LL misses (the threads' lines add up to it). */
void cg_print_threads(FILE *f, int pid, const struct cg_raw *r);

#endif
