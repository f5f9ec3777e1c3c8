/* TOML values at the cursor: strings, bare values, arrays (newlines and
 * comments allowed between elements, a trailing comma too) and inline
 * tables (one line, no trailing comma, closed once written), and the
 * key = value line that holds them. */
#include "toml/toml_int.h"

static void enter(struct tp *p)
{
	if (++p->depth > TOML_MAX_DEPTH)
		tp_fail_at(p, p->pos, "nested deeper than %d levels", TOML_MAX_DEPTH);
}

static void parse_array(struct tp *p, struct toml_value *v)
{
	size_t start = p->pos;
	p->pos++;
	enter(p);
	struct tarr *a = tp_new_array(p);
	v->type = TOML_ARRAY;
	v->u.arr = &a->pub;
	for (;;) {
		tp_skip_ws_comments_newlines(p);
		if (tp_peek(p, 0) == ']')
			break;
		if (tp_peek(p, 0) < 0)
			tp_fail_at(p, start, "unterminated array");
		struct toml_value e;
		tp_parse_value(p, &e);
		*tp_array_push(p, a) = e;
		tp_skip_ws_comments_newlines(p);
		if (tp_peek(p, 0) == ',') {
			p->pos++;
			continue;
		}
		if (tp_peek(p, 0) == ']')
			break;
		if (tp_peek(p, 0) < 0)
			tp_fail_at(p, start, "unterminated array");
		tp_fail_at(p, p->pos, "expected ',' or ']' in an array");
	}
	p->pos++;
	p->depth--;
}

static void parse_inline_table(struct tp *p, struct toml_value *v)
{
	size_t start = p->pos;
	p->pos++;
	enter(p);
	struct ttab *t = tp_new_table(p, 0);
	v->type = TOML_TABLE;
	v->u.tab = &t->pub;
	struct tkey *keys = NULL;
	size_t cap = 0;
	tp_skip_ws(p);
	if (tp_peek(p, 0) == '}') {
		p->pos++;
	} else {
		for (;;) {
			tp_skip_ws(p);
			int c0 = tp_peek(p, 0);
			if (c0 == '\n' || c0 == '\r')
				tp_fail_at(p, p->pos, "an inline table must be on one line");
			if (c0 == '}')
				tp_fail_at(p, p->pos, "no trailing comma in an inline table");
			tp_parse_keyval(p, t, &keys, &cap);
			tp_skip_ws(p);
			int c = tp_peek(p, 0);
			p->pos++;
			if (c == '}')
				break;
			if (c == ',')
				continue;
			if (c < 0)
				tp_fail_at(p, start, "unterminated inline table");
			if (c == '\n' || c == '\r')
				tp_fail_at(p, p->pos - 1, "an inline table must be on one line");
			tp_fail_at(p, p->pos - 1, "expected ',' or '}' in an inline table");
		}
	}
	t->flags = TAB_INLINE;
	p->depth--;
}

void tp_parse_value(struct tp *p, struct toml_value *v)
{
	unsigned line, col;
	tp_linecol(p, p->pos, &line, &col);
	int c = tp_peek(p, 0);
	if (c == '"' || c == '\'')
		tp_parse_string(p, v, false);
	else if (c == '[')
		parse_array(p, v);
	else if (c == '{')
		parse_inline_table(p, v);
	else
		tp_parse_bare(p, v);
	v->line = line;
	v->col = col;
}

void tp_parse_keyval(struct tp *p, struct ttab *t, struct tkey **keys, size_t *cap)
{
	size_t n = tp_parse_key(p, keys, cap);
	tp_skip_ws(p);
	if (tp_peek(p, 0) != '=')
		tp_fail_at(p, p->pos, "expected '=' after the key '%s'", tp_key_text(p, *keys, n));
	p->pos++;
	tp_skip_ws(p);
	struct ttab *parent = tp_dotted_parent(p, t, *keys, n);
	/* the key is placed once its value is whole: an inline table's keys
	 * must not see it */
	struct tkey last = (*keys)[n - 1];
	struct toml_value v;
	tp_parse_value(p, &v);
	struct toml_value *slot = tp_add(p, parent, &last);
	*slot = v;
}
