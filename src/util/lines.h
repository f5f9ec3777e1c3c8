/* Reading a stream line by line through one growing buffer: no per-line
 * allocation, lines of any length, the last line without '\n' included. */
#ifndef SONDE_UTIL_LINES_H
#define SONDE_UTIL_LINES_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* No text profile has a line this long (a folded stack of 65,536 frames
 * of 1 KB names is 64 MiB): a longer one is binary data or endless input
 * (/dev/zero), refused before it takes all memory. */
#define LINES_MAX_LINE ((size_t)64 << 20)

/* Calls fn for every line (without its '\n'; lineno from 1). The buffer
 * starts at 64 KB and doubles up to at least `min_buf` (and further for
 * longer lines, up to LINES_MAX_LINE). Returns the number of lines, or -1
 * on a read error or a line longer than LINES_MAX_LINE (errno EFBIG;
 * *stop, if not NULL, gets the byte offset where that line starts); the
 * lines before were delivered. */
int64_t for_each_line(FILE *in, size_t min_buf, void (*fn)(void *ctx, const char *line, size_t len, uint64_t lineno),
		      void *ctx, uint64_t *stop);

/* What went wrong, for for_each_line's errno e and *stop: strerror(e), or
 * for EFBIG which line was too long (written into buf). */
const char *lines_strerror(int e, uint64_t stop, char *buf, size_t len);

#endif
