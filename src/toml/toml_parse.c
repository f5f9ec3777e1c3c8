/* The TOML reader's entry points: a document line by line (blank lines,
 * comments, [table] and [[array of tables]] headers, key = value), and the
 * look-ups. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "toml/toml_int.h"
#include "util/strbuf.h"

/* after a line's content: blanks, a comment, then the end of the line */
static void end_of_line(struct tp *p)
{
	tp_skip_ws(p);
	tp_skip_comment(p);
	if (tp_peek(p, 0) < 0)
		return;
	if (tp_peek(p, 0) == '\n') {
		p->pos++;
		return;
	}
	if (tp_peek(p, 0) == '\r' && tp_peek(p, 1) == '\n') {
		p->pos += 2;
		return;
	}
	int c = tp_peek(p, 0);
	if (c == '\r')
		tp_fail_at(p, p->pos, "a carriage return must be followed by a newline");
	tp_fail_at(p, p->pos, "expected the end of the line, found %s", tp_char_text(p, p->pos));
}

static struct ttab *header(struct tp *p, struct ttab *root, struct tkey **keys, size_t *cap)
{
	bool array = tp_peek(p, 1) == '[';
	p->pos += array ? 2 : 1;
	tp_skip_ws(p);
	size_t n = tp_parse_key(p, keys, cap);
	tp_skip_ws(p);
	if (tp_peek(p, 0) != ']' || (array && tp_peek(p, 1) != ']'))
		tp_fail_at(p, p->pos, "expected '%s' closing the table header", array ? "]]" : "]");
	p->pos += array ? 2 : 1;
	return tp_open_header(p, root, *keys, n, array);
}

static void document(struct tp *p, struct ttab *root)
{
	struct ttab *cur = root;
	struct tkey *keys = NULL;
	size_t cap = 0;
	if (p->len >= 3 && !memcmp(p->s, "\xef\xbb\xbf", 3))
		p->pos = 3;
	for (;;) {
		tp_skip_ws(p);
		int c = tp_peek(p, 0);
		if (c < 0)
			return;
		if (c == '[')
			cur = header(p, root, &keys, &cap);
		else if (c != '#' && c != '\n' && c != '\r')
			tp_parse_keyval(p, cur, &keys, &cap);
		end_of_line(p);
	}
}

struct toml_table *toml_parse(const char *text, size_t len, char *err, size_t errsize)
{
	struct tp p = {.s = text, .len = len, .err = err, .errsize = errsize};
	if (errsize)
		err[0] = 0;
	if (setjmp(p.fail)) {
		tp_free_all(p.mem);
		return NULL;
	}
	tp_check_utf8(&p);
	struct ttab *root = tp_new_table(&p, TAB_HEADER);
	document(&p, root);
	root->mem = p.mem;
	return &root->pub;
}

struct toml_table *toml_parse_file(const char *path, char *err, size_t errsize)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct strbuf text = STRBUF_INIT;
	if (fd < 0 || sb_read_fd(&text, fd) < 0) {
		snprintf(err, errsize, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		sb_free(&text);
		return NULL;
	}
	close(fd);
	char msg[512];
	struct toml_table *t = toml_parse(text.buf ? text.buf : "", text.len, msg, sizeof msg); /* empty: no buffer */
	sb_free(&text);
	if (!t)
		snprintf(err, errsize, "%s:%s", path, msg);
	return t;
}

void toml_free(struct toml_table *t)
{
	if (t)
		tp_free_all(((struct ttab *)t)->mem);
}

const struct toml_value *toml_get(const struct toml_table *t, const char *key)
{
	if (!t || !key)
		return NULL;
	return tp_find((struct ttab *)t, key, strlen(key));
}

const struct toml_value *toml_get_path(const struct toml_table *t, const char *path)
{
	if (!t || !path)
		return NULL;
	for (;;) {
		const char *dot = strchr(path, '.');
		size_t n = dot ? (size_t)(dot - path) : strlen(path);
		const struct toml_value *v = tp_find((struct ttab *)t, path, n);
		if (!v || !dot)
			return v;
		if (v->type != TOML_TABLE)
			return NULL;
		t = v->u.tab;
		path = dot + 1;
	}
}

const char *toml_type_name(enum toml_type t)
{
	switch (t) {
	case TOML_STRING: return "string";
	case TOML_INTEGER: return "integer";
	case TOML_FLOAT: return "float";
	case TOML_BOOL: return "bool";
	case TOML_OFFSET_DATETIME: return "datetime";
	case TOML_LOCAL_DATETIME: return "datetime-local";
	case TOML_LOCAL_DATE: return "date-local";
	case TOML_LOCAL_TIME: return "time-local";
	case TOML_ARRAY: return "array";
	case TOML_TABLE: return "table";
	}
	return "?";
}
