/* Per-sample text in `perf script`'s layout, and folded stacks. */
#ifndef SONDE_RENDER_SCRIPT_H
#define SONDE_RENDER_SCRIPT_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct profile;

struct script_opts {
	bool show_pid;  /* "comm pid/tid" instead of "comm tid" */
	bool no_inline; /* omit inlined frames */
};

void script_print(FILE *out, const struct profile *p, const struct script_opts *o);

struct folded_opts {
	bool no_comm;   /* don't start stacks with the command name */
	bool pid, tid;  /* root frame "comm-PID" / "comm-PID/TID" */
	bool kernel;    /* annotate kernel frames with _[k] */
	bool inline_marks; /* annotate inlined frames with _[i] */
	bool jit;       /* annotate JIT frames (named by a perf map) with _[j] */
	bool no_inline;
	bool counts;    /* count samples instead of summing periods */
	uint32_t weight; /* the weight summed (an index; 0: the period) */
};

/* One line per distinct stack: "root;...;leaf weight", sorted by stack text. */
void folded_print(FILE *out, const struct profile *p, const struct folded_opts *o);

#endif
