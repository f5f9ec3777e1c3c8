/* util/json: the reader of cargo's messages; util/escape: the writers'
 * escaping, read back by the reader where they meet. */
#include <string.h>

#include "unit.h"
#include "util/escape.h"
#include "util/json.h"

static int parse(const char *s, struct json *v) { return json_parse(s, strlen(s), v); }

static void test_values(void)
{
	struct json v;
	CHECK(parse(" {\"a\": [1, -2.5e1, true, false, null, \"x\"], \"b\": {}} \n", &v) == 0);
	CHECK(v.type == JSON_OBJ && v.n == 2);
	const struct json *a = json_get(&v, "a");
	CHECK(a && a->type == JSON_ARR && a->n == 6);
	CHECK(a->kids[0].type == JSON_NUM && a->kids[0].num == 1);
	CHECK(a->kids[1].num == -25);
	CHECK(a->kids[2].type == JSON_BOOL && a->kids[2].b);
	CHECK(a->kids[3].type == JSON_BOOL && !a->kids[3].b);
	CHECK(a->kids[4].type == JSON_NULL);
	CHECK(json_arr_has(a, "x") && !json_arr_has(a, "y"));
	CHECK(json_get(&v, "b")->type == JSON_OBJ);
	CHECK(!json_get(&v, "c") && !json_str(json_get(&v, "c")) && !json_get(a, "x"));
	json_free(&v);
}

static void test_strings(void)
{
	struct json v;
	CHECK(parse("\"a\\\"b\\\\c\\/d\\n\\t\\u00e9\\ud83d\\ude00\\ud800x\"", &v) == 0);
	CHECK_STR(v.str, "a\"b\\c/d\n\t\xc3\xa9\xf0\x9f\x98\x80\xef\xbf\xbdx");
	json_free(&v);
	/* cargo's compiler-artifact line, as cargo_flamegraph reads it */
	CHECK(parse("{\"reason\":\"compiler-artifact\",\"target\":{\"kind\":[\"bin\"],\"name\":\"demo\"},"
		    "\"profile\":{\"debuginfo\":2},\"executable\":\"/t/release/demo\"}", &v) == 0);
	CHECK_STR(json_str(json_get(json_get(&v, "target"), "name")), "demo");
	CHECK(json_arr_has(json_get(json_get(&v, "target"), "kind"), "bin"));
	CHECK_STR(json_str(json_get(&v, "executable")), "/t/release/demo");
	json_free(&v);
}

static void test_errors(void)
{
	static const char *const bad[] = { "", "{", "[1,]", "{\"a\" 1}", "{1:2}", "\"abc", "\"a\\q\"", "\"\\u12\"",
					   "tru", "1 2", "[1] x", "\"a\nb\"", "--1", "{\"a\":}", NULL };
	for (size_t i = 0; bad[i]; i++) {
		struct json v;
		int rc = parse(bad[i], &v);
		if (rc != -1)
			printf("accepted: '%s'\n", bad[i]);
		CHECK(rc == -1);
		CHECK(v.n == 0 && !v.kids && !v.str);
	}
	/* a NUL inside the document ends nothing: it is an error */
	struct json v;
	CHECK(json_parse("12\0", 3, &v) == -1);
	/* deep nesting is refused, not a stack overflow */
	char deep[1001];
	memset(deep, '[', 1000);
	deep[1000] = 0;
	CHECK(parse(deep, &v) == -1);
	memset(deep, '[', 150);
	memset(deep + 150, ']', 150);
	deep[300] = 0;
	CHECK(parse(deep, &v) == 0);
	json_free(&v);
}

static char *quoted(const char *s, size_t n, int html)
{
	struct strbuf sb = STRBUF_INIT;
	if (html)
		json_quote_html(&sb, s, n);
	else
		json_quote(&sb, s, n);
	return sb_detach(&sb);
}

static void test_escape_round_trip(void)
{
	static const char in[] = "a\"b\\c\n\t\x01<&>' \xc3\xa9 \xe2\x80\xa8";
	for (int html = 0; html < 2; html++) {
		char *q = quoted(in, sizeof(in) - 1, html);
		struct json v;
		CHECK(parse(q, &v) == 0);
		CHECK_STR(v.str, in);
		json_free(&v);
		free(q);
	}
	char *q = quoted("</script>\xff", 10, 1);
	CHECK_STR(q, "\"\\u003c/script\\u003e\\ufffd\"");
	free(q);
	q = quoted("</script>\xff", 10, 0);
	CHECK_STR(q, "\"</script>\\u00ff\"");
	free(q);
	struct strbuf sb = STRBUF_INIT;
	xml_escapes(&sb, "<a href='x'>&\"\x7f\xef\xbf\xbe");
	xml_escapes(&sb, NULL);
	CHECK_STR(sb.buf, "&lt;a href=&#39;x&#39;&gt;&amp;&quot;\\x7f\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	sb_free(&sb);
}

int main(void)
{
	RUN(test_values);
	RUN(test_strings);
	RUN(test_errors);
	RUN(test_escape_round_trip);
	UNIT_EXIT();
}
