/* Jobs to command lines (bacon's mission.rs and context.rs). */
#include "watch/mission.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/die.h"
#include "util/strbuf.h"
#include "watch/watcher.h"

static const char *env_lookup(const str_list *env, const char *name, size_t n)
{
	for (size_t i = env ? env->n : 0; i-- > 0;)
		if (!strncmp(env->v[i], name, n) && env->v[i][n] == '=')
			return env->v[i] + n + 1;
	char *k = xstrndup(name, n);
	const char *v = getenv(k);
	free(k);
	return v;
}

char *expand_env_vars(const char *t, const str_list *env)
{
	struct strbuf out = STRBUF_INIT;
	for (const char *p = t; *p;) {
		const char *name = NULL;
		size_t n = 0, skip = 0;
		if (p[0] == '$' && p[1] == '{') {
			const char *close = strchr(p + 2, '}');
			if (close && close > p + 2) {
				name = p + 2;
				n = (size_t)(close - name);
				skip = n + 3;
			}
		} else if (p[0] == '$' && (isalpha((unsigned char)p[1]) || p[1] == '_')) {
			name = p + 1;
			while (isalnum((unsigned char)name[n]) || name[n] == '_')
				n++;
			skip = n + 1;
		}
		const char *v = name ? env_lookup(env, name, n) : NULL;
		if (v) {
			sb_adds(&out, v);
			p += skip;
		} else {
			sb_addc(&out, *p++); /* unknown: kept as written */
		}
	}
	return sb_detach(&out);
}

static void push(str_list *l, const char *s) { vec_push(l, xstrdup(s)); }

/* A token of the job's command as it runs ($VARs expanded unless the job says not to). */
static char *job_token(const struct mission *m, const char *token)
{
	return job_expand_env_vars(&m->job) ? expand_env_vars(token, &m->job.env) : xstrdup(token);
}

/* bacon's feature handling: the job's own --features merged with the
 * command line's (or replaced under --no-default-features), dropped under
 * --all-features; flags the job lacks go before its `--`. */
static void build_argv(struct mission *m, const struct mission_args *a)
{
	const str_list *cmd = &m->job.command;
	bool extraneous = job_extraneous_args(&m->job);
	bool nodef_done = false, features_done = false;
	size_t i = 0;
	for (; i < cmd->n; i++) {
		char *t = job_token(m, cmd->v[i]);
		if (i > 0 && extraneous && !strcmp(t, "--")) {
			free(t);
			break; /* the flags below go before it */
		}
		if (i > 0 && extraneous && !strcmp(t, "--no-default-features"))
			nodef_done = true;
		if (i > 0 && extraneous && !strcmp(t, "--features") && i + 1 < cmd->n) {
			features_done = true;
			i++;
			char *job_f = job_token(m, cmd->v[i]);
			free(t);
			if (a->all_features) {
				free(job_f);
				continue;
			}
			if (a->features && !a->no_default_features) {
				push(&m->argv, "--features");
				vec_push(&m->argv, xasprintf("%s,%s", job_f, a->features));
			} else if (a->features) {
				push(&m->argv, "--features");
				push(&m->argv, a->features);
			} else if (!a->no_default_features) {
				push(&m->argv, "--features");
				push(&m->argv, job_f);
			}
			free(job_f);
			continue;
		}
		vec_push(&m->argv, t);
	}
	if (extraneous) {
		if (a->no_default_features && !nodef_done)
			push(&m->argv, "--no-default-features");
		if (a->all_features)
			push(&m->argv, "--all-features");
		if (!features_done && a->features && !a->all_features) {
			push(&m->argv, "--features");
			push(&m->argv, a->features);
		}
	}
	for (; i < cmd->n; i++) /* the job's `--` and what follows */
		vec_push(&m->argv, job_token(m, cmd->v[i]));
	if (extraneous)
		for (size_t k = 0; k < a->nextra; k++)
			push(&m->argv, a->extra[k]);
	vec_reserve(&m->argv, m->argv.n + 1);
	m->argv.v[m->argv.n] = NULL;
}

static void add_watch(struct mission *m, const char *project_dir, const char *p)
{
	char *full = p[0] == '/' ? xstrdup(p) : xasprintf("%s/%s", project_dir, p);
	for (size_t i = 0; i < m->watch_paths.n; i++)
		if (!strcmp(m->watch_paths.v[i], full)) {
			free(full);
			return;
		}
	if (access(full, F_OK) == 0)
		vec_push(&m->watch_paths, full);
	else
		free(full); /* missing: skipped, as bacon does */
}

static void finish(struct mission *m, const char *project_dir, const struct mission_args *a)
{
	build_argv(m, a);
	if (m->job.workdir)
		m->workdir = m->job.workdir[0] == '/' ? xstrdup(m->job.workdir)
						      : xasprintf("%s/%s", project_dir, m->job.workdir);
	else
		m->workdir = xstrdup(project_dir);
	if (job_default_watch(&m->job))
		for (size_t i = 0; watch_default_paths[i]; i++)
			add_watch(m, project_dir, watch_default_paths[i]);
	for (size_t i = 0; i < m->job.watch.n; i++)
		add_watch(m, project_dir, m->job.watch.v[i]);
}

bool mission_build(struct mission *m, const struct watch_settings *s, const char *name, const char *project_dir,
		   const struct mission_args *a, char *err, size_t errsize)
{
	memset(m, 0, sizeof(*m));
	const struct watch_job *j = settings_job(s, name);
	if (!j) {
		snprintf(err, errsize, "job not found: \"%s\"", name);
		return false;
	}
	settings_effective_job(s, j, &m->job);
	m->job_name = xstrdup(name);
	finish(m, project_dir, a);
	return true;
}

bool mission_build_alias(struct mission *m, const struct watch_settings *s, const char *alias,
			 const char *project_dir, const struct mission_args *a, char *err, size_t errsize)
{
	memset(m, 0, sizeof(*m));
	struct watch_job j;
	job_init(&j);
	push(&j.command, "cargo");
	push(&j.command, alias);
	if (s->has_additional_alias_args) {
		for (size_t i = 0; i < s->additional_alias_args.n; i++)
			push(&j.command, s->additional_alias_args.v[i]);
	} else {
		push(&j.command, "--color");
		push(&j.command, "always");
	}
	settings_effective_job(s, &j, &m->job);
	job_free(&j);
	m->job_name = xasprintf("alias:%s", alias);
	finish(m, project_dir, a);
	return true;
}

void mission_free(struct mission *m)
{
	free(m->job_name);
	job_free(&m->job);
	for (size_t i = 0; i < m->argv.n; i++)
		free(m->argv.v[i]);
	vec_free(&m->argv);
	free(m->workdir);
	for (size_t i = 0; i < m->watch_paths.n; i++)
		free(m->watch_paths.v[i]);
	vec_free(&m->watch_paths);
}
