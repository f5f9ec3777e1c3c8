/* Perl's s/// on POSIX regex (see cg_subst.h). */
#include "cachegrind/cg_subst.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/die.h"
#include "util/strbuf.h"

/* Perl's class escapes that ERE lacks, and what they become. */
static const char *perl_class(char c)
{
	switch (c) {
	case 'd': return "[0-9]";
	case 'D': return "[^0-9]";
	case 'w': return "[[:alnum:]_]";
	case 'W': return "[^[:alnum:]_]";
	case 's': return "[[:space:]]";
	case 'S': return "[^[:space:]]";
	default: return NULL;
	}
}

/* The part of expr up to the unescaped delimiter; *p moves past it. */
static char *field(const char **p, char delim, bool *ok)
{
	struct strbuf sb = STRBUF_INIT;
	const char *s = *p;
	for (; *s && *s != delim; s++) {
		if (*s == '\\' && s[1] == delim) {
			sb_addc(&sb, delim);
			s++;
		} else {
			if (*s == '\\' && s[1])
				sb_addc(&sb, *s++);
			sb_addc(&sb, *s);
		}
	}
	*ok = *s == delim;
	*p = *s ? s + 1 : s;
	return sb_detach(&sb);
}

int cg_subst_compile(struct cg_subst *s, const char *expr, char *err, size_t errlen)
{
	memset(s, 0, sizeof(*s));
	if (expr[0] != 's' || !expr[1] || strchr("\\ \t", expr[1])) {
		snprintf(err, errlen, "'%s': only s/REGEX/REPLACEMENT/[gi] is supported", expr);
		return -1;
	}
	char delim = expr[1];
	const char *p = expr + 2;
	bool ok1, ok2;
	char *pat = field(&p, delim, &ok1);
	s->repl = field(&p, delim, &ok2);
	int flags = REG_EXTENDED;
	for (; ok1 && ok2 && *p; p++) {
		if (*p == 'g')
			s->global = true;
		else if (*p == 'i')
			flags |= REG_ICASE;
		else
			ok2 = false;
	}
	if (!ok1 || !ok2) {
		free(pat);
		free(s->repl);
		s->repl = NULL;
		snprintf(err, errlen, "'%s': only s/REGEX/REPLACEMENT/[gi] is supported", expr);
		return -1;
	}
	struct strbuf ere = STRBUF_INIT;
	for (const char *q = pat; *q; q++) {
		const char *cls = q[0] == '\\' ? perl_class(q[1]) : NULL;
		if (cls) {
			sb_adds(&ere, cls);
			q++;
		} else {
			if (q[0] == '\\' && q[1])
				sb_addc(&ere, *q++);
			sb_addc(&ere, *q);
		}
	}
	free(pat);
	int rc = regcomp(&s->re, ere.buf ? ere.buf : "", flags);
	sb_free(&ere);
	if (rc) {
		char why[128];
		regerror(rc, &s->re, why, sizeof(why));
		snprintf(err, errlen, "'%s': %s", expr, why);
		free(s->repl);
		s->repl = NULL;
		return -1;
	}
	s->compiled = true;
	return 0;
}

/* The replacement for one match m of `in`. */
static void add_repl(struct strbuf *out, const char *repl, const char *in, const regmatch_t *m)
{
	for (const char *r = repl; *r; r++) {
		int g = -1;
		if ((r[0] == '$' || r[0] == '\\') && r[1] >= '0' && r[1] <= '9') {
			g = r[1] - '0';
			r++;
		} else if (r[0] == '$' && r[1] == '{' && r[2] >= '0' && r[2] <= '9' && r[3] == '}') {
			g = r[2] - '0';
			r += 3;
		} else if (r[0] == '$' && r[1] == '&') {
			g = 0;
			r++;
		} else if (r[0] == '\\' && r[1]) {
			sb_addc(out, *++r);
			continue;
		}
		if (g < 0)
			sb_addc(out, *r);
		else if (m[g].rm_so >= 0)
			sb_add(out, in + m[g].rm_so, (size_t)(m[g].rm_eo - m[g].rm_so));
	}
}

char *cg_subst_apply(const struct cg_subst *s, const char *in)
{
	struct strbuf out = STRBUF_INIT;
	const char *p = in;
	regmatch_t m[10];
	int eflags = 0;
	/* as Perl: after a non-empty match an empty one may follow at its end */
	while (regexec(&s->re, p, 10, m, eflags) == 0) {
		sb_add(&out, p, (size_t)m[0].rm_so);
		add_repl(&out, s->repl, p, m);
		if (m[0].rm_eo == m[0].rm_so) { /* an empty match: step over one character */
			if (!p[m[0].rm_eo]) {
				p += m[0].rm_eo;
				break;
			}
			sb_addc(&out, p[m[0].rm_eo]);
			p += m[0].rm_eo + 1;
		} else {
			p += m[0].rm_eo;
		}
		eflags = REG_NOTBOL;
		if (!s->global)
			break;
	}
	sb_adds(&out, p);
	return sb_detach(&out);
}

void cg_subst_free(struct cg_subst *s)
{
	if (s->compiled)
		regfree(&s->re);
	free(s->repl);
	memset(s, 0, sizeof(*s));
}
