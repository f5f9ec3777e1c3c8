/* sonde watch [JOB] [PATH] [-- ARGS]: bacon's job runner (docs/watch.md),
 * also the compat name `bacon`. Reads the settings (src/watch/config*.c),
 * picks the job, and runs it on every change, headless or in the TUI. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cmds.h"
#include "toml/toml.h"
#include "util/die.h"
#include "util/options.h"
#include "watch/init_template.h"
#include "watch/watch.h"

static const char *const watch_usage[] = {
	"watch [OPTIONS] [JOB] [PATH] [-- ARGS]",
	NULL,
};

static const char watch_intro[] =
	"Watches the project and runs a job of its bacon.toml on every change, as bacon\n"
	"does: JOB is a job name (default: default_job), PATH the project (a word with\n"
	"'.' or '/'), ARGS go to the job. In a terminal it shows the job's errors and\n"
	"warnings with bacon's keys; --headless prints the output and a badge line per\n"
	"run. Through `sonde shims`, `bacon` is the same command.";

struct watch_opts {
	bool headless, list_jobs, init, prefs, version, once;
	bool summary, no_summary, wrap, no_wrap, reverse, no_reverse, help_line, no_help_line;
	bool no_default_features, all_features, offline, export_locations, no_export_locations;
	const char *job, *project, *config, *config_toml, *features, *watch;
};

/* The directory that holds Cargo.toml or bacon.toml, from dir upwards;
 * dir itself when there is none. */
static char *find_project(const char *dir)
{
	char path[PATH_MAX];
	if (!realpath(dir, path))
		return NULL;
	for (char *cut = path + strlen(path);;) {
		char probe[PATH_MAX + 32];
		snprintf(probe, sizeof(probe), "%s/Cargo.toml", path);
		if (access(probe, F_OK) == 0)
			return xstrdup(path);
		snprintf(probe, sizeof(probe), "%s/bacon.toml", path);
		if (access(probe, F_OK) == 0)
			return xstrdup(path);
		cut = strrchr(path, '/');
		if (!cut || cut == path)
			break;
		*cut = 0;
	}
	return realpath(dir, path) ? xstrdup(path) : NULL;
}

/* The cargo workspace root above the package (a Cargo.toml with a
 * [workspace] table), or NULL. */
static char *find_workspace(const char *package)
{
	char *dir = xstrdup(package);
	for (;;) {
		char *probe = xasprintf("%s/Cargo.toml", dir);
		char err[300];
		struct toml_table *t = access(probe, F_OK) == 0 ? toml_parse_file(probe, err, sizeof(err)) : NULL;
		free(probe);
		bool ws = t && toml_get(t, "workspace");
		toml_free(t);
		if (ws)
			return dir;
		char *cut = strrchr(dir, '/');
		if (!cut || cut == dir) {
			free(dir);
			return NULL;
		}
		*cut = 0;
	}
}

static int list_jobs(const struct watch_settings *s)
{
	size_t w = 3;
	for (size_t i = 0; i < s->jobs.n; i++)
		if (strlen(s->jobs.v[i].name) > w)
			w = strlen(s->jobs.v[i].name);
	printf("%-*s  command\n", (int)w, "job");
	for (size_t i = 0; i < s->jobs.n; i++) {
		const struct watch_job *j = &s->jobs.v[i];
		printf("%-*s ", (int)w, j->name);
		for (size_t k = 0; k < j->command.n; k++)
			printf(" %s", j->command.v[k]);
		putchar('\n');
	}
	printf("default job: %s\n", s->default_job ? s->default_job : "check");
	return 0;
}

static int write_init(const char *project)
{
	char *path = xasprintf("%s/bacon.toml", project);
	if (access(path, F_OK) == 0) {
		error("%s already exists (remove it first to get a fresh one)", path);
		free(path);
		return 1;
	}
	FILE *f = fopen(path, "wx");
	if (!f || fputs(watch_init_template, f) == EOF || fclose(f) == EOF) {
		error("cannot write %s: %s", path, strerror(errno));
		free(path);
		return 1;
	}
	printf("wrote %s: its jobs are the guide's profiling jobs (sonde watch --list-jobs)\n", path);
	free(path);
	return 0;
}

/* mkdir -p */
static int make_dirs(char *dir)
{
	for (char *p = dir + 1;; p++) {
		if (*p && *p != '/')
			continue;
		char c = *p;
		*p = 0;
		int r = mkdir(dir, 0755);
		*p = c;
		if (r < 0 && errno != EEXIST)
			return -1;
		if (!c)
			return 0;
	}
}

/* bacon's prefs file: printed, created (empty of settings) when missing. */
static int prefs_path(void)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	char *dir = xdg && *xdg ? xasprintf("%s/bacon", xdg) : xasprintf("%s/.config/bacon", home ? home : ".");
	char *path = xasprintf("%s/prefs.toml", dir);
	if (access(path, F_OK) != 0) {
		FILE *f = make_dirs(dir) == 0 ? fopen(path, "w") : NULL;
		if (!f || fputs("# bacon's (and sonde watch's) global preferences: keybindings, summary, wrap...\n", f) ==
				  EOF ||
		    fclose(f) == EOF) {
			error("cannot create %s", path);
			free(dir);
			free(path);
			return 1;
		}
	}
	puts(path);
	free(dir);
	free(path);
	return 0;
}

/* bacon's positional rules: at most two words, a word with '.' or '/' is
 * the project, the other the job. */
