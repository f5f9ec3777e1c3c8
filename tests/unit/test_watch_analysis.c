/* The watch analyzers (src/watch/) over output captured from the real
 * tools (watch_samples.h), and their line matchers. The counts expected are
 * the ones the tools print themselves. */
#include "unit.h"
#include "watch/analysis.h"
#include "watch/analysis_int.h"
#include "watch/ansi.h"
#include "watch_samples.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void analyze(enum analyzer_kind kind, const char *const *lines, size_t n, struct report *r)
{
	struct analysis *a = analysis_new(kind);
	for (size_t i = 0; i < n; i++)
		analysis_line(a, lines[i], strlen(lines[i]), true);
	analysis_finish(a, r);
	analysis_free(a);
}

/* The n-th line of kind k in the report, or NULL. */
static const struct report_line *nth(const struct report *r, enum report_line_kind k, int n)
{
	for (size_t i = 0; i < r->n_lines; i++)
		if (r->lines[i].kind == k && n-- == 0)
			return &r->lines[i];
	return NULL;
}

static void test_ansi_runs(void)
{
	struct ansi_line l;
	const char *s = "\033[1m\033[91merror[E0425]\033[0m\033[1m: cannot find\033[0m";
	ansi_parse(&l, s, strlen(s));
	CHECK_STR(l.plain, "error[E0425]: cannot find");
	CHECK_INT(l.n_runs, 2);
	CHECK(l.runs[0].bold && l.runs[0].fg == ANSI_RED && l.runs[0].len == 12);
	CHECK(l.runs[1].bold && l.runs[1].fg == ANSI_NONE);
	CHECK(!ansi_unstyled(&l));
	ansi_line_free(&l);
	/* gcc's erase-line CSI, a hyperlink OSC, 256 colours, a cut sequence */
	s = "\033[01m\033[Kx.c:1:2:\033[m\033[K \033]8;;file:///x\aok\033]8;;\033\\ \033[38;5;208mz\033[";
	ansi_parse(&l, s, strlen(s));
	CHECK_STR(l.plain, "x.c:1:2: ok z");
	ansi_line_free(&l);
	ansi_parse(&l, "plain\r", 6);
	CHECK_STR(l.plain, "plain");
	CHECK(ansi_unstyled(&l));
	ansi_line_free(&l);
}

static void test_matchers(void)
{
	const char *key;
	size_t len;
	bool pass;
	CHECK_INT(match_location("src/main.rs:3:13", 16), 16);
	CHECK_INT(match_location("src/main.rs:3", 13), 0);
	CHECK_INT(match_location("a b:3:4", 7), 0);
	const char *t = "test tests::bad ... FAILED";
	CHECK(match_test_result(t, strlen(t), &key, &len, &pass) && !pass);
	CHECK(len == 10 && !memcmp(key, "tests::bad", 10));
	t = "test src/lib.rs - f (line 3) - compile ... ok";
	CHECK(match_test_result(t, strlen(t), &key, &len, &pass) && pass);
	CHECK(len == 23 && !memcmp(key, "src/lib.rs - f (line 3)", 23));
	t = "test tests::x - should panic ... ok";
	CHECK(match_test_result(t, strlen(t), &key, &len, &pass) && len == 8);
	t = "test result: FAILED. 1 passed; 2 failed";
	CHECK(!match_test_result(t, strlen(t), &key, &len, &pass));
	t = "test x ... ignored";
	CHECK(!match_test_result(t, strlen(t), &key, &len, &pass));
	CHECK(!match_test_result("... ok", 6, &key, &len, &pass));
	t = "`x` (bin \"x\") generated 12 warnings (run `cargo fix`)";
	CHECK(has_warning_count(t, strlen(t)));
	CHECK(has_warning_count("2 warnings emitted", 18));
	CHECK(!has_warning_count("unused warnings", 15));
}

static void test_cargo_error(void)
{
	struct report r;
	analyze(ANALYZER_STANDARD, sample_check_err, N(sample_check_err), &r);
	/* "could not compile `rp` (bin "rp") due to 1 previous error" */
	CHECK_INT(r.errors, 1);
	CHECK_INT(r.warnings, 0);
	CHECK_INT(r.items, 1);
	CHECK_STR(nth(&r, REPORT_ERROR, 0)->plain, "error[E0425]: cannot find value `undefined_thing` in this scope");
	CHECK_STR(nth(&r, REPORT_LOCATION, 0)->plain, " --> src/main.rs:3:13");
	CHECK(strstr(nth(&r, REPORT_ERROR, 0)->styled, "\033[1m\033[91merror"));
	CHECK(!report_is_success(&r, true, true));
	report_free(&r);
}

