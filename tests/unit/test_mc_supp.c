/* valgrind suppression files: the parser's complaints (worded and numbered
 * as valgrind 3.19 words them, checked against the real one), wildcards,
 * "...", tool lists, and which suppression wins. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memcheck/mc_opts.h"
#include "memcheck/mc_supp.h"
#include "unit.h"

static int parse(struct mc_supps *s, struct strbuf *err, const char *text)
{
	memset(s, 0, sizeof(*s));
	sb_reset(err);
	return mc_supp_parse_text(s, text, strlen(text), "t.supp", err);
}

/* the "   WHY" line and the line number valgrind reports */
static void expect_error(const char *text, unsigned line, const char *why, int *ok)
{
	struct mc_supps s;
	struct strbuf err = STRBUF_INIT;
	char want[512];
	snprintf(want, sizeof(want), "FATAL: in suppressions file \"t.supp\" near line %u:\n   %s\nexiting now.\n",
		 line, why);
	*ok = parse(&s, &err, text) == -1 && err.buf && !strcmp(err.buf, want);
	if (!*ok)
		printf("# for %s\n# got  %s# want %s", text, err.buf ? err.buf : "(none)\n", want);
	sb_free(&err);
	mc_supps_free(&s);
}

#define EXPECT_ERROR(text, line, why)                 \
	do {                                          \
		int ok_;                              \
		expect_error((text), (line), (why), &ok_); \
		CHECK(ok_);                           \
	} while (0)

static void test_errors(void)
{
	EXPECT_ERROR("{\n", 1, "unexpected '}'");
	EXPECT_ERROR("{\n  n\n", 2, "unexpected end-of-file (expecting tool:suppr)");
	EXPECT_ERROR("{\n  n\n}\n", 3, "malformed 'tool1,tool2,...:supp' line");
	EXPECT_ERROR("{\n  n\n  Memcheck\n  fun:x\n}\n", 3, "malformed 'tool1,tool2,...:supp' line");
	EXPECT_ERROR("{\n  n\n  Memcheck:Leak\n}\n", 4, "bad or missing extra suppression info");
	EXPECT_ERROR("{\n  n\n  Memcheck:Leak\n  foo:bar\n}\n", 4, "bad or missing extra suppression info");
	EXPECT_ERROR("{\n  n\n  Memcheck:Leak\n  match-leak-kinds: bogus\n  fun:x\n}\n", 4,
		     "bad or missing extra suppression info");
	EXPECT_ERROR("{\n  n\n  Memcheck:Param\n}\n", 4, "unexpected end-of-file (when reading stack trace)");
	EXPECT_ERROR("{\n  n\n  Memcheck:Addr4\n}\n", 4, "missing stack trace");
	EXPECT_ERROR("{\n  n\n  Memcheck:Leak\n  fun:x\n  }junk\n", 5,
		     "location should be \"...\", or should start with \"fun:\", \"obj:\", or \"src:\"");
	EXPECT_ERROR("{ n\n  Memcheck:Leak\n  fun:x\n}\n", 1, "expected '{' or end-of-file");
	EXPECT_ERROR("junk\n", 1, "expected '{' or end-of-file");
	EXPECT_ERROR("  # c\n\n{\n  n\n  Memcheck:Addr17\n  fun:x\n}\n", 5, "unknown tool suppression type");
	EXPECT_ERROR("{\n n\n Memcheck:Value3\n fun:x\n}\n", 3, "unknown tool suppression type");
}

