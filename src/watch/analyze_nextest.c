/* The `nextest` analyzer: cargo nextest's test lines, cargo's build lines
 * through the standard analyzer (as bacon, src/analysis/nextest/). Known by
 * their text (nextest's colours only repeat it):
 *	        PASS [   0.003s] crate tests::name
 *	        FAIL [   0.004s] crate tests::name
 *	--- STDOUT:              crate tests::name ---
 *	   Canceling due to test failure: 1 test still running
 *	error: test run failed
 * and the forms of later versions: "──── STDOUT: crate tests::name" and,
 * from 0.9.95, "  stdout ───" or "── stderr ──" after the test's FAIL line
 * (bacon's issue 350), sections ending with a rule of "─". */
#include <stdlib.h>
#include <string.h>

#include "util/die.h"
#include "watch/analysis_int.h"

static struct line_class keyed(enum line_type t, const char *key, size_t key_len, bool pass)
{
	struct line_class c = { t, pass, key, key_len };
	return c;
}

static struct line_class of_type(enum line_type t)
{
	return keyed(t, NULL, 0, false);
}

static size_t skip_blanks(const char *s, size_t i, size_t n)
{
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i;
}

/* "crate tests::name" from i: the key is what follows the crate's name. */
static bool key_after_crate(const char *s, size_t i, size_t n, const char **key, size_t *key_len)
{
	i = skip_blanks(s, i, n);
	while (i < n && s[i] != ' ')
		i++;
	i = skip_blanks(s, i, n);
	while (n > i && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (i >= n)
		return false;
	*key = s + i;
	*key_len = n - i;
	return true;
}

/* The outcome words nextest puts before "[ duration]". */
static bool test_outcome(const char *s, size_t n, size_t *after, bool *pass)
{
	static const struct { const char *word; bool pass; } words[] = {
		{ "PASS", true }, { "FAIL", false }, { "TIMEOUT", false }, { "SIGSEGV", false },
		{ "SIGABRT", false }, { "SIGBUS", false }, { "ABORT", false }, { "LEAK-FAIL", false },
	};
	for (size_t w = 0; w < sizeof(words) / sizeof(words[0]); w++) {
		size_t k = strlen(words[w].word);
		if (starts_with(s, n, words[w].word) && k < n && s[k] == ' ') {
			size_t i = skip_blanks(s, k, n);
			if (i >= n || s[i] != '[')
				return false;
			const char *close = memchr(s + i, ']', n - i);
			if (!close)
				return false;
			*after = (size_t)(close - s) + 1;
			*pass = words[w].pass;
			return true;
		}
	}
	return false;
}

#define RULE "\u2500" /* ─, nextest's rules */

/* "stdout ───", "stderr ───", "output ───", or the same between "── "
 * and " ──" (--no-output-indent), blanks around. */
static bool is_output_title_v3(const char *s, size_t n)
{
	static const char *const titles[] = {
		"stdout " RULE RULE RULE, "stderr " RULE RULE RULE, "output " RULE RULE RULE,
		RULE RULE " stdout " RULE RULE, RULE RULE " stderr " RULE RULE, RULE RULE " output " RULE RULE,
	};
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	for (size_t t = 0; t < sizeof(titles) / sizeof(titles[0]); t++)
		if (n == strlen(titles[t]) && !memcmp(s, titles[t], n))
			return true;
	return false;
}

/* A line of "─" alone (3 or more). */
static bool is_rule(const char *s, size_t n)
{
	size_t k = strlen(RULE), i = 0;
	while (i + k <= n && !memcmp(s + i, RULE, k))
		i += k;
	return i == n && n >= 3 * k;
}

struct line_class nextest_classify(const struct ansi_line *l, bool from_stderr, char **last_key)
{
	const char *s = l->plain;
	size_t n = l->plain_len, i = skip_blanks(s, 0, n);
	const char *key;
	size_t key_len, after;
	bool pass;
	if (starts_with(s + i, n - i, "--- STDOUT:") || starts_with(s + i, n - i, "--- STDERR:") ||
	    starts_with(s + i, n - i, RULE RULE RULE RULE " STDOUT:") ||
	    starts_with(s + i, n - i, RULE RULE RULE RULE " STDERR:")) {
		size_t end = n, colon = (size_t)((const char *)memchr(s + i, ':', n - i) - s);
		while (end > i && s[end - 1] == ' ')
			end--;
		if (ends_with(s, end, " ---"))
			end -= 4;
		if (key_after_crate(s, colon + 1, end, &key, &key_len))
			return keyed(LT_FAIL_TITLE, key, key_len, false);
	}
	if (test_outcome(s + i, n - i, &after, &pass) &&
	    key_after_crate(s, i + after, n, &key, &key_len)) {
		free(*last_key);
		*last_key = xstrndup(key, key_len);
		return keyed(LT_TEST_RESULT, key, key_len, pass);
	}
	if (*last_key && is_output_title_v3(s + i, n - i))
		return keyed(LT_FAIL_TITLE, *last_key, strlen(*last_key), false);
	if (is_rule(s + i, n - i))
		return of_type(LT_SECTION_END);
	if (starts_with(s + i, n - i, "Canceling ") || (n - i == 9 && starts_with(s + i, 9, "Canceling")))
		return of_type(LT_SECTION_END);
	if (starts_with(s, n, "error: test run failed"))
		return of_type(LT_GARBAGE);
	if (ansi_unstyled(l)) {
		if (starts_with(s, n, "running ") && ends_with(s, n, n > 8 && s[n - 1] == 's' ? " tests" : " test"))
			return of_type(LT_GARBAGE);
		if (n == 12 && !memcmp(s, "------------", 12))
			return of_type(LT_SECTION_END);
	}
	return standard_classify(l, from_stderr);
}
