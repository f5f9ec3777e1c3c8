/* The watch analyzers on the output of the real tools, run here on small
 * fixture projects: the counts must be the ones the tools print themselves
 * (rustc's "generated N warnings" and "due to N previous errors", cargo
 * test's "N passed; M failed", clang's "N warnings and M errors
 * generated.", gcc's own count in -fdiagnostics-format=json). A tool that
 * is not installed is a SKIP. */
#include <stdbool.h>
#include <unistd.h>

#include "unit.h"
#include "util/json.h"
#include "util/strbuf.h"
#include "watch/analysis.h"
#include "watch/ansi.h"

static char root[512], cdir[600];
static const char *dir = root; /* where the tools run */

/* Runs cmd in dir (stderr merged), feeding each line to an analysis of
 * kind; the plain text of the whole output goes to text. */
static int run_tool(const char *cmd, enum analyzer_kind kind, struct report *r, struct strbuf *text)
{
	char full[2048];
	snprintf(full, sizeof(full), "cd '%s' && CARGO_TARGET_DIR='%s/target' CARGO_NET_OFFLINE=true %s 2>&1",
		 dir, dir, cmd);
	FILE *f = popen(full, "r");
	if (!f)
		return -1;
	struct analysis *a = analysis_new(kind);
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	while ((n = getline(&line, &cap, f)) > 0) {
		analysis_line(a, line, (size_t)n, true);
		struct ansi_line l;
		ansi_parse(&l, line, (size_t)n);
		sb_add(text, l.plain, l.plain_len);
		sb_addc(text, '\n');
		ansi_line_free(&l);
	}
	free(line);
	analysis_finish(a, r);
	analysis_free(a);
	return pclose(f);
}

/* The number before the first occurrence of word in text, or -1. */
static long number_before(const char *text, const char *word)
{
	const char *p = strstr(text, word);
	if (!p)
		return -1;
	while (p > text && p[-1] == ' ')
		p--;
	const char *e = p;
	while (p > text && p[-1] >= '0' && p[-1] <= '9')
		p--;
	return p == e ? -1 : strtol(p, NULL, 10);
}

static bool have(const char *cmd)
{
	return unit_sh("%s >/dev/null 2>&1", cmd) == 0;
}

static void write_file(const char *name, const char *content)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (f) {
		fputs(content, f);
		fclose(f);
	}
}

static const char cargo_toml[] = "[package]\nname = \"fx\"\nversion = \"0.1.0\"\nedition = \"2021\"\n";

static const char warnings_rs[] =
	"fn main() {\n    let unused = 3;\n    let mut m = 1;\n    println!(\"{}\", m);\n}\n"
	"fn dead() {}\n"
	"#[cfg(test)]\nmod tests {\n"
	"    #[test]\n    fn good() { assert_eq!(1, 1); }\n"
	"    #[test]\n    fn good2() { assert!(true); }\n"
	"    #[test]\n    fn bad() { assert_eq!(1, 2, \"one is not two\"); }\n"
	"    #[test]\n    fn bad2() { panic!(\"boom\"); }\n"
	"    #[test]\n    fn bad3() { let v: Vec<u8> = Vec::new(); let _ = v[3]; }\n"
	"}\n";

static const char errors_rs[] =
	"fn main() {\n    let x: u32 = \"text\";\n    let y: bool = 3;\n    println!(\"{} {}\", x, y);\n}\n";

static void test_cargo(void)
{
	if (!have("cargo --version")) {
		printf("SKIP test_cargo: cargo is not installed\n");
		return;
	}
	unit_sh("mkdir -p '%s/src'", dir);
	write_file("Cargo.toml", cargo_toml);
	write_file("src/main.rs", warnings_rs);
	struct report r;
	struct strbuf text = STRBUF_INIT;
	run_tool("cargo check --color always", ANALYZER_STANDARD, &r, &text);
	long said = number_before(text.buf, "warnings");
	/* WATCH_TOOLS_VERBOSE=1 shows what cargo said */
	if (getenv("WATCH_TOOLS_VERBOSE"))
		fprintf(stderr, "%s", text.buf);
	CHECK(said >= 3);
	CHECK_INT(r.warnings, said);
	CHECK_INT(r.errors, 0);
	CHECK(report_is_success(&r, true, false) && !report_is_success(&r, false, false));
	report_free(&r);
	sb_reset(&text);

	/* the same diagnostics as JSON records */
	run_tool("touch src/main.rs && cargo check --message-format json-diagnostic-rendered-ansi",
		 ANALYZER_CARGO_JSON, &r, &text);
	CHECK_INT(r.warnings, said);
	CHECK_INT(r.errors, 0);
	report_free(&r);
	sb_reset(&text);

	if (have("cargo clippy --version")) {
		run_tool("touch src/main.rs && cargo clippy --color always", ANALYZER_STANDARD, &r, &text);
		long clippy_said = number_before(text.buf, "warnings");
		CHECK(clippy_said >= said);
		CHECK_INT(r.warnings, clippy_said);
		report_free(&r);
		sb_reset(&text);
	} else {
		printf("SKIP test_cargo_clippy: cargo clippy is not installed\n");
	}

	run_tool("RUST_BACKTRACE=0 cargo test --color always", ANALYZER_STANDARD, &r, &text);
	long passed = number_before(text.buf, "passed;"), failed = number_before(text.buf, "failed;");
	CHECK_INT(passed, 2);
	CHECK_INT(failed, 3);
	CHECK_INT(r.passed, passed);
	CHECK_INT(r.failures, failed);
	/* the build's warnings are still there */
	CHECK_INT(r.warnings, said);
	CHECK(report_is_success(&r, true, true) && !report_is_success(&r, true, false));
	report_free(&r);
	sb_reset(&text);

	write_file("src/main.rs", errors_rs);
	run_tool("cargo check --color always", ANALYZER_STANDARD, &r, &text);
	long errors = number_before(text.buf, "previous error");
	CHECK_INT(errors, 2);
	CHECK_INT(r.errors, errors);
	report_free(&r);
	sb_reset(&text);
	run_tool("cargo check --message-format json-diagnostic-rendered-ansi", ANALYZER_CARGO_JSON, &r, &text);
	CHECK_INT(r.errors, errors);
	report_free(&r);
	sb_free(&text);
}

