/* A struct cg_data written as valgrind 3.19's cachegrind writes
 * cachegrind.out.PID: desc lines, cmd, events, fl=/fn= with one line per
 * source line (fn= again after every fl=), summary. */
#ifndef SONDE_CACHEGRIND_CG_WRITE_H
#define SONDE_CACHEGRIND_CG_WRITE_H
#include <stdio.h>

#include "cachegrind/cg_data.h"

/* Writes d to f in the order of d->fns and their lines. The events line
 * keeps 3.19's trailing space after the cache-only event set. Returns 0,
 * or -1 when f reports an error. */
int cg_write(FILE *f, const struct cg_data *d);

/* The same into a new file at path (written beside it and renamed into
 * place). 0, or -1 with errno. */
int cg_write_file(const char *path, const struct cg_data *d);

#endif
