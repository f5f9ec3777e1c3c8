/* Classified lines into items, as bacon builds its report
 * (src/analysis/standard/standard_report_building.rs): a title opens an
 * item and the lines after it belong to it until a summary or section end;
 * test failures are known by key (the "test x ... FAILED" line, then the
 * "---- x stdout ----" section); the items are listed errors first, then
 * failures, then warnings, and the counts are the titles listed. */
#include <stdlib.h>
#include <string.h>

#include "util/die.h"
#include "util/vec.h"
#include "watch/analysis_int.h"

struct failure {
	char *key;
	bool has_title;
};

typedef VEC(struct report_line) line_vec;

struct report_builder {
	line_vec errors, fails, warnings;
	VEC(struct failure) failures;
	unsigned passed;
	int cur;                /* the item kind being read: LT_ERROR, LT_WARNING, LT_FAIL_TITLE, or -1 */
	bool in_fail_output;
	bool suggest_backtrace;
};

struct report_builder *builder_new(void)
{
	struct report_builder *b = xcalloc(1, sizeof(*b));
	b->cur = -1;
	return b;
}

static struct failure *find_failure(struct report_builder *b, const char *key, size_t len)
{
	for (size_t i = 0; i < b->failures.n; i++)
		if (strlen(b->failures.v[i].key) == len && !memcmp(b->failures.v[i].key, key, len))
			return &b->failures.v[i];
	return NULL;
}

static struct failure *add_failure(struct report_builder *b, const char *key, size_t len)
{
	struct failure f = { xstrndup(key, len), false };
	vec_push(&b->failures, f);
	return &b->failures.v[b->failures.n - 1];
}

static void push(line_vec *v, enum report_line_kind kind, const char *styled, size_t styled_len,
		 const char *plain)
{
	struct report_line l = { kind, 0, xstrndup(styled, styled_len), xstrdup(plain) };
	vec_push(v, l);
}

static bool is_blank(const struct ansi_line *l)
{
	for (size_t i = 0; i < l->plain_len; i++)
		if (l->plain[i] != ' ' && l->plain[i] != '\t')
			return false;
	return true;
}

/* The title bacon gives a failure: its key. */
static void push_fail_title(struct report_builder *b, const char *key, size_t len)
{
	char *t = xasprintf("%.*s", (int)len, key);
	push(&b->fails, REPORT_FAILURE, t, len, t);
	free(t);
}

void builder_add(struct report_builder *b, struct line_class c, const char *styled,
		 size_t styled_len, const struct ansi_line *l)
{
	switch (c.type) {
	case LT_GARBAGE:
		return;
	case LT_TEST_RESULT:
		if (c.pass)
			b->passed++;
		else if (!find_failure(b, c.key, c.key_len))
			add_failure(b, c.key, c.key_len); /* its output may follow */
		return;
	case LT_FAIL_TITLE: {
		struct failure *f = find_failure(b, c.key, c.key_len);
		if (!f)
			f = add_failure(b, c.key, c.key_len);
		b->in_fail_output = true;
		b->cur = LT_FAIL_TITLE;
		/* nextest has a title for stdout and another for stderr */
		if (!f->has_title) {
			f->has_title = true;
			push_fail_title(b, c.key, c.key_len);
		}
		return;
	}
	case LT_NORMAL:
		if (is_blank(l)) {
			if (b->cur == LT_FAIL_TITLE) {
				/* no run of blank lines in a failure's output */
				const struct report_line *last = b->fails.n ? &b->fails.v[b->fails.n - 1] : NULL;
				if (last && (last->kind != REPORT_NORMAL || !last->plain[0] ||
					     strspn(last->plain, " \t") == strlen(last->plain)))
					return;
			} else {
				b->in_fail_output = false;
			}
		}
		if (b->in_fail_output)
			push(&b->fails, REPORT_NORMAL, styled, styled_len, l->plain);
		else if (b->cur == LT_WARNING)
			push(&b->warnings, REPORT_NORMAL, styled, styled_len, l->plain);
		else if (b->cur == LT_ERROR)
			push(&b->errors, REPORT_NORMAL, styled, styled_len, l->plain);
		return;
	case LT_SUM:
	case LT_SECTION_END:
		b->cur = -1;
		b->in_fail_output = false;
		return;
	case LT_ERROR:
		b->cur = LT_ERROR;
		push(&b->errors, REPORT_ERROR, styled, styled_len, l->plain);
		return;
	case LT_WARNING:
		b->cur = LT_WARNING;
		push(&b->warnings, REPORT_WARNING, styled, styled_len, l->plain);
		return;
	case LT_BACKTRACE_HINT:
		b->suggest_backtrace = true;
		return;
	case LT_LOCATION:
		if (b->cur == LT_WARNING)
			push(&b->warnings, REPORT_LOCATION, styled, styled_len, l->plain);
		else if (b->cur == LT_ERROR)
			push(&b->errors, REPORT_LOCATION, styled, styled_len, l->plain);
		else if (b->cur == LT_FAIL_TITLE)
			push(&b->fails, REPORT_LOCATION, styled, styled_len, l->plain);
		return;
	}
}

static void append(line_vec *to, line_vec *from)
{
	vec_reserve(to, to->n + from->n);
	if (from->n)
		memcpy(to->v + to->n, from->v, from->n * sizeof(*from->v));
	to->n += from->n;
	vec_free(from);
}

void builder_finish(struct report_builder *b, struct report *out)
{
	/* a failure seen only in a result line still gets an item */
	for (size_t i = 0; i < b->failures.n; i++) {
		struct failure *f = &b->failures.v[i];
		if (!f->has_title) {
			push_fail_title(b, f->key, strlen(f->key));
			push(&b->fails, REPORT_NORMAL, "no output", 9, "no output");
		}
		free(f->key);
	}
	vec_free(&b->failures);
	line_vec all = b->errors;
	memset(&b->errors, 0, sizeof(b->errors));
	append(&all, &b->fails);
	append(&all, &b->warnings);
	memset(out, 0, sizeof(*out));
	unsigned item = 0;
	for (size_t i = 0; i < all.n; i++) {
		switch (all.v[i].kind) {
		case REPORT_ERROR: out->errors++, item++; break;
		case REPORT_FAILURE: out->failures++, item++; break;
		case REPORT_WARNING: out->warnings++, item++; break;
		default: break;
		}
		all.v[i].item = item;
	}
	out->items = item;
	out->lines = all.v;
	out->n_lines = all.n;
	out->passed = b->passed;
	out->suggest_backtrace = b->suggest_backtrace;
	b->passed = 0;
	b->cur = -1;
	b->in_fail_output = false;
	b->suggest_backtrace = false;
}

void builder_free(struct report_builder *b)
{
	if (!b)
		return;
	struct report r;
	builder_finish(b, &r);
	report_free(&r);
	free(b);
}

void report_free(struct report *r)
{
	for (size_t i = 0; i < r->n_lines; i++)
		free(r->lines[i].styled), free(r->lines[i].plain);
	free(r->lines);
	memset(r, 0, sizeof(*r));
}