static void test_cargo_warnings(void)
{
	struct report r;
	/* "generated 3 warnings", counted once: the summary is no warning */
	analyze(ANALYZER_STANDARD, sample_check_warn, N(sample_check_warn), &r);
	CHECK_INT(r.warnings, 3);
	CHECK_INT(r.errors, 0);
	CHECK_INT(r.items, 3);
	CHECK_STR(nth(&r, REPORT_LOCATION, 2)->plain, " --> src/main.rs:5:4");
	CHECK_INT(nth(&r, REPORT_LOCATION, 2)->item, 3);
	CHECK(!report_is_success(&r, false, false));
	CHECK(report_is_success(&r, true, false));
	report_free(&r);
}

static void test_cargo_test(void)
{
	struct report r;
	/* "test result: FAILED. 1 passed; 2 failed" */
	analyze(ANALYZER_STANDARD, sample_test, N(sample_test), &r);
	CHECK_INT(r.passed, 1);
	CHECK_INT(r.failures, 2);
	CHECK_INT(r.errors, 0);
	CHECK_STR(nth(&r, REPORT_FAILURE, 0)->plain, "tests::bad");
	CHECK_STR(nth(&r, REPORT_FAILURE, 1)->plain, "tests::bad2");
	CHECK(strstr(nth(&r, REPORT_LOCATION, 0)->plain, "panicked at src/main.rs:"));
	CHECK(r.suggest_backtrace);
	CHECK(!report_is_success(&r, false, false));
	CHECK(report_is_success(&r, false, true));
	report_free(&r);
}

static void test_cargo_json(void)
{
	struct report r;
	analyze(ANALYZER_CARGO_JSON, sample_json_err, N(sample_json_err), &r);
	CHECK_INT(r.errors, 1);
	CHECK_INT(r.warnings, 0);
	CHECK_STR(nth(&r, REPORT_ERROR, 0)->plain, "error[E0425]: cannot find value `nope` in this scope");
	CHECK(nth(&r, REPORT_LOCATION, 0) && strstr(nth(&r, REPORT_LOCATION, 0)->plain, "src/main.rs:"));
	report_free(&r);
	analyze(ANALYZER_CARGO_JSON, sample_json_warn, N(sample_json_warn), &r);
	CHECK_INT(r.warnings, 1);
	CHECK_INT(r.errors, 0);
	report_free(&r);
	/* the standard analyzer does not read JSON */
	analyze(ANALYZER_STANDARD, sample_json_warn, N(sample_json_warn), &r);
	CHECK_INT(r.warnings, 0);
	report_free(&r);
	/* rustc's own count, and records and lines that are no diagnostics */
	static const char *const other[] = {
		("{\"reason\":\"compiler-message\",\"message\":{\"level\":\"error\",\"message\":"
		 "\"aborting due to 2 previous errors\",\"rendered\":\"error: aborting due to 2 previous errors\\n\","
		 "\"children\":[]}}"),
		"{\"reason\":\"build-finished\",\"success\":false}",
		("{\"reason\":\"compiler-message\",\"message\":{\"level\":\"error: internal compiler error\","
		 "\"message\":\"x\",\"rendered\":\"error: internal compiler error: x\\n\",\"children\":7}}"),
		"{broken", "   Compiling x v0.1.0", "",
	};
	analyze(ANALYZER_CARGO_JSON, other, N(other), &r);
	CHECK_INT(r.errors, 1);
	report_free(&r);
}

/* cargo nextest is not installed here: this is written from its documented
 * output (nextest.dev, "Running tests"), with the styles bacon's tests of
 * its nextest analyzer show. */
