/* A job of bacon.toml ([jobs.NAME], or the top-level keys that are every
 * job's defaults). Every field may be left unset, so that applying one
 * job over another (bacon's Job::apply) replaces only what the second
 * sets; env maps merge and ignore lists are unioned. The getters give
 * bacon's defaults for what nothing set. */
#ifndef SONDE_WATCH_JOB_H
#define SONDE_WATCH_JOB_H
#include <stdbool.h>
#include <stddef.h>

#include "util/vec.h"
#include "watch/action.h"

enum on_change_strategy { CHANGE_UNSET, CHANGE_WAIT_THEN_RESTART, CHANGE_KILL_THEN_RESTART };

typedef VEC(char *) str_list;

/* -1: unset, else 0/1 */
typedef signed char tristate;

struct watch_job {
	char *name; /* NULL for the top-level defaults */
	str_list command; /* empty: unset */
	tristate need_stdout, default_watch, allow_warnings, allow_failures, background, apply_gitignore,
		expand_env_vars, extraneous_args, show_changes_count, hide_scrollbar;
	bool has_watch, has_kill, has_ignored_lines, has_on_success, has_on_failure;
	str_list watch, kill, ignore, ignored_lines;
	str_list env; /* "NAME=value", in order; a later NAME replaces an earlier one */
	struct action on_success, on_failure;
	enum on_change_strategy on_change;
	char *analyzer, *workdir; /* NULL: unset */
	long grace_period_ms;     /* -1: unset */
};

void job_init(struct watch_job *j);
void job_free(struct watch_job *j);
/* dst takes what src sets (bacon's Job::apply). */
void job_apply(struct watch_job *dst, const struct watch_job *src);

bool job_need_stdout(const struct watch_job *j);    /* false */
bool job_default_watch(const struct watch_job *j);  /* true */
bool job_allow_warnings(const struct watch_job *j); /* false */
bool job_allow_failures(const struct watch_job *j); /* false */
bool job_background(const struct watch_job *j);     /* true */
bool job_apply_gitignore(const struct watch_job *j); /* true */
bool job_expand_env_vars(const struct watch_job *j); /* true */
bool job_extraneous_args(const struct watch_job *j); /* true */
long job_grace_period_ms(const struct watch_job *j); /* 15 */
enum on_change_strategy job_on_change(const struct watch_job *j); /* wait_then_restart */
const char *job_analyzer(const struct watch_job *j); /* "standard" */

/* Sets NAME=value in an env list (replacing NAME's earlier value). */
void env_set(str_list *env, const char *name, const char *value);

#endif
