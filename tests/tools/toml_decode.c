/* Test tool: reads a TOML file with src/toml and prints it as toml-test's
 * tagged JSON ({"type":"integer","value":"42"}, tables as objects, arrays
 * as arrays), for tests/e2e/e2e_toml_test.sh. A refused document: its
 * error on stderr, exit 1. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "toml/toml.h"

static void put_json_string(const char *s, size_t n)
{
	putchar('"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void put_datetime(const struct toml_value *v)
{
	const struct toml_datetime *d = &v->u.dt;
	if (v->type != TOML_LOCAL_TIME)
		printf("%04d-%02d-%02d", d->year, d->month, d->day);
	if (v->type == TOML_LOCAL_DATE)
		return;
	if (v->type != TOML_LOCAL_TIME)
		putchar('T');
	printf("%02d:%02d:%02d", d->hour, d->minute, d->second);
	if (d->nanosecond)
		printf(".%09u", (unsigned)d->nanosecond);
	if (v->type != TOML_OFFSET_DATETIME)
		return;
	if (!d->offset_minutes) {
		putchar('Z');
		return;
	}
	int m = d->offset_minutes < 0 ? -d->offset_minutes : d->offset_minutes;
	printf("%c%02d:%02d", d->offset_minutes < 0 ? '-' : '+', m / 60, m % 60);
}

static void put_value(const struct toml_value *v);

static void put_table(const struct toml_table *t)
{
	putchar('{');
	for (size_t i = 0; i < t->n; i++) {
		if (i)
			putchar(',');
		put_json_string(t->kv[i].key, t->kv[i].keylen);
		putchar(':');
		put_value(&t->kv[i].val);
	}
	putchar('}');
}

static void put_value(const struct toml_value *v)
{
	switch (v->type) {
	case TOML_TABLE:
		put_table(v->u.tab);
		return;
	case TOML_ARRAY:
		putchar('[');
		for (size_t i = 0; i < v->u.arr->n; i++) {
			if (i)
				putchar(',');
			put_value(&v->u.arr->v[i]);
		}
		putchar(']');
		return;
	default:
		break;
	}
	printf("{\"type\":\"%s\",\"value\":", toml_type_name(v->type));
	switch (v->type) {
	case TOML_STRING:
		put_json_string(v->u.str.s, v->u.str.len);
		break;
	case TOML_INTEGER:
		printf("\"%lld\"", (long long)v->u.i);
		break;
	case TOML_FLOAT:
		if (isnan(v->u.f))
			printf("\"nan\"");
		else if (isinf(v->u.f))
			printf("\"%sinf\"", v->u.f < 0 ? "-" : "+");
		else
			printf("\"%.17g\"", v->u.f);
		break;
	case TOML_BOOL:
		printf("\"%s\"", v->u.b ? "true" : "false");
		break;
	default:
		putchar('"');
		put_datetime(v);
		putchar('"');
		break;
	}
	putchar('}');
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: toml_decode FILE.toml\n");
		return 2;
	}
	char err[512];
	struct toml_table *t = toml_parse_file(argv[1], err, sizeof err);
	if (!t) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	put_table(t);
	putchar('\n');
	toml_free(t);
	return 0;
}
