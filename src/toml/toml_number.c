/* TOML's bare values: integers (decimal, 0x, 0o, 0b; underscores only
 * between digits; overflow refused), floats (fraction, exponent, inf,
 * nan) and, by their shape, dates and times (toml_datetime.c). */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "toml/toml_int.h"

int tp_digit(int c, int base)
{
	int d = c >= '0' && c <= '9' ? c - '0'
		: c >= 'a' && c <= 'f' ? c - 'a' + 10
		: c >= 'A' && c <= 'F' ? c - 'A' + 10
		: 99;
	return d < base ? d : -1;
}

/* digits of base from t[*i], underscores each between two digits, copied
 * without them into out (may be NULL); the digits' count, or -1 */
static long digit_run(const char *t, size_t n, size_t *i, int base, char *out, size_t *olen)
{
	long count = 0;
	while (*i < n) {
		int c = (unsigned char)t[*i];
		if (c == '_') {
			if (!count || *i + 1 >= n || tp_digit((unsigned char)t[*i + 1], base) < 0)
				return -1;
			(*i)++;
			continue;
		}
		if (tp_digit(c, base) < 0)
			break;
		if (out)
			out[(*olen)++] = (char)c;
		count++;
		(*i)++;
	}
	return count;
}

static bool parse_prefixed(const char *t, size_t n, int base, struct toml_value *v, const char **why)
{
	size_t i = 2;
	uint64_t x = 0;
	long count = 0;
	while (i < n) {
		int c = (unsigned char)t[i];
		if (c == '_') {
			if (!count || i + 1 >= n || tp_digit((unsigned char)t[i + 1], base) < 0)
				return *why = "an underscore must be between two digits", false;
			i++;
			continue;
		}
		int d = tp_digit(c, base);
		if (d < 0)
			return *why = "invalid digit in an integer", false;
		if (x > ((uint64_t)INT64_MAX - (uint64_t)d) / (uint64_t)base)
			return *why = "integer out of range (64 bits)", false;
		x = x * (uint64_t)base + (uint64_t)d;
		count++;
		i++;
	}
	if (!count)
		return *why = "an integer needs digits after its prefix", false;
	v->type = TOML_INTEGER;
	v->u.i = (int64_t)x;
	return true;
}

static bool parse_decimal(const char *t, size_t n, struct toml_value *v, const char **why)
{
	size_t i = 0;
	bool neg = false;
	if (t[0] == '+' || t[0] == '-') {
		neg = t[0] == '-';
		i++;
	}
	size_t first = i;
	uint64_t x = 0;
	long count = 0;
	uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	while (i < n) {
		int c = (unsigned char)t[i];
		if (c == '_') {
			if (!count || i + 1 >= n || tp_digit((unsigned char)t[i + 1], 10) < 0)
				return *why = "an underscore must be between two digits", false;
			i++;
			continue;
		}
		int d = tp_digit(c, 10);
		if (d < 0)
			return *why = "invalid number", false;
		if (x > (limit - (uint64_t)d) / 10)
			return *why = "integer out of range (64 bits)", false;
		x = x * 10 + (uint64_t)d;
		count++;
		i++;
	}
	if (!count)
		return *why = "invalid number", false;
	if (t[first] == '0' && count > 1)
		return *why = "leading zeros are not allowed", false;
	v->type = TOML_INTEGER;
	v->u.i = neg ? (int64_t)(0 - x) : (int64_t)x;
	return true;
}