static void test_accepted(void)
{
	struct mc_supps s;
	struct strbuf err = STRBUF_INIT;
	const char *text =
		"# comment\n\n{\n  a\n  Memcheck:Leak\n  match-leak-kinds: definite,possible\n  fun:malloc\n"
		"  ...\n  src:a.c:12\n}\n"
		"{\n  other tool\n  Helgrind:Race\n  fun:x\n}\n"
		"{\n  b\n  Helgrind,Memcheck:Free\n  # inside\n\n  fun:free\n  obj:*libc*\n}\n"
		"{\n  c\n  Memcheck:Param\n  write(buf)\n  fun:x\n}\n"
		"{\n  d\n  Memcheck:FishyValue\n  malloc(size)\n  fun:malloc\n}\n"
		"{\n  e\n  Memcheck:Value8\n  fun:x\n}\n{\n  f\n  Memcheck:Cond\n  fun:\n}\n"
		"{\n  g\n  Memcheck:Addr32\n  fun:x\n}\n{\n  h\n  Memcheck:Overlap\n  fun:x\n}\n"
		"{\n  i\n  Memcheck:Leak\n  fun:x\n}"; /* no final newline */
	CHECK_INT(parse(&s, &err, text), 0);
	CHECK_INT(s.v.n, 9);
	CHECK_STR(s.v.v[0].name, "a");
	CHECK_INT(s.v.v[0].line, 4);
	CHECK_INT(s.v.v[0].leak_kinds, MC_KIND_BIT(MC_DEFINITE) | MC_KIND_BIT(MC_POSSIBLE));
	CHECK_INT(s.v.v[0].frames.n, 3);
	CHECK_INT(s.v.v[0].frames.v[2].type, MC_LOC_SRC);
	CHECK_STR(s.v.v[0].frames.v[2].pattern, "a.c");
	CHECK_INT(s.v.v[0].frames.v[2].line, 12);
	CHECK_STR(s.v.v[1].name, "b");
	CHECK_INT(s.v.v[1].frames.n, 2);
	CHECK_STR(s.v.v[2].extra, "write(buf)");
	CHECK_INT(s.v.v[8].leak_kinds, MC_KINDS_ALL);
	mc_supps_free(&s);
	sb_free(&err);
}

static void test_glob(void)
{
	CHECK(mc_supp_glob("malloc", "malloc"));
	CHECK(!mc_supp_glob("malloc", "malloc2"));
	CHECK(mc_supp_glob("*", ""));
	CHECK(mc_supp_glob("_Z*alloc*", "_Znwm_alloc_x"));
	CHECK(mc_supp_glob("m?lloc", "malloc"));
	CHECK(!mc_supp_glob("m?lloc", "mlloc"));
	CHECK(mc_supp_glob("a\\*b", "a*b"));
	CHECK(!mc_supp_glob("a\\*b", "axb"));
	CHECK(mc_supp_glob("*libc.so*", "/usr/lib/x86_64-linux-gnu/libc.so.6"));
	/* a hostile pattern must not take exponential time */
	char s[4001];
	memset(s, 'a', 4000);
	s[4000] = 0;
	CHECK(!mc_supp_glob("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", s));
}

static struct mc_frame fr(const char *func, const char *mangled, const char *file, unsigned line, const char *obj)
{
	struct mc_frame f = { 0x1000, func, file, line, obj, mangled, NULL };
	return f;
}

