/* bacon's action grammar (src/conf/action.rs): exact words, an optional
 * "internal:" prefix, and a few forms with an argument in parentheses. */
#include "watch/action.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/die.h"

static const struct {
	const char *word;
	enum action_kind kind;
} words[] = {
	{ "back", ACT_BACK },
	{ "back-or-quit", ACT_BACK_OR_QUIT },
	{ "help", ACT_HELP },
	{ "quit", ACT_QUIT },
	{ "refresh", ACT_REFRESH },
	{ "rerun", ACT_RERUN },
	{ "reload-config", ACT_RELOAD_CONFIG },
	{ "pause", ACT_PAUSE },
	{ "unpause", ACT_UNPAUSE },
	{ "toggle-pause", ACT_TOGGLE_PAUSE },
	{ "toggle-raw-output", ACT_TOGGLE_RAW_OUTPUT },
	{ "toggle-summary", ACT_TOGGLE_SUMMARY },
	{ "toggle-wrap", ACT_TOGGLE_WRAP },
	{ "scope-to-failures", ACT_SCOPE_TO_FAILURES },
	{ "scroll-to-top", ACT_SCROLL_TOP },
	{ "scroll-to-bottom", ACT_SCROLL_BOTTOM },
	{ "no-op", ACT_NO_OP },
	{ "noop", ACT_NO_OP },
	{ "no-operation", ACT_NO_OP },
	{ "open-jobs-menu", ACT_OPEN_JOBS_MENU },
	{ "open-job-menu", ACT_OPEN_JOBS_MENU },
	{ "copy-unstyled-output", ACT_COPY_UNSTYLED_OUTPUT },
	{ "focus-search", ACT_FOCUS_SEARCH },
	{ "focus-goto", ACT_FOCUS_GOTO },
	{ "validate", ACT_VALIDATE },
	{ "next-match", ACT_NEXT_MATCH },
	{ "previous-match", ACT_PREVIOUS_MATCH },
	{ "play-sound", ACT_PLAY_SOUND },
};

/* "name(" ... ")" -> the text inside, or NULL */
static char *call_arg(const char *s, const char *name)
{
	size_t n = strlen(name), len = strlen(s);
	if (strncmp(s, name, n) || s[n] != '(' || len < n + 2 || s[len - 1] != ')')
		return NULL;
	return xstrndup(s + n + 1, len - n - 2);
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = 0;
	return s;
}

static bool parse_job_ref(const char *r, struct action *a)
{
	a->kind = ACT_JOB;
	if (!strcmp(r, "default")) {
		a->ref = JOBREF_DEFAULT;
	} else if (!strcmp(r, "initial")) {
		a->ref = JOBREF_INITIAL;
	} else if (!strcmp(r, "previous")) {
		a->ref = JOBREF_PREVIOUS;
	} else if (!strcmp(r, "previous-or-quit")) {
		a->ref = JOBREF_PREVIOUS_OR_QUIT;
	} else {
		bool alias = !strncmp(r, "alias:", 6);
		const char *name = alias ? r + 6 : r;
		const char *paren = strchr(name, '(');
		size_t len = strlen(name);
		a->ref = alias ? JOBREF_ALIAS : JOBREF_NAME;
		if (paren && name[len - 1] == ')') {
			a->arg = xstrndup(name, (size_t)(paren - name));
			a->tests = xstrndup(paren + 1, len - (size_t)(paren - name) - 2);
		} else {
			a->arg = xstrdup(name);
		}
	}
	return true;
}

/* A decimal with up to three places, as thousandths ("1.5" -> 1500). */
static bool parse_milli(const char *s, long *out)
{
	char *end;
	double v = strtod(s, &end);
	if (end == s || *end || v != v || v > 1e9 || v < -1e9)
		return false;
	*out = (long)(v * 1000 + (v < 0 ? -0.5 : 0.5));
	return true;
}

bool action_parse(const char *in, struct action *a, char *err, size_t errsize)
{
	memset(a, 0, sizeof(*a));
	if (!strncmp(in, "job:", 4) && in[4])
		return parse_job_ref(in + 4, a);
	if (!strncmp(in, "export:", 7) && in[7]) {
		a->kind = ACT_EXPORT;
		a->arg = xstrdup(in + 7);
		return true;
	}
	const char *s = !strncmp(in, "internal:", 9) ? in + 9 : in;
	for (size_t i = 0; i < sizeof(words) / sizeof(*words); i++)
		if (!strcmp(s, words[i].word)) {
			a->kind = words[i].kind;
			return true;
		}
	char *arg = NULL;
	if (!strcmp(s, "toggle-backtrace") || (arg = call_arg(s, "toggle-backtrace"))) {
		const char *level = !strcmp(s, "toggle-backtrace") ? "1" : trim(arg);
		if (strcmp(level, "0") && strcmp(level, "1") && strcmp(level, "2") && strcmp(level, "full")) {
			snprintf(err, errsize, "Invalid backtrace level: \"%s\"", level);
			free(arg);
			return false;
		}
		a->kind = ACT_TOGGLE_BACKTRACE;
		a->arg = xstrdup(level);
		if (strcmp(s, "toggle-backtrace"))
			free(arg);
		return true;
	}
	if ((arg = call_arg(s, "scroll-lines")) || (arg = call_arg(s, "scroll-pages")) ||
	    (arg = call_arg(s, "scroll-page"))) {
		bool pages = !strncmp(s, "scroll-page", 11);
		char *end;
		long v = 0;
		bool ok = pages ? parse_milli(trim(arg), &v) : (v = strtol(trim(arg), &end, 10), *trim(arg) && !*end);
		free(arg);
		if (!ok) {
			snprintf(err, errsize, "Invalid scroll command: \"%s\"", s);
			return false;
		}
		a->kind = pages ? ACT_SCROLL_PAGES : ACT_SCROLL_LINES;
		a->n = v;
		return true;
	}
	if (!strncmp(s, "scroll", 6)) {
		snprintf(err, errsize, "Invalid scroll command: \"%s\"", s);
		return false;
	}
	if ((arg = call_arg(s, "play-sound"))) {
		free(arg); /* name=..., volume=...: accepted, nothing is played */
		a->kind = ACT_PLAY_SOUND;
		return true;
	}
	if ((arg = call_arg(s, "focus-file")) || (arg = call_arg(s, "focus_file"))) {
		a->kind = ACT_FOCUS_FILE;
		a->arg = arg;
		return true;
	}
	if ((arg = call_arg(s, "open-menu"))) {
		a->kind = ACT_OPEN_MENU;
		a->arg = arg;
		return true;
	}
	snprintf(err, errsize, "Action not understood: \"%s\" (did you mean \"job:%s\"?)", in, in);
	return false;
}

