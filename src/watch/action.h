/* bacon's actions: what a key, on_success or on_failure does. Parsed from
 * bacon's strings ("job:clippy", "back", "scroll-lines(-3)",
 * "toggle-summary", ...; the legacy "internal:" prefix accepted), with
 * bacon's error wording for what is not understood. */
#ifndef SONDE_WATCH_ACTION_H
#define SONDE_WATCH_ACTION_H
#include <stdbool.h>
#include <stddef.h>

enum action_kind {
	ACT_JOB,            /* job:REF */
	ACT_EXPORT,         /* export:NAME */
	ACT_BACK,
	ACT_BACK_OR_QUIT,
	ACT_HELP,
	ACT_QUIT,
	ACT_REFRESH,        /* clear, then run again */
	ACT_RERUN,
	ACT_RELOAD_CONFIG,
	ACT_PAUSE,
	ACT_UNPAUSE,
	ACT_TOGGLE_PAUSE,
	ACT_TOGGLE_RAW_OUTPUT,
	ACT_TOGGLE_SUMMARY,
	ACT_TOGGLE_WRAP,
	ACT_TOGGLE_BACKTRACE, /* arg: "0", "1", "2", "full" */
	ACT_SCOPE_TO_FAILURES,
	ACT_SCROLL_LINES,   /* n */
	ACT_SCROLL_PAGES,   /* n: thousandths of a page */
	ACT_SCROLL_TOP,
	ACT_SCROLL_BOTTOM,
	ACT_NO_OP,
	ACT_OPEN_JOBS_MENU,
	ACT_COPY_UNSTYLED_OUTPUT,
	ACT_FOCUS_SEARCH,
	ACT_FOCUS_GOTO,
	ACT_VALIDATE,
	ACT_NEXT_MATCH,
	ACT_PREVIOUS_MATCH,
	ACT_PLAY_SOUND,     /* accepted; sonde plays no sound */
	ACT_FOCUS_FILE,     /* arg: the file */
	ACT_OPEN_MENU,      /* accepted as bacon writes it; arg: the whole text */
};

/* Job references of job:REF. */
enum job_ref_kind {
	JOBREF_NAME,             /* a job of the config, arg = its name */
	JOBREF_ALIAS,            /* alias:NAME, a cargo alias: `cargo NAME --color always` */
	JOBREF_DEFAULT,          /* job:default */
	JOBREF_INITIAL,          /* job:initial */
	JOBREF_PREVIOUS,         /* job:previous */
	JOBREF_PREVIOUS_OR_QUIT, /* job:previous-or-quit */
};

struct action {
	enum action_kind kind;
	enum job_ref_kind ref;
	char *arg;    /* job/alias/export name, backtrace level, file (NULL: none) */
	char *tests;  /* job:NAME(t1,t2): the scope, comma-separated (NULL: none) */
	long n;       /* scroll amount */
};

/* Parses s into *a; on error returns false with bacon's message in err
 * (e.g. `Action not understood: "x" (did you mean "job:x"?)`). */
bool action_parse(const char *s, struct action *a, char *err, size_t errsize);
/* The action written back as bacon spells it (for help lines and tests). */
void action_format(const struct action *a, char *buf, size_t size);
/* What the action does, for the help screen ("toggle summary"). */
void action_doc(const struct action *a, char *buf, size_t size);
void action_free(struct action *a);
struct action action_copy(const struct action *a);

#endif
