/* Reading a cachegrind.out file (3.19's form and 3.21+'s) into struct
 * cg_data, for cg_annotate, cg_diff, cg_merge and the profile model. */
#ifndef SONDE_CACHEGRIND_CG_READ_H
#define SONDE_CACHEGRIND_CG_READ_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cachegrind/cg_data.h"

/* Reads `path` into d (zeroed by the caller). Returns 0, or -1 with a
 * one-line reason "FILE:LINE: what is wrong" (or "cannot open ...") in
 * err. Counts "." and missing trailing counts are CG_NONE with their none
 * bit set; fn= before any fl= is in file "???"; a summary: line that
 * differs from the column sums is an error, as in valgrind 3.21+. */
int cg_read_file(const char *path, struct cg_data *d, char *err, size_t errlen);
/* The same from an open stream; `name` is the file name errors give. */
int cg_read_stream(FILE *in, const char *name, struct cg_data *d, char *err, size_t errlen);
void cg_data_free(struct cg_data *d);

/* Count i of line l as a number ("." and missing: 0). */
static inline int64_t cg_count(const struct cg_line *l, uint32_t i)
{
	return (l->none >> i & 1) ? 0 : (int64_t)l->c[i];
}

/* a + b, stuck at INT64_MAX / INT64_MIN instead of wrapping. */
static inline int64_t cg_sat_add(int64_t a, int64_t b)
{
	int64_t s;
	if (__builtin_add_overflow(a, b, &s))
		return b > 0 ? INT64_MAX : INT64_MIN;
	return s;
}

/* Adds line b's counts into a; a count stays "none" only if both are. */
void cg_line_add(struct cg_line *a, const struct cg_line *b, uint32_t n_events);

#endif
