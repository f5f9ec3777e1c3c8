/* bacon.toml's settings (docs/watch.md): where they are read from and in
 * which order, what each key means, and the checks bacon makes. The files
 * are read with sonde's TOML reader (src/toml/). */
#ifndef SONDE_WATCH_CONFIG_H
#define SONDE_WATCH_CONFIG_H
#include <stdbool.h>
#include <stddef.h>

#include "toml/toml.h"
#include "watch/job.h"

struct keybinding {
	char *key;         /* as written: "ctrl-c", "shift-F9", "esc", "h" */
	struct action action;
};

struct watch_settings {
	struct watch_job all_jobs; /* the top-level job keys: every job's defaults */
	VEC(struct watch_job) jobs; /* later sources replace a job of the same name whole */
	char *default_job;          /* a job reference ("check", "alias:x") */
	VEC(struct keybinding) keys; /* bacon's defaults first, then each source's, later ones win */
	bool summary, wrap, reverse, help_line;
	str_list additional_alias_args;
	bool has_additional_alias_args;
	str_list config_files; /* the files read, in order */
};

/* Where to look. Any NULL entry is skipped. */
struct config_places {
	const char *package_dir;   /* the project: bacon.toml, .config/bacon.toml, Cargo.toml */
	const char *workspace_dir; /* its cargo workspace root when different */
	const char *config_file;   /* --config FILE (after $BACON_CONFIG) */
	const char *config_toml;   /* --config-toml TEXT (last) */
	bool no_builtin;           /* for tests: leave bacon's built-in jobs out */
	bool no_prefs;             /* for tests: no global prefs, no $BACON_PREFS */
};

void settings_init(struct watch_settings *s);
void settings_free(struct watch_settings *s);

/* Reads every source in bacon's order, then checks the result. Returns
 * false with a one-line error ("PATH:LINE:COL: ...", or bacon's "Invalid
 * configuration : ..."). */
bool settings_load(struct watch_settings *s, const struct config_places *p, char *err, size_t errsize);
/* Applies one parsed document (a bacon.toml, prefs.toml, or a Cargo.toml's
 * metadata.bacon table); origin names it in errors. */
bool settings_apply_table(struct watch_settings *s, const struct toml_table *t, const char *origin, char *err,
			  size_t errsize);
bool settings_check(const struct watch_settings *s, char *err, size_t errsize);

/* The job named name, or NULL. */
const struct watch_job *settings_job(const struct watch_settings *s, const char *name);
/* The job as it runs: the top-level defaults with the job laid over them. */
void settings_effective_job(const struct watch_settings *s, const struct watch_job *j, struct watch_job *out);
/* The action bound to key, or NULL. */
const struct action *settings_key_action(const struct watch_settings *s, const char *key);

/* bacon's built-in bacon.toml and default key bindings, in sonde's words. */
extern const char watch_builtin_config[];
extern const char *const watch_default_keys[][2];

#endif
