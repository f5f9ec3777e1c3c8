/* The contents of a cachegrind.out file, in memory: what the cache
 * simulator's launcher writes (cg_write.c) and what cg_annotate, cg_diff,
 * cg_merge and the profile model read (cg_read.c).
 *
 * The file format (valgrind's manual, "Cachegrind Output File Format"):
 *
 *   desc: I1 cache:         32768 B, 64 B, 8-way associative     (any number)
 *   cmd: ./prog arg
 *   events: Ir I1mr ILmr Dr D1mr DLmr Dw D1mw DLmw
 *   fl=src/main.c
 *   fn=main
 *   12 3 0 0 1 0 0 0 0 0      line, then one count per event
 *   summary: ...               the column totals
 *
 * 3.19 writes "fn=" again after each "fl="; a count may be "." (this
 * event cannot happen on this line) and trailing counts may be missing
 * (zero). 3.21+ writes numbers only, "fl=" always followed by "fn=",
 * line 0 for "unknown". Repeated (file, function, line) entries add up.
 *
 * Counts are int64_t in two's complement (cg_diff's output has negative
 * ones); the reader (cg_read.h) also marks "." and missing counts in the
 * `none` bits, since a difference of -1 has CG_NONE's bit pattern. */
#ifndef SONDE_CACHEGRIND_CG_DATA_H
#define SONDE_CACHEGRIND_CG_DATA_H
#include <stdbool.h>
#include <stdint.h>

#include "util/hashmap.h"
#include "util/vec.h"

/* Ir I1mr ILmr Dr D1mr DLmr Dw D1mw DLmw Bc Bcm Bi Bim */
#define CG_MAX_EVENTS 13

/* One source line of one function: its counts, one per event. A count
 * the file gave as "." is CG_NONE (printed back as "."; adds as 0). */
#define CG_NONE UINT64_MAX
struct cg_line {
	uint32_t line;
	uint16_t none; /* bit i: count i was "." or missing (reader only) */
	uint64_t c[CG_MAX_EVENTS];
};

/* One function of one file (fl=, fn=), its lines in file order. */
struct cg_fn {
	uint32_t file, name; /* string ids in cg_data.strs */
	VEC(struct cg_line) lines;
};

struct cg_data {
	struct interner strs;
	VEC(char *) desc;  /* "I1 cache: ..." without the "desc: " */
	char *cmd;         /* the cmd: line's text, or NULL */
	uint32_t n_events; /* columns in use, <= CG_MAX_EVENTS */
	char *events[CG_MAX_EVENTS];
	VEC(struct cg_fn) fns;
	uint64_t summary[CG_MAX_EVENTS]; /* as the file said (has_summary) or summed */
	bool has_summary;
	uint16_t summary_none; /* bit i: the summary's count i was "." (reader only) */
	char *events_line;     /* the events: line as read, spacing kept (cg_merge
				* copies it), or NULL */
};

#endif
