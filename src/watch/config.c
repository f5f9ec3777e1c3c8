/* Reading bacon.toml files into settings, as bacon does
 * (src/conf/settings.rs, config.rs, job.rs): sources in order, later
 * ones overriding; a job of a later source replaces one of the same name
 * whole; top-level job keys are every job's defaults; unknown keys are
 * ignored (bacon's serde does not deny them). */
#include "watch/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/die.h"

static const char *const analyzers[] = { "standard", "cargo_json", "nextest", "cpp", "cpp_doctest", "go",
					 "eslint", "biome", "python_pytest", "python_ruff", "python_unittest",
					 "swift_build", "swift_lint", "typescript", NULL };

struct reader {
	const char *origin; /* file name for errors */
	char *err;
	size_t errsize;
};

SONDE_PRINTF(4, 5) static bool bad(struct reader *r, const struct toml_value *v, const char *key, const char *fmt, ...)
{
	char what[300];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (v)
		snprintf(r->err, r->errsize, "%s:%u:%u: %s: %s", r->origin, v->line, v->col, key, what);
	else
		snprintf(r->err, r->errsize, "%s: %s: %s", r->origin, key, what);
	return false;
}

static bool want(struct reader *r, const struct toml_value *v, enum toml_type t, const char *key)
{
	if (v->type == t)
		return true;
	static const char *const articles[] = { [TOML_STRING] = "a string", [TOML_INTEGER] = "an integer",
						[TOML_FLOAT] = "a float", [TOML_BOOL] = "a boolean",
						[TOML_ARRAY] = "an array", [TOML_TABLE] = "a table" };
	return bad(r, v, key, "expected %s, found %s", articles[t] ? articles[t] : toml_type_name(t),
		   toml_type_name(v->type));
}

static bool read_bool(struct reader *r, const struct toml_value *v, const char *key, tristate *out)
{
	if (!want(r, v, TOML_BOOL, key))
		return false;
	*out = v->u.b;
	return true;
}

static bool read_strings(struct reader *r, const struct toml_value *v, const char *key, str_list *out)
{
	if (!want(r, v, TOML_ARRAY, key))
		return false;
	for (size_t i = 0; i < out->n; i++)
		free(out->v[i]);
	out->n = 0;
	for (size_t i = 0; i < v->u.arr->n; i++) {
		const struct toml_value *e = &v->u.arr->v[i];
		if (!want(r, e, TOML_STRING, key))
			return false;
		vec_push(out, xstrdup(e->u.str.s));
	}
	return true;
}

static bool read_action(struct reader *r, const struct toml_value *v, const char *key, struct action *a)
{
	if (!want(r, v, TOML_STRING, key))
		return false;
	char why[300];
	action_free(a);
	if (!action_parse(v->u.str.s, a, why, sizeof(why)))
		return bad(r, v, key, "%s", why);
	return true;
}

/* bacon's Period: "15ms", "1s", "2m"... (or a bare number of ms) */
static bool read_period(struct reader *r, const struct toml_value *v, const char *key, long *ms)
{
	if (v->type == TOML_INTEGER && v->u.i >= 0 && v->u.i < 86400000) {
		*ms = (long)v->u.i;
		return true;
	}
	if (!want(r, v, TOML_STRING, key))
		return false;
	char *end;
	errno = 0;
	double n = strtod(v->u.str.s, &end);
	while (*end == ' ')
		end++;
	double unit = !strcmp(end, "ms") || !*end ? 1 : !strcmp(end, "s") ? 1000 : !strcmp(end, "m") ? 60000 : -1;
	if (end == v->u.str.s || errno || unit < 0 || n < 0 || n * unit > 86400000)
		return bad(r, v, key, "not a duration: \"%s\" (e.g. \"15ms\", \"1s\")", v->u.str.s);
	*ms = (long)(n * unit + 0.5);
	return true;
}

