/* A heap trace's costs as a pprof profile: the adapter from the heap
 * report's view to the pprof builder (render/pprof.h). */
#ifndef SONDE_HEAP_PPROF_HEAP_H
#define SONDE_HEAP_PPROF_HEAP_H

#include "heap/analysis.h"
#include "heap/report.h"
#include "heap/trace.h"

struct pprof;

/* One sample per allocating stack (full stacks, innermost first, inlined
 * frames as lines of one location), with every heaptrack cost as a sample
 * type: allocations/count, allocated/bytes, temporary/count, peak/bytes,
 * leaked/bytes (after suppressions, as the text report counts them). Each
 * loaded module is a mapping with its address range and build-id. */
struct pprof *pprof_from_heap(struct heap_view *v, const struct heap_trace *t, const struct heap_analysis *a);

#endif
