/* The coz line table: per object, the in-scope ranges its CUs give
 * (coz_cu.c), adjacent ranges of one line merged, sorted, overlaps (which
 * a binary search cannot hold) dropped; lines shared between objects. */
#include "coz/coz_linetab.h"

#include <elfutils/libdw.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "coz/coz_cu.h"
#include "coz_lines.h"
#include "util/die.h"
#include "util/hashmap.h"
#include "util/vec.h"
#include "util/write_all.h"

struct object {
	char *path;
	uint64_t dev, ino, lo, hi;
	uint32_t flags;
	size_t first, n;
};

struct coz_linetab {
	VEC(struct object) objs;
	VEC(struct coz_range) ranges;
	VEC(struct coz_line) lines;
	struct interner files;  /* ids are file indexes */
	struct u64map line_ids; /* (file << 32 | line) -> line index */
	VEC(uint32_t) file_off; /* file id -> offset in the strings */
	size_t strbytes;        /* of the file names; object paths follow */
};

struct coz_linetab *coz_linetab_new(void) { return xcalloc(1, sizeof(struct coz_linetab)); }

uint32_t coz_linetab_file(struct coz_linetab *t, const char *path)
{
	size_t before = t->files.n;
	uint32_t f = intern(&t->files, path);
	if (t->files.n > before) {
		vec_push(&t->file_off, (uint32_t)t->strbytes);
		t->strbytes += strlen(path) + 1;
	}
	return f;
}

void coz_linetab_range(struct coz_linetab *t, uint64_t lo, uint64_t hi, uint32_t file, unsigned line)
{
	bool added;
	uint64_t *id = u64map_upsert(&t->line_ids, (uint64_t)file << 32 | line, t->lines.n, &added);
	if (added)
		vec_push(&t->lines, ((struct coz_line){ file, line }));
	struct object *o = &t->objs.v[t->objs.n - 1];
	struct coz_range *last = t->ranges.n > o->first ? &t->ranges.v[t->ranges.n - 1] : NULL;
	if (last && last->hi == lo && last->line == *id)
		last->hi = hi;
	else
		vec_push(&t->ranges, ((struct coz_range){ .lo = lo, .hi = hi, .line = (uint32_t)*id }));
}

static int by_lo(const void *a, const void *b)
{
	uint64_t x = ((const struct coz_range *)a)->lo, y = ((const struct coz_range *)b)->lo;
	return x < y ? -1 : x > y;
}

/* Sorts the last object's ranges, drops overlaps, sets its extent. */
static void finish_object(struct coz_linetab *t)
{
	struct object *o = &t->objs.v[t->objs.n - 1];
	size_t n = t->ranges.n - o->first, k = 0;
	struct coz_range *r = n ? t->ranges.v + o->first : NULL;
	if (n > 1)
		qsort(r, n, sizeof(*r), by_lo);
	for (size_t i = 0; i < n; i++)
		if (!k || r[i].lo >= r[k - 1].hi)
			r[k++] = r[i];
	t->ranges.n = o->first + k;
	o->n = k;
	o->lo = k ? r[0].lo : 0;
	o->hi = k ? r[k - 1].hi : 0;
}

long coz_linetab_add(struct coz_linetab *t, const char *path, bool is_main, const struct coz_scope *scope, char *why,
		     size_t whysize)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		snprintf(why, whysize, "%s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	Dwarf *dw = dwarf_begin(fd, DWARF_C_READ);
	if (!dw) {
		snprintf(why, whysize, "no DWARF debug information (build with -g)");
		close(fd);
		return -1;
	}
	struct object o = { .path = xstrdup(path), .dev = st.st_dev, .ino = st.st_ino,
			    .flags = is_main ? COZ_OBJECT_MAIN : 0, .first = t->ranges.n };
	vec_push(&t->objs, o);
	Dwarf_Off off = 0, next;
	size_t hsize;
	while (dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu;
		if (dwarf_offdie(dw, off + hsize, &cu))
			coz_cu_add(t, &cu, (const char *)cu.addr + (next - off - hsize), scope);
		off = next;
	}
	dwarf_end(dw);
	close(fd);
	finish_object(t);
	long n = (long)t->objs.v[t->objs.n - 1].n;
	if (!n)
		free(t->objs.v[--t->objs.n].path);
	return n;
}

struct coz_linetab *coz_linetab_build(const char *path, char *const *scopes, size_t n, char *why, size_t whysize)
{
	struct coz_linetab *t = coz_linetab_new();
	struct coz_scope s = { scopes, n };
	long got = coz_linetab_add(t, path, true, &s, why, whysize);
	if (got <= 0) {
		if (!got)
			snprintf(why, whysize, "no source line in scope");
		coz_linetab_free(t);
		return NULL;
	}
	return t;
}

size_t coz_linetab_nlines(const struct coz_linetab *t) { return t->lines.n; }
size_t coz_linetab_nobjects(const struct coz_linetab *t) { return t->objs.n; }

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

int coz_linetab_write(const struct coz_linetab *t, int fd)
{
	size_t strbytes = t->strbytes;
	for (size_t i = 0; i < t->objs.n; i++)
		strbytes += strlen(t->objs.v[i].path) + 1;
	if (t->objs.n > COZ_MAX_OBJECTS || t->ranges.n > UINT32_MAX || strbytes > UINT32_MAX) {
		errno = EFBIG;
		return -1;
	}
	struct coz_lines_header h = { COZ_LINES_MAGIC, (uint32_t)t->objs.n, (uint32_t)t->ranges.n,
				      (uint32_t)t->lines.n, (uint32_t)strbytes };
	if (write_all(fd, &h, sizeof(h)))
		return -1;
	size_t path_off = t->strbytes;
	for (size_t i = 0; i < t->objs.n; i++) {
		const struct object *o = &t->objs.v[i];
		struct coz_object w = { o->dev, o->ino, o->lo, o->hi, (uint32_t)path_off, o->flags,
					(uint32_t)o->first, (uint32_t)o->n };
		path_off += strlen(o->path) + 1;
		if (write_all(fd, &w, sizeof(w)))
			return -1;
	}
	if (write_all(fd, t->ranges.v, t->ranges.n * sizeof(*t->ranges.v)))
		return -1;
	for (size_t i = 0; i < t->lines.n; i++) {
		struct coz_line l = { t->file_off.v[t->lines.v[i].file], t->lines.v[i].line };
		if (write_all(fd, &l, sizeof(l)))
			return -1;
	}
	for (size_t i = 0; i < t->files.n; i++)
		if (write_all(fd, interned(&t->files, (uint32_t)i), strlen(interned(&t->files, (uint32_t)i)) + 1))
			return -1;
	for (size_t i = 0; i < t->objs.n; i++)
		if (write_all(fd, t->objs.v[i].path, strlen(t->objs.v[i].path) + 1))
			return -1;
	return 0;
}

void coz_linetab_free(struct coz_linetab *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->objs.n; i++)
		free(t->objs.v[i].path);
	free(t->objs.v);
	free(t->ranges.v);
	free(t->lines.v);
	free(t->file_off.v);
	interner_free(&t->files);
	u64map_free(&t->line_ids);
	free(t);
}
