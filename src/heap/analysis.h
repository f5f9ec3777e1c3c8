/* Replaying a heap trace in global order: per-stack costs with heaptrack's
 * definitions (docs/heap.md):
 *   allocations  calls to allocation functions (realloc counts as one
 *                allocation of the new size, after a free of the old block)
 *   temporary    an allocation freed by the very next matched event (no
 *                other allocation or free in between) -- heaptrack compares
 *                the freed block's (size, stack) with the last allocation's
 *   peak         bytes this stack held at the moment the total was highest
 *   leaked       bytes still allocated at the end
 */
#ifndef SONDE_HEAP_ANALYSIS_H
#define SONDE_HEAP_ANALYSIS_H
#include <stdbool.h>
#include <stdint.h>

#include "heap/trace.h"
#include "util/hashmap.h"
#include "util/vec.h"

struct heap_cost {
	uint32_t stack; /* runtime trie node id */
	uint64_t allocations, temporary, bytes;
	int64_t leaked; /* current while replaying, leaked at the end */
	int64_t peak;   /* at the global peak */
	/* replay bookkeeping for the peak snapshot */
	uint64_t last_mod, snap_at;
	int64_t snap;
};

struct heap_size_bin {
	uint64_t size, count;
};

struct heap_time_point {
	uint64_t ms;
	int64_t heap;  /* bytes live at that time */
	uint64_t rss_kib;
	uint64_t allocations, temporary; /* cumulative */
};

struct heap_analysis {
	VEC(struct heap_cost) costs; /* one per stack that allocated */
	struct u64map cost_index;    /* stack id -> index */
	VEC(struct heap_size_bin) sizes; /* sorted by size after analysis */
	VEC(struct heap_time_point) timeline;
	uint64_t allocations, temporary, frees, bytes;
	int64_t current, peak, leaked;
	uint64_t leaked_blocks;
	uint64_t peak_seq, peak_ms;
	uint64_t peak_rss_kib;
	uint64_t total_ms; /* runtime, ms (>= 1) */
	uint64_t unmatched_frees;
};

void heap_analyze(const struct heap_trace *t, struct heap_analysis *a);
void heap_analysis_free(struct heap_analysis *a);

#endif
