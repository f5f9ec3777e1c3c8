/* cachegrind.out -> struct cg_data (see cg_read.h). Every malformed
 * input ends in one error line naming the file and line; nothing in a
 * hostile file can make the reader crash or take unbounded memory per
 * line beyond the line itself. */
#include "cachegrind/cg_read.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/die.h"
#include "util/lines.h"

struct rd {
	struct cg_data *d;
	const char *name;
	char *err;
	size_t errlen;
	bool failed, header_done, have_cmd, have_events;
	uint32_t file;          /* current fl= string id */
	int64_t fn;             /* current function index, -1 before fn= */
	struct u64map fn_index; /* file << 32 | name -> function index */
	struct u64map line_index; /* function << 32 | line -> line index */
};

SONDE_PRINTF(3, 4) static void fail(struct rd *r, uint64_t lineno, const char *fmt, ...)
{
	if (r->failed)
		return;
	r->failed = true;
	int n = snprintf(r->err, r->errlen, "%s:%" PRIu64 ": ", r->name, lineno);
	if (n < 0 || (size_t)n >= r->errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->err + n, r->errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* s (len bytes) starts with `key`; *rest is what follows it and its blanks. */
static bool keyword(const char *s, size_t len, const char *key, const char **rest, const char *end)
{
	size_t k = strlen(key);
	if (len < k || memcmp(s, key, k))
		return false;
	const char *p = s + k;
	while (p < end && is_ws(*p))
		p++;
	*rest = p;
	return true;
}

/* One count: -?digits or "."; false when it is neither or out of range. */
static bool parse_count(const char *s, size_t n, int64_t *v, bool *none)
{
	if (n == 1 && s[0] == '.') {
		*none = true;
		*v = 0;
		return true;
	}
	*none = false;
	bool neg = s[0] == '-';
	size_t i = neg;
	if (i == n)
		return false;
	uint64_t u = 0;
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		if (__builtin_mul_overflow(u, 10, &u) || __builtin_add_overflow(u, (uint64_t)(s[i] - '0'), &u))
			return false;
	}
	if (neg ? u > (uint64_t)INT64_MAX + 1 : u > (uint64_t)INT64_MAX)
		return false;
	*v = neg ? (int64_t)(0 - u) : (int64_t)u;
	return true;
}

/* The counts of [p, end) into l (none bits for "." and missing ones).
 * Returns false (after fail) on a bad count or too many. */
static bool parse_counts(struct rd *r, uint64_t lineno, const char *p, const char *end, struct cg_line *l,
			 uint32_t *ntok)
{
	uint32_t n = 0, ne = r->d->n_events;
	l->none = (uint16_t)((1u << ne) - 1);
	for (uint32_t i = 0; i < ne; i++)
		l->c[i] = CG_NONE;
	for (;;) {
		while (p < end && is_ws(*p))
			p++;
		if (ntok)
			*ntok = n;
		if (p == end)
			return true;
		const char *t = p;
		while (p < end && !is_ws(*p))
			p++;
		if (n == ne) {
			fail(r, lineno, "too many event counts (the events: line has %u)", ne);
			return false;
		}
		int64_t v;
		bool none;
		if (!parse_count(t, (size_t)(p - t), &v, &none)) {
			fail(r, lineno, "bad count '%.*s'", (int)(p - t > 40 ? 40 : p - t), t);
			return false;
		}
		if (!none) {
			l->c[n] = (uint64_t)v;
			l->none &= (uint16_t)~(1u << n);
		}
		n++;
	}
}

void cg_line_add(struct cg_line *a, const struct cg_line *b, uint32_t n_events)
{
	for (uint32_t i = 0; i < n_events; i++) {
		if (b->none >> i & 1)
			continue;
		int64_t s = cg_sat_add(cg_count(a, i), (int64_t)b->c[i]);
		a->c[i] = (uint64_t)s;
		a->none &= (uint16_t)~(1u << i);
	}
}

static void set_function(struct rd *r, const char *name, size_t len)
{
	struct cg_data *d = r->d;
	uint32_t id = intern_n(&d->strs, name, len);
	bool fresh;
	uint64_t *slot = u64map_upsert(&r->fn_index, (uint64_t)r->file << 32 | id, d->fns.n, &fresh);
	if (fresh) {
		struct cg_fn f = { .file = r->file, .name = id };
		vec_push(&d->fns, f);
	}
	r->fn = (int64_t)*slot;
}

static void count_line(struct rd *r, uint64_t lineno, const char *s, const char *end)
{
	const char *p = s;
	uint64_t ln = 0;
	for (; p < end && *p >= '0' && *p <= '9'; p++)
		if (__builtin_mul_overflow(ln, 10, &ln) || __builtin_add_overflow(ln, (uint64_t)(*p - '0'), &ln) ||
		    ln > UINT32_MAX)
			return fail(r, lineno, "line number out of range");
	if (p < end && !is_ws(*p))
		return fail(r, lineno, "malformed line");
	if (r->fn < 0)
		return fail(r, lineno, "counts before any fn= line");
	struct cg_line l = { .line = (uint32_t)ln };
	if (!parse_counts(r, lineno, p, end, &l, NULL))
		return;
	struct cg_data *d = r->d;
	struct cg_fn *f = &d->fns.v[r->fn];
	bool fresh;
	uint64_t *slot = u64map_upsert(&r->line_index, (uint64_t)r->fn << 32 | ln, f->lines.n, &fresh);
	if (fresh)
		vec_push(&f->lines, l);
	else
		cg_line_add(&f->lines.v[*slot], &l, d->n_events);
}

static void header_line(struct rd *r, const char *s, size_t len, uint64_t lineno)
{
	struct cg_data *d = r->d;
	const char *end = s + len, *rest;
	if (!r->have_cmd && keyword(s, len, "desc:", &rest, end)) {
		vec_push(&d->desc, xstrndup(rest, (size_t)(end - rest)));
	} else if (!r->have_cmd) {
		if (!keyword(s, len, "cmd:", &rest, end))
			return fail(r, lineno, "missing the cmd: line");
		d->cmd = xstrndup(rest, (size_t)(end - rest));
		r->have_cmd = true;
	} else {
		if (!keyword(s, len, "events:", &rest, end))
			return fail(r, lineno, "missing the events: line");
		d->events_line = xstrndup(s, len);
		for (const char *p = rest; p < end;) {
			const char *t = p;
			while (p < end && !is_ws(*p))
				p++;
			if (d->n_events == CG_MAX_EVENTS)
				return fail(r, lineno, "more than %d events", CG_MAX_EVENTS);
			d->events[d->n_events++] = xstrndup(t, (size_t)(p - t));
			while (p < end && is_ws(*p))
				p++;
		}
		if (!d->n_events)
			return fail(r, lineno, "no events on the events: line");
		r->header_done = true;
	}
}

static void body_line(struct rd *r, const char *s, size_t len, uint64_t lineno)
{
	const char *end = s + len, *rest;
	if (*s >= '0' && *s <= '9')
		return count_line(r, lineno, s, end);
	if (len >= 3 && !memcmp(s, "fn=", 3))
		return set_function(r, s + 3, len - 3);
	if (len >= 3 && !memcmp(s, "fl=", 3)) {
		r->file = intern_n(&r->d->strs, s + 3, len - 3);
		r->fn = -1; /* a fn= follows */
		return;
	}
	if (keyword(s, len, "summary:", &rest, end)) {
		struct cg_line l = { 0 };
		uint32_t ntok = 0;
		if (!parse_counts(r, lineno, rest, end, &l, &ntok))
			return;
		for (uint32_t i = 0; i < r->d->n_events; i++)
			r->d->summary[i] = (uint64_t)cg_count(&l, i);
		/* "." in the summary prints as "." (cg_annotate 3.19); missing counts are 0 */
		r->d->summary_none = (uint16_t)(l.none & ((1u << ntok) - 1));
		r->d->has_summary = true;
		return;
	}
	fail(r, lineno, "malformed line");
}

static void one_line(void *ctx, const char *s, size_t len, uint64_t lineno)
{
	struct rd *r = ctx;
	if (r->failed)
		return;
	if (memchr(s, 0, len))
		return fail(r, lineno, "binary data (a NUL byte)");
	if (len && s[len - 1] == '\r')
		len--;
	size_t k = 0;
	while (k < len && is_ws(s[k]))
		k++;
	if (k == len || s[0] == '#') /* blank lines and comments */
		return;
	if (!r->header_done)
		header_line(r, s, len, lineno);
	else
		body_line(r, s, len, lineno);
}

int cg_read_stream(FILE *in, const char *name, struct cg_data *d, char *err, size_t errlen)
{
	struct rd r = { .d = d, .name = name, .err = err, .errlen = errlen, .fn = -1 };
	r.file = intern(&d->strs, "???");
	uint64_t stop = 0;
	int64_t n = for_each_line(in, 0, one_line, &r, &stop);
	if (n < 0 && !r.failed) {
		char buf[128];
		int e = errno;
		r.failed = true;
		snprintf(err, errlen, "%s: %s", name, lines_strerror(e, stop, buf, sizeof(buf)));
	}
	if (!r.failed && !r.header_done)
		fail(&r, (uint64_t)n + 1, r.have_cmd ? "missing the events: line" : "missing the cmd: line");
	if (!r.failed && !d->has_summary)
		fail(&r, (uint64_t)n + 1, "missing the summary: line");
	if (!r.failed) {
		int64_t sum[CG_MAX_EVENTS] = { 0 };
		for (size_t f = 0; f < d->fns.n; f++)
			for (size_t j = 0; j < d->fns.v[f].lines.n; j++)
				for (uint32_t i = 0; i < d->n_events; i++)
					sum[i] = cg_sat_add(sum[i], cg_count(&d->fns.v[f].lines.v[j], i));
		for (uint32_t i = 0; i < d->n_events; i++)
			if ((uint64_t)sum[i] != d->summary[i]) {
				fail(&r, (uint64_t)n, "`summary:` line doesn't match computed total (%s: %" PRId64
				     " stated, %" PRId64 " summed)", d->events[i], (int64_t)d->summary[i], sum[i]);
				break;
			}
	}
	u64map_free(&r.fn_index);
	u64map_free(&r.line_index);
	return r.failed ? -1 : 0;
}

int cg_read_file(const char *path, struct cg_data *d, char *err, size_t errlen)
{
	FILE *f = fopen(path, "re");
	if (!f) {
		snprintf(err, errlen, "cannot open '%s': %s", path, strerror(errno));
		return -1;
	}
	int rc = cg_read_stream(f, path, d, err, errlen);
	fclose(f);
	return rc;
}

void cg_data_free(struct cg_data *d)
{
	for (size_t i = 0; i < d->desc.n; i++)
		free(d->desc.v[i]);
	vec_free(&d->desc);
	for (uint32_t i = 0; i < d->n_events; i++)
		free(d->events[i]);
	for (size_t i = 0; i < d->fns.n; i++)
		vec_free(&d->fns.v[i].lines);
	vec_free(&d->fns);
	free(d->cmd);
	free(d->events_line);
	interner_free(&d->strs);
	memset(d, 0, sizeof(*d));
}
