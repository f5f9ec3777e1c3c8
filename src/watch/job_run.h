/* A mission's process, for both ways of running `sonde watch`: started
 * with the job's environment, its output analyzed as it comes, killed by
 * the job's rules, and its run judged by bacon's success rule. */
#ifndef SONDE_WATCH_JOB_RUN_H
#define SONDE_WATCH_JOB_RUN_H
#include <stdbool.h>

#include "watch/analysis.h"
#include "watch/child.h"
#include "watch/mission.h"

/* Starts the job; NULL with a one-line reason in err. */
struct child *job_run_start(const struct mission *m, char *err, size_t errsize);
/* Kills it by the job's `kill` rule (or SIGTERM, then SIGKILL, to its
 * process group); returns its wait status. The child is freed. */
int job_run_kill(struct child *c, const struct mission *m);
/* The analyzer the job asks for, with its ignored_lines (bacon's other
 * analyzers read as `standard`). */
struct analysis *job_run_analysis(const struct mission *m);
/* bacon's rule, and a command that failed without a line to count is no
 * success either. */
bool job_run_success(const struct mission *m, const struct report *r, int status);

#endif