static bool parse_float(const char *t, size_t n, struct toml_value *v, const char **why)
{
	char buf[512];
	if (n >= sizeof buf)
		return *why = "float too long", false;
	size_t i = 0, o = 0;
	if (t[0] == '+' || t[0] == '-')
		buf[o++] = t[i++];
	const char *rest = t + i;
	size_t rn = n - i;
	if ((rn == 3 && !memcmp(rest, "inf", 3)) || (rn == 3 && !memcmp(rest, "nan", 3))) {
		v->type = TOML_FLOAT;
		double x = rest[0] == 'i' ? INFINITY : NAN;
		v->u.f = t[0] == '-' ? -x : x;
		return true;
	}
	size_t int_start = i;
	long d = digit_run(t, n, &i, 10, buf, &o);
	if (d <= 0)
		return *why = d < 0 ? "an underscore must be between two digits" : "invalid number", false;
	if (t[int_start] == '0' && d > 1)
		return *why = "leading zeros are not allowed", false;
	bool frac = false, exp = false;
	if (i < n && t[i] == '.') {
		buf[o++] = t[i++];
		d = digit_run(t, n, &i, 10, buf, &o);
		if (d <= 0)
			return *why = "a float needs digits after its decimal point", false;
		frac = true;
	}
	if (i < n && (t[i] == 'e' || t[i] == 'E')) {
		buf[o++] = t[i++];
		if (i < n && (t[i] == '+' || t[i] == '-'))
			buf[o++] = t[i++];
		d = digit_run(t, n, &i, 10, buf, &o);
		if (d <= 0)
			return *why = "a float needs digits in its exponent", false;
		exp = true;
	}
	if (i != n || (!frac && !exp))
		return *why = "invalid number", false;
	buf[o] = 0;
	errno = 0;
	char *end;
	v->u.f = strtod(buf, &end);
	if (*end)
		return *why = "invalid float", false;
	if (errno == ERANGE && isinf(v->u.f))
		return *why = "float out of range", false;
	v->type = TOML_FLOAT;
	return true;
}

bool tp_number(const char *t, size_t n, struct toml_value *v, const char **why)
{
	if (n > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'o' || t[1] == 'b'))
		return parse_prefixed(t, n, t[1] == 'x' ? 16 : t[1] == 'o' ? 8 : 2, v, why);
	for (size_t i = 0; i < n; i++)
		if (t[i] == '.' || t[i] == 'e' || t[i] == 'E' || t[i] == 'i' || t[i] == 'n')
			return parse_float(t, n, v, why);
	return parse_decimal(t, n, v, why);
}

static bool bare_char(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       c == '+' || c == '-' || c == '.' || c == ':';
}

static bool is_digit(int c) { return c >= '0' && c <= '9'; }

void tp_parse_bare(struct tp *p, struct toml_value *v)
{
	size_t start = p->pos;
	while (bare_char(tp_peek(p, 0)))
		p->pos++;
	size_t n = p->pos - start;
	const char *t = p->s + start;
	/* a date and a time may be separated by a space */
	if (n == 10 && t[4] == '-' && t[7] == '-' && tp_peek(p, 0) == ' ' && is_digit(tp_peek(p, 1)) &&
	    is_digit(tp_peek(p, 2)) && tp_peek(p, 3) == ':') {
		p->pos++;
		while (bare_char(tp_peek(p, 0)))
			p->pos++;
		n = p->pos - start;
	}
	if (!n) {
		int c = tp_peek(p, 0);
		if (c < 0 || c == '\n' || c == '\r' || c == '#')
			tp_fail_at(p, start, "expected a value");
		tp_fail_at(p, start, "expected a value, found %s", tp_char_text(p, start));
	}
	const char *why = "invalid value";
	bool ok;
	if (n >= 10 && is_digit(t[0]) && t[4] == '-')
		ok = tp_datetime(t, n, v, &why);
	else if (n >= 5 && is_digit(t[0]) && t[2] == ':')
		ok = tp_datetime(t, n, v, &why);
	else if (n == 4 && !memcmp(t, "true", 4))
		ok = (v->type = TOML_BOOL, v->u.b = true, true);
	else if (n == 5 && !memcmp(t, "false", 5))
		ok = (v->type = TOML_BOOL, v->u.b = false, true);
	else
		ok = tp_number(t, n, v, &why);
	if (!ok)
		tp_fail_at(p, start, "%s: '%.*s'", why, (int)(n > 60 ? 60 : n), t);
}
