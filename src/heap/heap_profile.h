/* A heap trace as a profile model (profile/model.h), so every renderer of
 * the model draws heap costs: one sample per allocating stack, weighted by
 * heaptrack's costs (heap/analysis.h), stacks as the heap report shows
 * them (leaf first, up to main, inlined frames expanded) or whole (pprof).
 * Its modules carry the trace's build-ids and load addresses, the
 * executable first. */
#ifndef SONDE_HEAP_HEAP_PROFILE_H
#define SONDE_HEAP_HEAP_PROFILE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "profile/model.h"
#include "util/hashmap.h"

struct heap_frame;
struct heap_view;

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
 * suppressions): sample i is the analysis' cost i. A frame is one address
 * of the trace's stacks: its address (the return address - 1), its
 * locations (module 0 when no module covers it), a function or file the
 * symbolizer did not name is string 0 (""). The model owns its strings:
 * the view may go after. */
struct profile *heap_profile_build(struct heap_view *v);
/* The view's model, its samples made on first use (after
 * heap_report_suppress; stacks past main if v->full_stacks). Its meta:
 * event "heap", the command, and a summary line of the totals.
 * memcheck's stacks (heap_view_frames,
 * heap_view_frames_to_main in heap/report.h) are resolved into the same
 * table. */
struct profile *heap_view_model(struct heap_view *v);
struct heap_builder;
void heap_builder_free(struct heap_builder *b);

/* ---- the heap renderers' reading of a frame ---- */

/* The k-th location of f, innermost first. */
static inline const struct prof_loc *heap_loc(const struct profile *p, const struct prof_frame *f, uint32_t k)
{
	return &p->locs.v[p->frame_locs.v[f->loc_first + k]];
}
/* Whether the symbolizer named the function (else only the address is known). */
static inline bool heap_frame_known(const struct profile *p, const struct prof_frame *f)
{
	return !heap_loc(p, f, 0)->unknown;
}
/* The module's path, or NULL when no module covers the address. */
const char *heap_frame_module(const struct profile *p, const struct prof_frame *f);
/* A string of the model, NULL for string 0 (not named). */
static inline const char *heap_str(const struct profile *p, uint32_t id)
{
	return id ? prof_str(p, id) : NULL;
}
/* The frames of sample i, leaf first. */
static inline const struct prof_frame *heap_frames(const struct profile *p, size_t i, size_t *n)
{
	const struct prof_rstack *rs = &p->rstacks.v[p->samples.v[i].rstack];
	*n = rs->frame_n;
	return &p->frames.v[rs->frame_first];
}

/* heaptrack's identity of a frame "without its address": the module and
 * each location's function, file and line; frames the symbolizer did not
 * name stay apart by address. */
struct heap_keys {
	struct interner keys;
	struct u64map memo; /* loc_first -> key */
};
uint32_t heap_frame_key(struct heap_keys *k, const struct profile *p, const struct prof_frame *f);
void heap_keys_free(struct heap_keys *k);

/* Calls fn once per sample with its costs (indexed by enum heap_weight)
 * and its frames root first, inlined frames expanded after the function
 * they were inlined into; frames are valid during the call only. */
typedef void (*heap_stack_fn)(void *ctx, const int64_t *costs, const struct heap_frame *frames, size_t n);
void heap_model_each_stack(const struct profile *p, heap_stack_fn fn, void *ctx);

/* Whether the file holds a sonde heap trace (zstd-compressed or raw), by
 * its first bytes. */
bool heap_trace_sniff(const char *path);
/* Reads, analyses and symbolizes a trace as `sonde heap report` does (the
 * builtin and the program's embedded leak suppressions applied, rebuilt
 * binaries warned about on stderr); full_stacks: past main (pprof); NULL
 * after an error message. */
struct profile *heap_profile_load(const char *path, bool no_inline, bool full_stacks);

#endif