static void test_match(void)
{
	struct mc_supps s;
	struct strbuf err = STRBUF_INIT;
	CHECK_INT(parse(&s, &err,
			"{\n  first\n  Memcheck:Leak\n  fun:malloc\n  fun:mk\n}\n"
			"{\n  dots\n  Memcheck:Leak\n  match-leak-kinds: reachable\n  fun:malloc\n  ...\n  fun:main\n}\n"
			"{\n  mangled\n  Memcheck:Leak\n  fun:_Znwm\n  obj:*/libfoo.so\n  src:x.cc:7\n}\n"
			"{\n  free\n  Memcheck:Free\n  fun:free\n  fun:(below main)\n}\n"
			"{\n  addr4\n  Memcheck:Addr4\n  ...\n  fun:g\n}\n"
			"{\n  fishy\n  Memcheck:FishyValue\n  calloc(nmemb)\n  fun:calloc\n}\n"),
		0);
	struct mc_loss l = { 0 };
	l.kind = MC_DEFINITE;
	vec_push(&l.alloc.frames, fr("malloc", NULL, NULL, 0, "vg.so"));
	vec_push(&l.alloc.frames, fr("mk", NULL, "a.c", 5, "/a"));
	vec_push(&l.alloc.frames, fr("main", NULL, "a.c", 9, "/a"));
	struct mc_supp *p = mc_supp_find_loss(&s, &l, 12);
	CHECK(p && !strcmp(p->name, "first"));
	l.kind = MC_REACHABLE; /* "dots" is later, so it wins for reachable blocks */
	p = mc_supp_find_loss(&s, &l, 12);
	CHECK(p && !strcmp(p->name, "dots"));
	/* --num-callers=2 cuts main off: "dots" cannot reach it */
	p = mc_supp_find_loss(&s, &l, 2);
	CHECK(p && !strcmp(p->name, "first"));
	mc_stack_free(&l.alloc);
	vec_push(&l.alloc.frames, fr("operator new(unsigned long)", "_Znwm", NULL, 0, "vg.so"));
	vec_push(&l.alloc.frames, fr(NULL, NULL, NULL, 0, "/usr/lib/libfoo.so"));
	vec_push(&l.alloc.frames, fr("h", NULL, "x.cc", 7, "/a"));
	p = mc_supp_find_loss(&s, &l, 12);
	CHECK(p && !strcmp(p->name, "mangled"));
	l.alloc.frames.v[2].line = 8;
	CHECK(!mc_supp_find_loss(&s, &l, 12));
	mc_stack_free(&l.alloc);

	struct mc_error e = { 0 };
	e.kind = MC_INVALID_FREE;
	vec_push(&e.where.frames, fr("free", NULL, NULL, 0, "vg.so"));
	vec_push(&e.where.frames, fr("__libc_start_call_main", NULL, NULL, 0, "libc.so.6"));
	p = mc_supp_find_error(&s, &e, 12);
	CHECK(p && !strcmp(p->name, "free"));
	mc_stack_free(&e.where);
	e.kind = MC_INVALID_READ;
	e.size = 4;
	vec_push(&e.where.frames, fr("f", NULL, NULL, 0, NULL));
	vec_push(&e.where.frames, fr("g", NULL, NULL, 0, NULL));
	p = mc_supp_find_error(&s, &e, 12);
	CHECK(p && !strcmp(p->name, "addr4"));
	e.size = 8;
	CHECK(!mc_supp_find_error(&s, &e, 12));
	mc_stack_free(&e.where);
	e.kind = MC_FISHY_VALUE;
	e.func = "calloc";
	e.arg = "nmemb";
	vec_push(&e.where.frames, fr("calloc", NULL, NULL, 0, NULL));
	p = mc_supp_find_error(&s, &e, 12);
	CHECK(p && !strcmp(p->name, "fishy"));
	e.arg = "size";
	CHECK(!mc_supp_find_error(&s, &e, 12));
	struct strbuf sb = STRBUF_INIT;
	mc_supp_gen_error(&sb, &e, 12);
	CHECK_STR(sb.buf, "{\n   <insert_a_suppression_name_here>\n   Memcheck:FishyValue\n   calloc(size)\n   fun:calloc\n}\n");
	sb_free(&sb);
	mc_stack_free(&e.where);
	mc_supps_free(&s);
	sb_free(&err);
}

static void test_load_file(void)
{
	struct mc_supps s;
	memset(&s, 0, sizeof(s));
	struct strbuf err = STRBUF_INIT;
	CHECK_INT(mc_supp_load_file(&s, "/nonexistent/x.supp", &err), -1);
	CHECK_STR(err.buf, "FATAL: can't open suppressions file \"/nonexistent/x.supp\"\n");
	mc_supps_free(&s);
	sb_free(&err);
}

int main(void)
{
	RUN(test_errors);
	RUN(test_accepted);
	RUN(test_glob);
	RUN(test_match);
	RUN(test_load_file);
	UNIT_EXIT();
}
