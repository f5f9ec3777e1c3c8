/* Folded stacks ("root;...;leaf COUNT") as a pprof profile, for inputs
 * that have no addresses or modules (flamegraph --folded/--perf-script). */
#ifndef SONDE_RENDER_PPROF_FOLDED_H
#define SONDE_RENDER_PPROF_FOLDED_H

struct folded_set;
struct pprof;

/* One sample type, samples/count. A frame is a function named as written,
 * annotations stripped: _[k] frames map to [kernel.kallsyms], _[i] frames
 * are lines of the location of the frame they were inlined into. */
struct pprof *pprof_from_folded(const struct folded_set *s);

#endif
