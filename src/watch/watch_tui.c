/* `sonde watch` in a terminal: bacon's view (tui_draw.c) over the job's
 * runs. One poll loop: keys (bound by [keybindings] over bacon's
 * defaults), the job's output, file changes, resizes. A run's output is
 * analyzed as it comes; when it ends the view shows the report (errors
 * first), the badge its counts, and on_success/on_failure may switch jobs.
 * Esc goes back on the job stack, q quits; the terminal is restored on
 * every way out (src/tui/term.c). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tui/styled.h"
#include "tui/term.h"
#include "util/die.h"
#include "watch/ignorer.h"
#include "watch/tui_state.h"
#include "watch/watcher.h"

struct tui_loop {
	struct tui_state t;
	struct watcher *watcher;
	struct ignorer *ignorer;
	bool quit;
	int tty;
};

static void relayout(struct tui_state *t)
{
	int rows, cols;
	term_size(&rows, &cols);
	screen_resize(&t->screen, rows, cols);
	t->layout = frame_layout(rows, t->help_line, t->reverse);
	view_resize(&t->view, t->shown.v, t->shown.n, t->layout.region_height, cols);
}

static void reshow(struct tui_state *t)
{
	bool bottom = t->shown.n && view_at_bottom(&t->view, t->shown.v, t->shown.n);
	tui_build_shown(t);
	view_resize(&t->view, t->shown.v, t->shown.n, t->layout.region_height, t->screen.cols);
	if (bottom && t->child)
		view_scroll_bottom(&t->view, t->shown.v, t->shown.n); /* following a job that prints */
}

static void on_line(void *ctx, enum child_stream s, const char *line, size_t len)
{
	struct tui_state *t = ctx;
	analysis_line(t->analysis, line, len, s == CHILD_STDERR);
	struct strbuf clean = STRBUF_INIT;
	styled_clean(&clean, line, len);
	size_t n = clean.len;
	vec_push(&t->raw_now, view_line_of(clean.buf ? sb_detach(&clean) : calloc(1, 1), n));
}

static void drop_report(struct tui_state *t)
{
	if (t->have_report)
		report_free(&t->report);
	tui_lines_free(&t->report_lines);
	t->have_report = false;
}

static void stop_job(struct tui_loop *l)
{
	struct tui_state *t = &l->t;
	if (t->child) {
		job_run_kill(t->child, &t->mission);
		t->child = NULL;
	}
	if (t->analysis) {
		analysis_free(t->analysis);
		t->analysis = NULL;
	}
}

static void start_run(struct tui_loop *l)
{
	struct tui_state *t = &l->t;
	stop_job(l);
	tui_lines_free(&t->raw_now);
	char err[400];
	t->analysis = job_run_analysis(&t->mission);
	t->child = job_run_start(&t->mission, err, sizeof(err));
	if (l->watcher)
		watcher_job_started(l->watcher);
	if (!t->child) {
		snprintf(t->message, sizeof(t->message), "%s", err);
		analysis_free(t->analysis);
		t->analysis = NULL;
	}
	t->pending_change = false;
	reshow(t);
}

/* The current job of the stack made ready, watched and started. */
static void enter_job(struct tui_loop *l)
{
	struct tui_state *t = &l->t;
	stop_job(l);
	if (l->watcher)
		watcher_free(l->watcher);
	if (l->ignorer)
		ignorer_free(l->ignorer);
	l->watcher = NULL;
	l->ignorer = NULL;
	if (t->have_mission)
		mission_free(&t->mission);
	char err[400];
	t->have_mission = job_stack_mission(&t->stack, t->w, &t->mission, err, sizeof(err));
	drop_report(t);
	tui_lines_free(&t->raw_done);
	if (!t->have_mission) {
		snprintf(t->message, sizeof(t->message), "%s", err);
		reshow(t);
		return;
	}
	t->message[0] = 0;
	if (!(l->watcher = watch_mission_files(t->w, &t->mission, &l->ignorer, err, sizeof(err))) && err[0])
		snprintf(t->message, sizeof(t->message), "not watching: %s", err);
	start_run(l);
}

static void run_action(struct tui_loop *l, const struct action *a);
static bool bind_keys(struct tui_state *t, char *err, size_t errsize);

