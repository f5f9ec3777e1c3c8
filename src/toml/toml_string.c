/* TOML's four string forms: "basic" with escapes, 'literal', and their
 * multi-line """ and ''' forms (a newline right after the opening quotes
 * is dropped; in """ a backslash at a line's end joins it to the next
 * non-blank character). */
#include <string.h>

#include "toml/toml_int.h"
#include "util/utf8.h"

struct sbuf {
	char *s;
	size_t len, cap;
};

static void put(struct tp *p, struct sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 32;
		while (b->len + n + 1 > cap)
			cap *= 2;
		b->s = tp_grow(p, b->s, b->len, cap);
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = 0;
}

/* \uXXXX or \UXXXXXXXX: a Unicode scalar value, never a surrogate */
static void unicode_escape(struct tp *p, struct sbuf *b, size_t digits)
{
	size_t at = p->pos - 2;
	unsigned long cp = 0;
	for (size_t i = 0; i < digits; i++) {
		int h = tp_digit(tp_peek(p, 0), 16);
		if (h < 0)
			tp_fail_at(p, at, "\\%c needs %zu hex digits", digits == 4 ? 'u' : 'U', digits);
		cp = cp * 16 + (unsigned)h;
		p->pos++;
	}
	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		tp_fail_at(p, at, "\\%c%0*lX is not a Unicode scalar value", digits == 4 ? 'u' : 'U',
			   (int)digits, cp);
	char out[4];
	put(p, b, out, utf8_encode(cp, out));
}

/* at the backslash; multi says a line-ending backslash is allowed */
static void escape(struct tp *p, struct sbuf *b, bool multi)
{
	size_t at = p->pos;
	p->pos++;
	int c = tp_peek(p, 0);
	const char *simple = NULL;
	switch (c) {
	case 'b': simple = "\b"; break;
	case 't': simple = "\t"; break;
	case 'n': simple = "\n"; break;
	case 'f': simple = "\f"; break;
	case 'r': simple = "\r"; break;
	case 'e': simple = "\033"; break; /* TOML 1.1's, in toml-test's corpus */
	case '"': simple = "\""; break;
	case '\\': simple = "\\"; break;
	case 'u':
		p->pos++;
		unicode_escape(p, b, 4);
		return;
	case 'U':
		p->pos++;
		unicode_escape(p, b, 8);
		return;
	}
	if (simple) {
		put(p, b, simple, 1);
		p->pos++;
		return;
	}
	if (multi) {
		/* a line-ending backslash: blanks may follow it, then the newline */
		size_t q = p->pos;
		while (q < p->len && (p->s[q] == ' ' || p->s[q] == '\t'))
			q++;
		p->pos = q;
		if (tp_at_newline(p)) {
			for (;;) {
				int d = tp_peek(p, 0);
				if (d == ' ' || d == '\t' || d == '\n')
					p->pos++;
				else if (d == '\r' && tp_peek(p, 1) == '\n')
					p->pos += 2;
				else
					return;
			}
		}
	}
	tp_fail_at(p, at, "invalid escape sequence in a string");
}

static void check_char(struct tp *p, int c, const char *what)
{
	if ((c < 0x20 && c != '\t') || c == 0x7f)
		tp_fail_at(p, p->pos, "control character U+%04X in a %s", c, what);
}

/* the bytes of one UTF-8 character (validated beforehand) */
static size_t char_len(const struct tp *p)
{
	unsigned char c = (unsigned char)p->s[p->pos];
	return c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
}

static void single_line(struct tp *p, struct sbuf *b, char quote)
{
	size_t start = p->pos;
	p->pos++;
	const char *what = quote == '"' ? "string" : "literal string";
	for (;;) {
		int c = tp_peek(p, 0);
		if (c < 0 || c == '\n' || (c == '\r' && tp_peek(p, 1) == '\n'))
			tp_fail_at(p, start, "unterminated %s", what);
		if (c == quote) {
			p->pos++;
			return;
		}
		if (c == '\\' && quote == '"') {
			escape(p, b, false);
			continue;
		}
		check_char(p, c, what);
		size_t n = char_len(p);
		put(p, b, p->s + p->pos, n);
		p->pos += n;
	}
}

static void multi_line(struct tp *p, struct sbuf *b, char quote)
{
	size_t start = p->pos;
	p->pos += 3;
	const char *what = quote == '"' ? "multi-line string" : "multi-line literal string";
	if (tp_peek(p, 0) == '\n')
		p->pos++;
	else if (tp_peek(p, 0) == '\r' && tp_peek(p, 1) == '\n')
		p->pos += 2;
	for (;;) {
		int c = tp_peek(p, 0);
		if (c < 0)
			tp_fail_at(p, start, "unterminated %s", what);
		if (c == quote) {
			/* up to two quotes may end the content just before the closing three */
			size_t q = 0;
			while (tp_peek(p, q) == quote)
				q++;
			if (q < 3) {
				put(p, b, p->s + p->pos, q);
				p->pos += q;
				continue;
			}
			if (q > 5)
				tp_fail_at(p, p->pos + 5, "too many quotes closing a %s", what);
			put(p, b, p->s + p->pos, q - 3);
			p->pos += q;
			return;
		}
		if (c == '\\' && quote == '"') {
			escape(p, b, true);
			continue;
		}
		if (c == '\n') {
			put(p, b, "\n", 1);
			p->pos++;
			continue;
		}
		if (c == '\r' && tp_peek(p, 1) == '\n') {
			put(p, b, "\r\n", 2);
			p->pos += 2;
			continue;
		}
		check_char(p, c, what);
		size_t n = char_len(p);
		put(p, b, p->s + p->pos, n);
		p->pos += n;
	}
}

void tp_parse_string(struct tp *p, struct toml_value *v, bool key_only)
{
	struct sbuf b = {0};
	char quote = p->s[p->pos];
	if (tp_peek(p, 1) == quote && tp_peek(p, 2) == quote) {
		if (key_only)
			tp_fail_at(p, p->pos, "a multi-line string cannot be a key");
		multi_line(p, &b, quote);
	} else {
		single_line(p, &b, quote);
	}
	if (!b.s)
		put(p, &b, "", 0);
	v->type = TOML_STRING;
	v->u.str.s = b.s;
	v->u.str.len = b.len;
}