static const char bad_c[] =
	"#include <stdio.h>\n"
	"static int unused_fn(void) { return 1; }\n"
	"int main(int argc, char **argv)\n{\n"
	"\tint unused;\n\tunsigned u = 3;\n"
	"\tif (u < argc) printf(\"%d\\n\", 1.5);\n"
	"\treturn undefined_var + missing_fn(2);\n}\n";

/* gcc's own count: the diagnostics of its JSON format, by kind. */
static void gcc_json_counts(long *errors, long *warnings)
{
	*errors = *warnings = -1;
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "cd '%s' && gcc -Wall -Wextra -fdiagnostics-format=json -c bad.c -o bad.o 2>&1", dir);
	FILE *f = popen(cmd, "r");
	if (!f)
		return;
	struct strbuf sb = STRBUF_INIT;
	sb_read_fd(&sb, fileno(f));
	pclose(f);
	struct json v;
	if (sb.len && json_parse(sb.buf, sb.len, &v) == 0) {
		*errors = *warnings = 0;
		for (size_t i = 0; v.type == JSON_ARR && i < v.n; i++) {
			const char *kind = json_str(json_get(&v.kids[i], "kind"));
			if (kind && !strcmp(kind, "error"))
				++*errors;
			else if (kind && !strcmp(kind, "warning"))
				++*warnings;
		}
		json_free(&v);
	}
	sb_free(&sb);
}

static void test_c_compilers(void)
{
	snprintf(cdir, sizeof(cdir), "%s/c", root);
	unit_sh("mkdir -p '%s'", cdir);
	dir = cdir;
	write_file("bad.c", bad_c);
	write_file("link.c", "int missing(void);\nint main(void) { return missing() + missing(); }\n");
	write_file("Makefile", "all:\n\tgcc -Wall -Wextra -c bad.c -o bad.o\n");
	struct report r;
	struct strbuf text = STRBUF_INIT;
	if (have("gcc --version")) {
		long errors, warnings;
		gcc_json_counts(&errors, &warnings);
		CHECK(errors >= 1 && warnings >= 3);
		run_tool("gcc -fdiagnostics-color=always -Wall -Wextra -c bad.c -o bad.o", ANALYZER_CPP, &r, &text);
		CHECK_INT(r.errors, errors);
		CHECK_INT(r.warnings, warnings);
		report_free(&r);
		run_tool("make", ANALYZER_CPP, &r, &text);
		CHECK_INT(r.errors, errors);
		CHECK_INT(r.warnings, warnings);
		report_free(&r);
		/* one undefined symbol called twice: ld names both calls */
		sb_reset(&text);
		run_tool("gcc link.c -o link", ANALYZER_CPP, &r, &text);
		long refs = 0;
		for (const char *p = text.buf; (p = strstr(p, "undefined reference")); p++)
			refs++;
		CHECK(refs >= 1);
		CHECK_INT(r.errors, refs);
		report_free(&r);
	} else {
		printf("SKIP test_gcc: gcc is not installed\n");
	}
	if (have("clang --version")) {
		sb_reset(&text);
		run_tool("clang -fcolor-diagnostics -Wall -Wextra -c bad.c -o bad.o", ANALYZER_CPP, &r, &text);
		/* "N warnings and M errors generated." */
		long w, e;
		const char *sum = strstr(text.buf, " generated.");
		CHECK(sum);
		while (sum > text.buf && sum[-1] != '\n')
			sum--;
		w = number_before(sum, "warning");
		e = number_before(sum, "error");
		CHECK_INT(r.warnings, w < 0 ? 0 : w);
		CHECK_INT(r.errors, e < 0 ? 0 : e);
		CHECK(r.errors >= 1);
		report_free(&r);
	} else {
		printf("SKIP test_clang: clang is not installed\n");
	}
	sb_free(&text);
	dir = root;
}

int main(void)
{
	const char *tmp = getenv("SONDE_TMP");
	snprintf(root, sizeof(root), "%s/watch-tools.%d", tmp ? tmp : "/tmp", (int)getpid());
	unit_sh("rm -rf '%s' && mkdir -p '%s'", dir, dir);
	RUN(test_cargo);
	RUN(test_c_compilers);
	unit_sh("rm -rf '%s'", dir);
	UNIT_EXIT();
}
