/* The state of `sonde watch`'s terminal view (watch_tui.c runs it,
 * tui_draw.c draws it): the current job and its run, the lines on show,
 * the display modes, the key bindings read into keys. */
#ifndef SONDE_WATCH_TUI_STATE_H
#define SONDE_WATCH_TUI_STATE_H
#include <stdbool.h>

#include "tui/keys.h"
#include "tui/screen.h"
#include "tui/view.h"
#include "watch/job_stack.h"
#include "watch/job_run.h"
#include "watch/watch.h"

struct tui_binding {
	struct key key;
	const struct action *action; /* into the settings */
};

/* Lines of cleaned text (styled_clean). */
typedef VEC(struct view_line) line_list;

struct tui_state {
	struct watch_ctx *w;
	struct job_stack stack;
	struct mission mission;
	bool have_mission;
	struct child *child;         /* the run under way, or NULL */
	struct analysis *analysis;
	line_list raw_now;           /* the run under way's output (owned) */
	line_list raw_done;          /* the last finished run's output (owned) */
	struct report report;        /* the last finished run's */
	line_list report_lines;      /* its lines cleaned, one per report.lines (owned) */
	line_list help_lines;        /* the help page while it is shown (owned) */
	bool have_report, success;
	int status;
	line_list shown;             /* what the view scrolls: the lines of one of the
				      * lists above, not copied (tui_build_shown) */
	bool summary, wrap, raw, paused, help, reverse, help_line;
	bool pending_change;         /* a change while running or paused */
	char message[512];           /* the status line when not running */
	VEC(struct tui_binding) bindings;
	struct view view;
	struct screen screen;
	struct frame_layout layout;
};

/* Points the lines on show at the mode's and the runs' lines. */
void tui_build_shown(struct tui_state *t);
/* The finished run's report lines, cleaned once for every later view. */
void tui_clean_report(struct tui_state *t);
void tui_draw(struct tui_state *t);
void tui_lines_free(line_list *l);
/* The shortest key bound to an action of kind k (NULL: none). */
const char *tui_key_for(const struct tui_state *t, enum action_kind k, char *buf, size_t size);

#endif
