/* Running a command with libsonde-rt.so preloaded and writing its heap
 * trace (`sonde heap CMD`, `heaptrack CMD`). */
#ifndef SONDE_HEAP_RECORD_H
#define SONDE_HEAP_RECORD_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/vec.h"

struct heap_children;
typedef VEC(char *) heap_strs; /* owned strings */

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
	/* memcheck --trace-children=yes: every image exec starts reaches
	 * sonde on a socket of its own, each with its own trace (NULL: only
	 * the launched program's first image, on a pipe) */
	struct heap_children *children;
};

/* One traced program image (record_children.c). */
struct heap_child_image {
	int pid, ppid;
	bool top;         /* the launched process's first image */
	char *exe;        /* the path exec was given */
	heap_strs args;  /* the arguments after argv[0] */
	char *trace;      /* its trace file */
	char *lines;      /* --trace-malloc: its lines' file (may not exist) */
	uint64_t end_ns;  /* when its stream ended (CLOCK_MONOTONIC) */
};

/* An exec the runtime could not follow (src/proto/child_protocol.h). */
struct heap_child_note {
	int pid, ppid, reason; /* enum child_note */
	char *exe;
	heap_strs args;
};

struct heap_children {
	/* in: whether to trace an exec'd image (the launched program's first
	 * image is always traced); exe as exec was given it, the arguments
	 * after argv[0] */
	bool (*follow)(void *ctx, const char *exe, char *const *args, size_t nargs);
	void *ctx;
	bool trace_lines; /* --trace-malloc: each image writes its lines to a file */
	/* out, filled by heap_record: the images in the order their streams
	 * ended; the notes as they came */
	char *dir; /* private: the socket, the traces; removed by heap_children_free */
	VEC(struct heap_child_image) images;
	VEC(struct heap_child_note) notes;
};

/* Removes the traces and the directory, frees everything. */
void heap_children_free(struct heap_children *c);

/* Path of libsonde-rt.so: $SONDE_RT, next to the sonde binary, or
 * ../lib/sonde/ from it. Returns a malloc'd path or NULL. */
char *heap_find_runtime(void);

/* Runs argv under the runtime; returns the target's exit status (shell
 * style), or 1/126/127 on sonde's own failures. */
int heap_record(const struct heap_record_opts *o, char **argv);

#endif
