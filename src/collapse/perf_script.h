/* `perf script` text -> folded stacks, compatible with FlameGraph's
 * stackcollapse-perf.pl (and so with inferno-collapse-perf), for Linux
 * perf's output and for `sonde script`'s. */
#ifndef SONDE_COLLAPSE_PERF_SCRIPT_H
#define SONDE_COLLAPSE_PERF_SCRIPT_H
#include <stdbool.h>
#include <stdio.h>

#include "collapse/folded.h"

struct collapse_opts {
	bool pid, tid;          /* root frame comm-PID / comm-PID/TID */
	bool kernel;            /* annotate kernel frames _[k] */
	bool jit;               /* annotate JIT frames _[j] */
	bool addrs;             /* [unknown] frames get their address */
	const char *event_filter; /* only this event (default: the first one seen) */
	bool inline_frames;     /* expand inlined frames from DWARF (sonde's symbolizer) */
	bool no_comm;           /* leave out the process-name root frame */
};

struct collapse_stats {
	uint64_t samples, skipped_samples, bad_lines, lines;
	uint64_t first_bad_line;
	uint64_t stop_offset; /* where a line too long to be one starts (read error EFBIG) */
	char first_event[64];
};

/* Collapses the whole stream into `out`. Returns 0, or -1 on a read error
 * (errno; EFBIG: a line longer than LINES_MAX_LINE at st->stop_offset). */
int collapse_perf_script(FILE *in, const struct collapse_opts *o, struct folded_set *out,
			 struct collapse_stats *st);

#endif