static const char *word_of(enum action_kind k)
{
	for (size_t i = 0; i < sizeof(words) / sizeof(*words); i++)
		if (words[i].kind == k)
			return words[i].word;
	return "?";
}

void action_format(const struct action *a, char *buf, size_t size)
{
	static const char *const refs[] = { [JOBREF_DEFAULT] = "default", [JOBREF_INITIAL] = "initial",
					    [JOBREF_PREVIOUS] = "previous",
					    [JOBREF_PREVIOUS_OR_QUIT] = "previous-or-quit" };
	switch (a->kind) {
	case ACT_JOB:
		if (a->ref == JOBREF_NAME || a->ref == JOBREF_ALIAS)
			snprintf(buf, size, "job:%s%s%s%s%s", a->ref == JOBREF_ALIAS ? "alias:" : "", a->arg,
				 a->tests ? "(" : "", a->tests ? a->tests : "", a->tests ? ")" : "");
		else
			snprintf(buf, size, "job:%s", refs[a->ref]);
		break;
	case ACT_EXPORT:
		snprintf(buf, size, "export:%s", a->arg);
		break;
	case ACT_TOGGLE_BACKTRACE:
		snprintf(buf, size, "toggle-backtrace(%s)", a->arg);
		break;
	case ACT_SCROLL_LINES:
		snprintf(buf, size, "scroll-lines(%ld)", a->n);
		break;
	case ACT_SCROLL_PAGES:
		snprintf(buf, size, "scroll-pages(%g)", a->n / 1000.0);
		break;
	case ACT_FOCUS_FILE:
		snprintf(buf, size, "focus-file(%s)", a->arg);
		break;
	case ACT_OPEN_MENU:
		snprintf(buf, size, "open-menu(%s)", a->arg);
		break;
	default:
		snprintf(buf, size, "%s", word_of(a->kind));
	}
}

void action_doc(const struct action *a, char *buf, size_t size)
{
	switch (a->kind) {
	case ACT_JOB:
		if (a->ref == JOBREF_NAME || a->ref == JOBREF_ALIAS)
			snprintf(buf, size, "start the *%s* job", a->arg);
		else
			action_format(a, buf, size);
		break;
	case ACT_BACK:
		snprintf(buf, size, "back to previous page or job");
		break;
	case ACT_BACK_OR_QUIT:
		snprintf(buf, size, "back to previous page or job, quitting if there is none");
		break;
	case ACT_REFRESH:
		snprintf(buf, size, "clear then run current job again");
		break;
	case ACT_RERUN:
		snprintf(buf, size, "run current job again");
		break;
	case ACT_RELOAD_CONFIG:
		snprintf(buf, size, "reload configuration files");
		break;
	case ACT_TOGGLE_BACKTRACE:
		snprintf(buf, size, "toggle backtrace (%s)", a->arg);
		break;
	case ACT_SCROLL_LINES:
		snprintf(buf, size, "scroll %ld line%s %s", labs(a->n), labs(a->n) == 1 ? "" : "s", a->n < 0 ? "up" : "down");
		break;
	case ACT_SCROLL_PAGES:
		snprintf(buf, size, "scroll %g page%s %s", labs(a->n) / 1000.0, labs(a->n) == 1000 ? "" : "s",
			 a->n < 0 ? "up" : "down");
		break;
	default: {
		/* the word, dashes as spaces: "toggle-summary" -> "toggle summary" */
		char w[64];
		action_format(a, w, sizeof(w));
		for (char *p = w; *p; p++)
			if (*p == '-')
				*p = ' ';
		snprintf(buf, size, "%s", w);
	}
	}
}

void action_free(struct action *a)
{
	free(a->arg);
	free(a->tests);
	a->arg = a->tests = NULL;
}

struct action action_copy(const struct action *a)
{
	struct action c = *a;
	c.arg = a->arg ? xstrdup(a->arg) : NULL;
	c.tests = a->tests ? xstrdup(a->tests) : NULL;
	return c;
}
