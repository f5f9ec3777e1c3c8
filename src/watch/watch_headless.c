/* `sonde watch --headless` (and whenever there is no terminal): each run
 * prints the job's output as it comes and then one badge line,
 * "[PROJECT] JOB: 2 errors, 1 warning" or "[PROJECT] JOB: pass!"; the job
 * runs again on every change, bacon's on_success/on_failure chain jobs,
 * and a change to a config file reloads it. SIGINT/SIGTERM end the job
 * (no orphans) and sonde. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/die.h"
#include "watch/analysis.h"
#include "watch/child.h"
#include "watch/ignorer.h"
#include "watch/job_run.h"
#include "watch/job_stack.h"
#include "watch/watch.h"
#include "watch/watcher.h"

static volatile sig_atomic_t stop_sig;

static void on_stop(int sig) { stop_sig = sig; }

struct run_out {
	struct analysis *an;
};

static void on_line(void *ctx, enum child_stream s, const char *line, size_t len)
{
	struct run_out *o = ctx;
	fwrite(line, 1, len, stdout);
	fputc('\n', stdout);
	analysis_line(o->an, line, len, s == CHILD_STDERR);
}

static void badge(const char *project, const char *job, const struct report *r, bool success, int status)
{
	const char *name = strrchr(project, '/') ? strrchr(project, '/') + 1 : project;
	printf("[%s] %s: ", name, job);
	bool any = false;
	if (r->errors)
		any = printf("%u error%s", r->errors, r->errors == 1 ? "" : "s") > 0;
	if (r->failures)
		any = printf("%s%u fail%s", any ? ", " : "", r->failures, r->failures == 1 ? "" : "s") > 0;
	if (r->warnings)
		any = printf("%s%u warning%s", any ? ", " : "", r->warnings, r->warnings == 1 ? "" : "s") > 0;
	if (success && !any)
		printf("pass!");
	else if (!any) {
		char why[64];
		child_describe_status(status, why, sizeof(why));
		printf("command failed (%s)", why);
	}
	putchar('\n');
	fflush(stdout);
}

/* How a run ended: by itself, killed by a change to run again
 * (kill_then_restart), by sonde's stop signal, or never started. */
enum outcome { RUN_ENDED, RUN_RESTART, RUN_STOPPED, RUN_ERROR };

static enum outcome run_once(struct watch_ctx *w, const struct mission *m, struct watcher *wt, struct report *rep,
			     int *status, bool *changed_during, bool *reload)
{
	char err[400];
	struct run_out o = { job_run_analysis(m) };
	struct child *c = job_run_start(m, err, sizeof(err));
	if (wt)
		watcher_job_started(wt); /* bacon: what the job's start touches does not run it again */
	if (!c) {
		error("job %s: %s", m->job_name, err);
		analysis_free(o.an);
		return RUN_ERROR;
	}
	enum outcome out = RUN_ENDED;
	*changed_during = false;
	for (;;) {
		if (child_pump(c, on_line, &o))
			break;
		struct pollfd p[2] = { { child_fd(c), POLLIN, 0 }, { wt ? watcher_fd(wt) : -1, POLLIN, 0 } };
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (stop_sig) {
			out = RUN_STOPPED;
			break;
		}
		struct watch_change ch;
		if (wt && watcher_take_change(wt, &ch)) {
			*changed_during = true;
			*reload |= watch_is_config_change(w, &ch);
			if (job_on_change(&m->job) == CHANGE_KILL_THEN_RESTART) {
				out = RUN_RESTART;
				break;
			}
		}
	}
	if (out != RUN_ENDED) {
		*status = job_run_kill(c, m);
	} else {
		*status = child_status(c);
		child_free(c);
	}
	fflush(stdout);
	analysis_finish(o.an, rep);
	analysis_free(o.an);
	return out;
}

int watch_run_headless(struct watch_ctx *w)
{
	setvbuf(stdout, NULL, _IOLBF, 0); /* each line as it comes, also into a file or a pipe */
	struct sigaction sa = { 0 };
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	struct job_stack st;
	job_stack_init(&st, w->initial_job, w->settings.default_job);
	int rc = 0;
	char err[400];
	while (!stop_sig) {
		struct mission m;
		if (!job_stack_mission(&st, w, &m, err, sizeof(err))) {
			error("%s", err);
			rc = 1;
			break;
		}
		struct ignorer *ig = NULL;
		struct watcher *wt = NULL;
		if (!w->once && !(wt = watch_mission_files(w, &m, &ig, err, sizeof(err))) && err[0])
			warn("not watching: %s", err);
		struct report rep = { 0 };
		int status = 0;
		bool changed, reload = false;
		enum outcome out;
		do {
			report_free(&rep);
			out = run_once(w, &m, wt, &rep, &status, &changed, &reload);
		} while (out == RUN_RESTART && !stop_sig);
		bool next_job = false, quit = out == RUN_STOPPED || out == RUN_ERROR;
		if (out == RUN_ERROR)
			rc = 1;
		if (out == RUN_ENDED) {
			bool ok = job_run_success(&m, &rep, status);
			badge(w->project_dir, m.job_name, &rep, ok, status);
			if (w->once) {
				rc = ok ? 0 : 1;
				quit = true;
			}
			const struct action *then = ok && m.job.has_on_success    ? &m.job.on_success
						    : !ok && m.job.has_on_failure ? &m.job.on_failure
										  : NULL;
			if (then && !w->once) {
				enum job_stack_step s = job_stack_act(&st, then);
				quit = s == STACK_QUIT;
				next_job = s == STACK_SWITCHED || s == STACK_RERUN;
			}
		}
		report_free(&rep);
		/* wait for a change (one seen during the run reruns at once) */
		while (!quit && !next_job && !stop_sig && !changed) {
			struct watch_change ch;
			if (!wt) {
				quit = true; /* nothing to watch: one run */
				break;
			}
			if (watcher_wait(wt, 500, &ch)) {
				changed = true;
				reload |= watch_is_config_change(w, &ch);
			}
		}
		if (wt)
			watcher_free(wt);
		if (ig)
			ignorer_free(ig);
		mission_free(&m);
		if (reload && !watch_reload_settings(w, err, sizeof(err)))
			warn("%s (keeping the settings before)", err);
		if (quit)
			break;
	}
	job_stack_free(&st);
	if (stop_sig)
		rc = 128 + stop_sig;
	return rc;
}
