/* Where counts come from: perf_event_open, or (tests only) a file of fake
 * counts, so that the counting and printing paths of `sonde stat` run on a
 * machine without a PMU. */
#ifndef SONDE_COLLECT_COUNTER_SOURCE_H
#define SONDE_COLLECT_COUNTER_SOURCE_H
#include <linux/perf_event.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct counter_source {
	/* One counter on pid: a handle >= 0, or -1 with errno as
	 * perf_event_open sets it (ENOENT: no such event here). */
	int (*open)(struct perf_event_attr *attr, pid_t pid);
	/* v = count, time enabled, time running. Returns 0, or -1. */
	int (*read)(int h, uint64_t v[3]);
	void (*close)(int h);
	/* False when the machine has no hardware PMU at all (a VM without a
	 * virtual one): then every hardware event is <not supported>. */
	bool (*has_pmu)(void);
};

/* The environment variable naming the fake counts' file; tests only. */
#define COUNTER_FAKE_ENV "SONDE_FAKE_COUNTERS"

/* perf_event_open, unless COUNTER_FAKE_ENV names a file. */
const struct counter_source *counter_source(void);
extern const struct counter_source counter_source_perf;

/* The fake, from a file of lines (# comments):
 *   EVENT COUNT [ENABLED RUNNING]   counted (ENABLED = RUNNING = 1000000 if left out)
 *   EVENT unsupported               the kernel refuses it with ENOENT
 *   EVENT error ERRNO               it refuses it with that errno number
 *   pmu no|yes                      what has_pmu says (else perf's answer)
 * EVENT is any name event_parse takes, or TYPE:CONFIG (3:0x10000), matched
 * by the attr's type and config; events
 * the file does not name go to perf_event_open. Returns NULL (after an
 * error line) when the file cannot be read or has a bad line. */
const struct counter_source *counter_fake_load(const char *path);

#endif
