/* cachegrind.out reader: 3.19's and 3.21+'s forms, "." and missing
 * counts, repeated lines summed, and one error line for every kind of
 * broken input; Perl's s/// of cg_diff on POSIX regex. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cachegrind/cg_read.h"
#include "cachegrind/cg_subst.h"
#include "unit.h"

static char err[512];

static int parse(const char *text, struct cg_data *d)
{
	memset(d, 0, sizeof(*d));
	err[0] = 0;
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int rc = cg_read_stream(f, "t.out", d, err, sizeof(err));
	fclose(f);
	return rc;
}

/* Parses text, expecting it to fail with an error containing `want`. */
static int fails_with(const char *text, const char *want)
{
	struct cg_data d;
	int rc = parse(text, &d);
	cg_data_free(&d);
	return rc < 0 && strstr(err, want) != NULL;
}

static const struct cg_fn *find_fn(const struct cg_data *d, const char *file, const char *name)
{
	for (size_t i = 0; i < d->fns.n; i++)
		if (!strcmp(interned(&d->strs, d->fns.v[i].file), file) &&
		    !strcmp(interned(&d->strs, d->fns.v[i].name), name))
			return &d->fns.v[i];
	return NULL;
}

static void test_319_form(void)
{
	struct cg_data d;
	const char *t = "desc: I1 cache:         32768 B, 64 B, 8-way associative\n"
			"desc: D1 cache: x\n"
			"cmd: ./prog a  b\n"
			"events: Ir Dr D1mr \n"
			"fl=a.c\nfn=main\n"
			"3 10 . 1\n"
			"4 5\n"
			"3 1 2 0\n"
			"# a comment\n\n"
			"fn=other\n"
			"7 1 1 1\n"
			"summary: 17 3 2\n";
	CHECK_INT(parse(t, &d), 0);
	CHECK_INT(d.desc.n, 2);
	CHECK_STR(d.desc.v[0], "I1 cache:         32768 B, 64 B, 8-way associative");
	CHECK_STR(d.cmd, "./prog a  b");
	CHECK_INT(d.n_events, 3);
	CHECK_STR(d.events[2], "D1mr");
	CHECK_STR(d.events_line, "events: Ir Dr D1mr ");
	const struct cg_fn *m = find_fn(&d, "a.c", "main");
	CHECK(m && m->lines.n == 2);
	/* line 3 twice: added up; "." + 2 = 2, defined */
	CHECK_INT(m->lines.v[0].line, 3);
	CHECK_INT(cg_count(&m->lines.v[0], 0), 11);
	CHECK_INT(cg_count(&m->lines.v[0], 1), 2);
	CHECK_INT(m->lines.v[0].none, 0);
	/* line 4: missing trailing counts are "none" and add as 0 */
	CHECK_INT(m->lines.v[1].none, 6);
	CHECK(m->lines.v[1].c[1] == CG_NONE);
	CHECK(find_fn(&d, "a.c", "other") != NULL);
	CHECK_INT(d.summary[0], 17);
	cg_data_free(&d);
}

static void test_321_form(void)
{
	struct cg_data d;
	const char *t = "cmd: concord\nevents: Ir\nfl=???\nfn=???\n0 468701\nfl=x.rs\nfn=f\n12 5\n"
			"summary: 468706\n";
	CHECK_INT(parse(t, &d), 0);
	CHECK_INT(d.desc.n, 0);
	CHECK_INT(d.fns.n, 2);
	CHECK_INT(d.fns.v[0].lines.v[0].line, 0);
	cg_data_free(&d);
}

static void test_fn_without_fl(void)
{
	struct cg_data d;
	CHECK_INT(parse("cmd: x\nevents: A\nfn=f\n1 2\nsummary: 2\n", &d), 0);
	CHECK(find_fn(&d, "???", "f") != NULL);
	cg_data_free(&d);
}

static void test_negative_counts(void)
{
	struct cg_data d;
	CHECK_INT(parse("cmd: x\nevents: A B\nfl=f\nfn=g\n0 -1 -9223372036854775808\n"
			"summary: -1 -9223372036854775808\n",
			&d),
		  0);
	CHECK_INT(cg_count(&d.fns.v[0].lines.v[0], 0), -1);
	CHECK_INT(d.fns.v[0].lines.v[0].none, 0); /* -1 is a count, not "." */
	cg_data_free(&d);
}

