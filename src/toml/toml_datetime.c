/* TOML's dates and times (RFC 3339 with TOML's liberties: a space for the
 * T, local forms without an offset), each field checked: months, days of
 * the month in leap years, hours 0-23, seconds up to 60 (a leap second). */
#include "toml/toml_int.h"

static int two(const char *t) { return (t[0] - '0') * 10 + (t[1] - '0'); }

/* the digits of t[at..at+n) */
static bool digits_at(const char *t, size_t len, size_t at, size_t n)
{
	if (at + n > len)
		return false;
	for (size_t i = at; i < at + n; i++)
		if (t[i] < '0' || t[i] > '9')
			return false;
	return true;
}

static bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int days_in(int y, int m)
{
	static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && leap(y) ? 29 : d[m - 1];
}

/* HH:MM:SS[.frac] at t[i]; i moves past it */
static bool parse_time(const char *t, size_t n, size_t *i, struct toml_datetime *dt, const char **why)
{
	size_t a = *i;
	if (!digits_at(t, n, a, 2) || a + 2 >= n || t[a + 2] != ':' || !digits_at(t, n, a + 3, 2))
		return *why = "invalid time (HH:MM:SS)", false;
	if (a + 5 >= n || t[a + 5] != ':' || !digits_at(t, n, a + 6, 2))
		return *why = "a time needs seconds (HH:MM:SS)", false;
	dt->hour = two(t + a);
	dt->minute = two(t + a + 3);
	dt->second = two(t + a + 6);
	if (dt->hour > 23 || dt->minute > 59 || dt->second > 60)
		return *why = "time out of range", false;
	a += 8;
	if (a < n && t[a] == '.') {
		a++;
		size_t d = 0;
		uint32_t ns = 0;
		for (; a < n && t[a] >= '0' && t[a] <= '9'; a++, d++)
			if (d < 9)
				ns = ns * 10 + (uint32_t)(t[a] - '0');
		if (!d)
			return *why = "a time needs digits after its decimal point", false;
		for (; d < 9; d++)
			ns *= 10;
		dt->nanosecond = ns;
	}
	*i = a;
	return true;
}

bool tp_datetime(const char *t, size_t n, struct toml_value *v, const char **why)
{
	struct toml_datetime dt = {0};
	size_t i = 0;
	bool has_date = n >= 5 && t[2] != ':';
	if (has_date) {
		if (!digits_at(t, n, 0, 4) || t[4] != '-' || !digits_at(t, n, 5, 2) || n < 8 || t[7] != '-' ||
		    !digits_at(t, n, 8, 2))
			return *why = "invalid date (YYYY-MM-DD)", false;
		dt.year = (t[0] - '0') * 1000 + (t[1] - '0') * 100 + two(t + 2);
		dt.month = two(t + 5);
		dt.day = two(t + 8);
		if (dt.month < 1 || dt.month > 12 || dt.day < 1 || dt.day > days_in(dt.year, dt.month))
			return *why = "date out of range", false;
		i = 10;
		if (i == n) {
			v->type = TOML_LOCAL_DATE;
			v->u.dt = dt;
			return true;
		}
		if (t[i] != 'T' && t[i] != 't' && t[i] != ' ')
			return *why = "invalid date-time", false;
		i++;
	}
	if (!parse_time(t, n, &i, &dt, why))
		return false;
	if (i == n) {
		v->type = has_date ? TOML_LOCAL_DATETIME : TOML_LOCAL_TIME;
		v->u.dt = dt;
		return true;
	}
	if (!has_date)
		return *why = "a time of day has no offset", false;
	if ((t[i] == 'Z' || t[i] == 'z') && i + 1 == n) {
		dt.offset_minutes = 0;
	} else if ((t[i] == '+' || t[i] == '-') && i + 6 == n && digits_at(t, n, i + 1, 2) &&
		   t[i + 3] == ':' && digits_at(t, n, i + 4, 2)) {
		int h = two(t + i + 1), m = two(t + i + 4);
		if (h > 23 || m > 59)
			return *why = "offset out of range", false;
		dt.offset_minutes = (t[i] == '-' ? -1 : 1) * (h * 60 + m);
	} else {
		return *why = "invalid offset (Z or +HH:MM)", false;
	}
	v->type = TOML_OFFSET_DATETIME;
	v->u.dt = dt;
	return true;
}
