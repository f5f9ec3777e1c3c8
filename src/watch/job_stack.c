/* bacon's job stack (src/jobs/job_stack.rs): `back` returns to the job
 * before; going back from the first job quits only with back-or-quit. */
#include "watch/job_stack.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/die.h"

void job_stack_init(struct job_stack *st, const char *initial, const char *default_job)
{
	memset(st, 0, sizeof(*st));
	st->initial = xstrdup(initial);
	st->default_job = xstrdup(default_job ? default_job : "check");
	vec_push(&st->refs, xstrdup(initial));
}

void job_stack_free(struct job_stack *st)
{
	for (size_t i = 0; i < st->refs.n; i++)
		free(st->refs.v[i]);
	vec_free(&st->refs);
	free(st->initial);
	free(st->default_job);
}

const char *job_stack_current(const struct job_stack *st) { return st->refs.v[st->refs.n - 1]; }

static enum job_stack_step push(struct job_stack *st, const char *ref)
{
	if (!strcmp(job_stack_current(st), ref))
		return STACK_RERUN; /* the same job again */
	vec_push(&st->refs, xstrdup(ref));
	return STACK_SWITCHED;
}

static enum job_stack_step pop(struct job_stack *st, bool or_quit)
{
	if (st->refs.n < 2)
		return or_quit ? STACK_QUIT : STACK_SAME;
	free(st->refs.v[--st->refs.n]);
	return STACK_SWITCHED;
}

enum job_stack_step job_stack_act(struct job_stack *st, const struct action *a)
{
	switch (a->kind) {
	case ACT_JOB: {
		char ref[300];
		switch (a->ref) {
		case JOBREF_PREVIOUS:
			return pop(st, false);
		case JOBREF_PREVIOUS_OR_QUIT:
			return pop(st, true);
		case JOBREF_INITIAL:
			return push(st, st->initial);
		case JOBREF_DEFAULT: /* the job it names: ctrl-d on the default job reruns it */
			return push(st, st->default_job);
		default:
			action_format(a, ref, sizeof(ref));
			return push(st, ref + 4); /* after "job:" */
		}
	}
	case ACT_BACK:
		return pop(st, false);
	case ACT_BACK_OR_QUIT:
		return pop(st, true);
	case ACT_QUIT:
		return STACK_QUIT;
	case ACT_RERUN:
	case ACT_REFRESH:
		return STACK_RERUN;
	default:
		return STACK_SAME;
	}
}

bool job_stack_mission(const struct job_stack *st, const struct watch_ctx *w, struct mission *m, char *err,
		       size_t errsize)
{
	const char *ref = job_stack_current(st); /* job:default was resolved when pushed */
	if (!strncmp(ref, "alias:", 6))
		return mission_build_alias(m, &w->settings, ref + 6, w->project_dir, &w->args, err, errsize);
	/* NAME(tests): the job; the tests are not given to it yet (bacon appends
	 * them to the command: docs/watch.md, "Status") */
	char *name = xstrdup(ref);
	char *paren = strchr(name, '(');
	if (paren)
		*paren = 0;
	bool ok = mission_build(m, &w->settings, name, w->project_dir, &w->args, err, errsize);
	free(name);
	return ok;
}
