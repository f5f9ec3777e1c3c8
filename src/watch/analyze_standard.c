/* The `standard` analyzer: cargo, rustc, clippy and cargo test output.
 * As bacon (src/analysis/standard/standard_line_analyser.rs), a coloured
 * line is known by its style (cargo runs with --color always): a bold red
 * "error" with a bold body is an error, a bold yellow "warning" a warning
 * unless it is a count ("generated 2 warnings"), bold blue "-->" a location.
 * Unstyled lines (test results, panics, tools run without colour) are
 * known by their text. */
#include <string.h>

#include "watch/analysis_int.h"

static struct line_class of_type(enum line_type t)
{
	struct line_class c = { t, false, NULL, 0 };
	return c;
}

static struct line_class keyed(enum line_type t, const char *key, size_t key_len, bool pass)
{
	struct line_class c = { t, pass, key, key_len };
	return c;
}

static bool all_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return false;
	return true;
}

/* "thread 'NAME' panicked at PATH:L:C:" or "thread 'NAME' (TID) panicked
 * at ...", after leading blanks. */
static bool is_panic_location(const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	if (!starts_with(s, n, "thread '"))
		return false;
	const char *at = memmem(s, n, "' panicked at ", 14);
	size_t skip = 14;
	if (!at) {
		at = memmem(s, n, ") panicked at ", 14);
		if (!at || !memmem(s, (size_t)(at - s), "' (", 3))
			return false;
	}
	const char *loc = at + skip;
	size_t rest = n - (size_t)(loc - s);
	size_t k = match_location(loc, rest);
	return k && k + 1 == rest && loc[k] == ':';
}

/* A location closing a line: ", PATH:L:C" (test failures). */
static bool ends_with_location(const char *s, size_t n)
{
	for (size_t i = n; i >= 2; i--) {
		if (s[i - 2] == ',' && s[i - 1] == ' ')
			return match_location(s + i, n - i) == n - i && n > i;
		if (s[i - 1] == ' ' || s[i - 1] == '\t' || s[i - 1] == '\'' || s[i - 1] == '"')
			return false;
	}
	return false;
}

/* cargo's closing lines of a failed build or test run: counted already. */
static bool is_cargo_outcome(const char *s, size_t n)
{
	return starts_with(s, n, "error: aborting due to") ||
	       starts_with(s, n, "error: could not compile") ||
	       starts_with(s, n, "error: test failed") ||
	       starts_with(s, n, "error: build failed") ||
	       starts_with(s, n, "error: doctest failed") ||
	       starts_with(s, n, "error: 1 target failed") ||
	       (starts_with(s, n, "error: ") && strstr(s, " targets failed:"));
}

/* rustc's "error[E0308]: ..." without colour. */
static bool is_coded_error(const char *s, size_t n)
{
	if (!starts_with(s, n, "error[E"))
		return false;
	size_t i = 7;
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++;
	return i > 7 && starts_with(s + i, n - i, "]: ");
}

static struct line_class classify_plain(const char *s, size_t n, bool from_stderr)
{
	const char *key;
	size_t key_len;
	bool pass;
	if (match_test_result(s, n, &key, &key_len, &pass))
		return keyed(LT_TEST_RESULT, key, key_len, pass);
	if (starts_with(s, n, "---- ") && ends_with(s, n, " stdout ----") && n > 17)
		return keyed(LT_FAIL_TITLE, s + 5, n - 17, false);
	if (starts_with(s, n, "thread '") && ends_with(s, n, "' has overflowed its stack") &&
	    n > 34)
		return keyed(LT_FAIL_TITLE, s + 8, n - 34, false);
	if (from_stderr && starts_with(s, n, "error: "))
		return of_type(is_cargo_outcome(s, n) ? LT_SUM : LT_ERROR);
	if (from_stderr && is_coded_error(s, n))
		return of_type(LT_ERROR);
	if (from_stderr && starts_with(s, n, "warning: "))
		return of_type(has_warning_count(s, n) || starts_with(s, n, "warning: build failed")
				       ? LT_SUM
				       : LT_WARNING);
	if (n == 9 && !memcmp(s, "failures:", 9))
		return of_type(LT_SUM);
	if (memmem(s, n, "un with RUST_BACKTRACE=", 23) || memmem(s, n, "un with `RUST_BACKTRACE=", 24))
		return of_type(LT_BACKTRACE_HINT);
	if (ends_with_location(s, n) || is_panic_location(s, n))
		return of_type(LT_LOCATION);
	size_t i = 0;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i && starts_with(s + i, n - i, "--> ") && match_location(s + i + 4, n - i - 4) == n - i - 4)
		return of_type(LT_LOCATION);
	return of_type(LT_NORMAL);
}

