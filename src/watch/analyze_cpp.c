/* The `cpp` analyzer: gcc and clang diagnostics, and the lines ld and make
 * add. bacon's (src/analysis/cpp.rs) takes "PATH:LINE:COL: error|warning:"
 * as an item's title and every other line as its text; here also:
 *	x.c:3:5: note: ...            a location of the item being read
 *	gcc: error: nosuch.c: ...     an error without location (the driver's)
 *	x.c:(.text+0x9): undefined reference to `f'   ld's errors, counted
 *	/usr/bin/ld: cannot find -lnope                  once each
 *	collect2: error: ld returned 1 exit status    outcomes of the errors
 *	clang: error: linker command failed ...       above: not counted again
 *	make: *** [Makefile:2: all] Error 1
 *	2 warnings and 1 error generated.             clang's count
 *	Makefile:3: *** missing separator.  Stop.     make's own error
 * The text is matched without colours (gcc's -fdiagnostics-color). */
#include <string.h>

#include "watch/analysis_int.h"

static struct line_class of_type(enum line_type t)
{
	struct line_class c = { t, false, NULL, 0 };
	return c;
}

/* The level word after "LOCATION: ". */
static enum line_type level_at(const char *s, size_t n)
{
	if (starts_with(s, n, "error:") || starts_with(s, n, "fatal error:"))
		return LT_ERROR;
	if (starts_with(s, n, "warning:"))
		return LT_WARNING;
	if (starts_with(s, n, "note:"))
		return LT_LOCATION;
	return LT_NORMAL;
}

/* "PATH:LINE:" (make's, gcc's without a column); bytes matched or 0. */
static size_t match_path_line(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && s[i] != ':' && s[i] != ' ')
		i++;
	if (!i || i >= n)
		return 0;
	size_t d = i + 1;
	while (d < n && s[d] >= '0' && s[d] <= '9')
		d++;
	return d > i + 1 && d < n && s[d] == ':' ? d + 1 : 0;
}

/* The leading word of "WORD: rest" when WORD has no blank; its length. */
static size_t tool_word(const char *s, size_t n)
{
	for (size_t i = 0; i + 1 < n; i++) {
		if (s[i] == ' ' || s[i] == '\t')
			return 0;
		if (s[i] == ':' && s[i + 1] == ' ')
			return i;
	}
	return 0;
}

static bool word_is(const char *w, size_t n, const char *name)
{
	/* the base name: /usr/bin/ld is ld */
	const char *slash = memrchr(w, '/', n);
	if (slash)
		n -= (size_t)(slash + 1 - w), w = slash + 1;
	return n == strlen(name) && !memcmp(w, name, n);
}

static bool is_linker(const char *w, size_t n)
{
	return word_is(w, n, "ld") || word_is(w, n, "ld.bfd") || word_is(w, n, "ld.gold") ||
	       word_is(w, n, "ld.lld") || word_is(w, n, "mold");
}

static bool is_make(const char *w, size_t n)
{
	/* make, gmake, make[2] */
	const char *b = memchr(w, '[', n);
	size_t k = b ? (size_t)(b - w) : n;
	return word_is(w, k, "make") || word_is(w, k, "gmake");
}

static bool is_count_line(const char *s, size_t n)
{
	/* clang: "2 warnings and 1 error generated.", "1 warning generated." */
	return n && s[0] >= '1' && s[0] <= '9' && ends_with(s, n, " generated.") &&
	       (memmem(s, n, " warning", 8) || memmem(s, n, " error", 6));
}

struct line_class cpp_classify(const struct ansi_line *l)
{
	const char *s = l->plain;
	size_t n = l->plain_len, k;
	if ((k = match_location(s, n)) && k + 2 <= n && s[k] == ':' && s[k + 1] == ' ')
		return of_type(level_at(s + k + 2, n - k - 2));
	if ((k = match_path_line(s, n)) && k < n && s[k] == ' ') {
		if (starts_with(s + k + 1, n - k - 1, "*** "))
			return of_type(LT_ERROR);
		enum line_type t = level_at(s + k + 1, n - k - 1);
		if (t != LT_NORMAL)
			return of_type(t);
	}
	if (memmem(s, n, ": undefined reference to ", 25) || memmem(s, n, ": multiple definition of ", 25))
		return of_type(LT_ERROR);
	if (is_count_line(s, n) || starts_with(s, n, "cc1: all warnings being treated as errors") ||
	    starts_with(s, n, "cc1plus: all warnings being treated as errors"))
		return of_type(LT_SUM);
	size_t w = tool_word(s, n);
	if (!w)
		return of_type(LT_NORMAL);
	const char *rest = s + w + 2;
	size_t rn = n - w - 2;
	if (is_make(s, w)) {
		if (!starts_with(rest, rn, "*** "))
			return of_type(LT_NORMAL);
		/* "*** [target] Error 1" follows an error already shown */
		return of_type(starts_with(rest + 4, rn - 4, "[") && memmem(rest, rn, "] Error ", 8)
				       ? LT_SUM
				       : LT_ERROR);
	}
	if (is_linker(s, w)) {
		if (memmem(rest, rn, "warning:", 8))
			return of_type(LT_WARNING);
		if (memmem(rest, rn, "in function `", 13) || ends_with(rest, rn, ":"))
			return of_type(LT_NORMAL);
		return of_type(LT_ERROR);
	}
	enum line_type t = level_at(rest, rn);
	if (t == LT_ERROR && (starts_with(rest, rn, "error: ld returned") ||
			      starts_with(rest, rn, "error: linker command failed")))
		return of_type(LT_SUM);
	return of_type(t == LT_LOCATION ? LT_NORMAL : t);
}
