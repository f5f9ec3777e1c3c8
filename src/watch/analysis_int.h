/* What the analyzers share: a line's class, and the report builder that
 * turns classified lines into items. */
#ifndef SONDE_WATCH_ANALYSIS_INT_H
#define SONDE_WATCH_ANALYSIS_INT_H
#include "watch/analysis.h"
#include "watch/ansi.h"

enum line_type {
	LT_NORMAL,         /* belongs to the item being read, if any */
	LT_ERROR,          /* title of an error */
	LT_WARNING,        /* title of a warning */
	LT_FAIL_TITLE,     /* title of a test failure's output (has a key) */
	LT_TEST_RESULT,    /* "test x ... ok|FAILED" (has a key, pass) */
	LT_LOCATION,       /* path:line:col within the item being read */
	LT_SUM,            /* a summary ("generated 2 warnings"): ends the item */
	LT_SECTION_END,    /* ends the item too */
	LT_BACKTRACE_HINT, /* "run with RUST_BACKTRACE=1" */
	LT_GARBAGE,        /* dropped */
};

struct line_class {
	enum line_type type;
	bool pass;          /* LT_TEST_RESULT */
	const char *key;    /* the test's name, in the line's plain text */
	size_t key_len;
};

/* One analyzer per kind: classifies a line by its style and plain text. */
struct line_class standard_classify(const struct ansi_line *l, bool from_stderr);
/* nextest's later output names a failure's sections by the test of the
 * FAIL line before them: *last_key keeps it (the caller frees it). */
struct line_class nextest_classify(const struct ansi_line *l, bool from_stderr, char **last_key);
struct line_class cpp_classify(const struct ansi_line *l);

/* Builds items from classified lines, following bacon's report building
 * (src/analysis/standard/standard_report_building.rs). */
struct report_builder;
struct report_builder *builder_new(void);
void builder_add(struct report_builder *b, struct line_class c, const char *styled,
		 size_t styled_len, const struct ansi_line *l);
void builder_finish(struct report_builder *b, struct report *out);
void builder_free(struct report_builder *b);

/* cargo_json: one line of `cargo --message-format json*`; its diagnostics'
 * rendered lines go to the builder. */
void cargo_json_line(struct report_builder *b, const char *line, size_t len);

/* Small matchers of plain text (line_match.c). */
/* "PATH:LINE:COL" at s (PATH without blanks, quotes or ':'); returns the
 * bytes matched, 0 if none. */
size_t match_location(const char *s, size_t n);
/* libtest's "test NAME ... ok|FAILED" (NAME without " - should panic" or
 * " - compile"); true with the key and outcome. */
bool match_test_result(const char *s, size_t n, const char **key, size_t *key_len, bool *pass);
bool starts_with(const char *s, size_t n, const char *prefix);
bool ends_with(const char *s, size_t n, const char *suffix);
/* Does s contain "generated N warning" or "N warnings emitted" (N digits)? */
bool has_warning_count(const char *s, size_t n);

#endif
