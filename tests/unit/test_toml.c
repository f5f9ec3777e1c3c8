/* toml/: the TOML 1.0 reader's tree, look-ups, positions and error
 * messages (toml-test's whole corpus runs in tests/e2e/e2e_toml_test.sh). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "toml/toml.h"
#include "unit.h"

static char err[256];

static struct toml_table *parse(const char *s) { return toml_parse(s, strlen(s), err, sizeof err); }

/* the error a document is refused with, "" if it is accepted */
static const char *refused(const char *s)
{
	struct toml_table *t = parse(s);
	if (t) {
		toml_free(t);
		return "";
	}
	return err;
}

static void test_tree_and_lookups(void)
{
	struct toml_table *t = parse("default_job = \"check\"\n"
				     "[jobs.clippy]\n"
				     "command = [\"cargo\", \"clippy\"]\n"
				     "need_stdout = false\n"
				     "\n"
				     "[jobs.run]\n"
				     "env = { RUST_LOG = \"debug\" }\n"
				     "grace = 1.5\n"
				     "n = 0xff\n");
	CHECK(t);
	CHECK_INT(t->n, 2);
	CHECK_STR(t->kv[0].key, "default_job");
	CHECK_STR(t->kv[1].key, "jobs");
	const struct toml_value *v = toml_get(t, "default_job");
	CHECK(v && v->type == TOML_STRING);
	CHECK_STR(v->u.str.s, "check");
	CHECK_INT(v->line, 1);
	CHECK_INT(v->col, 15);
	v = toml_get_path(t, "jobs.clippy.command");
	CHECK(v && v->type == TOML_ARRAY && v->u.arr->n == 2);
	CHECK_STR(v->u.arr->v[1].u.str.s, "clippy");
	CHECK_INT(v->line, 3);
	CHECK_INT(v->col, 11);
	CHECK_INT(v->u.arr->v[1].col, 21);
	v = toml_get_path(t, "jobs.clippy.need_stdout");
	CHECK(v && v->type == TOML_BOOL && !v->u.b);
	v = toml_get_path(t, "jobs.run.env.RUST_LOG");
	CHECK(v && v->type == TOML_STRING && !strcmp(v->u.str.s, "debug"));
	CHECK_INT(v->line, 7);
	v = toml_get_path(t, "jobs.run.grace");
	CHECK(v && v->type == TOML_FLOAT && v->u.f == 1.5);
	CHECK(toml_get_path(t, "jobs.run.n")->u.i == 255);
	/* keys in file order, each with its position */
	const struct toml_table *jobs = toml_get(t, "jobs")->u.tab;
	CHECK_STR(jobs->kv[0].key, "clippy");
	CHECK_STR(jobs->kv[1].key, "run");
	CHECK_INT(jobs->kv[1].line, 6);
	CHECK_INT(jobs->kv[1].col, 7);
	CHECK(!toml_get(t, "jobs.clippy")); /* one key, not a path */
	CHECK(!toml_get_path(t, "jobs.nope.command"));
	CHECK(!toml_get_path(t, "default_job.x"));
	CHECK(!toml_get(NULL, "x") && !toml_get_path(NULL, "x"));
	toml_free(t);
	toml_free(NULL);
}

static void test_strings(void)
{
	struct toml_table *t = parse("a = \"x\\u0000y\\t\\U0001F600\"\n"
				     "b = 'C:\\no\\escape'\n"
				     "c = \"\"\"\n  one \\\n     two\"\"\"\n"
				     "d = '''\nraw\\n ''quoted'' '''\n"
				     "\"quoted key\" = 1\n"
				     "'' = 2\n");
	CHECK(t);
	const struct toml_value *a = toml_get(t, "a");
	CHECK_INT(a->u.str.len, 8);
	CHECK(!memcmp(a->u.str.s, "x\0y\t\xf0\x9f\x98\x80", 8) && a->u.str.s[8] == 0);
	CHECK_STR(toml_get(t, "b")->u.str.s, "C:\\no\\escape");
	CHECK_STR(toml_get(t, "c")->u.str.s, "  one two");
	CHECK_STR(toml_get(t, "d")->u.str.s, "raw\\n ''quoted'' ");
	CHECK(toml_get(t, "quoted key")->u.i == 1);
	CHECK(toml_get(t, "")->u.i == 2);
	toml_free(t);
}