static void run_ended(struct tui_loop *l)
{
	struct tui_state *t = &l->t;
	t->status = child_status(t->child);
	child_free(t->child);
	t->child = NULL;
	drop_report(t);
	analysis_finish(t->analysis, &t->report);
	analysis_free(t->analysis);
	t->analysis = NULL;
	t->have_report = true;
	tui_clean_report(t);
	t->success = job_run_success(&t->mission, &t->report, t->status);
	tui_lines_free(&t->raw_done);
	line_list swap = t->raw_done;
	t->raw_done = t->raw_now;
	t->raw_now = swap;
	t->message[0] = 0;
	reshow(t);
	view_scroll_top(&t->view);
	const struct action *then = t->success && t->mission.job.has_on_success    ? &t->mission.job.on_success
				    : !t->success && t->mission.job.has_on_failure ? &t->mission.job.on_failure
										   : NULL;
	if (then)
		run_action(l, then);
	if (!l->quit && !t->child && t->pending_change && !t->paused)
		start_run(l); /* a change during the run, and the action started none */
}

static void run_action(struct tui_loop *l, const struct action *a)
{
	struct tui_state *t = &l->t;
	struct view *v = &t->view;
	char buf[200];
	switch (a->kind) {
	case ACT_QUIT:
		l->quit = true;
		return;
	case ACT_BACK:
	case ACT_BACK_OR_QUIT:
		if (t->help) {
			t->help = false;
			reshow(t);
			return;
		}
		/* fall through */
	case ACT_JOB:
	case ACT_RERUN:
	case ACT_REFRESH:
		switch (job_stack_act(&t->stack, a)) {
		case STACK_QUIT:
			l->quit = true;
			break;
		case STACK_SWITCHED:
			enter_job(l);
			break;
		case STACK_RERUN:
			if (a->kind == ACT_REFRESH) {
				drop_report(t);
				tui_lines_free(&t->raw_done);
			}
			start_run(l);
			break;
		case STACK_SAME:
			break;
		}
		return;
	case ACT_HELP:
		t->help = !t->help;
		break;
	case ACT_TOGGLE_SUMMARY:
		t->summary = !t->summary;
		break;
	case ACT_TOGGLE_WRAP:
		t->wrap = !t->wrap;
		view_set_wrap(v, t->shown.v, t->shown.n, t->wrap);
		break;
	case ACT_TOGGLE_RAW_OUTPUT:
		t->raw = !t->raw;
		break;
	case ACT_PAUSE:
	case ACT_UNPAUSE:
	case ACT_TOGGLE_PAUSE:
		t->paused = a->kind == ACT_PAUSE || (a->kind == ACT_TOGGLE_PAUSE && !t->paused);
		if (!t->paused && t->pending_change && !t->child)
			start_run(l);
		break;
	case ACT_RELOAD_CONFIG:
		if (!watch_reload_settings(t->w, t->message, sizeof(t->message)))
			break;
		/* the bindings pointed into the settings just replaced */
		if (!bind_keys(t, t->message, sizeof(t->message)))
			l->quit = true; /* unreachable: watch_reload_settings checks the key names */
		enter_job(l);
		return;
	case ACT_PLAY_SOUND:
		return; /* sonde plays no sound */
	case ACT_SCROLL_LINES:
		view_scroll_rows(v, t->shown.v, t->shown.n, a->n);
		return;
	case ACT_SCROLL_PAGES:
		view_scroll_millipages(v, t->shown.v, t->shown.n, a->n);
		return;
	case ACT_SCROLL_TOP:
		view_scroll_top(v);
		return;
	case ACT_SCROLL_BOTTOM:
		view_scroll_bottom(v, t->shown.v, t->shown.n);
		return;
	case ACT_NO_OP:
		return;
	default:
		action_format(a, buf, sizeof(buf));
		snprintf(t->message, sizeof(t->message), "%s: not in sonde watch yet", buf);
		return;
	}
	reshow(t);
}

static void on_key(struct tui_loop *l, struct key k)
{
	if (k.code == 'z' && k.mods == KEY_MOD_CTRL) {
		term_suspend(); /* raw mode made ctrl-z a key */
		return;
	}
	for (size_t i = 0; i < l->t.bindings.n; i++)
		if (key_equal(l->t.bindings.v[i].key, k)) {
			run_action(l, l->t.bindings.v[i].action);
			return;
		}
}

