/* A sampling session: open per-CPU events on a launched command or on a
 * running process, drain the ring buffers into a sonde.data file. */
#ifndef SONDE_COLLECT_SESSION_H
#define SONDE_COLLECT_SESSION_H
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "collect/events.h"

enum callgraph_mode {
	CALLGRAPH_NONE, /* only the sampled IP */
	CALLGRAPH_FP,   /* kernel-walked frame-pointer chains */
	CALLGRAPH_DWARF /* user registers + stack copy, unwound with CFI while recording */
};

/* Bytes of user stack copied per sample. perf's 8192 truncates most Rust
 * stacks; see docs/unwinding.md for the measurement behind this default. */
#define DWARF_STACK_SIZE_DEFAULT 32768u

struct record_opts {
	struct event_spec event;
	bool event_given; /* -e: no fallback from cycles to cpu-clock */
	bool use_period;  /* -c: fixed period instead of frequency */
	uint64_t freq, period;
	enum callgraph_mode callgraph;
	uint32_t stack_size; /* bytes of user stack to copy for CALLGRAPH_DWARF */
	bool keep_stacks;    /* also store registers + stack copies (SD_USER_STACK) */
	bool temp_output;    /* the output is a temporary file: don't name it in messages */
	bool no_buildid_cache; /* don't copy the mapped files into the build-id cache */
	const char *output;  /* "-" = stdout */
	pid_t pid;           /* >0: attach to this process */
	double duration;     /* seconds, 0 = until the target exits / Ctrl-C */
	char **argv;         /* command to launch (NULL-terminated) when pid == 0 */
	const char *cmdline; /* the sonde command line, for the meta record */
};

/* "PROG ARG..." for the cmdline meta record (malloc'd). */
char *record_cmdline(int argc, char **argv);

/* Runs the whole recording and returns sonde's exit status. Messages go to
 * stderr. */
int record_session(const struct record_opts *o);

/* Formats n with thousands separators ("12,345"). */
const char *fmt_thousands(uint64_t n, char *buf, size_t len);

#endif
