/* An analysis: the job's ignored lines, then its analyzer, line by line
 * (analysis.h). */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/die.h"
#include "util/vec.h"
#include "watch/analysis_int.h"

struct analysis {
	enum analyzer_kind kind;
	struct report_builder *builder;
	VEC(regex_t) ignored;
	char *last_test_key; /* nextest's */
};

static const char *const names[] = {
	[ANALYZER_STANDARD] = "standard",
	[ANALYZER_CARGO_JSON] = "cargo_json",
	[ANALYZER_NEXTEST] = "nextest",
	[ANALYZER_CPP] = "cpp",
};

int analyzer_from_name(const char *name, enum analyzer_kind *out)
{
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i])) {
			*out = (enum analyzer_kind)i;
			return 0;
		}
	return -1;
}

const char *analyzer_name(enum analyzer_kind kind)
{
	return (size_t)kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "?";
}

const char *analyzer_names(void)
{
	return "standard, cargo_json, nextest, cpp";
}

struct analysis *analysis_new(enum analyzer_kind kind)
{
	struct analysis *a = xcalloc(1, sizeof(*a));
	a->kind = kind;
	a->builder = builder_new();
	return a;
}

int analysis_ignore(struct analysis *a, const char *regex, char *err, size_t errlen)
{
	regex_t re;
	int rc = regcomp(&re, regex, REG_EXTENDED | REG_NOSUB);
	if (rc) {
		char why[200];
		regerror(rc, &re, why, sizeof(why));
		snprintf(err, errlen, "invalid ignored_lines pattern '%s': %s", regex, why);
		return -1;
	}
	vec_push(&a->ignored, re);
	return 0;
}

static bool is_ignored(const struct analysis *a, const char *plain)
{
	for (size_t i = 0; i < a->ignored.n; i++)
		if (!regexec(&a->ignored.v[i], plain, 0, NULL, 0))
			return true;
	return false;
}

void analysis_line(struct analysis *a, const char *line, size_t len, bool from_stderr)
{
	if (len && line[len - 1] == '\n')
		len--;
	struct ansi_line l;
	ansi_parse(&l, line, len);
	/* matched on the plain text, where a NUL byte is a space (ansi.c) */
	if (!is_ignored(a, l.plain)) {
		struct line_class c;
		switch (a->kind) {
		case ANALYZER_CARGO_JSON:
			cargo_json_line(a->builder, line, len);
			break;
		case ANALYZER_NEXTEST:
			c = nextest_classify(&l, from_stderr, &a->last_test_key);
			builder_add(a->builder, c, line, len, &l);
			break;
		case ANALYZER_CPP:
			c = cpp_classify(&l);
			builder_add(a->builder, c, line, len, &l);
			break;
		case ANALYZER_STANDARD:
		default:
			c = standard_classify(&l, from_stderr);
			builder_add(a->builder, c, line, len, &l);
			break;
		}
	}
	ansi_line_free(&l);
}

void analysis_finish(struct analysis *a, struct report *out)
{
	builder_finish(a->builder, out);
	free(a->last_test_key);
	a->last_test_key = NULL;
}

void analysis_free(struct analysis *a)
{
	if (!a)
		return;
	builder_free(a->builder);
	free(a->last_test_key);
	for (size_t i = 0; i < a->ignored.n; i++)
		regfree(&a->ignored.v[i]);
	vec_free(&a->ignored);
	free(a);
}

bool report_is_success(const struct report *r, bool allow_warnings, bool allow_failures)
{
	return r->errors == 0 && (allow_failures || r->failures == 0) &&
	       (allow_warnings || r->warnings == 0);
}