static bool valid_job_name(const char *n)
{
	if (!*n)
		return false;
	for (; *n; n++)
		if (!isalnum((unsigned char)*n) && *n != '_' && *n != '-' && !((unsigned char)*n & 0x80))
			return false;
	return true;
}

/* One job key. Returns false on an error; keys that are not job keys are
 * left to the caller (*known = false). */
static bool read_job_key(struct reader *r, struct watch_job *j, const struct toml_kv *kv, const char *path,
			 bool *known)
{
	const char *k = kv->key;
	const struct toml_value *v = &kv->val;
	static const struct {
		const char *key;
		size_t off;
	} bools[] = {
		{ "need_stdout", offsetof(struct watch_job, need_stdout) },
		{ "default_watch", offsetof(struct watch_job, default_watch) },
		{ "allow_warnings", offsetof(struct watch_job, allow_warnings) },
		{ "allow_failures", offsetof(struct watch_job, allow_failures) },
		{ "background", offsetof(struct watch_job, background) },
		{ "apply_gitignore", offsetof(struct watch_job, apply_gitignore) },
		{ "expand_env_vars", offsetof(struct watch_job, expand_env_vars) },
		{ "extraneous_args", offsetof(struct watch_job, extraneous_args) },
		{ "show_changes_count", offsetof(struct watch_job, show_changes_count) },
		{ "hide_scrollbar", offsetof(struct watch_job, hide_scrollbar) },
	};
	char key[256];
	snprintf(key, sizeof(key), "%s%s", path, k);
	*known = true;
	for (size_t i = 0; i < sizeof(bools) / sizeof(*bools); i++)
		if (!strcmp(k, bools[i].key))
			return read_bool(r, v, key, (tristate *)((char *)j + bools[i].off));
	if (!strcmp(k, "command"))
		return read_strings(r, v, key, &j->command);
	if (!strcmp(k, "watch"))
		return (j->has_watch = true) && read_strings(r, v, key, &j->watch);
	if (!strcmp(k, "kill"))
		return (j->has_kill = true) && read_strings(r, v, key, &j->kill);
	if (!strcmp(k, "ignore")) {
		str_list more = { 0 };
		bool ok = read_strings(r, v, key, &more);
		for (size_t i = 0; i < more.n; i++)
			vec_push(&j->ignore, more.v[i]);
		vec_free(&more);
		return ok;
	}
	if (!strcmp(k, "ignored_lines"))
		return (j->has_ignored_lines = true) && read_strings(r, v, key, &j->ignored_lines);
	if (!strcmp(k, "on_success"))
		return (j->has_on_success = true) && read_action(r, v, key, &j->on_success);
	if (!strcmp(k, "on_failure"))
		return (j->has_on_failure = true) && read_action(r, v, key, &j->on_failure);
	if (!strcmp(k, "grace_period"))
		return read_period(r, v, key, &j->grace_period_ms);
	if (!strcmp(k, "on_change_strategy")) {
		if (!want(r, v, TOML_STRING, key))
			return false;
		if (!strcmp(v->u.str.s, "wait_then_restart"))
			j->on_change = CHANGE_WAIT_THEN_RESTART;
		else if (!strcmp(v->u.str.s, "kill_then_restart"))
			j->on_change = CHANGE_KILL_THEN_RESTART;
		else
			return bad(r, v, key, "unknown variant `%s`, expected `wait_then_restart` or `kill_then_restart`",
				   v->u.str.s);
		return true;
	}
	if (!strcmp(k, "analyzer")) {
		if (!want(r, v, TOML_STRING, key))
			return false;
		size_t i = 0;
		while (analyzers[i] && strcmp(analyzers[i], v->u.str.s))
			i++;
		if (!analyzers[i])
			return bad(r, v, key, "unknown analyzer `%s` (standard, cargo_json, nextest, cpp, ...)", v->u.str.s);
		free(j->analyzer);
		j->analyzer = xstrdup(v->u.str.s);
		return true;
	}
	if (!strcmp(k, "workdir")) {
		if (!want(r, v, TOML_STRING, key))
			return false;
		free(j->workdir);
		j->workdir = xstrdup(v->u.str.s);
		return true;
	}
	if (!strcmp(k, "env")) {
		if (!want(r, v, TOML_TABLE, key))
			return false;
		for (size_t i = 0; i < v->u.tab->n; i++) {
			const struct toml_kv *e = &v->u.tab->kv[i];
			char ekey[300];
			snprintf(ekey, sizeof(ekey), "%s.%s", key, e->key);
			if (!want(r, &e->val, TOML_STRING, ekey))
				return false;
			env_set(&j->env, e->key, e->val.u.str.s);
		}
		return true;
	}
	if (!strcmp(k, "skin") || !strcmp(k, "sound") || !strcmp(k, "scroll_anchor") ||
	    !strcmp(k, "show_command_error_code"))
		return true; /* bacon's looks and sounds: accepted, not used */
	*known = false;
	return true;
}