static const char *const sample_nextest[] = {
	"\033[1m\033[92m   Compiling\033[0m rp v0.1.0 (/tmp/rp)",
	"\033[1m\033[92m    Finished\033[0m `test` profile [unoptimized + debuginfo] target(s) in 0.50s",
	"\033[32;1m    Starting\033[0m \033[1m3\033[0m tests across \033[1m1\033[0m binary",
	"\033[32;1m        PASS\033[0m [   0.003s] \033[35;1mrp\033[0m \033[36mtests::\033[0m\033[34;1mgood\033[0m",
	"\033[31;1m        FAIL\033[0m [   0.004s] \033[35;1mrp\033[0m \033[36mtests::\033[0m\033[34;1mbad\033[0m",
	("\033[35;1m--- \033[0m\033[35;1mSTDOUT:              \033[0m\033[35;1mrp\033[0m \033[36mtests::\033[0m"
	 "\033[34;1mbad\033[0m\033[35;1m ---\033[0m"),
	"",
	"running 1 test",
	"test tests::bad ... FAILED",
	"",
	"failures:",
	"",
	"failures:",
	"    tests::bad",
	"",
	"test result: FAILED. 0 passed; 1 failed; 0 ignored; 0 measured; 2 filtered out; finished in 0.00s",
	"",
	("\033[31;1m--- \033[0m\033[31;1mSTDERR:              \033[0m\033[35;1mrp\033[0m \033[36mtests::\033[0m"
	 "\033[34;1mbad\033[0m\033[31;1m ---\033[0m"),
	"thread 'tests::bad' panicked at src/main.rs:11:16:",
	"assertion `left == right` failed: one is not two",
	"  left: 1",
	" right: 2",
	"note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace",
	"",
	"\033[31;1m   Canceling\033[0m due to \033[31;1mtest failure\033[0m: \033[1m1\033[0m test still running",
	"\033[31;1m        FAIL\033[0m [   0.005s] \033[35;1mrp\033[0m \033[36mtests::\033[0m\033[34;1mbad2\033[0m",
	("\033[31;1m--- \033[0m\033[31;1mSTDERR:              \033[0m\033[35;1mrp\033[0m \033[36mtests::\033[0m"
	 "\033[34;1mbad2\033[0m\033[31;1m ---\033[0m"),
	"thread 'tests::bad2' panicked at src/main.rs:13:17:",
	"boom",
	"------------",
	("\033[32;1m     Summary\033[0m [   0.006s] \033[1m3\033[0m tests run: \033[1m1\033[0m \033[32;1mpassed\033[0m, "
	 "\033[1m2\033[0m \033[31;1mfailed\033[0m, \033[1m0\033[0m \033[33;1mskipped\033[0m"),
	"\033[31;1m        FAIL\033[0m [   0.004s] \033[35;1mrp\033[0m \033[36mtests::\033[0m\033[34;1mbad\033[0m",
	"\033[31;1m        FAIL\033[0m [   0.005s] \033[35;1mrp\033[0m \033[36mtests::\033[0m\033[34;1mbad2\033[0m",
	"\033[31;1merror\033[0m: test run failed",
};

static void test_nextest(void)
{
	struct report r;
	/* "3 tests run: 1 passed, 2 failed": the summary's FAIL lines repeat */
	analyze(ANALYZER_NEXTEST, sample_nextest, N(sample_nextest), &r);
	CHECK_INT(r.passed, 1);
	CHECK_INT(r.failures, 2);
	CHECK_INT(r.errors, 0);
	CHECK_INT(r.warnings, 0);
	CHECK_STR(nth(&r, REPORT_FAILURE, 0)->plain, "tests::bad");
	CHECK_STR(nth(&r, REPORT_FAILURE, 1)->plain, "tests::bad2");
	CHECK_STR(nth(&r, REPORT_LOCATION, 1)->plain, "thread 'tests::bad2' panicked at src/main.rs:13:17:");
	report_free(&r);
	/* nextest's build errors are cargo's */
	analyze(ANALYZER_NEXTEST, sample_check_err, N(sample_check_err), &r);
	CHECK_INT(r.errors, 1);
	report_free(&r);
}

/* nextest 0.9.95 and later, as bacon's analyzer reads it (its issue 350):
 * the sections after a FAIL line are named by a rule, not the test. Also
 * written by hand, nextest not being installed. */
