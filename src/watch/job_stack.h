/* The jobs `sonde watch` went through (bacon's JobStack): a job action
 * pushes, `back` pops; job:default, job:initial and job:previous name
 * places in it. */
#ifndef SONDE_WATCH_JOB_STACK_H
#define SONDE_WATCH_JOB_STACK_H
#include <stdbool.h>

#include "watch/action.h"
#include "watch/mission.h"
#include "watch/watch.h"

struct job_stack {
	str_list refs; /* job references, the current one last */
	char *initial;
	char *default_job; /* what job:default names (the settings' default_job, copied) */
};

void job_stack_init(struct job_stack *st, const char *initial, const char *default_job);
void job_stack_free(struct job_stack *st);

enum job_stack_step {
	STACK_SAME,     /* nothing changes (an action that is not about jobs) */
	STACK_SWITCHED, /* another job is current */
	STACK_RERUN,    /* run the current job again */
	STACK_QUIT,
};
/* Applies a job action (job:..., back, back-or-quit, quit, rerun, refresh). */
enum job_stack_step job_stack_act(struct job_stack *st, const struct action *a);
/* The mission of the current job. */
bool job_stack_mission(const struct job_stack *st, const struct watch_ctx *w, struct mission *m, char *err,
		       size_t errsize);
/* The current job's reference. */
const char *job_stack_current(const struct job_stack *st);

#endif
