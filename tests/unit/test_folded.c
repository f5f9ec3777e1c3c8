/* folded_set: add, sort, write, read (malformed lines, long lines, NULs,
 * CRLF, two counts). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collapse/folded.h"
#include "unit.h"

static char *write_str(const struct folded_set *s)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	folded_write(f, s);
	fclose(f);
	return buf;
}

static void read_str(const char *text, size_t len, struct folded_set *s, struct folded_set *s2,
		     struct folded_read_stats *st)
{
	FILE *f = fmemopen((void *)text, len, "r");
	folded_read(f, s, s2, st);
	fclose(f);
}

static void test_add_sort_write(void)
{
	struct folded_set s;
	folded_init(&s);
	folded_add(&s, "b;c", 3, 2);
	folded_add(&s, "a;b;c", 5, 1);
	folded_add(&s, "a;bXXX", 3, 4); /* only "a;b" */
	folded_add(&s, "b;c", 3, 5);
	folded_add(&s, "a", 1, 1);
	CHECK_INT(s.v.n, 4);
	CHECK_INT(s.total, 13);
	folded_sort(&s);
	char *out = write_str(&s);
	CHECK_STR(out, "a 1\na;b 4\na;b;c 1\nb;c 7\n");
	free(out);
	/* the index still works after sorting */
	folded_add(&s, "a;b", 3, 1);
	CHECK_INT(s.v.n, 4);
	CHECK_INT(s.v.v[1].count, 5);
	folded_free(&s);
}

static void test_many(void)
{
	struct folded_set s;
	folded_init(&s);
	char buf[64];
	for (int round = 0; round < 2; round++)
		for (int i = 0; i < 20000; i++) {
			int n = snprintf(buf, sizeof(buf), "main;f%d;g", i);
			folded_add(&s, buf, (size_t)n, 1);
		}
	CHECK_INT(s.v.n, 20000);
	for (size_t i = 0; i < s.v.n; i++)
		CHECK_INT(s.v.v[i].count, 2);
	folded_sort(&s);
	for (size_t i = 1; i < s.v.n; i++)
		CHECK(strcmp(s.v.v[i - 1].stack, s.v.v[i].stack) < 0);
	folded_free(&s);
}

static void test_read_basic(void)
{
	static const char text[] = "a;b 3\n\na;b 2\r\nc d;e 10  \n  \nx;y 1.6\n";
	struct folded_set s;
	struct folded_read_stats st;
	folded_init(&s);
	read_str(text, sizeof(text) - 1, &s, NULL, &st);
	CHECK_INT(st.bad_lines, 0);
	CHECK_INT(st.lines, 6);
	folded_sort(&s);
	char *out = write_str(&s);
	CHECK_STR(out, "a;b 5\nc d;e 10\nx;y 2\n");
	free(out);
	folded_free(&s);
}

static void test_read_malformed(void)
{
	static const char text[] = "good 1\nnocount\nbad x12\n 5\n12\ngood 2\nbin\001ary 3\nlast 4";
	struct folded_set s;
	struct folded_read_stats st;
	folded_init(&s);
	read_str(text, sizeof(text) - 1, &s, NULL, &st);
	CHECK_INT(st.bad_lines, 5);
	CHECK_INT(st.first_bad_line, 2);
	CHECK_INT(st.lines, 8);
	folded_sort(&s);
	char *out = write_str(&s);
	CHECK_STR(out, "good 3\nlast 4\n");
	free(out);
	folded_free(&s);
}

static void test_read_nul(void)
{
	static const char text[] = "ok 1\nnul\0here 2\nok 1\n";
	struct folded_set s;
	struct folded_read_stats st;
	folded_init(&s);
	read_str(text, sizeof(text) - 1, &s, NULL, &st);
	CHECK_INT(st.bad_lines, 1);
	CHECK_INT(st.first_bad_line, 2);
	CHECK_INT(s.v.n, 1);
	CHECK_INT(s.v.v[0].count, 2);
	folded_free(&s);
}

static void test_read_long_line(void)
{
	size_t n = 3 << 20; /* 3 MB, beyond the 1 MB read buffer */
	char *text = malloc(n + 64);
	strcpy(text, "short 1\n");
	size_t o = strlen(text);
	for (size_t i = 0; i < n; i++)
		text[o++] = i % 10 == 9 ? ';' : 'f';
	o += (size_t)sprintf(text + o, " 7\nshort 1\n");
	struct folded_set s;
	struct folded_read_stats st;
	folded_init(&s);
	read_str(text, o, &s, NULL, &st);
	CHECK_INT(st.bad_lines, 0);
	CHECK_INT(s.v.n, 2);
	folded_sort(&s);
	CHECK_INT(s.v.v[0].len, n);
	CHECK_INT(s.v.v[0].count, 7);
	CHECK_INT(s.v.v[1].count, 2);
	folded_free(&s);
	free(text);
}

static void test_read_two_counts(void)
{
	static const char text[] = "a;b 3 5\na;c 0 2\na;b 1 1\n";
	struct folded_set s, s2;
	folded_init(&s);
	folded_init(&s2);
	read_str(text, sizeof(text) - 1, &s, &s2, NULL);
	folded_sort(&s);
	folded_sort(&s2);
	char *o1 = write_str(&s), *o2 = write_str(&s2);
	CHECK_STR(o1, "a;b 4\na;c 0\n");
	CHECK_STR(o2, "a;b 6\na;c 2\n");
	free(o1);
	free(o2);
	folded_free(&s);
	folded_free(&s2);
	/* s2 == NULL: the second count is ignored */
	folded_init(&s);
	read_str(text, sizeof(text) - 1, &s, NULL, NULL);
	CHECK_INT(s.total, 4);
	folded_free(&s);
}

/* Counts and sums past 2^64 - 1 stop there (capped), never wrap: a count
 * of exactly 2^64 - 1 is a count, a bigger one is capped, and so is a sum. */
static void test_read_capped(void)
{
	struct folded_set s;
	struct folded_read_stats st;
	folded_init(&s);
	const char *t = "a;b 18446744073709551615\n";
	read_str(t, strlen(t), &s, NULL, &st);
	CHECK_INT(st.bad_lines, 0);
	CHECK(!s.capped && s.v.n == 1 && s.v.v[0].count == UINT64_MAX);
	folded_free(&s);
	folded_init(&s);
	t = "a;b 99999999999999999999999\n";
	read_str(t, strlen(t), &s, NULL, &st);
	CHECK(s.capped && s.v.n == 1 && s.v.v[0].count == UINT64_MAX);
	folded_free(&s);
	folded_init(&s);
	t = "a;b 10000000000000000000\na;b 10000000000000000000\na;c 1\n";
	read_str(t, strlen(t), &s, NULL, &st);
	CHECK(s.capped && s.total == UINT64_MAX);
	CHECK(s.v.v[0].count == UINT64_MAX && s.v.v[1].count == 1);
	folded_free(&s);
}

int main(void)
{
	RUN(test_add_sort_write);
	RUN(test_many);
	RUN(test_read_basic);
	RUN(test_read_malformed);
	RUN(test_read_nul);
	RUN(test_read_long_line);
	RUN(test_read_two_counts);
	RUN(test_read_capped);
	UNIT_EXIT();
}
