/* Running a command under qemu-user with the cachegrind engine
 * (libsonde-cg.so) and collecting its raw dumps, one per process. */
#ifndef SONDE_CACHEGRIND_CG_RUN_H
#define SONDE_CACHEGRIND_CG_RUN_H
#include <stdbool.h>

#include "cachesim/cachesim.h"

struct cg_run_opts {
	bool cache, branch, follow;
	struct cache_geom i1, d1, ll;
	const char *qemu;   /* the qemu-x86_64 to run */
	const char *plugin; /* libsonde-cg.so */
	const char *dir;    /* where the dumps go: DIR/raw.PID */
	const char *warn;   /* lines printed as "--PID-- LINE" once it runs */
	bool preamble;      /* valgrind's preamble (cg_vgtext.h) first */
};

/* Runs argv (argv[0] found on PATH as execvp would) to its end; returns
 * the wait status, *pid the process's pid (its dump is DIR/raw.PID), or
 * -1 when it could not start. */
int cg_run(const struct cg_run_opts *o, char **argv, int *pid);

#endif
