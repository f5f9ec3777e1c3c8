/* Jobs and bacon's defaults (src/jobs/job.rs). */
#include "watch/job.h"

#include <stdlib.h>
#include <string.h>

void job_init(struct watch_job *j)
{
	memset(j, 0, sizeof(*j));
	j->need_stdout = j->default_watch = j->allow_warnings = j->allow_failures = j->background = -1;
	j->apply_gitignore = j->expand_env_vars = j->extraneous_args = j->show_changes_count = j->hide_scrollbar = -1;
	j->grace_period_ms = -1;
}

static void list_free(str_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	vec_free(l);
}

static void list_copy(str_list *dst, const str_list *src)
{
	list_free(dst);
	for (size_t i = 0; i < src->n; i++)
		vec_push(dst, xstrdup(src->v[i]));
}

void job_free(struct watch_job *j)
{
	free(j->name);
	list_free(&j->command);
	list_free(&j->watch);
	list_free(&j->kill);
	list_free(&j->ignore);
	list_free(&j->ignored_lines);
	list_free(&j->env);
	action_free(&j->on_success);
	action_free(&j->on_failure);
	free(j->analyzer);
	free(j->workdir);
	job_init(j);
}

void env_set(str_list *env, const char *name, const char *value)
{
	size_t n = strlen(name);
	char *kv = xasprintf("%s=%s", name, value);
	for (size_t i = 0; i < env->n; i++)
		if (!strncmp(env->v[i], name, n) && env->v[i][n] == '=') {
			free(env->v[i]);
			env->v[i] = kv;
			return;
		}
	vec_push(env, kv);
}

static void set_str(char **dst, const char *src)
{
	if (!src)
		return;
	free(*dst);
	*dst = xstrdup(src);
}

void job_apply(struct watch_job *dst, const struct watch_job *src)
{
	tristate *d[] = { &dst->need_stdout, &dst->default_watch, &dst->allow_warnings, &dst->allow_failures,
			  &dst->background, &dst->apply_gitignore, &dst->expand_env_vars, &dst->extraneous_args,
			  &dst->show_changes_count, &dst->hide_scrollbar };
	const tristate s[] = { src->need_stdout, src->default_watch, src->allow_warnings, src->allow_failures,
			       src->background, src->apply_gitignore, src->expand_env_vars, src->extraneous_args,
			       src->show_changes_count, src->hide_scrollbar };
	for (size_t i = 0; i < sizeof(s) / sizeof(*s); i++)
		if (s[i] >= 0)
			*d[i] = s[i];
	if (src->command.n)
		list_copy(&dst->command, &src->command);
	for (size_t i = 0; i < src->env.n; i++) {
		char *eq = strchr(src->env.v[i], '=');
		char *name = xstrndup(src->env.v[i], (size_t)(eq - src->env.v[i]));
		env_set(&dst->env, name, eq + 1);
		free(name);
	}
	for (size_t i = 0; i < src->ignore.n; i++) {
		size_t k = 0;
		while (k < dst->ignore.n && strcmp(dst->ignore.v[k], src->ignore.v[i]))
			k++;
		if (k == dst->ignore.n)
			vec_push(&dst->ignore, xstrdup(src->ignore.v[i]));
	}
	if (src->has_watch) {
		list_copy(&dst->watch, &src->watch);
		dst->has_watch = true;
	}
	if (src->has_kill) {
		list_copy(&dst->kill, &src->kill);
		dst->has_kill = true;
	}
	if (src->has_ignored_lines) {
		list_copy(&dst->ignored_lines, &src->ignored_lines);
		dst->has_ignored_lines = true;
	}
	if (src->has_on_success) {
		action_free(&dst->on_success);
		dst->on_success = action_copy(&src->on_success);
		dst->has_on_success = true;
	}
	if (src->has_on_failure) {
		action_free(&dst->on_failure);
		dst->on_failure = action_copy(&src->on_failure);
		dst->has_on_failure = true;
	}
	if (src->on_change != CHANGE_UNSET)
		dst->on_change = src->on_change;
	set_str(&dst->analyzer, src->analyzer);
	set_str(&dst->workdir, src->workdir);
	if (src->grace_period_ms >= 0)
		dst->grace_period_ms = src->grace_period_ms;
}

bool job_need_stdout(const struct watch_job *j) { return j->need_stdout > 0; }
bool job_default_watch(const struct watch_job *j) { return j->default_watch != 0; }
bool job_allow_warnings(const struct watch_job *j) { return j->allow_warnings > 0; }
bool job_allow_failures(const struct watch_job *j) { return j->allow_failures > 0; }
bool job_background(const struct watch_job *j) { return j->background != 0; }
bool job_apply_gitignore(const struct watch_job *j) { return j->apply_gitignore != 0; }
bool job_expand_env_vars(const struct watch_job *j) { return j->expand_env_vars != 0; }
bool job_extraneous_args(const struct watch_job *j) { return j->extraneous_args != 0; }
long job_grace_period_ms(const struct watch_job *j) { return j->grace_period_ms >= 0 ? j->grace_period_ms : 15; }

enum on_change_strategy job_on_change(const struct watch_job *j)
{
	return j->on_change == CHANGE_UNSET ? CHANGE_WAIT_THEN_RESTART : j->on_change;
}

const char *job_analyzer(const struct watch_job *j) { return j->analyzer ? j->analyzer : "standard"; }
