#include "binary/perfmap.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/die.h"
#include "util/hashmap.h"
#include "util/strbuf.h"
#include "util/vec.h"

/* Nobody's map is bigger; a bigger one is not a map. */
#define PERFMAP_MAX_BYTES (256u << 20)
#define PERFMAP_MAX_NAME 4096

static bool hex_field(const char **p, const char *end, uint64_t *out)
{
	const char *s = *p;
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	if (end - s > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	uint64_t v = 0;
	const char *digits = s;
	for (; s < end; s++) {
		int d = *s >= '0' && *s <= '9' ? *s - '0'
			: *s >= 'a' && *s <= 'f' ? *s - 'a' + 10
			: *s >= 'A' && *s <= 'F' ? *s - 'A' + 10
						   : -1;
		if (d < 0)
			break;
		if (v >> 60)
			return false; /* more than 64 bits */
		v = v << 4 | (uint64_t)d;
	}
	if (s == digits || s == end || (*s != ' ' && *s != '\t'))
		return false;
	*p = s;
	*out = v;
	return true;
}

static int cmp_start(const void *a, const void *b)
{
	const struct perfmap_sym *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->name < y->name ? -1 : x->name > y->name; /* later line last */
}

void perfmap_parse(struct perfmap *m, const char *text, size_t len)
{
	memset(m, 0, sizeof(*m));
	size_t cap = 0;
	const char *p = text, *end = text + len;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		const char *s = p;
		p = eol + 1;
		uint64_t start, size;
		if (!hex_field(&s, eol, &start) || !hex_field(&s, eol, &size) || !size || start + size < start)
			continue;
		while (s < eol && (*s == ' ' || *s == '\t'))
			s++;
		size_t n = (size_t)(eol - s);
		while (n && (s[n - 1] == '\r' || s[n - 1] == ' '))
			n--;
		if (!n)
			continue;
		if (n > PERFMAP_MAX_NAME)
			n = PERFMAP_MAX_NAME;
		if (m->n == cap) {
			cap = cap ? cap * 2 : 64;
			m->syms = xrealloc(m->syms, cap * sizeof(*m->syms));
		}
		m->syms[m->n++] = (struct perfmap_sym){ start, start + size,
							strtab_add(&m->names, &m->names_len, &m->names_cap, s, n) };
	}
	if (!m->n)
		return;
	qsort(m->syms, m->n, sizeof(*m->syms), cmp_start);
	/* One entry per start, the last written; overlaps cut at the next start. */
	size_t out = 0;
	for (size_t i = 0; i < m->n; i++) {
		if (out && m->syms[out - 1].start == m->syms[i].start)
			out--;
		m->syms[out++] = m->syms[i];
	}
	m->n = out;
	for (size_t i = 0; i + 1 < m->n; i++)
		if (m->syms[i].end > m->syms[i + 1].start)
			m->syms[i].end = m->syms[i + 1].start;
}

int perfmap_load(struct perfmap *m, uint32_t pid)
{
	memset(m, 0, sizeof(*m));
	const char *dir = getenv("SONDE_PERF_MAP_DIR");
	char path[4096];
	snprintf(path, sizeof(path), "%s/perf-%u.map", dir && *dir ? dir : "/tmp", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -1;
	struct stat st;
	/* Another user's map in a shared /tmp could name our frames: refused,
	 * as perf refuses it. */
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (st.st_uid != getuid() && st.st_uid != 0) ||
	    (uint64_t)st.st_size > PERFMAP_MAX_BYTES) {
		close(fd);
		return -1;
	}
	size_t len = (size_t)st.st_size, got = 0;
	char *text = xmalloc(len + 1);
	while (got < len) {
		ssize_t r = read(fd, text + got, len - got);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	perfmap_parse(m, text, got);
	free(text);
	return 0;
}

const char *perfmap_find(const struct perfmap *m, uint64_t addr)
{
	size_t lo = 0, hi = m->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->syms[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || addr >= m->syms[lo - 1].end)
		return NULL;
	return m->names + m->syms[lo - 1].name;
}

void perfmap_free(struct perfmap *m)
{
	free(m->syms);
	free(m->names);
	memset(m, 0, sizeof(*m));
}

struct perfmaps {
	struct u64map index; /* pid -> 1 + index into maps */
	VEC(struct perfmap) maps;
};

struct perfmaps *perfmaps_new(void)
{
	return xcalloc(1, sizeof(struct perfmaps));
}

const char *perfmaps_find(struct perfmaps *ms, uint32_t pid, uint64_t addr)
{
	bool fresh;
	uint64_t *slot = u64map_upsert(&ms->index, pid, 0, &fresh);
	if (fresh) {
		struct perfmap m;
		if (perfmap_load(&m, pid) < 0)
			memset(&m, 0, sizeof(m)); /* none: asked once all the same */
		vec_push(&ms->maps, m);
		*slot = ms->maps.n;
	}
	return perfmap_find(&ms->maps.v[*slot - 1], addr);
}

void perfmaps_free(struct perfmaps *ms)
{
	if (!ms)
		return;
	for (size_t i = 0; i < ms->maps.n; i++)
		perfmap_free(&ms->maps.v[i]);
	vec_free(&ms->maps);
	u64map_free(&ms->index);
	free(ms);
}

bool perfmap_anon_name(const char *path)
{
	return !strcmp(path, "//anon") || !strncmp(path, "[anon", 5) || !strncmp(path, "/memfd:", 7) ||
	       !strcmp(path, "/anon_hugepage") || !strncmp(path, "/anon_hugepage ", 15);
}
