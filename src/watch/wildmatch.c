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

/* 1 match, 0 no match; -1 no match and none possible for any later start
 * of text either (a star already tried every suffix to the end); -2 the
 * same for every star that cannot cross '/' (one stopped at a '/'): only a
 * double star may try further. These cuts keep the matching polynomial. */
static int match_here(const char *p0, const char *p, const char *t, int flags)
{
	for (; *p; p++, t++) {
		switch (*p) {
		case '?':
			if (!*t || ((flags & WILD_PATHNAME) && *t == '/'))
				return 0;
			break;
		case '[': {
			if (!*t)
				return 0;
			const char *q = p;
			int r = match_class(&q, *t, flags);
			if (r == 0)
				return 0;
			if (r == 1) {
				p = q - 1;
				break;
			}
			if (*t != '[')
				return 0;
			break;
		}
		case '\\':
			if (p[1])
				p++;
			if (*t != *p)
				return 0;
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
						int r = match_here(p0, after + 1, t, flags);
						for (const char *s = t; r != 1 && r != -1 && *s; s++)
							if (*s == '/')
								r = match_here(p0, after + 1, s + 1, flags);
						return r == 1 || r == -1 ? r : 0;
					}
					if (!*after)
						return 1;
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
				int r = match_here(p0, p + 1, s, flags);
				if (r == 1 || r == -1 || (r == -2 && !any_depth))
					return r;
				if (!*s)
					return -1;
				if (!any_depth && *s == '/')
					return -2;
			}
		}
		default:
			if (*t != *p)
				return 0;
		}
	}
	return !*t;
}

bool wild_match(const char *pattern, const char *text, int flags)
{
	return match_here(pattern, pattern, text, flags) == 1;
}
