/* Reading a stream line by line through one growing buffer: no per-line
 * allocation, lines of any length, the last line without '\n' included. */
#ifndef SONDE_UTIL_LINES_H
#define SONDE_UTIL_LINES_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Calls fn for every line (without its '\n'; lineno from 1). The buffer
 * starts at 64 KB and doubles up to at least `min_buf` (and further for
 * longer lines). Returns the number of lines, or -1 on a read error
 * (errno set; lines before it were delivered). */
int64_t for_each_line(FILE *in, size_t min_buf, void (*fn)(void *ctx, const char *line, size_t len, uint64_t lineno),
		      void *ctx);

#endif
