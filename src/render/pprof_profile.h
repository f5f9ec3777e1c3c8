/* A loaded profile (profile/model.h) as a pprof profile: the adapter
 * from sonde's CPU model to the pprof builder (render/pprof.h). */
#ifndef SONDE_RENDER_PPROF_PROFILE_H
#define SONDE_RENDER_PPROF_PROFILE_H

struct pprof;
struct profile;

/* Sample types: samples/count, then the event's weight: cpu/nanoseconds
 * for cpu-clock and task-clock (their periods are ns), EVENT/count for
 * others; a profile of other weights (a heap trace's costs) has one sample
 * type per weight, the first the default. Samples carry pid, tid and comm labels; every module is a
 * mapping with its build-id, kernel frames map to [kernel.kallsyms].
 * Text (p->from_text): samples/count only, functions named as written
 * (marks stripped), locations at address 0 with no mapping, but _[k]
 * frames' [kernel.kallsyms]; _[i] frames are lines of their caller's
 * location. */
struct pprof *pprof_from_profile(const struct profile *p);

#endif