static bool read_job(struct reader *r, const char *name, const struct toml_value *v, struct watch_job *j)
{
	char path[200];
	job_init(j); /* the caller frees it whatever happens */
	snprintf(path, sizeof(path), "jobs.%s", name);
	if (!want(r, v, TOML_TABLE, path))
		return false;
	if (!valid_job_name(name))
		return bad(r, v, path, "Invalid configuration : Illegal job name : \"%s\"", name);
	j->name = xstrdup(name);
	char prefix[210];
	snprintf(prefix, sizeof(prefix), "%s.", path);
	for (size_t i = 0; i < v->u.tab->n; i++) {
		bool known;
		if (!read_job_key(r, j, &v->u.tab->kv[i], prefix, &known))
			return false;
	}
	if (!j->command.n)
		return bad(r, v, path, "Invalid configuration : empty command for job \"%s\"", name);
	return true;
}

static void bind(struct watch_settings *s, const char *key, const struct action *a)
{
	for (size_t i = 0; i < s->keys.n; i++)
		if (!strcmp(s->keys.v[i].key, key)) {
			action_free(&s->keys.v[i].action);
			s->keys.v[i].action = action_copy(a);
			return;
		}
	vec_push(&s->keys, ((struct keybinding){ xstrdup(key), action_copy(a) }));
}

void settings_init(struct watch_settings *s)
{
	memset(s, 0, sizeof(*s));
	job_init(&s->all_jobs);
	s->wrap = s->help_line = true;
	for (size_t i = 0; watch_default_keys[i][0]; i++) {
		struct action a;
		char err[200];
		if (action_parse(watch_default_keys[i][1], &a, err, sizeof(err))) {
			bind(s, watch_default_keys[i][0], &a);
			action_free(&a);
		}
	}
}

void settings_free(struct watch_settings *s)
{
	job_free(&s->all_jobs);
	for (size_t i = 0; i < s->jobs.n; i++)
		job_free(&s->jobs.v[i]);
	vec_free(&s->jobs);
	for (size_t i = 0; i < s->keys.n; i++) {
		free(s->keys.v[i].key);
		action_free(&s->keys.v[i].action);
	}
	vec_free(&s->keys);
	free(s->default_job);
	for (size_t i = 0; i < s->additional_alias_args.n; i++)
		free(s->additional_alias_args.v[i]);
	vec_free(&s->additional_alias_args);
	for (size_t i = 0; i < s->config_files.n; i++)
		free(s->config_files.v[i]);
	vec_free(&s->config_files);
}

static bool read_bool_setting(struct reader *r, const struct toml_value *v, const char *key, bool *out)
{
	tristate t;
	if (!read_bool(r, v, key, &t))
		return false;
	*out = t;
	return true;
}

