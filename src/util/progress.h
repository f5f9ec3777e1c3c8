/* A one-line progress indicator on stderr, shown only when stderr is a TTY
 * and the work takes longer than a moment. */
#ifndef SONDE_UTIL_PROGRESS_H
#define SONDE_UTIL_PROGRESS_H
#include <stdbool.h>
#include <stdint.h>

struct progress {
	const char *what;
	uint64_t total;
	bool enabled, shown;
	double start, last;
};

void progress_start(struct progress *pr, const char *what, uint64_t total, bool want);
void progress_update(struct progress *pr, uint64_t done);
void progress_done(struct progress *pr);

#endif