static void test_numbers_and_dates(void)
{
	struct toml_table *t = parse("min = -9_223_372_036_854_775_808\n"
				     "o = 0o755\nb = 0b1010\n"
				     "f = -6.02e+2_3\nninf = -inf\nn = nan\n"
				     "odt = 1979-05-27T07:32:00.123456789999-07:30\n"
				     "ldt = 1979-05-27 07:32:00\n"
				     "ld = 2000-02-29\n"
				     "lt = 23:59:60.5\n");
	CHECK(t);
	CHECK(toml_get(t, "min")->u.i == INT64_MIN);
	CHECK_INT(toml_get(t, "o")->u.i, 0755);
	CHECK_INT(toml_get(t, "b")->u.i, 10);
	CHECK(toml_get(t, "f")->u.f == -6.02e23);
	CHECK(isinf(toml_get(t, "ninf")->u.f) && toml_get(t, "ninf")->u.f < 0);
	CHECK(isnan(toml_get(t, "n")->u.f));
	const struct toml_value *v = toml_get(t, "odt");
	CHECK(v->type == TOML_OFFSET_DATETIME);
	CHECK(v->u.dt.year == 1979 && v->u.dt.month == 5 && v->u.dt.day == 27);
	CHECK(v->u.dt.hour == 7 && v->u.dt.minute == 32 && v->u.dt.second == 0);
	CHECK_INT(v->u.dt.nanosecond, 123456789);
	CHECK_INT(v->u.dt.offset_minutes, -450);
	CHECK(toml_get(t, "ldt")->type == TOML_LOCAL_DATETIME);
	CHECK(toml_get(t, "ld")->type == TOML_LOCAL_DATE && toml_get(t, "ld")->u.dt.day == 29);
	v = toml_get(t, "lt");
	CHECK(v->type == TOML_LOCAL_TIME && v->u.dt.second == 60 && v->u.dt.nanosecond == 500000000);
	CHECK_STR(toml_type_name(v->type), "time-local");
	CHECK_STR(toml_type_name(TOML_OFFSET_DATETIME), "datetime");
	toml_free(t);
}

static void test_tables(void)
{
	struct toml_table *t = parse("[[bin]]\nname = 'a'\n[bin.opts]\nx = 1\n[[bin]]\nname = 'b'\n"
				     "[fruit]\napple.color = 'red'\n[fruit.apple.texture]\nsmooth = true\n"
				     "[x.y.z]\n[x]\ny.w = 1\n");
	CHECK(t);
	const struct toml_value *bin = toml_get(t, "bin");
	CHECK(bin->type == TOML_ARRAY && bin->u.arr->n == 2);
	CHECK(toml_get_path(bin->u.arr->v[0].u.tab, "opts.x")->u.i == 1);
	CHECK_STR(toml_get(bin->u.arr->v[1].u.tab, "name")->u.str.s, "b");
	CHECK_INT(bin->u.arr->v[1].line, 5);
	CHECK(toml_get_path(t, "fruit.apple.texture.smooth")->u.b);
	CHECK(toml_get_path(t, "x.y.w")->u.i == 1);
	toml_free(t);
}

