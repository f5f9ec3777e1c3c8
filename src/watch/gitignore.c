/* gitignore rules: parsing and matching (gitignore(5)'s semantics). */
#include "watch/gitignore.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/strbuf.h"
#include "util/vec.h"
#include "watch/wildmatch.h"

static void add_line(struct gitignore *gi, const char *base, const char *line, size_t len)
{
	/* trailing spaces go unless quoted with a backslash */
	while (len && line[len - 1] == ' ' && !(len >= 2 && line[len - 2] == '\\'))
		len--;
	if (!len || line[0] == '#')
		return;
	struct gitignore_rule r = { 0 };
	if (line[0] == '!') {
		r.negate = true;
		line++;
		len--;
	}
	if (len && line[len - 1] == '/') {
		r.dir_only = true;
		len--;
	}
	if (!len)
		return;
	/* a slash at the start or in the middle anchors at the file's dir */
	r.anchored = memchr(line, '/', len) != NULL;
	if (line[0] == '/') {
		line++;
		len--;
	}
	if (!len)
		return;
	r.pattern = xstrndup(line, len);
	r.base = xstrdup(base);
	vec_push(gi, r);
}

void gitignore_add_text(struct gitignore *gi, const char *base, const char *text, size_t len)
{
	const char *end = text + len;
	while (text < end) {
		const char *nl = memchr(text, '\n', (size_t)(end - text));
		size_t n = nl ? (size_t)(nl - text) : (size_t)(end - text);
		size_t m = n;
		if (m && text[m - 1] == '\r')
			m--;
		add_line(gi, base, text, m);
		text += n + (nl != NULL);
	}
}

void gitignore_add_file(struct gitignore *gi, const char *base, const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	struct strbuf sb = STRBUF_INIT;
	if (sb_read_fd(&sb, fileno(f)) == 0 && sb.len)
		gitignore_add_text(gi, base, sb.buf, sb.len);
	sb_free(&sb);
	fclose(f);
}

static bool rule_matches(const struct gitignore_rule *r, const char *path, bool is_dir)
{
	if (r->dir_only && !is_dir)
		return false;
	size_t bl = strlen(r->base);
	if (strncmp(path, r->base, bl))
		return false;
	const char *rest = path + bl;
	if (!r->anchored) {
		const char *slash = strrchr(rest, '/');
		rest = slash ? slash + 1 : rest;
	}
	return wild_match(r->pattern, rest, WILD_PATHNAME);
}

/* The decision of the rules for path alone: 1 excluded, 0 not. */
static bool excluded_here(const struct gitignore *gi, const char *path, bool is_dir)
{
	for (size_t i = gi->n; i-- > 0;)
		if (rule_matches(&gi->v[i], path, is_dir))
			return !gi->v[i].negate;
	return false;
}

bool gitignore_excludes(const struct gitignore *gi, const char *path, bool is_dir)
{
	if (!gi->n)
		return false;
	char *buf = xstrdup(path);
	bool out = false;
	/* each enclosing directory first: git never looks inside an excluded one */
	for (char *s = strchr(buf, '/'); s && !out; s = strchr(s + 1, '/')) {
		*s = 0;
		out = excluded_here(gi, buf, true);
		*s = '/';
	}
	if (!out)
		out = excluded_here(gi, buf, is_dir);
	free(buf);
	return out;
}

void gitignore_clear(struct gitignore *gi)
{
	for (size_t i = 0; i < gi->n; i++) {
		free(gi->v[i].pattern);
		free(gi->v[i].base);
	}
	vec_free(gi);
}