/* [keybindings] names read into keys; a name that is no key is bacon's error. */
static bool bind_keys(struct tui_state *t, char *err, size_t errsize)
{
	t->bindings.n = 0;
	for (size_t i = 0; i < t->w->settings.keys.n; i++) {
		struct tui_binding b = { .action = &t->w->settings.keys.v[i].action };
		if (key_parse(t->w->settings.keys.v[i].key, &b.key, err, errsize) < 0)
			return false;
		size_t k = 0;
		while (k < t->bindings.n && !key_equal(t->bindings.v[k].key, b.key))
			k++;
		if (k < t->bindings.n)
			t->bindings.v[k] = b; /* "G" and "shift-g": the later one */
		else
			vec_push(&t->bindings, b);
	}
	return true;
}

static void on_change(struct tui_loop *l, const struct watch_change *ch)
{
	struct tui_state *t = &l->t;
	if (watch_is_config_change(t->w, ch)) {
		struct action reload = { .kind = ACT_RELOAD_CONFIG };
		run_action(l, &reload);
		return;
	}
	if (t->paused || (t->child && job_on_change(&t->mission.job) == CHANGE_WAIT_THEN_RESTART)) {
		t->pending_change = true;
		return;
	}
	start_run(l); /* idle, or kill_then_restart */
}

int watch_run_tui(struct watch_ctx *w)
{
	struct tui_loop l = { 0 };
	struct tui_state *t = &l.t;
	t->w = w;
	char err[300];
	if (!bind_keys(t, err, sizeof(err))) {
		error("%s", err);
		return 1;
	}
	l.tty = open("/dev/tty", O_RDWR | O_CLOEXEC);
	if (l.tty < 0 || term_enter(l.tty, err, sizeof(err)) < 0) {
		error("cannot use the terminal: %s; --headless runs without it", l.tty < 0 ? strerror(errno) : err);
		return 1;
	}
	t->summary = w->settings.summary;
	t->wrap = w->settings.wrap;
	t->reverse = w->settings.reverse;
	t->help_line = w->settings.help_line;
	t->view.wrap = t->wrap;
	screen_init(&t->screen, 0, 0);
	relayout(t);
	job_stack_init(&t->stack, w->initial_job, w->settings.default_job);
	enter_job(&l);
	struct key_decoder dec = { .len = 0 };
	while (!l.quit) {
		tui_draw(t);
		struct pollfd p[4] = { { l.tty, POLLIN, 0 },
				       { term_event_fd(), POLLIN, 0 },
				       { t->child ? child_fd(t->child) : -1, POLLIN, 0 },
				       { l.watcher ? watcher_fd(l.watcher) : -1, POLLIN, 0 } };
		int r = poll(p, 4, key_pending(&dec) ? KEY_ESC_TIMEOUT_MS : -1);
		if (r < 0 && errno != EINTR)
			break;
		if (term_take_resized()) {
			relayout(t);
			screen_invalidate(&t->screen);
		}
		if (t->child) {
			size_t before = t->raw_now.n;
			if (child_pump(t->child, on_line, t))
				run_ended(&l);
			else if (t->raw_now.n != before && !job_background(&t->mission.job))
				reshow(t);
		}
		struct watch_change ch;
		while (l.watcher && !l.quit && watcher_take_change(l.watcher, &ch))
			on_change(&l, &ch);
		if (r > 0 && (p[0].revents & (POLLIN | POLLHUP))) {
			char buf[64];
			ssize_t got = read(l.tty, buf, sizeof(buf));
			if (got <= 0)
				break;
			key_feed(&dec, buf, (size_t)got);
		}
		struct key k;
		while (!l.quit && key_next(&dec, &k, r == 0))
			on_key(&l, k);
	}
	stop_job(&l);
	term_leave();
	if (l.watcher)
		watcher_free(l.watcher);
	if (l.ignorer)
		ignorer_free(l.ignorer);
	if (t->have_mission)
		mission_free(&t->mission);
	drop_report(t);
	tui_lines_free(&t->raw_now);
	tui_lines_free(&t->raw_done);
	tui_lines_free(&t->help_lines);
	vec_free(&t->raw_now);
	vec_free(&t->raw_done);
	vec_free(&t->report_lines);
	vec_free(&t->help_lines);
	vec_free(&t->shown); /* its lines were the lists' */
	vec_free(&t->bindings);
	screen_free(&t->screen);
	job_stack_free(&t->stack);
	close(l.tty);
	return 0;
}