bool settings_apply_table(struct watch_settings *s, const struct toml_table *t, const char *origin, char *err,
			  size_t errsize)
{
	struct reader r = { origin, err, errsize };
	struct watch_job top;
	job_init(&top);
	bool ok = true;
	for (size_t i = 0; ok && i < t->n; i++) {
		const struct toml_kv *kv = &t->kv[i];
		const struct toml_value *v = &kv->val;
		const char *k = kv->key;
		bool known;
		if (!strcmp(k, "default_job")) {
			if ((ok = want(&r, v, TOML_STRING, k))) {
				free(s->default_job);
				s->default_job = xstrdup(v->u.str.s);
			}
		} else if (!strcmp(k, "summary")) {
			ok = read_bool_setting(&r, v, k, &s->summary);
		} else if (!strcmp(k, "wrap")) {
			ok = read_bool_setting(&r, v, k, &s->wrap);
		} else if (!strcmp(k, "reverse")) {
			ok = read_bool_setting(&r, v, k, &s->reverse);
		} else if (!strcmp(k, "help_line")) {
			ok = read_bool_setting(&r, v, k, &s->help_line);
		} else if (!strcmp(k, "additional_alias_args")) {
			ok = read_strings(&r, v, k, &s->additional_alias_args);
			s->has_additional_alias_args = true;
		} else if (!strcmp(k, "jobs")) {
			if (!(ok = want(&r, v, TOML_TABLE, k)))
				break;
			for (size_t n = 0; ok && n < v->u.tab->n; n++) {
				struct watch_job j;
				if (!(ok = read_job(&r, v->u.tab->kv[n].key, &v->u.tab->kv[n].val, &j))) {
					job_free(&j);
					break;
				}
				size_t at = 0;
				while (at < s->jobs.n && strcmp(s->jobs.v[at].name, j.name))
					at++;
				if (at < s->jobs.n) {
					job_free(&s->jobs.v[at]);
					s->jobs.v[at] = j;
				} else {
					vec_push(&s->jobs, j);
				}
			}
		} else if (!strcmp(k, "keybindings")) {
			if (!(ok = want(&r, v, TOML_TABLE, k)))
				break;
			for (size_t n = 0; ok && n < v->u.tab->n; n++) {
				const struct toml_kv *b = &v->u.tab->kv[n];
				char key[200];
				snprintf(key, sizeof(key), "keybindings.%s", b->key);
				struct action a = { 0 };
				if ((ok = read_action(&r, &b->val, key, &a)))
					bind(s, b->key, &a);
				action_free(&a);
			}
		} else if (!(ok = read_job_key(&r, &top, kv, "", &known)) || known) {
			/* a job key at the top: a default for every job */
		}
		/* anything else (exports, listen, vim_keys, ...) is bacon's and ignored */
	}
	if (ok)
		job_apply(&s->all_jobs, &top);
	job_free(&top);
	return ok;
}

bool settings_check(const struct watch_settings *s, char *err, size_t errsize)
{
	if (!s->jobs.n) {
		snprintf(err, errsize, "Invalid configuration : no job found");
		return false;
	}
	const char *d = s->default_job;
	if (d && strncmp(d, "alias:", 6)) {
		char *name = xstrdup(d);
		char *paren = strchr(name, '(');
		if (paren)
			*paren = 0;
		bool found = settings_job(s, name) != NULL;
		free(name);
		if (!found) {
			snprintf(err, errsize, "Invalid configuration : default job (\"%s\") not found in jobs", d);
			return false;
		}
	}
	return true;
}

const struct watch_job *settings_job(const struct watch_settings *s, const char *name)
{
	for (size_t i = 0; i < s->jobs.n; i++)
		if (!strcmp(s->jobs.v[i].name, name))
			return &s->jobs.v[i];
	return NULL;
}

void settings_effective_job(const struct watch_settings *s, const struct watch_job *j, struct watch_job *out)
{
	job_init(out);
	job_apply(out, &s->all_jobs);
	job_apply(out, j);
	free(out->name);
	out->name = j->name ? xstrdup(j->name) : NULL;
}

const struct action *settings_key_action(const struct watch_settings *s, const char *key)
{
	for (size_t i = 0; i < s->keys.n; i++)
		if (!strcmp(s->keys.v[i].key, key))
			return &s->keys.v[i].action;
	return NULL;
}