static bool run_is(const struct ansi_run *r, bool bold, int fg)
{
	return r->bold == bold && r->fg == fg;
}

static bool run_text_is(const struct ansi_line *l, const struct ansi_run *r, const char *t)
{
	return r->len == strlen(t) && !memcmp(l->plain + r->start, t, r->len);
}

/* "test NAME ... " unstyled, then the outcome in colour (libtest on a
 * terminal): the name is matched with the outcome put back. */
static struct line_class styled_test_result(const struct ansi_line *l, const struct ansi_run *name,
					    const char *outcome, bool pass)
{
	char buf[4096];
	size_t k = strlen(outcome), n = name->len < sizeof(buf) - k - 1 ? name->len : sizeof(buf) - k - 1;
	const char *t0 = l->plain + name->start, *key;
	size_t key_len;
	bool matched_pass;
	memcpy(buf, t0, n);
	memcpy(buf + n, outcome, k + 1);
	if (match_test_result(buf, n + k, &key, &key_len, &matched_pass))
		return keyed(LT_TEST_RESULT, t0 + (key - buf), key_len, pass);
	return of_type(LT_NORMAL);
}

static struct line_class classify_styled(const struct ansi_line *l)
{
	const char *s = l->plain;
	/* nextest colours the whole panic line */
	if (is_panic_location(s, l->plain_len))
		return of_type(LT_LOCATION);
	if (l->n_runs == 1)
		return of_type(LT_NORMAL);
	const struct ansi_run *title = &l->runs[0], *body = &l->runs[1];
	const char *t0 = s + title->start, *t1 = s + body->start;
	bool plain_title = run_is(title, false, ANSI_NONE);
	if (run_is(title, true, ANSI_RED) && run_is(body, true, ANSI_NONE)) {
		if (starts_with(t1, body->len, ": aborting due to"))
			return of_type(LT_SUM);
		if (starts_with(t0, title->len, "error"))
			return of_type(LT_ERROR);
	}
	if (run_is(title, true, ANSI_YELLOW) && run_text_is(l, title, "warning")) {
		/* cargo's "warning: build failed, waiting for other jobs" */
		const char *rest = t0 + title->len;
		size_t rn = l->plain_len - (size_t)(rest - s);
		while (rn && (*rest == ':' || *rest == ' '))
			rest++, rn--;
		bool build_failed = starts_with(rest, rn, "build failed");
		if (has_warning_count(s, l->plain_len) || build_failed)
			return of_type(LT_SUM);
		return of_type(LT_WARNING);
	}
	if (plain_title && all_blank(t0, title->len) && run_is(body, true, ANSI_BLUE) &&
	    (run_text_is(l, body, "--> ") || run_text_is(l, body, "::: ")))
		return of_type(LT_LOCATION);
	if (plain_title && l->n_runs == 2 && body->fg == ANSI_RED && run_text_is(l, body, "FAILED"))
		return styled_test_result(l, title, "FAILED", false);
	if (plain_title && run_is(body, false, ANSI_GREEN) && run_text_is(l, body, "ok"))
		return styled_test_result(l, title, "ok", true);
	return of_type(LT_NORMAL);
}

struct line_class standard_classify(const struct ansi_line *l, bool from_stderr)
{
	if (all_blank(l->plain, l->plain_len))
		return of_type(LT_NORMAL);
	if (ansi_unstyled(l))
		return classify_plain(l->plain, l->plain_len, from_stderr);
	return classify_styled(l);
}
