/* coz's source scope (see coz_scope.h). */
#include "coz/coz_scope.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool coz_wildcard_match(const char *p, const char *s)
{
	if (!*p)
		return !*s;
	if (*p == '%')
		return coz_wildcard_match(p + 1, s) || (*s && coz_wildcard_match(p, s + 1));
	return *s == *p && coz_wildcard_match(p + 1, s + 1);
}

/* dir itself or anything under it */
static bool under(const char *path, const char *dir, size_t len)
{
	return len && !strncmp(path, dir, len) && (path[len] == '/' || !path[len]);
}

static bool under_home(const char *path, const char *home, const char *sub)
{
	char d[4096];
	int n = snprintf(d, sizeof(d), "%s/%s", home, sub);
	return n > 0 && (size_t)n < sizeof(d) && under(path, d, (size_t)n);
}

static bool is_rust_toolchain(const char *path)
{
	if (under(path, "/rustc", 6) || under(path, "/rust/deps", 10)) /* std's vendored crates (hashbrown) */
		return true;
	const char *home = getenv("HOME");
	return home && *home &&
	       (under_home(path, home, ".rustup") || under_home(path, home, ".cargo/registry") ||
		under_home(path, home, ".cargo/git"));
}

static bool is_coz_header(const char *path)
{
	size_t n = strlen(path);
	return n >= 6 && !strcmp(path + n - 6, "/coz.h");
}

bool coz_source_in_scope(const struct coz_scope *s, const char *file)
{
	if (!s->n)
		return !is_rust_toolchain(file) && !is_coz_header(file);
	for (size_t i = 0; i < s->n; i++)
		if (coz_wildcard_match(s->pats[i], file))
			return true;
	return false;
}

char *coz_canon_path(const char *path, const char *dir, char *buf, size_t size)
{
	char tmp[8192];
	if (path[0] != '/' && dir)
		snprintf(tmp, sizeof(tmp), "%s/%s", dir, path);
	else
		snprintf(tmp, sizeof(tmp), "%s", path);
	/* coz's canonicalize_path: each kept part written as "/part"; ".."
	 * drops the last kept part (nothing at the root) */
	size_t ends[1024], nparts = 0, n = 0;
	for (char *c = tmp; *c;) {
		char *e = c + strcspn(c, "/");
		size_t len = (size_t)(e - c);
		if (len == 2 && c[0] == '.' && c[1] == '.') {
			if (nparts)
				nparts--;
			n = nparts ? ends[nparts - 1] : 0;
		} else if (len && !(len == 1 && c[0] == '.') && nparts < 1024 && n + len + 1 < size) {
			buf[n] = '/';
			memcpy(buf + n + 1, c, len);
			n += len + 1;
			ends[nparts++] = n;
		}
		c = *e ? e + 1 : e;
	}
	if (!n && size > 1)
		buf[n++] = '/';
	if (size)
		buf[n < size ? n : size - 1] = 0;
	return buf;
}
