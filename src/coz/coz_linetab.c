/* Builds the coz line table: every row range of every CU's line program
 * whose file is in scope, adjacent ranges of one line merged, overlaps
 * (which a sorted binary search cannot hold) dropped. */
#include "coz/coz_linetab.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "coz_lines.h"
#include "util/die.h"
#include "util/hashmap.h"
#include "util/vec.h"

struct coz_linetab {
	VEC(struct coz_range) ranges;
	VEC(struct coz_line) lines;
	struct interner files; /* ids are file indexes */
	struct u64map line_ids; /* (file << 32 | line) -> line index */
	VEC(uint32_t) file_off; /* file id -> offset in the strings */
	size_t strbytes;
};

bool coz_wildcard_match(const char *p, const char *s)
{
	if (!*p)
		return !*s;
	if (*p == '%')
		return coz_wildcard_match(p + 1, s) || (*s && coz_wildcard_match(p, s + 1));
	return *s == *p && coz_wildcard_match(p + 1, s + 1);
}

static bool in_scope(const char *file, char *const *scopes, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (coz_wildcard_match(scopes[i], file))
			return true;
	return n == 0;
}

static uint32_t line_id(struct coz_linetab *t, const char *file, unsigned line)
{
	size_t before = t->files.n;
	uint32_t f = intern(&t->files, file);
	if (t->files.n > before) {
		vec_push(&t->file_off, (uint32_t)t->strbytes);
		t->strbytes += strlen(file) + 1;
	}
	bool added;
	uint64_t *id = u64map_upsert(&t->line_ids, (uint64_t)f << 32 | line, t->lines.n, &added);
	if (added)
		vec_push(&t->lines, ((struct coz_line){ f, line }));
	return (uint32_t)*id;
}

/* coz names lines by absolute path: a relative file is under comp_dir. */
static const char *full_path(const char *file, const char *comp_dir, char *buf, size_t size)
{
	if (file[0] == '/' || !comp_dir)
		return file;
	snprintf(buf, size, "%s/%s", comp_dir, file);
	return buf;
}

static void add_cu(struct coz_linetab *t, Dwarf_Die *cu, char *const *scopes, size_t n)
{
	Dwarf_Lines *lines;
	size_t nl;
	if (dwarf_getsrclines(cu, &lines, &nl) != 0)
		return;
	Dwarf_Attribute a;
	const char *comp_dir = dwarf_formstring(dwarf_attr(cu, DW_AT_comp_dir, &a));
	char buf[4096];
	for (size_t i = 0; i + 1 < nl; i++) {
		Dwarf_Line *l = dwarf_onesrcline(lines, i), *next = dwarf_onesrcline(lines, i + 1);
		Dwarf_Addr lo, hi;
		int lineno;
		bool end;
		const char *file = dwarf_linesrc(l, NULL, NULL);
		if (file)
			file = full_path(file, comp_dir, buf, sizeof(buf));
		if (!file || dwarf_lineaddr(l, &lo) || dwarf_lineaddr(next, &hi) || dwarf_lineno(l, &lineno) ||
		    dwarf_lineendsequence(l, &end) || end || hi <= lo || lineno <= 0 || !in_scope(file, scopes, n))
			continue;
		uint32_t id = line_id(t, file, (unsigned)lineno);
		struct coz_range *last = t->ranges.n ? &t->ranges.v[t->ranges.n - 1] : NULL;
		if (last && last->hi == lo && last->line == id)
			last->hi = hi;
		else
			vec_push(&t->ranges, ((struct coz_range){ .lo = lo, .hi = hi, .line = id }));
	}
}

static int by_lo(const void *a, const void *b)
{
	uint64_t x = ((const struct coz_range *)a)->lo, y = ((const struct coz_range *)b)->lo;
	return x < y ? -1 : x > y;
}

struct coz_linetab *coz_linetab_build(const char *path, char *const *scopes, size_t n, char *why, size_t whysize)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, whysize, "%s", strerror(errno));
		return NULL;
	}
	Dwarf *dw = dwarf_begin(fd, DWARF_C_READ);
	if (!dw) {
		snprintf(why, whysize, "no DWARF debug information (build with -g)");
		close(fd);
		return NULL;
	}
	struct coz_linetab *t = xcalloc(1, sizeof(*t));
	Dwarf_Off off = 0, next;
	size_t hsize;
	while (dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu;
		if (dwarf_offdie(dw, off + hsize, &cu))
			add_cu(t, &cu, scopes, n);
		off = next;
	}
	dwarf_end(dw);
	close(fd);
	qsort(t->ranges.v, t->ranges.n, sizeof(*t->ranges.v), by_lo);
	size_t k = 0;
	for (size_t i = 0; i < t->ranges.n; i++)
		if (!k || t->ranges.v[i].lo >= t->ranges.v[k - 1].hi)
			t->ranges.v[k++] = t->ranges.v[i];
	t->ranges.n = k;
	if (!t->lines.n) {
		snprintf(why, whysize, "no source line in scope");
		coz_linetab_free(t);
		return NULL;
	}
	return t;
}

size_t coz_linetab_nlines(const struct coz_linetab *t) { return t->lines.n; }

long coz_linetab_find(const struct coz_linetab *t, const char *file, unsigned line)
{
	size_t fl = strlen(file);
	for (size_t i = 0; i < t->lines.n; i++) {
		if (t->lines.v[i].line != line)
			continue;
		const char *f = interned(&t->files, t->lines.v[i].file);
		size_t len = strlen(f);
		if (len >= fl && !strcmp(f + len - fl, file) && (len == fl || f[len - fl - 1] == '/'))
			return (long)i;
	}
	return -1;
}

static int write_all(int fd, const void *p, size_t n)
{
	for (const char *c = p; n;) {
		ssize_t w = write(fd, c, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

int coz_linetab_write(const struct coz_linetab *t, int fd)
{
	struct coz_lines_header h = { COZ_LINES_MAGIC, (uint32_t)t->ranges.n, (uint32_t)t->lines.n,
				      (uint32_t)t->strbytes, 0 };
	if (write_all(fd, &h, sizeof(h)) || write_all(fd, t->ranges.v, t->ranges.n * sizeof(*t->ranges.v)))
		return -1;
	for (size_t i = 0; i < t->lines.n; i++) {
		struct coz_line l = { t->file_off.v[t->lines.v[i].file], t->lines.v[i].line };
		if (write_all(fd, &l, sizeof(l)))
			return -1;
	}
	for (size_t i = 0; i < t->files.n; i++)
		if (write_all(fd, interned(&t->files, (uint32_t)i), strlen(interned(&t->files, (uint32_t)i)) + 1))
			return -1;
	return 0;
}

void coz_linetab_free(struct coz_linetab *t)
{
	if (!t)
		return;
	free(t->ranges.v);
	free(t->lines.v);
	free(t->file_off.v);
	interner_free(&t->files);
	u64map_free(&t->line_ids);
	free(t);
}
