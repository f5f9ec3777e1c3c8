/* What a job's output says: errors, warnings, test failures and passes, and
 * the items (each error, warning or failure with its lines) that `sonde
 * watch` shows in its badge line and summary mode. bacon's analyzers:
 * `standard` (cargo, rustc, clippy, cargo test), `cargo_json` (cargo's
 * --message-format json*), `nextest`, `cpp` (gcc, clang, ld, make).
 *
 * The job's runner hands over each line as it is read; the report is made
 * at the end of the run:
 *
 *	struct analysis *a = analysis_new(kind);
 *	analysis_ignore(a, "^note: ", err, sizeof(err));   // ignored_lines
 *	while (read a line) analysis_line(a, line, len, from_stderr);
 *	analysis_finish(a, &report);                        // a starts again
 */
#ifndef SONDE_WATCH_ANALYSIS_H
#define SONDE_WATCH_ANALYSIS_H
#include <stdbool.h>
#include <stddef.h>

enum analyzer_kind {
	ANALYZER_STANDARD,
	ANALYZER_CARGO_JSON,
	ANALYZER_NEXTEST,
	ANALYZER_CPP,
};

/* A job's `analyzer` name ("standard", "cargo_json", "nextest", "cpp");
 * 0, or -1 for a name sonde does not know. */
int analyzer_from_name(const char *name, enum analyzer_kind *out);
const char *analyzer_name(enum analyzer_kind kind);
/* The known names, for an error message: "standard, cargo_json, ...". */
const char *analyzer_names(void);

enum report_line_kind {
	REPORT_ERROR,      /* an item's title line */
	REPORT_FAILURE,
	REPORT_WARNING,
	REPORT_LOCATION,   /* a location within the item (shown in summary mode) */
	REPORT_NORMAL,     /* the item's other lines */
};

struct report_line {
	enum report_line_kind kind;
	unsigned item;     /* 1-based: the lines of one item share it */
	char *styled;      /* as the tool printed it, escape sequences kept */
	char *plain;       /* the same text without them */
};

struct report {
	unsigned errors, warnings, failures, passed;
	bool suggest_backtrace;          /* a test said "run with RUST_BACKTRACE=" */
	/* errors first, then test failures, then warnings, as bacon lists them */
	struct report_line *lines;
	size_t n_lines;
	unsigned items;
};

struct analysis;

struct analysis *analysis_new(enum analyzer_kind kind);
/* Adds one of the job's `ignored_lines` (POSIX extended regex, matched on
 * the plain text): a matching line never reaches the analyzer. 0, or -1
 * with the regex's error in err. */
int analysis_ignore(struct analysis *a, const char *regex, char *err, size_t errlen);
/* One output line, without its newline (one there is dropped); from_stderr
 * tells which stream it came from (pass true when they are merged). */
void analysis_line(struct analysis *a, const char *line, size_t len, bool from_stderr);
/* The report of every line since the last finish; a is ready for the
 * next run (its ignored lines kept). Free the report with report_free. */
void analysis_finish(struct analysis *a, struct report *out);
void analysis_free(struct analysis *a);
void report_free(struct report *r);

/* bacon's rule: no error, and no failure or warning unless allowed. */
bool report_is_success(const struct report *r, bool allow_warnings, bool allow_failures);

#endif
