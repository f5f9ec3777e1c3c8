#include "watch/job_run.h"

#include <stdlib.h>

#include "util/die.h"

struct child *job_run_start(const struct mission *m, char *err, size_t errsize)
{
	VEC(const char *) env = { 0 };
	for (size_t i = 0; i < m->job.env.n; i++)
		vec_push(&env, m->job.env.v[i]);
	vec_push(&env, NULL);
	struct child_spec spec = { (const char *const *)m->argv.v, m->workdir, env.v, job_need_stdout(&m->job) };
	struct child *c = child_start(&spec, err, errsize);
	vec_free(&env);
	return c;
}

int job_run_kill(struct child *c, const struct mission *m)
{
	VEC(const char *) k = { 0 };
	for (size_t i = 0; i < m->job.kill.n; i++)
		vec_push(&k, m->job.kill.v[i]);
	vec_push(&k, NULL);
	int status = child_kill(c, m->job.kill.n ? k.v : NULL, CHILD_KILL_GRACE_MS);
	vec_free(&k);
	child_free(c);
	return status;
}

struct analysis *job_run_analysis(const struct mission *m)
{
	enum analyzer_kind kind = ANALYZER_STANDARD;
	if (analyzer_from_name(job_analyzer(&m->job), &kind) < 0)
		kind = ANALYZER_STANDARD;
	struct analysis *a = analysis_new(kind);
	char err[300];
	for (size_t i = 0; i < m->job.ignored_lines.n; i++)
		if (analysis_ignore(a, m->job.ignored_lines.v[i], err, sizeof(err)) < 0)
			warn("ignored_lines \"%s\": %s", m->job.ignored_lines.v[i], err);
	return a;
}

bool job_run_success(const struct mission *m, const struct report *r, int status)
{
	return report_is_success(r, job_allow_warnings(&m->job), job_allow_failures(&m->job)) &&
	       (status == 0 || r->errors + r->failures + r->warnings > 0);
}
