/* The line table (src/proto/coz_lines.h) mapped read-only from the fd
 * sonde passed; lookups are a binary search, safe in a signal handler. */
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "coz_lines.h"
#include "coz_rt.h"

static const struct coz_range *ranges;
static const struct coz_line *lines;
static const char *strs;
static uint32_t nranges, nlines, strbytes;
static uint64_t bias; /* the main program's load bias (PIE) */

static int first_object(struct dl_phdr_info *info, size_t size, void *data)
{
	bias = info->dlpi_addr; /* the first object is the main program */
	return 1;
}

bool coz_table_load(void)
{
	const char *s = getenv(COZ_ENV_TABLE_FD);
	if (!s)
		return false;
	int fd = atoi(s);
	struct stat st;
	if (fstat(fd, &st) < 0 || (size_t)st.st_size < sizeof(struct coz_lines_header))
		return false;
	void *m = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd); /* the target must not see it */
	if (m == MAP_FAILED)
		return false;
	const struct coz_lines_header *h = m;
	size_t need = sizeof(*h) + (size_t)h->nranges * sizeof(*ranges) + (size_t)h->nlines * sizeof(*lines) +
		      h->strbytes;
	if (h->magic != COZ_LINES_MAGIC || need > (size_t)st.st_size)
		return false;
	nranges = h->nranges;
	nlines = h->nlines;
	strbytes = h->strbytes;
	ranges = (const void *)(h + 1);
	lines = (const void *)(ranges + nranges);
	strs = (const char *)(lines + nlines);
	dl_iterate_phdr(first_object, NULL);
	return true;
}

int32_t coz_table_line(uint64_t addr)
{
	addr -= bias;
	uint32_t lo = 0, hi = nranges; /* the last range with lo <= addr */
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (ranges[mid].lo <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || addr >= ranges[lo - 1].hi)
		return -1;
	return (int32_t)ranges[lo - 1].line;
}

uint32_t coz_table_nlines(void) { return nlines; }

void coz_table_name(uint32_t line, char *buf, size_t size)
{
	const struct coz_line *l = &lines[line];
	snprintf(buf, size, "%s:%u", l->file < strbytes ? strs + l->file : "?", l->line);
}
