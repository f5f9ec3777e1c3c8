#include "util/progress.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void progress_start(struct progress *pr, const char *what, uint64_t total, bool want)
{
	pr->what = what;
	pr->total = total;
	pr->enabled = want && isatty(STDERR_FILENO);
	pr->shown = false;
	pr->start = pr->last = pr->enabled ? now() : 0;
}

void progress_update(struct progress *pr, uint64_t done)
{
	if (!pr->enabled)
		return;
	double t = now();
	/* Stay quiet for short jobs; then redraw at most 10 times a second. */
	if (t - pr->start < 0.5 || t - pr->last < 0.1)
		return;
	pr->last = t;
	pr->shown = true;
	if (pr->total)
		fprintf(stderr, "\r%s: %3.0f%% (%llu/%llu)", pr->what, 100.0 * (double)done / (double)pr->total,
			(unsigned long long)done, (unsigned long long)pr->total);
	else
		fprintf(stderr, "\r%s: %llu", pr->what, (unsigned long long)done);
}

void progress_done(struct progress *pr)
{
	if (pr->shown)
		fprintf(stderr, "\r\033[K");
	pr->shown = false;
}