static const char *const sample_nextest_v3[] = {
	"\033[32;1m        PASS\033[0m [   0.003s] \033[35;1mrp\033[0m \033[36mtests::\033[0m\033[34;1mgood\033[0m",
	"\033[31;1m        FAIL\033[0m [   0.004s] \033[35;1mrp\033[0m \033[36mtests::\033[0m\033[34;1mbad\033[0m",
	"  \033[31;1mstderr\033[0m \033[31;1m\u2500\u2500\u2500\033[0m",
	"    \033[31;1mthread 'tests::bad' panicked at src/main.rs:11:16:\033[0m",
	"    assertion `left == right` failed",
	"",
	"\033[31;1m        FAIL\033[0m [   0.005s] \033[35;1mrp\033[0m \033[36mtests::\033[0m\033[34;1mbad2\033[0m",
	"\033[31;1m\u2500\u2500\033[0m \033[31;1mstdout\033[0m \033[31;1m\u2500\u2500\033[0m",
	"boom",
	"\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500",
	"\033[32;1m     Summary\033[0m [   0.006s] 3 tests run: 1 passed, 2 failed, 0 skipped",
	"\033[31;1m        FAIL\033[0m [   0.004s] \033[35;1mrp\033[0m \033[36mtests::\033[0m\033[34;1mbad\033[0m",
	"\033[31;1m        FAIL\033[0m [   0.005s] \033[35;1mrp\033[0m \033[36mtests::\033[0m\033[34;1mbad2\033[0m",
	"\u2500\u2500\u2500\u2500 STDOUT: rp tests::other",
};

static void test_nextest_later_forms(void)
{
	struct report r;
	analyze(ANALYZER_NEXTEST, sample_nextest_v3, N(sample_nextest_v3), &r);
	CHECK_INT(r.passed, 1);
	CHECK_INT(r.failures, 3);
	CHECK_STR(nth(&r, REPORT_FAILURE, 0)->plain, "tests::bad");
	CHECK_STR(nth(&r, REPORT_LOCATION, 0)->plain, "    thread 'tests::bad' panicked at src/main.rs:11:16:");
	CHECK_STR(nth(&r, REPORT_FAILURE, 1)->plain, "tests::bad2");
	CHECK_STR(nth(&r, REPORT_NORMAL, 2)->plain, "boom");
	CHECK_STR(nth(&r, REPORT_FAILURE, 2)->plain, "tests::other");
	report_free(&r);
}

static void test_cpp(void)
{
	struct report r;
	analyze(ANALYZER_CPP, sample_gcc, N(sample_gcc), &r);
	CHECK_INT(r.errors, 1);
	CHECK_INT(r.warnings, 3);
	CHECK(strstr(nth(&r, REPORT_ERROR, 0)->plain, "bad.c:9:16: error: "));
	/* errors come first; the note is a location of the error */
	CHECK(strstr(nth(&r, REPORT_LOCATION, 0)->plain, "note: each undeclared"));
	CHECK_INT(nth(&r, REPORT_LOCATION, 0)->item, 1);
	report_free(&r);
	/* "1 warning and 1 error generated." */
	analyze(ANALYZER_CPP, sample_clang, N(sample_clang), &r);
	CHECK_INT(r.errors, 1);
	CHECK_INT(r.warnings, 1);
	report_free(&r);
	/* ld's undefined reference, once: collect2 says what it made of it */
	analyze(ANALYZER_CPP, sample_ld, N(sample_ld), &r);
	CHECK_INT(r.errors, 1);
	CHECK(strstr(nth(&r, REPORT_ERROR, 0)->plain, "undefined reference to `missing'"));
	report_free(&r);
	/* make's "*** [Makefile:2: all] Error 1" follows gcc's own */
	analyze(ANALYZER_CPP, sample_make, N(sample_make), &r);
	CHECK_INT(r.errors, 1);
	CHECK_INT(r.warnings, 3);
	report_free(&r);
	static const char *const own[] = {
		"Makefile:3: *** missing separator.  Stop.",
		"make: *** No rule to make target 'x.c', needed by 'x.o'.  Stop.",
		"gcc: error: nosuch.c: No such file or directory",
		"gcc: fatal error: no input files",
		"/usr/bin/ld: cannot find -lnope: No such file or directory",
		"/usr/bin/ld: warning: x.o: missing .note.GNU-stack section implies executable stack",
		"clang: error: linker command failed with exit code 1 (use -v to see invocation)",
		"cc1: all warnings being treated as errors",
		"make[1]: Leaving directory '/tmp'",
		"x.c: In function 'main':",
	};
	analyze(ANALYZER_CPP, own, N(own), &r);
	CHECK_INT(r.errors, 5);
	CHECK_INT(r.warnings, 1);
	report_free(&r);
}

