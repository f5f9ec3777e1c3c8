/* Counting events over a launched command (for `sonde stat`). */
#ifndef SONDE_COLLECT_COUNTERS_H
#define SONDE_COLLECT_COUNTERS_H
#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "collect/events.h"

enum counter_state {
	COUNTER_OK,
	COUNTER_UNSUPPORTED, /* no such event here (no PMU) */
	COUNTER_NOT_COUNTED, /* opened but never scheduled */
};

struct counter {
	struct event_spec ev;
	int fd;
	enum counter_state state;
	double value; /* scaled for multiplexing */
	uint64_t raw, enabled, running;
};

/* Opens the counters on pid (inherit, enable_on_exec). Events the kernel does
 * not know become COUNTER_UNSUPPORTED; kernel counting is dropped (":u") when
 * permissions demand it. Returns 0, or -1 after printing why (permission). */
int counters_open(struct counter *c, int n, pid_t pid);
/* Reads and closes every counter. */
void counters_read_close(struct counter *c, int n);

/* One run of argv: launch suspended, count, wait. Fills the counters,
 * elapsed wall time (ns) and rusage; *interrupted: Ctrl-C came (the
 * command may have been ended for it, collect/interrupt.h). Returns 0
 * with *status set, or the shell-style exit code when the command cannot
 * be run (after an error line). */
int counters_run(struct counter *c, int n, char **argv, int *status, uint64_t *elapsed_ns,
		 struct rusage *ru, bool *interrupted);

#endif
