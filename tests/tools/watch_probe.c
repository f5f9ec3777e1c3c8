/* watch_probe: drives the watch modules the way `sonde watch` does, for
 * bench/watch and the e2e tests, before the command exists.
 *
 *   watch_probe [-g GRACE_MS] [-k] [-i GLOB]... ROOT [PATH...] [-- JOB...]
 *
 * Watches PATHs under ROOT (default: bacon's default watches; ROOT's
 * .gitignore applies), runs JOB (default: true) on each change, and prints
 * one line per job start on stdout: the CLOCK_REALTIME time in nanoseconds
 * at which the job's process was running (exec done). The job's own output
 * lines follow, as they come. -k: kill_then_restart (a change kills a
 * running job); otherwise wait_then_restart. Each change and job end is
 * described on stderr. Runs until killed, or for -n N job starts. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "watch/child.h"
#include "watch/ignorer.h"
#include "watch/watcher.h"

static volatile sig_atomic_t stop;

static void on_stop(int sig)
{
	stop = 1;
}

static void print_line(void *ctx, enum child_stream s, const char *line, size_t len)
{
	printf("%.*s\n", (int)len, line);
	fflush(stdout);
}

static long long realtime_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static struct child *start_job(const char *const *job)
{
	struct child_spec spec = { .argv = job, .need_stdout = true };
	char err[256];
	struct child *c = child_start(&spec, err, sizeof(err));
	if (!c) {
		fprintf(stderr, "watch_probe: %s\n", err);
		exit(1);
	}
	printf("%lld\n", realtime_ns());
	fflush(stdout);
	return c;
}

int main(int argc, char **argv)
{
	int grace = WATCH_DEFAULT_GRACE_MS, max_starts = -1;
	bool kill_restart = false;
	const char *globs[64];
	size_t n_globs = 0;
	int opt;
	while ((opt = getopt(argc, argv, "+g:ki:n:")) != -1) {
		if (opt == 'g')
			grace = atoi(optarg);
		else if (opt == 'k')
			kill_restart = true;
		else if (opt == 'i' && n_globs < 64)
			globs[n_globs++] = optarg;
		else if (opt == 'n')
			max_starts = atoi(optarg);
		else
			return 2;
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: watch_probe [-g GRACE_MS] [-k] [-i GLOB]... [-n N] ROOT [PATH...] [-- JOB...]\n");
		return 2;
	}
	const char *root = argv[optind++];
	const char **paths = (const char **)argv + optind;
	size_t n_paths = 0;
	while (optind + (int)n_paths < argc && strcmp(argv[optind + n_paths], "--"))
		n_paths++;
	const char *default_job[] = { "true", NULL };
	const char *const *job = default_job;
	if (optind + (int)n_paths < argc) {
		argv[optind + n_paths] = NULL;
		if (optind + (int)n_paths + 1 < argc)
			job = (const char *const *)argv + optind + n_paths + 1;
	}
	if (!n_paths) {
		paths = (const char **)watch_default_paths;
		while (watch_default_paths[n_paths])
			n_paths++;
	}
	struct ignorer *ig = ignorer_new(root, true, globs, n_globs);
	struct watcher_config cfg = { .root = root, .paths = paths, .n_paths = n_paths, .ignorer = ig,
				      .grace_ms = grace };
	char err[256];
	struct watcher *w = watcher_new(&cfg, err, sizeof(err));
	if (!w) {
		fprintf(stderr, "watch_probe: %s\n", err);
		ignorer_free(ig);
		return 1;
	}
	fprintf(stderr, "watch_probe: watching %zu directories\n", watcher_dir_count(w));
	/* SIGTERM/SIGINT end the probe the way `sonde watch` ends: the job
	 * killed first */
	struct sigaction sa = { .sa_handler = on_stop };
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	struct child *c = NULL;
	bool rerun = false;
	int starts = 0;
	while (!stop) {
		struct pollfd pf[2] = { { watcher_fd(w), POLLIN, 0 }, { c ? child_fd(c) : -1, POLLIN, 0 } };
		if (poll(pf, 2, c ? 10 : -1) < 0 && errno != EINTR)
			return 1;
		struct watch_change ch;
		while (watcher_take_change(w, &ch)) {
			fprintf(stderr, "watch_probe: change: %u events%s, first %s\n", ch.events,
				ch.overflow ? " (overflow)" : "", ch.first);
			if (c && kill_restart) {
				char how[64];
				child_describe_status(child_kill(c, NULL, CHILD_KILL_GRACE_MS), how, sizeof(how));
				fprintf(stderr, "watch_probe: job killed: %s\n", how);
				child_free(c);
				c = NULL;
			}
			rerun = true;
		}
		if (c && child_pump(c, print_line, NULL)) {
			char how[64];
			child_describe_status(child_status(c), how, sizeof(how));
			fprintf(stderr, "watch_probe: job ended: %s\n", how);
			child_free(c);
			c = NULL;
		}
		if (rerun && !c) {
			if (max_starts >= 0 && starts >= max_starts)
				break;
			rerun = false;
			c = start_job(job);
			starts++;
		}
	}
	child_free(c);
	watcher_free(w);
	ignorer_free(ig);
	return 0;
}
