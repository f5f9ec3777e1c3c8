/* The TOML reader's characters: UTF-8, whitespace, newlines, comments,
 * and keys (bare, quoted, dotted). */
#include <stdio.h>
#include <string.h>

#include "toml/toml_int.h"
#include "util/utf8.h"

int tp_peek(const struct tp *p, size_t ahead)
{
	return p->pos + ahead < p->len ? (unsigned char)p->s[p->pos + ahead] : -1;
}

bool tp_at_newline(const struct tp *p)
{
	return tp_peek(p, 0) == '\n' || (tp_peek(p, 0) == '\r' && tp_peek(p, 1) == '\n');
}

void tp_check_utf8(struct tp *p)
{
	const unsigned char *s = (const unsigned char *)p->s;
	for (size_t i = 0; i < p->len;) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		size_t n = utf8_valid_len(s + i, p->len - i);
		if (!n)
			tp_fail_at(p, i, "invalid UTF-8");
		i += n;
	}
}

void tp_skip_ws(struct tp *p)
{
	while (tp_peek(p, 0) == ' ' || tp_peek(p, 0) == '\t')
		p->pos++;
}

/* a comment runs to the end of the line; control characters other than
 * tab are refused there as everywhere */
void tp_skip_comment(struct tp *p)
{
	if (tp_peek(p, 0) != '#')
		return;
	p->pos++;
	for (int c; (c = tp_peek(p, 0)) >= 0 && c != '\n'; p->pos++) {
		if (c == '\r' && tp_peek(p, 1) == '\n')
			break;
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			tp_fail_at(p, p->pos, "control character U+%04X in a comment", c);
	}
}

/* between an array's values: whitespace, newlines and comments */
void tp_skip_ws_comments_newlines(struct tp *p)
{
	for (;;) {
		tp_skip_ws(p);
		tp_skip_comment(p);
		if (tp_peek(p, 0) == '\n')
			p->pos++;
		else if (tp_peek(p, 0) == '\r' && tp_peek(p, 1) == '\n')
			p->pos += 2;
		else
			return;
	}
}

static bool bare_key_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
	       c == '-';
}

static void parse_simple_key(struct tp *p, struct tkey *k)
{
	k->pos = p->pos;
	tp_linecol(p, k->pos, &k->line, &k->col);
	int c = tp_peek(p, 0);
	if (c == '"' || c == '\'') {
		struct toml_value v;
		tp_parse_string(p, &v, true);
		k->s = v.u.str.s;
		k->len = v.u.str.len;
		return;
	}
	size_t start = p->pos;
	while (bare_key_char(tp_peek(p, 0)))
		p->pos++;
	if (p->pos == start) {
		if (c < 0 || c == '\n' || c == '\r')
			tp_fail_at(p, p->pos, "expected a key");
		tp_fail_at(p, p->pos, "expected a key, found %s", tp_char_text(p, p->pos));
	}
	k->len = p->pos - start;
	k->s = tp_alloc(p, k->len + 1);
	memcpy(k->s, p->s + start, k->len);
}

size_t tp_parse_key(struct tp *p, struct tkey **keys, size_t *cap)
{
	size_t n = 0;
	for (;;) {
		if (n == *cap) {
			size_t ncap = *cap ? *cap * 2 : 8;
			*keys = tp_grow(p, *keys, *cap * sizeof **keys, ncap * sizeof **keys);
			*cap = ncap;
		}
		parse_simple_key(p, &(*keys)[n++]);
		tp_skip_ws(p);
		if (tp_peek(p, 0) != '.')
			return n;
		p->pos++;
		tp_skip_ws(p);
	}
}

const char *tp_key_text(struct tp *p, const struct tkey *keys, size_t n)
{
	size_t size = 1;
	for (size_t i = 0; i < n; i++)
		size += keys[i].len * 4 + 3;
	char *out = tp_alloc(p, size), *o = out;
	for (size_t i = 0; i < n; i++) {
		const struct tkey *k = &keys[i];
		bool bare = k->len > 0;
		for (size_t j = 0; j < k->len; j++)
			bare = bare && bare_key_char((unsigned char)k->s[j]);
		if (i)
			*o++ = '.';
		if (!bare)
			*o++ = '"';
		for (size_t j = 0; j < k->len; j++) {
			unsigned char c = (unsigned char)k->s[j];
			if (c < 0x20 || c == 0x7f || c == '"' || c == '\\')
				o += sprintf(o, "\\x%02x", c);
			else
				*o++ = (char)c;
		}
		if (!bare)
			*o++ = '"';
	}
	*o = 0;
	return out;
}

const char *tp_char_text(struct tp *p, size_t pos)
{
	char *out = tp_alloc(p, 16);
	unsigned char c = (unsigned char)p->s[pos];
	if (c < 0x20 || c == 0x7f)
		snprintf(out, 16, "U+%04X", c);
	else if (c < 0x80)
		snprintf(out, 16, "'%c'", c);
	else /* a whole UTF-8 character (the text was validated) */
		snprintf(out, 16, "'%.*s'", c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4, p->s + pos);
	return out;
}
