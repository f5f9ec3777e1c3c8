/* Wildcard matching for gitignore patterns and bacon's ignore globs. */
#include "watch/wildmatch.h"

#include <string.h>

/* Matches one bracket expression at *pp against c; advances *pp past the
 * closing ']'. Returns -1 when the bracket is unterminated (then '[' is a
 * literal, as in git). */
static int match_class(const char **pp, char c, int flags)
{
	const char *p = *pp + 1;
	bool negate = false, hit = false;
	if (*p == '!' || *p == '^') {
		negate = true;
		p++;
	}
	const char *first = p;
	for (; *p && (*p != ']' || p == first); p++) {
		char lo = *p;
		if (lo == '\\' && p[1])
			lo = *++p;
		char hi = lo;
		if (p[1] == '-' && p[2] && p[2] != ']') {
			hi = p[2];
			p += 2;
			if (hi == '\\' && p[1])
				hi = *++p;
		}
		if ((unsigned char)c >= (unsigned char)lo && (unsigned char)c <= (unsigned char)hi)
			hit = true;
	}
	if (*p != ']')
		return -1;
	*pp = p + 1;
	if ((flags & WILD_PATHNAME) && c == '/')
		return 0;
	return hit != negate;
}

static bool match_here(const char *p0, const char *p, const char *t, int flags)
{
	for (; *p; p++, t++) {
		switch (*p) {
		case '?':
			if (!*t || ((flags & WILD_PATHNAME) && *t == '/'))
				return false;
			break;
		case '[': {
			if (!*t)
				return false;
			const char *q = p;
			int r = match_class(&q, *t, flags);
			if (r == 0)
				return false;
			if (r == 1) {
				p = q - 1;
				break;
			}
			if (*t != '[')
				return false;
			break;
		}
		case '\\':
			if (p[1])
				p++;
			if (*t != *p)
				return false;
			break;
		case '*': {
			bool any_depth = !(flags & WILD_PATHNAME);
			if (p[1] == '*') {
				/* with WILD_PATHNAME, `**` spans directories only as a
				 * whole path component; elsewhere it is a plain `*` */
				const char *after = p;
				while (*after == '*')
					after++;
				bool whole = (p == p0 || p[-1] == '/') && (*after == '/' || !*after);
				if (flags & WILD_PATHNAME) {
					if (!whole) {
						p = after - 1;
						goto single;
					}
					if (*after == '/') {
						/* a double star and a slash: zero or more leading directories */
						if (match_here(p0, after + 1, t, flags))
							return true;
						for (const char *s = t; *s; s++)
							if (*s == '/' && match_here(p0, after + 1, s + 1, flags))
								return true;
						return false;
					}
					if (!*after)
						return true;
				}
				p = after - 1;
				any_depth = true;
			}
		single:
			while (p[1] == '*')
				p++;
			if (!p[1])
				return any_depth || !strchr(t, '/');
			for (const char *s = t;; s++) {
				if (match_here(p0, p + 1, s, flags))
					return true;
				if (!*s || (!any_depth && *s == '/'))
					return false;
			}
		}
		default:
			if (*t != *p)
				return false;
		}
	}
	return !*t;
}

bool wild_match(const char *pattern, const char *text, int flags)
{
	return match_here(pattern, pattern, text, flags);
}
