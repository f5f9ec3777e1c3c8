/* Counts and derived metrics of `sonde stat`, as perf stat computes them. */
#ifndef SONDE_CMD_STAT_METRIC_H
#define SONDE_CMD_STAT_METRIC_H
#include <stdbool.h>

#include "collect/counters.h"

/* Running mean and variance (Welford), like perf's stats. */
struct stats {
	double n, mean, M2;
};

void stats_add(struct stats *s, double v);
/* Standard deviation of the mean, as perf prints it. */
double stats_stddev(const struct stats *s);
double rel_stddev(const struct stats *s);

struct stat_ev {
	struct counter c;
	struct stats st;
	bool unsupported, not_counted;
	double enabled, running; /* summed over runs, for the multiplexing note */
};

/* The "# ..." column: the value as perf formats it, its unit. */
struct metric {
	char val[32];
	const char *unit;
	double num;
	bool have;
};

bool stat_is_clock(const struct event_spec *e);
/* perf's shadow metric of e among the n events (GHz, insn per cycle, "% of
 * all L1-dcache accesses", M/sec...); elapsed_ns: the wall time. */
struct metric stat_metric(const struct stat_ev *evs, int n, const struct stat_ev *e, double elapsed_ns);

#endif