static void test_ignored_lines(void)
{
	struct analysis *a = analysis_new(ANALYZER_STANDARD);
	char err[256];
	CHECK(analysis_ignore(a, "unused variable: `y`", err, sizeof(err)) == 0);
	CHECK(analysis_ignore(a, "([", err, sizeof(err)) == -1);
	CHECK(strstr(err, "invalid ignored_lines pattern '(['"));
	for (size_t i = 0; i < N(sample_check_warn); i++)
		analysis_line(a, sample_check_warn[i], strlen(sample_check_warn[i]), true);
	struct report r;
	analysis_finish(a, &r);
	/* the title is gone, so its location and code lines go to the item before */
	CHECK_INT(r.warnings, 2);
	report_free(&r);
	/* the next run starts empty, the patterns kept */
	analysis_line(a, "warning: unused variable: `y`\n", 30, true);
	analysis_line(a, "warning: unused variable: `z`", 29, true);
	analysis_finish(a, &r);
	CHECK_INT(r.warnings, 1);
	report_free(&r);
	analysis_free(a);
}

static void test_unstyled_and_streams(void)
{
	static const char *const lines[] = {
		"warning: unused variable: `x`",
		"error[E0308]: mismatched types",
		"   --> src/lib.rs:4:5",
		"error: aborting due to 1 previous error; 1 warning emitted",
		"warning: `x` (lib) generated 1 warning",
		"error: could not compile `x` (lib) due to 1 previous error; 1 warning emitted",
		"\033[1m\033[33mwarning\033[0m: build failed, waiting for other jobs to finish...",
	};
	struct report r;
	analyze(ANALYZER_STANDARD, lines, N(lines), &r);
	CHECK_INT(r.errors, 1);
	CHECK_INT(r.warnings, 1);
	CHECK_STR(nth(&r, REPORT_LOCATION, 0)->plain, "   --> src/lib.rs:4:5");
	report_free(&r);
	/* on stdout, an unstyled "error: " is a program's text, not rustc's */
	struct analysis *a = analysis_new(ANALYZER_STANDARD);
	analysis_line(a, lines[1], strlen(lines[1]), false);
	analysis_finish(a, &r);
	CHECK_INT(r.errors, 0);
	report_free(&r);
	analysis_free(a);
	CHECK(report_is_success(&r, false, false));
}

static void test_styled_test_results(void)
{
	/* libtest on a terminal colours the outcome alone */
	static const char *const lines[] = {
		"test a::b ... \033[32mok\033[0m",
		"test a::c ... \033[31mFAILED\033[0m",
		"test a::d - should panic ... \033[32mok\033[0m",
		"not a test \033[32mok\033[0m",
	};
	struct report r;
	analyze(ANALYZER_STANDARD, lines, N(lines), &r);
	CHECK_INT(r.passed, 2);
	CHECK_INT(r.failures, 1);
	CHECK_STR(nth(&r, REPORT_FAILURE, 0)->plain, "a::c");
	CHECK_STR(nth(&r, REPORT_NORMAL, 0)->plain, "no output");
	report_free(&r);
}

static void test_names(void)
{
	enum analyzer_kind k;
	CHECK(analyzer_from_name("cargo_json", &k) == 0 && k == ANALYZER_CARGO_JSON);
	CHECK(analyzer_from_name("cpp", &k) == 0 && k == ANALYZER_CPP);
	CHECK(analyzer_from_name("eslint", &k) == -1);
	CHECK_STR(analyzer_name(ANALYZER_NEXTEST), "nextest");
	CHECK(strstr(analyzer_names(), "standard"));
}

int main(void)
{
	RUN(test_ansi_runs);
	RUN(test_matchers);
	RUN(test_cargo_error);
	RUN(test_cargo_warnings);
	RUN(test_cargo_test);
	RUN(test_cargo_json);
	RUN(test_nextest);
	RUN(test_nextest_later_forms);
	RUN(test_cpp);
	RUN(test_ignored_lines);
	RUN(test_unstyled_and_streams);
	RUN(test_styled_test_results);
	RUN(test_names);
	UNIT_EXIT();
}
