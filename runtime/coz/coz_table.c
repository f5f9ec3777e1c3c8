/* The line table (src/proto/coz_lines.h) mapped read-only from the fd
 * sonde passed, checked before use (the sizes, each object's slice, and
 * every index at lookup). Each object's load bias comes from
 * dl_iterate_phdr, again after dlopen/dlclose (coz_dlopen.c); lookups are
 * a scan of the objects and a binary search, safe in a signal handler:
 * no locks, no allocation, only atomic reads of the biases. */
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "coz_lines.h"
#include "coz_rt.h"

static const struct coz_object *objects;
static const struct coz_range *ranges;
static const struct coz_line *lines;
static const char *strs;
static uint32_t nobjects, nranges, nlines, strbytes;
/* per object: loaded (atomic, set after bias) and its load bias */
static int loaded[COZ_MAX_OBJECTS];
static uint64_t bias[COZ_MAX_OBJECTS];
static int rescanning, pending; /* atomic flags (coz_table_rescan) */
static void *mapped; /* the table loaded last (tests load several) */
static size_t mapped_size;

static bool valid(const struct coz_lines_header *h, size_t size)
{
	if (size < sizeof(*h) || h->magic != COZ_LINES_MAGIC || h->nobjects > COZ_MAX_OBJECTS)
		return false;
	size_t need = sizeof(*h) + (size_t)h->nobjects * sizeof(*objects) + (size_t)h->nranges * sizeof(*ranges) +
		      (size_t)h->nlines * sizeof(*lines) + h->strbytes;
	if (need > size || (h->strbytes && ((const char *)h)[need - 1] != 0))
		return false;
	const struct coz_object *o = (const void *)(h + 1);
	for (uint32_t i = 0; i < h->nobjects; i++)
		if (o[i].first > h->nranges || o[i].nranges > h->nranges - o[i].first || o[i].path >= h->strbytes)
			return false;
	return true;
}

bool coz_table_load(void)
{
	const char *s = getenv(COZ_ENV_TABLE_FD);
	if (!s)
		return false;
	int fd = atoi(s);
	struct stat st;
	if (fd <= 2) /* never the program's standard streams */
		return false;
	if (fstat(fd, &st) < 0 || st.st_size <= 0) {
		close(fd);
		return false;
	}
	void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd); /* the target must not see it */
	if (m == MAP_FAILED)
		return false;
	const struct coz_lines_header *h = m;
	if (!valid(h, (size_t)st.st_size)) {
		munmap(m, (size_t)st.st_size);
		return false;
	}
	void *old = mapped;
	size_t old_size = mapped_size;
	mapped = m;
	mapped_size = (size_t)st.st_size;
	nobjects = 0; /* loaded once before sampling; again only in tests */
	nranges = h->nranges;
	nlines = h->nlines;
	strbytes = h->strbytes;
	objects = (const void *)(h + 1);
	ranges = (const void *)(objects + h->nobjects);
	lines = (const void *)(ranges + nranges);
	strs = (const char *)(lines + nlines);
	for (uint32_t i = 0; i < COZ_MAX_OBJECTS; i++)
		loaded[i] = 0;
	nobjects = h->nobjects;
	if (old)
		munmap(old, old_size);
	coz_table_rescan();
	return true;
}

struct scan {
	bool seen[COZ_MAX_OBJECTS];
	uint64_t bias[COZ_MAX_OBJECTS];
	bool first;
};

/* The loader's name of a library is not always the path sonde read
 * (symlinks, ".."): the file's identity decides, the path as a fallback. */
static int scan_object(struct dl_phdr_info *info, size_t size, void *data)
{
	struct scan *sc = data;
	bool is_main = sc->first;
	sc->first = false;
	struct stat st;
	bool have = !is_main && info->dlpi_name && info->dlpi_name[0] && stat(info->dlpi_name, &st) == 0;
	for (uint32_t i = 0; i < nobjects; i++) {
		const struct coz_object *o = &objects[i];
		bool match = is_main ? (o->flags & COZ_OBJECT_MAIN) != 0
				     : !(o->flags & COZ_OBJECT_MAIN) && info->dlpi_name &&
						((have && st.st_dev == o->dev && st.st_ino == o->ino) ||
						 !strcmp(info->dlpi_name, strs + o->path));
		if (match && !sc->seen[i]) {
			sc->seen[i] = true;
			sc->bias[i] = info->dlpi_addr;
		}
	}
	return 0;
}

static void rescan(void)
{
	struct scan sc = { .first = true };
	dl_iterate_phdr(scan_object, &sc);
	for (uint32_t i = 0; i < nobjects; i++) {
		bool was = __atomic_load_n(&loaded[i], __ATOMIC_RELAXED);
		if (!sc.seen[i] || (was && bias[i] != sc.bias[i]))
			__atomic_store_n(&loaded[i], 0, __ATOMIC_RELEASE);
		if (sc.seen[i]) {
			__atomic_store_n(&bias[i], sc.bias[i], __ATOMIC_RELAXED);
			__atomic_store_n(&loaded[i], 1, __ATOMIC_RELEASE);
		}
	}
}

/* One scanner at a time, without a lock a fork could leave taken: a
 * caller that finds another scanning leaves it a request to scan again. */
void coz_table_rescan(void)
{
	if (!nobjects)
		return;
	__atomic_store_n(&pending, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&pending, __ATOMIC_SEQ_CST) && !__atomic_exchange_n(&rescanning, 1, __ATOMIC_SEQ_CST)) {
		while (__atomic_exchange_n(&pending, 0, __ATOMIC_SEQ_CST))
			rescan();
		__atomic_store_n(&rescanning, 0, __ATOMIC_SEQ_CST);
	}
}

int32_t coz_table_line(uint64_t addr)
{
	for (uint32_t i = 0; i < nobjects; i++) {
		if (!__atomic_load_n(&loaded[i], __ATOMIC_ACQUIRE))
			continue;
		const struct coz_object *o = &objects[i];
		uint64_t a = addr - __atomic_load_n(&bias[i], __ATOMIC_RELAXED);
		if (a < o->lo || a >= o->hi)
			continue;
		const struct coz_range *r = ranges + o->first;
		uint32_t lo = 0, hi = o->nranges; /* the last range with lo <= a */
		while (lo < hi) {
			uint32_t mid = lo + (hi - lo) / 2;
			if (r[mid].lo <= a)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo && a < r[lo - 1].hi && r[lo - 1].line < nlines)
			return (int32_t)r[lo - 1].line;
	}
	return -1;
}

uint32_t coz_table_nlines(void) { return nlines; }

void coz_table_name(uint32_t line, char *buf, size_t size)
{
	const struct coz_line *l = line < nlines ? &lines[line] : NULL;
	snprintf(buf, size, "%s:%u", l && l->file < strbytes ? strs + l->file : "?", l ? l->line : 0);
}
