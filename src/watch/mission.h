/* A job made ready to run (bacon's Mission): the command line with
 * $VARs expanded and the extraneous arguments in place, its working
 * directory, its environment, what to watch. */
#ifndef SONDE_WATCH_MISSION_H
#define SONDE_WATCH_MISSION_H
#include <stdbool.h>

#include "watch/config.h"

/* What the command line adds to every job (bacon's feature flags and the
 * arguments after `--`). */
struct mission_args {
	bool no_default_features, all_features;
	const char *features;        /* comma-separated, or NULL */
	char *const *extra;          /* after `--` */
	size_t nextra;
};

struct mission {
	char *job_name;
	struct watch_job job; /* effective: the defaults with the job over them */
	str_list argv;        /* NULL-terminated (argv.v[argv.n] == NULL) */
	char *workdir;
	str_list watch_paths; /* absolute; missing ones left out */
};

/* Builds the mission for the job named name in the project dir. Returns
 * false with bacon's wording when there is no such job
 * (`job not found: "x"`). */
bool mission_build(struct mission *m, const struct watch_settings *s, const char *name, const char *project_dir,
		   const struct mission_args *a, char *err, size_t errsize);
/* For a cargo alias (job:alias:NAME): `cargo NAME --color always`, or with
 * additional_alias_args instead of `--color always`. */
bool mission_build_alias(struct mission *m, const struct watch_settings *s, const char *alias,
			 const char *project_dir, const struct mission_args *a, char *err, size_t errsize);
void mission_free(struct mission *m);

/* $NAME and ${NAME} in token from env (NAME=value entries) and then the
 * process environment; an unknown NAME stays as written. */
char *expand_env_vars(const char *token, const str_list *env);

#endif
