/* The totals cachegrind prints on stderr at exit ("==PID== I   refs: ..."),
 * in valgrind 3.19's layout, from a cachegrind.out's events and summary. */
#ifndef SONDE_CACHEGRIND_CG_SUMMARY_H
#define SONDE_CACHEGRIND_CG_SUMMARY_H
#include <stdio.h>

#include "cachegrind/cg_data.h"

void cg_print_summary(FILE *f, int pid, const struct cg_data *d);

#endif
