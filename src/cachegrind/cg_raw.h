/* The engine's raw dump (src/proto/cg_dump_format.h) read and symbolized: a
 * cachegrind.out's lines (file and function of each instruction as
 * cachegrind names them: the function by its ELF symbol, file and line by
 * the debug info's line table, "???" and line 0 when unknown) and the
 * costs per call stack. */
#ifndef SONDE_CACHEGRIND_CG_RAW_H
#define SONDE_CACHEGRIND_CG_RAW_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cachegrind/cg_data.h"

struct cg_stack {
	uint32_t name;                /* "outer;...;leaf" in cg_raw.stacks */
	uint64_t c[CG_MAX_EVENTS];    /* one per event of the cg_data */
};

/* One guest thread: its counts summed (its stacks' thread frame is
 * cg_stacks.h's "COMM-PID/TID"). */
struct cg_thread {
	int tid;
	char *comm;
	uint64_t c[CG_MAX_EVENTS];
};

/* A frame of the fatal signal's stack: strings in cg_raw.data.strs,
 * object the mapping's path, line 0 when unknown. */
struct cg_frame {
	uint64_t ip;
	uint32_t fn, file, line, object;
	bool known; /* fn is a symbol (else "???") */
};

/* The signal the guest died of (sig 0: none). */
struct cg_death {
	int sig, code;
	bool has_info; /* code and addr: the kernel's siginfo */
	uint64_t addr;
	VEC(struct cg_frame) frames;
};

struct cg_raw {
	int pid;
	struct cg_death death;
	char *exec_cmd;               /* an exec'd program's command line, or NULL */
	VEC(struct cg_thread) threads; /* in the engine's vCPU order */
	bool cache, branch;
	struct cg_data data;          /* no desc or cmd yet: the caller's */
	struct interner stacks;
	VEC(struct cg_stack) stack_costs;
};

/* Reads and symbolizes the dump at path into r. Returns 0, or -1 with a
 * one-line reason in why (a missing, truncated or damaged dump). */
int cg_raw_load(const char *path, struct cg_raw *r, char *why, size_t why_len);
void cg_raw_free(struct cg_raw *r);

#endif