static void test_errors(void)
{
	CHECK(fails_with("", "t.out:1: missing the cmd: line"));
	CHECK(fails_with("desc: x\nevents: A\n", "t.out:2: missing the cmd: line"));
	CHECK(fails_with("cmd: x\nfl=a\n", "t.out:2: missing the events: line"));
	CHECK(fails_with("cmd: x\nevents: A\nfl=a\nfn=b\n1 2\n", "missing the summary: line"));
	CHECK(fails_with("cmd: x\nevents: A\nfl=a\nfn=b\n1 2\nsummary: 3\n", "doesn't match computed total"));
	CHECK(fails_with("cmd: x\nevents: A\nfl=a\nfn=b\n1 2 3\n", "t.out:5: too many event counts"));
	CHECK(fails_with("cmd: x\nevents: A\nfl=a\nfn=b\n1 99999999999999999999\n", "t.out:5: bad count"));
	CHECK(fails_with("cmd: x\nevents: A\nfl=a\nfn=b\n1 9223372036854775808\n", "bad count"));
	CHECK(fails_with("cmd: x\nevents: A\nfl=a\nfn=b\n1 1x\n", "bad count '1x'"));
	CHECK(fails_with("cmd: x\nevents: A\nfl=a\nfn=b\n99999999999 1\n", "line number out of range"));
	CHECK(fails_with("cmd: x\nevents: A\nfl=a\n1 1\n", "t.out:4: counts before any fn= line"));
	CHECK(fails_with("cmd: x\nevents: A\nfl=a\nfn=b\nbogus\n", "t.out:5: malformed line"));
	CHECK(fails_with("cmd: x\nevents: A B C D E F G H I J K L M N\n", "more than 13 events"));
	CHECK(fails_with("cmd: x\nevents:\n", "no events"));
	static const char nul[] = "cmd: x\nevents: A\nfl=\0\n";
	struct cg_data d;
	memset(&d, 0, sizeof(d));
	FILE *f = fmemopen((void *)nul, sizeof(nul) - 1, "r");
	CHECK_INT(cg_read_stream(f, "t.out", &d, err, sizeof(err)), -1);
	fclose(f);
	cg_data_free(&d);
	CHECK(strstr(err, "t.out:3: binary data") != NULL);
	CHECK_INT(cg_read_file("/nonexistent/cg.out", &d, err, sizeof(err)), -1);
	CHECK(strstr(err, "cannot open '/nonexistent/cg.out'") != NULL);
	cg_data_free(&d);
}

/* Sums saturate instead of wrapping. */
static void test_saturation(void)
{
	struct cg_data d;
	CHECK_INT(parse("cmd: x\nevents: A\nfl=a\nfn=b\n1 9223372036854775807\n1 5\n"
			"summary: 9223372036854775807\n",
			&d),
		  0);
	CHECK(cg_count(&d.fns.v[0].lines.v[0], 0) == INT64_MAX);
	cg_data_free(&d);
}

static void check_subst(const char *expr, const char *in, const char *want)
{
	struct cg_subst s;
	char e[256];
	CHECK_INT(cg_subst_compile(&s, expr, e, sizeof(e)), 0);
	char *out = cg_subst_apply(&s, in);
	CHECK_STR(out, want);
	free(out);
	cg_subst_free(&s);
}

static void test_subst(void)
{
	check_subst("s/prog[0-9]/projN/", "src/prog2/a.c", "src/projN/a.c");
	check_subst("s/\\d+/N/g", "a12b345c", "aNbNc");
	check_subst("s|/tmp/(\\w+)/|<$1>|", "/tmp/abc/x.c", "<abc>x.c");
	check_subst("s/A/b/gi", "aAa", "bbb");
	check_subst("s/x*/-/g", "ab", "-a-b-");
	check_subst("s/b*/-/g", "ab", "-a--");
	check_subst("s/(a)(b)/\\2${1}$&/", "ab", "baab");
	struct cg_subst s;
	char e[256];
	CHECK_INT(cg_subst_compile(&s, "tr/a/b/", e, sizeof(e)), -1);
	CHECK_INT(cg_subst_compile(&s, "s/a/b", e, sizeof(e)), -1);
	CHECK_INT(cg_subst_compile(&s, "s/(/b/", e, sizeof(e)), -1);
	CHECK_INT(cg_subst_compile(&s, "s/a/b/x", e, sizeof(e)), -1);
}

int main(void)
{
	RUN(test_319_form);
	RUN(test_321_form);
	RUN(test_fn_without_fl);
	RUN(test_negative_counts);
	RUN(test_errors);
	RUN(test_saturation);
	RUN(test_subst);
	UNIT_EXIT();
}
