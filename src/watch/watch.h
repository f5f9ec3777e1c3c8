/* `sonde watch` once its command line is read: the settings, the job to
 * start, what the command line adds to every job. run_headless and
 * run_tui (watch_headless.c, watch_tui.c) are the two ways it runs. */
#ifndef SONDE_WATCH_WATCH_H
#define SONDE_WATCH_WATCH_H
#include <stdbool.h>

#include "watch/config.h"
#include "watch/mission.h"

struct watch_ctx {
	struct watch_settings settings;
	struct config_places places; /* to read the settings again */
	char *project_dir;
	const char *initial_job; /* a job reference: NAME, alias:NAME, NAME(tests) */
	struct mission_args args;
	const char *watch_override; /* --watch PATH */
	bool once; /* --once: one run, its success as the exit status (scripts, tests) */
};

struct ignorer;
struct watcher;
struct watch_change;
/* watch_files.c: the mission's watcher (and its ignorer, in *ig); NULL
 * when nothing can be watched, with the reason in err ("" when the job
 * has no path at all). */
struct watcher *watch_mission_files(const struct watch_ctx *w, const struct mission *m, struct ignorer **ig,
				    char *err, size_t errsize);
/* Whether the change is to one of the settings' files. */
bool watch_is_config_change(const struct watch_ctx *w, const struct watch_change *ch);

int watch_run_headless(struct watch_ctx *w);
/* Reads the settings again (a config file changed); on an error the old
 * ones stay and err says why. */
bool watch_reload_settings(struct watch_ctx *w, char *err, size_t errsize);
int watch_run_tui(struct watch_ctx *w);

#endif