static void fix_positionals(const struct opt_cmd *cmd, struct watch_opts *o, char **pos, int n)
{
	if (n > 2)
		opt_usage_error(cmd, "Too many arguments");
	if (n == 0)
		return;
	if (!o->job && !o->project) {
		if (strchr(pos[0], '.') || strchr(pos[0], '/')) {
			o->project = pos[0];
			o->job = n > 1 ? pos[1] : NULL;
		} else {
			o->job = pos[0];
			o->project = n > 1 ? pos[1] : NULL;
		}
	} else if (n > 1) {
		opt_usage_error(cmd, "Too many arguments");
	} else if (!o->job) {
		o->job = pos[0];
	} else if (!o->project) {
		o->project = pos[0];
	} else {
		opt_usage_error(cmd, "Unexpected argument \"%s\"", pos[0]);
	}
}

int cmd_watch(int argc, char **argv, const struct cmd_ctx *ctx)
{
	struct watch_opts o = { 0 };
	const struct opt opts[] = {
		OPT_BOOL(0, "headless", &o.headless, "no user interface: the job's output and a badge line per run"),
		OPT_BOOL(0, "once", &o.once, "run the job once, headless; exit 0 when it succeeds (sonde's)"),
		OPT_STRING('j', "job", &o.job, "JOB", "the job to start (default: default_job)"),
		OPT_BOOL('l', "list-jobs", &o.list_jobs, "list the jobs and their commands"),
		OPT_STRING(0, "config", &o.config, "FILE", "read FILE after the other settings"),
		OPT_STRING(0, "config-toml", &o.config_toml, "TOML", "settings as TOML text, read last"),
		OPT_BOOL(0, "init", &o.init, "write a bacon.toml with the guide's profiling jobs"),
		OPT_BOOL(0, "prefs", &o.prefs, "print the global prefs file's path (created if missing)"),
		OPT_STRING(0, "project", &o.project, "PATH", "the project to run jobs on (its directory)"),
		OPT_STRING(0, "watch", &o.watch, "PATH", "watch PATH instead of the job's paths"),
		OPT_BOOL('s', "summary", &o.summary, "start in summary mode"),
		OPT_BOOL('S', "no-summary", &o.no_summary, "start in full mode"),
		OPT_BOOL('w', "wrap", &o.wrap, "start with lines wrapped"),
		OPT_BOOL('W', "no-wrap", &o.no_wrap, "start with lines cut"),
		OPT_BOOL(0, "reverse", &o.reverse, "start with the layout upside down"),
		OPT_BOOL(0, "no-reverse", &o.no_reverse, "start with the usual layout"),
		OPT_BOOL(0, "help-line", &o.help_line, "show the help line"),
		OPT_BOOL(0, "no-help-line", &o.no_help_line, "hide the help line"),
		OPT_BOOL(0, "no-default-features", &o.no_default_features, "cargo jobs: --no-default-features"),
		OPT_BOOL(0, "all-features", &o.all_features, "cargo jobs: --all-features"),
		OPT_STRING(0, "features", &o.features, "LIST", "cargo jobs: --features LIST (merged with the job's)"),
		OPT_HIDDEN_BOOL(0, "offline", &o.offline),
		OPT_HIDDEN_BOOL('e', "export-locations", &o.export_locations),
		OPT_HIDDEN_BOOL('E', "no-export-locations", &o.no_export_locations),
		OPT_BOOL(0, "version", &o.version, "print the version"),
		OPT_END(),
	};
	const struct opt_cmd cmd = { "watch", .usage = watch_usage, .intro = watch_intro };
	/* what follows the first `--` goes to the job */
	int dd = 1;
	while (dd < argc && strcmp(argv[dd], "--"))
		dd++;
	char **extra = argv + (dd < argc ? dd + 1 : argc);
	size_t nextra = (size_t)(argc - (dd < argc ? dd + 1 : argc));
	int n = opt_parse(&cmd, opts, dd, argv);
	fix_positionals(&cmd, &o, argv, n);
	if (o.version) {
		printf("sonde watch (bacon compatible) %s\n", SONDE_VERSION);
		return 0;
	}
	if (o.prefs)
		return prefs_path();

	struct watch_ctx w = { 0 };
	w.project_dir = find_project(o.project ? o.project : ".");
	if (!w.project_dir)
		die("watch: cannot open the project '%s': %s", o.project ? o.project : ".", strerror(errno));
	if (o.init) {
		int rc = write_init(w.project_dir);
		free(w.project_dir);
		return rc;
	}
	char *workspace = find_workspace(w.project_dir);
	w.places = (struct config_places){ w.project_dir, workspace, o.config, o.config_toml, false, false };
	char err[600];
	settings_init(&w.settings);
	if (!settings_load(&w.settings, &w.places, err, sizeof(err))) {
		error("%s", err);
		settings_free(&w.settings);
		free(workspace);
		free(w.project_dir);
		return 1;
	}
	if (o.summary)
		w.settings.summary = true;
	if (o.no_summary)
		w.settings.summary = false;
	if (o.wrap)
		w.settings.wrap = true;
	if (o.no_wrap)
		w.settings.wrap = false;
	if (o.reverse)
		w.settings.reverse = true;
	if (o.no_reverse)
		w.settings.reverse = false;
	if (o.help_line)
		w.settings.help_line = true;
	if (o.no_help_line)
		w.settings.help_line = false;
	int rc;
	if (o.list_jobs) {
		rc = list_jobs(&w.settings);
	} else {
		w.initial_job = o.job ? o.job : w.settings.default_job ? w.settings.default_job : "check";
		w.args = (struct mission_args){ o.no_default_features, o.all_features, o.features, extra, nextra };
		w.watch_override = o.watch;
		w.once = o.once;
		rc = o.headless || o.once || !isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO) ? watch_run_headless(&w)
										  : watch_run_tui(&w);
	}
	(void)ctx;
	settings_free(&w.settings);
	free(workspace);
	free(w.project_dir);
	return rc;
}
