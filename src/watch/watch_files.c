/* What a mission watches, for both runners: its paths (or --watch) and the
 * settings' files (a change to one reloads them), through the job's
 * ignore rules. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/die.h"
#include "watch/ignorer.h"
#include "watch/watch.h"
#include "watch/watcher.h"

struct watcher *watch_mission_files(const struct watch_ctx *w, const struct mission *m, struct ignorer **ig,
				    char *err, size_t errsize)
{
	VEC(const char *) paths = { 0 };
	if (w->watch_override)
		vec_push(&paths, w->watch_override);
	else
		for (size_t i = 0; i < m->watch_paths.n; i++)
			vec_push(&paths, m->watch_paths.v[i]);
	for (size_t i = 0; i < w->settings.config_files.n; i++)
		vec_push(&paths, w->settings.config_files.v[i]);
	*ig = ignorer_new(w->project_dir, job_apply_gitignore(&m->job), (const char *const *)m->job.ignore.v,
			  m->job.ignore.n);
	struct watcher_config cfg = { w->project_dir, paths.v, paths.n, *ig, (int)job_grace_period_ms(&m->job) };
	struct watcher *wt = NULL;
	err[0] = 0; /* no path at all: nothing to say */
	if (paths.n)
		wt = watcher_new(&cfg, err, errsize);
	vec_free(&paths);
	return wt;
}

bool watch_is_config_change(const struct watch_ctx *w, const struct watch_change *ch)
{
	size_t pl = strlen(w->project_dir);
	for (size_t i = 0; i < w->settings.config_files.n; i++) {
		const char *f = w->settings.config_files.v[i];
		const char *rel = !strncmp(f, w->project_dir, pl) && f[pl] == '/' ? f + pl + 1 : f;
		if (!strcmp(ch->first, rel) || !strcmp(ch->first, f))
			return true;
	}
	return false;
}
