/* The `cargo_json` analyzer: `cargo --message-format json` (and its
 * json-diagnostic-rendered-ansi form). As bacon (src/analysis/cargo_json/),
 * each "compiler-message" record's diagnostic is shown as rustc rendered it:
 * the first line is an error or warning title by the diagnostic's level
 * ("error", "error: internal compiler error", "warning"), a later line with
 * ":LINE:COL" a location, the others its text; children with a rendering of
 * their own follow. Other records and lines that are no JSON are not
 * analyzed. rustc's own counts ("aborting due to", "N warnings emitted")
 * arrive as diagnostics too and are not counted. */
#include <string.h>

#include "util/json.h"
#include "watch/analysis_int.h"

static enum line_type title_type(const char *level, const char *message)
{
	if (!level)
		return LT_NORMAL;
	if (message && (starts_with(message, strlen(message), "aborting due to") ||
			has_warning_count(message, strlen(message))))
		return LT_SUM;
	if (!strcmp(level, "error") || !strcmp(level, "error: internal compiler error"))
		return LT_ERROR;
	if (!strcmp(level, "warning"))
		return LT_WARNING;
	return LT_NORMAL;
}

static bool has_line_col(const char *s, size_t n)
{
	for (size_t i = 0; i + 3 < n; i++) {
		if (s[i] != ':' || s[i + 1] < '0' || s[i + 1] > '9')
			continue;
		size_t j = i + 1;
		while (j < n && s[j] >= '0' && s[j] <= '9')
			j++;
		if (j + 1 < n && s[j] == ':' && s[j + 1] >= '0' && s[j + 1] <= '9')
			return true;
	}
	return false;
}

static void add_rendered(struct report_builder *b, const char *text, enum line_type first)
{
	/* rustc ends its rendering with a newline, and blank lines around it
	 * are no part of it */
	const char *end = text + strlen(text);
	while (end > text && (end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\r'))
		end--;
	while (text < end && *text == '\n')
		text++;
	enum line_type t = first;
	for (const char *p = text; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		struct ansi_line l;
		ansi_parse(&l, p, len);
		if (t == LT_NORMAL && has_line_col(l.plain, l.plain_len))
			t = LT_LOCATION;
		struct line_class c = { t, false, NULL, 0 };
		builder_add(b, c, p, len, &l);
		ansi_line_free(&l);
		t = LT_NORMAL;
		p = nl ? nl + 1 : end;
	}
}

static void add_diagnostic(struct report_builder *b, const struct json *d, int depth)
{
	if (!d || d->type != JSON_OBJ || depth > 50)
		return;
	const char *rendered = json_str(json_get(d, "rendered"));
	enum line_type t = title_type(json_str(json_get(d, "level")), json_str(json_get(d, "message")));
	if (t == LT_SUM) {
		struct line_class c = { LT_SUM, false, NULL, 0 };
		struct ansi_line l = { 0 };
		builder_add(b, c, "", 0, &l);
		return;
	}
	if (rendered)
		add_rendered(b, rendered, t);
	const struct json *kids = json_get(d, "children");
	if (kids && kids->type == JSON_ARR)
		for (size_t i = 0; i < kids->n; i++)
			add_diagnostic(b, &kids->kids[i], depth + 1);
}

void cargo_json_line(struct report_builder *b, const char *line, size_t len)
{
	size_t i = 0;
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (i >= len || line[i] != '{')
		return;
	struct json v;
	if (json_parse(line, len, &v) < 0)
		return;
	if (json_str(json_get(&v, "reason")) && !strcmp(json_str(json_get(&v, "reason")), "compiler-message"))
		add_diagnostic(b, json_get(&v, "message"), 0);
	json_free(&v);
}
