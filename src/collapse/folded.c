/* Folded stacks: a hash map from stack text to count, sorting, writing, and
 * a tolerant reader ("stack COUNT" or "stack A B" lines). */
#include "collapse/folded.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/die.h"
#include "util/lines.h"
#include "util/satadd.h"

void folded_init(struct folded_set *s)
{
	memset(s, 0, sizeof(*s));
}

void folded_free(struct folded_set *s)
{
	for (size_t i = 0; i < s->v.n; i++)
		free(s->v.v[i].stack);
	vec_free(&s->v);
	u64map_free(&s->index);
	memset(s, 0, sizeof(*s));
}

/* Puts entry i (not in it yet) into the index. */
static void index_entry(struct folded_set *s, size_t i)
{
	uint64_t key = folded_hash(s->v.v[i].stack, s->v.v[i].len);
	for (;;) {
		bool inserted;
		u64map_upsert(&s->index, key, i, &inserted);
		if (inserted)
			return;
		key = hash_u64(key + 0x632be59bd9b4e019ULL);
	}
}

void folded_add_new(struct folded_set *s, char *stack, size_t len, uint64_t count)
{
	s->total = sat_add(s->total, count, &s->capped);
	struct folded_entry e = { stack, len, count };
	vec_push(&s->v, e);
}

void folded_add(struct folded_set *s, const char *stack, size_t len, uint64_t count)
{
	while (s->index.n < s->v.n) /* after folded_add_new, folded_sort */
		index_entry(s, s->index.n);
	uint64_t key = folded_hash(stack, len);
	s->total = sat_add(s->total, count, &s->capped);
	for (;;) {
		bool inserted;
		uint64_t *slot = u64map_upsert(&s->index, key, s->v.n, &inserted);
		if (inserted) {
			struct folded_entry e = { xmalloc(len + 1), len, count };
			if (len)
				memcpy(e.stack, stack, len);
			e.stack[len] = 0;
			vec_push(&s->v, e);
			return;
		}
		struct folded_entry *e = &s->v.v[*slot];
		if (e->len == len && (!len || !memcmp(e->stack, stack, len))) {
			e->count = sat_add(e->count, count, &s->capped);
			return;
		}
		key = hash_u64(key + 0x632be59bd9b4e019ULL); /* 64-bit collision: probe on */
	}
}

static int entry_cmp(const void *a, const void *b)
{
	const struct folded_entry *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->stack, y->stack, n);
	if (c)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

void folded_sort(struct folded_set *s)
{
	if (s->v.n > 1)
		qsort(s->v.v, s->v.n, sizeof(*s->v.v), entry_cmp);
	/* entry indices moved: the index is rebuilt when next needed (a
	 * sorted set is mostly written, not added to) */
	u64map_free(&s->index);
	memset(&s->index, 0, sizeof(s->index));
}

int folded_write(FILE *out, const struct folded_set *s)
{
	char num[24];
	for (size_t i = 0; i < s->v.n; i++) {
		const struct folded_entry *e = &s->v.v[i];
		int k = sizeof(num);
		uint64_t c = e->count;
		num[--k] = '\n';
		do {
			num[--k] = (char)('0' + c % 10);
			c /= 10;
		} while (c);
		num[--k] = ' ';
		if (fwrite(e->stack, 1, e->len, out) != e->len ||
		    fwrite(num + k, 1, sizeof(num) - k, out) != sizeof(num) - (size_t)k)
			return -1;
	}
	return fflush(out) ? -1 : 0;
}

/* ---- reading ---- */

static bool is_blank(char c) { return c == ' ' || c == '\t'; }

/* A count: digits, optionally ".digits" (flamegraph.pl accepts fractions;
 * they are rounded). Returns false if [p, p+n) is not one. */
static bool parse_count(const char *p, size_t n, uint64_t *out, bool *capped)
{
	uint64_t v = 0;
	size_t i = 0;
	if (!n)
		return false;
	for (; i < n && p[i] >= '0' && p[i] <= '9'; i++) {
		uint64_t d = (uint64_t)(p[i] - '0');
		if (v > (UINT64_MAX - d) / 10) { /* 2^64 or more: the most there is */
			v = UINT64_MAX;
			*capped = true;
		} else {
			v = v * 10 + d;
		}
	}
	if (i == 0)
		return false;
	if (i < n) {
		if (p[i] != '.')
			return false;
		bool up = i + 1 < n && p[i + 1] >= '5' && p[i + 1] <= '9';
		for (size_t j = i + 1; j < n; j++)
			if (p[j] < '0' || p[j] > '9')
				return false;
		if (up && v < UINT64_MAX)
			v++;
	}
	*out = v;
	return true;
}

/* Splits "text<blanks>NUMBER" at the last blank run: *val gets the
 * number, the return value is the length of the text before the blanks
 * (or (size_t)-1 when there is no blank or the token is not a count). */
static size_t split_count(const char *p, size_t n, uint64_t *val, bool *capped)
{
	size_t j = n;
	while (j > 0 && !is_blank(p[j - 1]))
		j--;
	if (j == 0 || !parse_count(p + j, n - j, val, capped))
		return (size_t)-1;
	while (j > 0 && is_blank(p[j - 1]))
		j--;
	return j;
}

static void bad_line(struct folded_read_stats *st, uint64_t lineno)
{
	st->bad_lines++;
	if (!st->first_bad_line)
		st->first_bad_line = lineno;
}

static void read_line(const char *p, size_t n, uint64_t lineno, struct folded_set *s,
		      struct folded_set *s2, struct folded_read_stats *st)
{
	while (n > 0 && (is_blank(p[n - 1]) || p[n - 1] == '\r'))
		n--;
	if (n == 0)
		return;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c < 0x20 && c != '\t') { /* NUL, binary junk */
			bad_line(st, lineno);
			return;
		}
	}
	uint64_t b, a;
	bool capped = false;
	size_t len = split_count(p, n, &b, &capped);
	if (len == (size_t)-1 || len == 0) {
		bad_line(st, lineno);
		return;
	}
	size_t len2 = split_count(p, len, &a, &capped);
	s->capped |= capped;
	if (len2 != (size_t)-1 && len2 > 0) { /* "stack A B" */
		folded_add(s, p, len2, a);
		if (s2)
			folded_add(s2, p, len2, b);
		return;
	}
	folded_add(s, p, len, b);
}

struct read_ctx {
	struct folded_set *s, *s2;
	struct folded_read_stats *st;
};

static void read_line_cb(void *ctx, const char *line, size_t len, uint64_t lineno)
{
	struct read_ctx *rc = ctx;
	read_line(line, len, lineno, rc->s, rc->s2, rc->st);
}

int folded_read(FILE *in, struct folded_set *s, struct folded_set *s2, struct folded_read_stats *st)
{
	struct folded_read_stats dummy;
	if (!st)
		st = &dummy;
	memset(st, 0, sizeof(*st));
	struct read_ctx rc = { s, s2, st };
	int64_t n = for_each_line(in, 1 << 20, read_line_cb, &rc, &st->stop_offset);
	if (n < 0)
		return -1;
	st->lines = (uint64_t)n;
	return 0;
}
