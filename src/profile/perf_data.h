/* Reading perf.data files written by Linux perf (docs/perf-data.md).
 *
 * A perf.data file is converted into sonde's own record stream (format.h):
 * META from the header's feature sections, MMAP/COMM/FORK/EXIT/LOST from the
 * kernel records, SAMPLE + interned STACK from the samples. For recordings
 * made with `perf record --call-graph dwarf` the user part of each stack is
 * unwound from the copied stack (binary/procspace.h), replaying the
 * processes' mappings in time order. Everything that reads sonde.data then
 * works on perf.data unchanged. */
#ifndef SONDE_PROFILE_PERF_DATA_H
#define SONDE_PROFILE_PERF_DATA_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sd_writer;

enum {
	PD_PROGRESS = 1 << 0, /* show progress on a TTY */
	PD_QUIET = 1 << 1,    /* no warnings/notes on stderr (fuzzing, tests) */
};

/* Results of perf_data_convert*. */
enum {
	PD_FAIL = -1,   /* not usable at all: `why` says why, nothing useful written */
	PD_OK = 0,      /* converted completely */
	PD_DAMAGED = 1, /* converted up to damage (truncated/corrupt): `why` says where */
};

/* Counts from the last conversion, for callers and tests. */
struct perf_data_stats {
	uint64_t records;        /* kernel records seen */
	uint64_t samples;        /* samples written */
	uint64_t other_samples;  /* samples of events other than the one kept */
	uint64_t unwound;        /* dwarf samples unwound (user part) */
	uint64_t lost;
	uint32_t nr_events;
	bool pipe, dwarf, compressed;
};

/* True if `path` starts with a perf.data magic (either byte order, or the
 * old version 1 "PERFFILE"), so that the caller routes it here. */
bool perf_data_sniff(const char *path);

/* Converts the perf.data file at `path` into `w` (META first, FINISH last).
 * Returns PD_OK, PD_DAMAGED or PD_FAIL (see above). */
int perf_data_convert(const char *path, struct sd_writer *w, unsigned flags, char *why, size_t why_len);
/* Same over a buffer (fuzzing, tests). `stats` may be NULL. */
int perf_data_convert_mem(const void *data, size_t len, struct sd_writer *w, unsigned flags,
			  struct perf_data_stats *stats, char *why, size_t why_len);

/* Converts `path` into an anonymous in-memory file and returns a
 * "/proc/self/fd/N" path to it in `out` (for profile_load), or -1 with
 * `why` filled. *damaged is set when the perf.data was cut short or corrupt
 * (then `why` holds the warning). The fd stays open for the process. */
int perf_data_to_sonde(const char *path, unsigned flags, char *out, size_t out_len, bool *damaged, char *why,
		       size_t why_len);

#endif
