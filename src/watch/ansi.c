/* Escape sequences out, style runs kept (ansi.h). */
#include <stdlib.h>
#include <string.h>

#include "util/die.h"
#include "util/vec.h"
#include "watch/ansi.h"

#define ESC 0x1b

struct style {
	bool bold;
	signed char fg;
};

/* Applies one SGR parameter list ("1;31", "", "38;5;208"). */
static void apply_sgr(struct style *st, const char *p, size_t n)
{
	size_t i = 0;
	if (n == 0) {
		st->bold = false, st->fg = ANSI_NONE;
		return;
	}
	while (i <= n) {
		unsigned v = 0;
		bool digits = false;
		while (i < n && p[i] >= '0' && p[i] <= '9') {
			if (v < 1000)
				v = v * 10 + (unsigned)(p[i] - '0');
			i++, digits = true;
		}
		if (!digits)
			v = 0;
		if (v == 0)
			st->bold = false, st->fg = ANSI_NONE;
		else if (v == 1)
			st->bold = true;
		else if (v == 22)
			st->bold = false;
		else if (v >= 30 && v <= 37)
			st->fg = (signed char)(v - 30);
		else if (v >= 90 && v <= 97)
			st->fg = (signed char)(v - 90);
		else if (v == 39)
			st->fg = ANSI_NONE;
		else if (v == 38 || v == 48) {
			/* 256-colour and RGB forms: their numbers are not styles;
			 * an extended foreground is no base colour */
			if (v == 38)
				st->fg = ANSI_WHITE;
			while (i < n && p[i] != ';')
				i++;
			unsigned mode = 0;
			if (i < n)
				i++;
			while (i < n && p[i] >= '0' && p[i] <= '9')
				mode = mode * 10 + (unsigned)(p[i++] - '0') % 10;
			for (unsigned skip = mode == 5 ? 1 : mode == 2 ? 3 : 0; skip && i < n; skip--) {
				i++;
				while (i < n && p[i] >= '0' && p[i] <= '9')
					i++;
			}
		}
		while (i < n && p[i] != ';')
			i++;
		i++;
	}
}

void ansi_parse(struct ansi_line *out, const char *s, size_t len)
{
	VEC(struct ansi_run) runs = { 0 };
	struct style st = { false, ANSI_NONE };
	char *plain = xmalloc(len + 1);
	size_t pl = 0;
	if (len && s[len - 1] == '\r')
		len--;
	for (size_t i = 0; i < len;) {
		unsigned char c = (unsigned char)s[i];
		if (c == ESC) {
			if (i + 1 < len && s[i + 1] == '[') {
				size_t j = i + 2;
				while (j < len && (unsigned char)s[j] >= 0x30 && (unsigned char)s[j] <= 0x3f)
					j++;
				while (j < len && (unsigned char)s[j] >= 0x20 && (unsigned char)s[j] <= 0x2f)
					j++;
				if (j < len && s[j] == 'm')
					apply_sgr(&st, s + i + 2, j - (i + 2));
				i = j < len ? j + 1 : len;
			} else if (i + 1 < len && s[i + 1] == ']') {
				/* OSC: ends at BEL or ESC \ */
				size_t j = i + 2;
				while (j < len && s[j] != '\a' && !(s[j] == ESC && j + 1 < len && s[j + 1] == '\\'))
					j++;
				i = j >= len ? len : s[j] == '\a' ? j + 1 : j + 2;
			} else {
				i += i + 1 < len ? 2 : 1;
			}
			continue;
		}
		struct ansi_run *last = runs.n ? &runs.v[runs.n - 1] : NULL;
		if (!last || last->bold != st.bold || last->fg != st.fg ||
		    last->start + last->len != pl) {
			struct ansi_run r = { st.bold, st.fg, pl, 0 };
			vec_push(&runs, r);
			last = &runs.v[runs.n - 1];
		}
		plain[pl++] = c ? (char)c : ' ';
		last->len++;
		i++;
	}
	plain[pl] = 0;
	out->plain = plain;
	out->plain_len = pl;
	out->runs = runs.v;
	out->n_runs = runs.n;
}

void ansi_line_free(struct ansi_line *l)
{
	free(l->plain);
	free(l->runs);
	memset(l, 0, sizeof(*l));
}

bool ansi_unstyled(const struct ansi_line *l)
{
	for (size_t i = 0; i < l->n_runs; i++)
		if (l->runs[i].bold || l->runs[i].fg != ANSI_NONE)
			return false;
	return true;
}
