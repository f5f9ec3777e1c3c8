/* Drawing `sonde watch`'s view as bacon lays it out: the badge line
 * (project, job, its errors/fails/warnings or "pass!"), the output, the
 * status line, the help line built from the bindings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/styled.h"
#include "tui/term.h"
#include "util/strbuf.h"
#include "watch/tui_state.h"

void tui_lines_free(line_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free((char *)l->v[i].text);
	l->n = 0;
}

static void add_line(line_list *l, const char *text, size_t len)
{
	struct strbuf clean = STRBUF_INIT;
	styled_clean(&clean, text, len);
	size_t n = clean.len;
	char *s = clean.buf ? sb_detach(&clean) : calloc(1, 1);
	vec_push(l, view_line_of(s, n));
}

static void build_help(struct tui_state *t)
{
	char line[300], doc[200];
	add_line(&t->help_lines, "\033[1mKey bindings\033[0m (esc to leave)", 35);
	for (size_t i = 0; i < t->w->settings.keys.n; i++) {
		const struct keybinding *b = &t->w->settings.keys.v[i];
		action_doc(&b->action, doc, sizeof(doc));
		int n = snprintf(line, sizeof(line), "  \033[1m%-14s\033[0m %s", b->key, doc);
		add_line(&t->help_lines, line, n > 0 ? (size_t)n : 0);
	}
}

void tui_clean_report(struct tui_state *t)
{
	tui_lines_free(&t->report_lines);
	for (size_t i = 0; i < t->report.n_lines; i++)
		add_line(&t->report_lines, t->report.lines[i].styled, strlen(t->report.lines[i].styled));
}

void tui_build_shown(struct tui_state *t)
{
	t->shown.n = 0;
	if (!t->help)
		tui_lines_free(&t->help_lines); /* built again next time: the keys may have been reloaded */
	else if (!t->help_lines.n)
		build_help(t);
	const line_list *from;
	bool live = t->child && !job_background(&t->mission.job); /* background = false: show it as it comes */
	if (t->help)
		from = &t->help_lines;
	else if (live || !t->have_report)
		from = &t->raw_now;
	else if (t->raw || !t->report.n_lines)
		from = &t->raw_done;
	else
		from = NULL; /* the report, filtered below */
	if (from) {
		vec_reserve(&t->shown, from->n);
		if (from->n) /* an empty list has no array yet */
			memcpy(t->shown.v, from->v, from->n * sizeof(*from->v));
		t->shown.n = from->n;
		return;
	}
	for (size_t i = 0; i < t->report.n_lines; i++)
		if (!t->summary || t->report.lines[i].kind != REPORT_NORMAL)
			vec_push(&t->shown, t->report_lines.v[i]);
}

const char *tui_key_for(const struct tui_state *t, enum action_kind k, char *buf, size_t size)
{
	const char *best = NULL;
	for (size_t i = 0; i < t->w->settings.keys.n; i++) {
		const struct keybinding *b = &t->w->settings.keys.v[i];
		if (b->action.kind == k && (!best || strlen(b->key) < strlen(best)))
			best = b->key;
	}
	if (!best)
		return NULL;
	snprintf(buf, size, "%s", best);
	return buf;
}

static void badge(struct tui_state *t, struct strbuf *b)
{
	const char *p = strrchr(t->w->project_dir, '/');
	sb_addf(b, "\033[1;7m %s \033[0m \033[1m%s\033[0m ", p ? p + 1 : t->w->project_dir,
		t->have_mission ? t->mission.job_name : "?");
	if (!t->have_report)
		return;
	const struct report *r = &t->report;
	if (r->errors)
		sb_addf(b, " \033[1;37;41m %u error%s \033[0m", r->errors, r->errors == 1 ? "" : "s");
	if (r->failures)
		sb_addf(b, " \033[1;37;45m %u fail%s \033[0m", r->failures, r->failures == 1 ? "" : "s");
	if (r->warnings)
		sb_addf(b, " \033[1;30;43m %u warning%s \033[0m", r->warnings, r->warnings == 1 ? "" : "s");
	if (t->success && !r->errors && !r->failures && !r->warnings)
		sb_adds(b, " \033[1;30;42m pass! \033[0m");
	else if (!t->success && !r->errors && !r->failures && !r->warnings)
		sb_addf(b, " \033[1;37;41m command failed \033[0m");
}

static void help_line(struct tui_state *t, struct strbuf *b)
{
	char k[40];
	const struct {
		enum action_kind kind;
		const char *what;
	} items[] = { { ACT_QUIT, "quit" },
		      { ACT_TOGGLE_SUMMARY, t->summary ? "show everything" : "toggle summary mode" },
		      { ACT_TOGGLE_WRAP, t->wrap ? "not wrap lines" : "wrap lines" },
		      { ACT_BACK, t->help || t->stack.refs.n > 1 ? "go back" : NULL },
		      { ACT_HELP, "see all shortcuts" } };
	sb_adds(b, "hit");
	bool first = true;
	for (size_t i = 0; i < sizeof(items) / sizeof(*items); i++)
		if (items[i].what && tui_key_for(t, items[i].kind, k, sizeof(k))) {
			sb_addf(b, "%s \033[1m%s\033[0m to %s", first ? "" : ",", k, items[i].what);
			first = false;
		}
}

void tui_draw(struct tui_state *t)
{
	struct strbuf line = STRBUF_INIT;
	badge(t, &line);
	screen_set(&t->screen, t->layout.badge_row, line.buf ? line.buf : "", line.len);
	line.len = 0;
	view_render(&t->view, t->shown.v, t->shown.n, &t->screen, t->layout.region_top);
	if (t->child)
		sb_addf(&line, " computing %s...", t->have_mission ? t->mission.job_name : "");
	else if (t->paused)
		sb_adds(&line, " paused (a change runs the job once unpaused)");
	else
		sb_addf(&line, " %s", t->message);
	screen_set_bar(&t->screen, t->layout.status_row, "7", line.buf ? line.buf : "", line.len);
	if (t->layout.help_row >= 0) {
		line.len = 0;
		help_line(t, &line);
		screen_set(&t->screen, t->layout.help_row, line.buf, line.len);
	}
	line.len = 0;
	screen_flush(&t->screen, &line);
	term_write(line.buf ? line.buf : "", line.len);
	sb_free(&line);
}
