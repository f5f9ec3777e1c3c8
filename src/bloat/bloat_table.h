/* cargo-bloat's table layout: every column but the last right-aligned to
 * its widest cell (header included), one space between columns, the last
 * (the name) left as it is or cut to the terminal's width with "...". */
#ifndef SONDE_BLOAT_BLOAT_TABLE_H
#define SONDE_BLOAT_BLOAT_TABLE_H
#include <stddef.h>
#include <stdio.h>

#include "util/vec.h"

struct bloat_table {
	size_t ncols;
	VEC(char *) cells; /* row-major, the header first */
};

void bloat_table_init(struct bloat_table *t, const char *const *header, size_t ncols);
/* Appends a row of t->ncols cells (copied). */
void bloat_table_row(struct bloat_table *t, const char *const *cells);
/* Prints it; width 0: names are never cut. Returns -1 on a write error. */
int bloat_table_print(FILE *out, const struct bloat_table *t, size_t width);
void bloat_table_free(struct bloat_table *t);

/* The width to cut names to: the terminal's columns when out is one and
 * wide is off, else 0. */
size_t bloat_table_width(FILE *out, int wide);

#endif
