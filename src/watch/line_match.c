/* Plain-text matchers the analyzers share (analysis_int.h). Written by hand
 * rather than as regexes: they run on every line of every run. */
#include <string.h>

#include "watch/analysis_int.h"

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

bool starts_with(const char *s, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);
	return n >= k && !memcmp(s, prefix, k);
}

bool ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);
	return n >= k && !memcmp(s + n - k, suffix, k);
}

static size_t digits(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && is_digit(s[i]))
		i++;
	return i;
}

size_t match_location(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && s[i] != ':' && !is_blank(s[i]) && s[i] != '\'' && s[i] != '"')
		i++;
	if (i == 0 || i >= n || s[i] != ':')
		return 0;
	size_t d = digits(s + i + 1, n - i - 1);
	if (!d)
		return 0;
	i += 1 + d;
	if (i >= n || s[i] != ':')
		return 0;
	d = digits(s + i + 1, n - i - 1);
	return d ? i + 1 + d : 0;
}

static size_t strip_suffix(const char *s, size_t n, const char *suffix)
{
	while (n && is_blank(s[n - 1]))
		n--;
	return ends_with(s, n, suffix) ? n - strlen(suffix) : n;
}

bool match_test_result(const char *s, size_t n, const char **key, size_t *key_len, bool *pass)
{
	size_t i = 0;
	while (i < n && is_blank(s[i]))
		i++;
	if (starts_with(s + i, n - i, "test ")) {
		i += 5;
		while (i < n && is_blank(s[i]))
			i++;
	}
	/* the outcome is the last word, after " ... " */
	size_t end = n;
	if (ends_with(s, n, " ok"))
		*pass = true, end = n - 3;
	else if (ends_with(s, n, " FAILED"))
		*pass = false, end = n - 7;
	else
		return false;
	while (end > i && is_blank(s[end - 1]))
		end--;
	if (end < i + 3 || memcmp(s + end - 3, "...", 3))
		return false;
	end -= 3;
	if (end == i || !is_blank(s[end - 1]))
		return false;
	while (end > i && is_blank(s[end - 1]))
		end--;
	end = strip_suffix(s + i, end - i, " - compile") + i;
	end = strip_suffix(s + i, end - i, " - should panic") + i;
	if (end == i)
		return false;
	*key = s + i;
	*key_len = end - i;
	return true;
}

bool has_warning_count(const char *s, size_t n)
{
	static const char gen[] = "generated ";
	for (size_t i = 0; i < n; i++) {
		if (!is_digit(s[i]) || (i && is_digit(s[i - 1])))
			continue;
		size_t d = digits(s + i, n - i);
		const char *after = s + i + d;
		size_t rest = n - i - d;
		if (starts_with(after, rest, " warning") && i >= sizeof(gen) - 1 &&
		    !memcmp(s + i - (sizeof(gen) - 1), gen, sizeof(gen) - 1))
			return true;
		if (starts_with(after, rest, " warnings emitted") ||
		    starts_with(after, rest, " warning emitted"))
			return true;
	}
	return false;
}
