/* A heap trace as a profile model (profile/model.h), so every renderer of
 * the model draws heap costs: one sample per allocating stack, weighted by
 * heaptrack's costs (heap/analysis.h), stacks as the heap report shows
 * them (leaf first, up to main, inlined frames expanded). */
#ifndef SONDE_HEAP_HEAP_PROFILE_H
#define SONDE_HEAP_HEAP_PROFILE_H
#include <stdbool.h>

struct heap_view;
struct profile;

/* The weight columns, in this order. */
enum heap_weight {
	HW_ALLOCATIONS, /* calls to allocation functions (count) */
	HW_ALLOCATED,   /* bytes allocated (bytes) */
	HW_TEMPORARY,   /* allocations freed by the very next event (count) */
	HW_PEAK,        /* bytes held at the global peak (bytes) */
	HW_LEAKED,      /* bytes never freed (bytes) */
	HW_COUNT
};

/* The model of an analysed, symbolized view (its analysis after any
 * suppressions). The model owns its strings: the view may go after. */
struct profile *heap_profile_build(struct heap_view *v);

/* Whether the file holds a sonde heap trace (zstd-compressed or raw), by
 * its first bytes. */
bool heap_trace_sniff(const char *path);
/* Reads, analyses and symbolizes a trace as `sonde heap report` does (the
 * builtin and the program's embedded leak suppressions applied, rebuilt
 * binaries warned about on stderr); NULL after an error message. */
struct profile *heap_profile_load(const char *path, bool no_inline);

#endif
