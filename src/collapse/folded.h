/* Folded stacks: "root;frame;...;leaf COUNT" lines, the lingua franca of
 * flamegraph tools. A folded_set maps each distinct stack to its count. */
#ifndef SONDE_COLLAPSE_FOLDED_H
#define SONDE_COLLAPSE_FOLDED_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util/hashmap.h"
#include "util/vec.h"

/* The hash the set's index uses: over 8-byte words (stacks are long;
 * byte-at-a-time FNV would dominate the collapse time); inline, as the
 * text reader hashes every frame name with it too. */
static inline uint64_t folded_hash(const char *p, size_t n)
{
	const uint64_t K = 0x9e3779b97f4a7c15ULL;
	uint64_t h = 0x243f6a8885a308d3ULL ^ (n * K);
	while (n >= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		h = (h ^ w) * K;
		h ^= h >> 32;
		p += 8;
		n -= 8;
	}
	uint64_t w = 0;
	if (n)
		memcpy(&w, p, n);
	h = (h ^ w ^ ((uint64_t)n << 56)) * K;
	return hash_u64(h);
}

struct folded_entry {
	char *stack; /* "a;b;c", NUL-terminated */
	size_t len;
	uint64_t count;
};

struct folded_set {
	struct u64map index; /* hash(stack) -> entry index (probed on collision) */
	VEC(struct folded_entry) v;
	uint64_t total;
	bool capped; /* a count or the total reached 2^64 - 1 and stopped there */
};

void folded_init(struct folded_set *s);
void folded_free(struct folded_set *s);
/* Adds count to the stack (len bytes, need not be NUL-terminated). */
void folded_add(struct folded_set *s, const char *stack, size_t len, uint64_t count);
/* Appends a stack known not to be in s yet, taking stack (malloc'd, len
 * bytes, NUL-terminated): no look-up; folded_add indexes it when next
 * called (as it indexes a set folded_sort reordered). */
void folded_add_new(struct folded_set *s, char *stack, size_t len, uint64_t count);
/* Sorts entries by stack text (byte order), as stackcollapse-perf.pl prints. */
void folded_sort(struct folded_set *s);
/* Writes "stack count\n" lines in the current order; returns -1 on a write error. */
int folded_write(FILE *out, const struct folded_set *s);

struct folded_read_stats {
	uint64_t lines, bad_lines;
	uint64_t first_bad_line; /* 1-based line number of the first malformed line, 0 if none */
	uint64_t stop_offset;    /* where a line too long to be one starts (read error EFBIG) */
};

/* Reads folded text ("stack COUNT", trailing whitespace and blank lines
 * ignored). Malformed lines (no count, a count that is not a number,
 * binary junk, NUL bytes) are skipped and counted; very long lines are
 * fine. Lines may carry two counts ("stack A B", difffolded's format): A
 * goes to `s`, B to `s2` (which may be NULL, then B is ignored). Returns 0, or -1 on a read error (errno set). */
int folded_read(FILE *in, struct folded_set *s, struct folded_set *s2, struct folded_read_stats *st);

#endif
