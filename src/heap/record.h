/* Running a command with libsonde-rt.so preloaded and writing its heap
 * trace (`sonde heap CMD`, `heaptrack CMD`). */
#ifndef SONDE_HEAP_RECORD_H
#define SONDE_HEAP_RECORD_H
#include <stdbool.h>
#include <stdint.h>

struct heap_record_opts {
	const char *output;   /* NULL: "<prefix>.APP.PID.zst"; "%p" is replaced by the pid */
	const char *prefix;   /* default "sonde-heap" */
	bool heaptrack_msgs;  /* print heaptrack's messages instead of sonde's */
	int level;            /* zstd level, default 3 */
	bool quiet;           /* no messages of sonde's own (the trace is an intermediate) */
	bool memcheck;        /* the runtime checks blocks and frees (SONDE_MEMCHECK) */
	bool no_leak_check;   /* memcheck without the leak check at exit */
	unsigned precise;     /* memcheck: guard pages for every Nth block (0: none) */
	unsigned max_frames;  /* memcheck: frames each stack keeps (0: all) */
	unsigned heuristics;  /* memcheck: the leak check's heuristics, bits 1 << enum heap_leak_heur */
	int *wait_status;     /* if set: the target's wait status */
	int *pid;             /* if set: the target's pid */
	bool *not_started;    /* if set: true when the command could not run (nothing written) */
	bool *oom_kills;      /* if set: true when the kernel's OOM killer killed a process during the run */
	bool no_buildid_cache; /* don't copy the traced binaries into the build-id cache */
	/* memcheck: the valgrind options the runtime carries out */
	long long freelist_vol, freelist_big; /* the quarantine (-1: valgrind's defaults) */
	bool no_mismatch;     /* --show-mismatched-frees=no */
	int exit_first;       /* --exit-on-first-error: the status to exit with (-1: off) */
	int trace_fd;         /* --trace-malloc: where the lines go (-1: off) */
	bool time_stamp;      /* ...with valgrind's time stamps, from t0_ns (CLOCK_MONOTONIC) */
	uint64_t t0_ns;
};

/* Path of libsonde-rt.so: $SONDE_RT, next to the sonde binary, or
 * ../lib/sonde/ from it. Returns a malloc'd path or NULL. */
char *heap_find_runtime(void);

/* Runs argv under the runtime; returns the target's exit status (shell
 * style), or 1/126/127 on sonde's own failures. */
int heap_record(const struct heap_record_opts *o, char **argv);

#endif