static void test_errors(void)
{
	CHECK_STR(refused("a = 1\nb = 2\na = 3\n"), "3:1: 'a' is defined twice");
	CHECK_STR(refused("[t]\nx = 1\n[t]\n"), "3:2: 't' is defined twice");
	CHECK_STR(refused("[a]\nb.c = 1\n[a.b]\n"), "3:4: 'a.b' is defined twice");
	CHECK_STR(refused("[a.b]\n[a]\nb.c = 1\n"),
		  "3:1: 'b' is already defined; dotted keys cannot extend it");
	CHECK_STR(refused("t = {x = 1}\n[t.y]\n"),
		  "2:2: cannot define a table under 't': it is an inline table");
	CHECK_STR(refused("a = [1]\n[[a]]\n"), "2:3: 'a' is already defined and is not an array of tables");
	CHECK_STR(refused("x = \"a\\qb\"\n"), "1:7: invalid escape sequence in a string");
	CHECK_STR(refused("\n  s = \"open\n"), "2:7: unterminated string");
	CHECK_STR(refused("k = \"\xff\"\n"), "1:6: invalid UTF-8");
	CHECK_STR(refused("k = 'a\x7f'\n"), "1:7: control character U+007F in a literal string");
	CHECK_STR(refused("# bad \x01\n"), "1:7: control character U+0001 in a comment");
	CHECK_STR(refused("n = 9223372036854775808\n"),
		  "1:5: integer out of range (64 bits): '9223372036854775808'");
	CHECK_STR(refused("d = 2001-02-29\n"), "1:5: date out of range: '2001-02-29'");
	CHECK_STR(refused("d = 24:00:00\n"), "1:5: time out of range: '24:00:00'");
	CHECK_STR(refused("t = {a = 1,\n b = 2}\n"), "1:12: an inline table must be on one line");
	CHECK_STR(refused("t = {a = 1,}\n"), "1:12: no trailing comma in an inline table");
	CHECK_STR(refused("n = 0x_ff\n"), "1:5: an underscore must be between two digits: '0x_ff'");
	CHECK_STR(refused("x = 012\n"), "1:5: leading zeros are not allowed: '012'");
	CHECK_STR(refused("x = 1.\n"), "1:5: a float needs digits after its decimal point: '1.'");
	CHECK_STR(refused("x = \"\\uD800\"\n"), "1:6: \\uD800 is not a Unicode scalar value");
	CHECK_STR(refused("x = 1 y = 2\n"), "1:7: expected the end of the line, found 'y'");
	CHECK_STR(refused("x =\n"), "1:4: expected a value");
	CHECK_STR(refused("[a\n"), "1:3: expected ']' closing the table header");
	CHECK_STR(refused("a = 1\r"), "1:6: a carriage return must be followed by a newline");
	CHECK_STR(refused("é = 1"), "1:1: expected a key, found 'é'");
	/* depth is bounded, not recursed into */
	char deep[1024] = "x = ";
	memset(deep + 4, '[', 600);
	CHECK(strstr(refused(deep), "nested deeper than"));
	/* a document cut anywhere is refused or read, never more */
	const char *doc = "[a]\nb = \"\"\"x\ny\"\"\"\nc = [1, {d = 1979-05-27T00:00:00Z}]\n";
	for (size_t n = 0; n <= strlen(doc); n++) {
		struct toml_table *t = toml_parse(doc, n, err, sizeof err);
		toml_free(t);
	}
	/* a small buffer gets what fits */
	char small[8];
	CHECK(!toml_parse("a = 1\na = 2\n", 12, small, sizeof small));
	CHECK_STR(small, "2:1: 'a");
}

static void test_file(void)
{
	char dir[] = "/tmp/test_toml.XXXXXX";
	CHECK(mkdtemp(dir));
	char path[256];
	snprintf(path, sizeof path, "%s/bacon.toml", dir);
	FILE *f = fopen(path, "w");
	CHECK(f);
	fputs("[jobs.x]\ncommand = [\"true\"]\n[jobs.x]\n", f);
	fclose(f);
	char want[512];
	CHECK(!toml_parse_file(path, err, sizeof err));
	snprintf(want, sizeof want, "%s:3:7: 'jobs.x' is defined twice", path);
	CHECK_STR(err, want);
	f = fopen(path, "w");
	fputs("default_job = 'x'\n", f);
	fclose(f);
	struct toml_table *t = toml_parse_file(path, err, sizeof err);
	CHECK(t && toml_get(t, "default_job"));
	toml_free(t);
	unlink(path);
	CHECK(!toml_parse_file(path, err, sizeof err));
	snprintf(want, sizeof want, "%s: No such file or directory", path);
	CHECK_STR(err, want);
	rmdir(dir);
}

int main(void)
{
	RUN(test_tree_and_lookups);
	RUN(test_strings);
	RUN(test_numbers_and_dates);
	RUN(test_tables);
	RUN(test_errors);
	RUN(test_file);
	UNIT_EXIT();
}
