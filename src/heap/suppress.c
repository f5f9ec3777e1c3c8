/* Leak suppressions: the file format, the pattern matcher, the builtin list. */
#include "heap/suppress.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/die.h"

void supp_free(struct heap_suppressions *s)
{
	for (size_t i = 0; i < s->v.n; i++)
		free(s->v.v[i].pattern);
	vec_free(&s->v);
}

void supp_add(struct heap_suppressions *s, const char *pattern, size_t len)
{
	struct heap_suppression x = { xstrndup(pattern, len), 0, 0 };
	vec_push(&s->v, x);
}

/* The C locale's isspace(), as heaptrack trims lines. */
static bool space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

size_t supp_parse(struct heap_suppressions *s, const char *text, size_t len,
		  void (*bad)(const char *line, size_t n, void *ctx), void *ctx)
{
	size_t added = 0, i = 0;
	while (i < len) {
		const char *l = text + i;
		const char *nl = memchr(l, '\n', len - i);
		size_t n = nl ? (size_t)(nl - l) : len - i;
		i += n + 1;
		while (n && space(l[0]))
			l++, n--;
		while (n && space(l[n - 1]))
			n--;
		if (!n || l[0] == '#')
			continue;
		/* a NUL would silently cut the pattern short: call the line invalid */
		if (n >= 5 && !memcmp(l, "leak:", 5) && !memchr(l, 0, n)) {
			if (n > 5) { /* "leak:" alone is ignored, as heaptrack does */
				supp_add(s, l + 5, n - 5);
				added++;
			}
			continue;
		}
		if (bad)
			bad(l, n > 200 ? 200 : n, ctx);
	}
	return added;
}

struct bad_lines {
	size_t n;
};

static void warn_bad(const char *line, size_t n, void *ctx)
{
	struct bad_lines *b = ctx;
	/* a binary file passed by mistake must not flood the terminal */
	if (b->n++ < 10)
		warn("invalid suppression line: %.*s", (int)n, line);
}

#define SUPP_FILE_MAX ((size_t)64 << 20)

int supp_load_file(struct heap_suppressions *s, const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return error("failed to open suppression file: %s: %s", path, strerror(errno));
	char *buf = NULL;
	size_t n = 0, cap = 0;
	for (;;) {
		if (n == cap) {
			if (cap >= SUPP_FILE_MAX) {
				free(buf);
				fclose(f);
				return error("suppression file '%s' is larger than %zu MiB", path, SUPP_FILE_MAX >> 20);
			}
			cap = cap ? cap * 2 : 4096;
			buf = xrealloc(buf, cap);
		}
		size_t k = fread(buf + n, 1, cap - n, f);
		n += k;
		if (k == 0)
			break;
	}
	bool failed = ferror(f);
	fclose(f);
	if (failed) {
		free(buf);
		return error("cannot read suppression file '%s'", path);
	}
	supp_add_text(s, buf, n, path);
	free(buf);
	return 0;
}

size_t supp_add_text(struct heap_suppressions *s, const char *text, size_t len, const char *origin)
{
	struct bad_lines b = { 0 };
	size_t added = supp_parse(s, text, len, warn_bad, &b);
	if (b.n > 10)
		warn("%zu more invalid suppression lines in %s", b.n - 10, origin);
	return added;
}

/* Allocations that system libraries make once and keep until exit on
 * purpose; reporting them as leaks only hides the program's own. The same
 * functions heaptrack_print suppresses unless --disable-builtin-suppressions. */
static const char *const builtin[] = {
	"__nss_module_allocate", /* glibc: NSS service modules (getpwnam, getaddrinfo) stay loaded */
	"__gconv_read_conf",     /* glibc: iconv's gconv module configuration, read once */
	"__new_exitfn",          /* glibc: blocks of atexit()/on_exit() handlers */
	"tzset_internal",        /* glibc: the time zone rules localtime() & co load once */
	"dl_open_worker",        /* ld.so: link maps and scopes of dlopen()ed libraries */
	"g_main_context_new",    /* GLib: the default main context */
	"g_thread_self",         /* GLib: the GThread of a thread GLib didn't create */
};

void supp_add_builtin(struct heap_suppressions *s)
{
	for (size_t i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++)
		supp_add(s, builtin[i], strlen(builtin[i]));
}

bool supp_match(const char *pattern, const char *str)
{
	if (!strcmp(pattern, str))
		return true;
	size_t len = strlen(str), pos = 0;
	if (!len)
		return false;
	const char *p = pattern;
	bool anchored = *p == '^', star = false;
	if (anchored)
		p++;
	/* literal segments between '*'s, each found at its leftmost place after
	 * the previous one (that is enough for '*'); a segment before '$' must
	 * end the string instead */
	for (;;) {
		size_t seg = strcspn(p, "*$");
		char end = p[seg];
		if (end == '$') {
			if (!seg)
				return star || pos == len;
			if (seg > len - pos)
				return false;
			if (anchored && len - seg != pos)
				return false;
			return !memcmp(str + len - seg, p, seg);
		}
		if (seg) {
			const char *hit;
			if (anchored)
				hit = seg <= len - pos && !memcmp(str + pos, p, seg) ? str + pos : NULL;
			else
				hit = memmem(str + pos, len - pos, p, seg);
			if (!hit)
				return false;
			pos = (size_t)(hit - str) + seg;
		}
		if (!end)
			return true;
		star = true;
		anchored = false;
		p += seg + 1;
	}
}

long supp_find(const struct heap_suppressions *s, const char *str)
{
	if (!str)
		return -1;
	for (size_t i = 0; i < s->v.n; i++)
		if (supp_match(s->v.v[i].pattern, str))
			return (long)i;
	return -1;
}
