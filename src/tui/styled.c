/* Cleaning untrusted output down to text and SGR, and cutting it by
 * columns (see styled.h). */
#include "tui/styled.h"

#include "util/utf8.h"

/* Length of the escape sequence at in[0] == ESC (all of it, up to n), and
 * whether it is an SGR sequence worth keeping. */
static size_t escape_len(const unsigned char *in, size_t n, int *is_sgr)
{
	*is_sgr = 0;
	if (n < 2)
		return n;
	unsigned char kind = in[1];
	if (kind == '[') { /* CSI: parameters, intermediates, a final byte */
		size_t i = 2;
		int plain_params = 1;
		while (i < n && in[i] >= 0x20 && in[i] <= 0x3f) {
			if (!((in[i] >= '0' && in[i] <= '9') || in[i] == ';' || in[i] == ':'))
				plain_params = 0;
			i++;
		}
		if (i < n && in[i] >= 0x40 && in[i] <= 0x7e) {
			*is_sgr = in[i] == 'm' && plain_params;
			return i + 1;
		}
		return i; /* broken: drop what was read */
	}
	if (kind == ']' || kind == 'P' || kind == 'X' || kind == '^' || kind == '_') {
		/* strings ended by BEL or ST (ESC \) */
		for (size_t i = 2; i < n; i++) {
			if (in[i] == 0x07)
				return i + 1;
			if (in[i] == 0x1b && i + 1 < n && in[i + 1] == '\\')
				return i + 2;
		}
		return n;
	}
	size_t i = 1; /* ESC, intermediates, a final byte */
	while (i < n && in[i] >= 0x20 && in[i] <= 0x2f)
		i++;
	return i < n ? i + 1 : n;
}

void styled_clean(struct strbuf *out, const char *text, size_t n)
{
	const unsigned char *in = (const unsigned char *)text;
	size_t start = out->len, col = 0;
	for (size_t i = 0; i < n;) {
		unsigned char c = in[i];
		if (c == 0x1b) {
			int sgr;
			size_t len = escape_len(in + i, n - i, &sgr);
			if (sgr)
				sb_add(out, in + i, len);
			i += len;
		} else if (c == '\t') {
			do
				sb_addc(out, ' ');
			while (++col % 8);
			i++;
		} else if (c == '\r') {
			i++;
			if (i < n) { /* text overwrites the line: start over */
				out->len = start;
				if (out->buf)
					out->buf[start] = '\0';
				col = 0;
			}
		} else if (c < 0x20 || c == 0x7f) {
			i++;
		} else if (c < 0x80) {
			sb_addc(out, (char)c);
			col++;
			i++;
		} else {
			size_t len = utf8_valid_len(in + i, n - i);
			/* C1 controls (U+0080..U+009F) act like ESC sequences on some terminals */
			if (!len || (in[i] == 0xc2 && in[i + 1] < 0xa0)) {
				sb_addc(out, '?');
				i += len ? len : 1;
			} else {
				sb_add(out, in + i, len);
				i += len;
			}
			col++;
		}
	}
	if (!out->buf)
		sb_grow(out, 1);
}

/* Length of the SGR sequence at s (cleaned text holds only those). */
static size_t sgr_len(const char *s, size_t n)
{
	size_t i = 2;
	while (i < n && s[i] != 'm')
		i++;
	return i < n ? i + 1 : n;
}

static size_t char_len(const char *s, size_t n)
{
	size_t len = utf8_valid_len((const unsigned char *)s, n);
	return len ? len : 1;
}

size_t styled_width(const char *s, size_t n)
{
	size_t cols = 0;
	for (size_t i = 0; i < n;) {
		if (s[i] == 0x1b) {
			i += sgr_len(s + i, n - i);
		} else {
			i += char_len(s + i, n - i);
			cols++;
		}
	}
	return cols;
}

size_t styled_slice(struct strbuf *out, const char *s, size_t n, size_t from, size_t cols)
{
	size_t col = 0, taken = 0;
	for (size_t i = 0; i < n && taken < cols;) {
		if (s[i] == 0x1b) {
			size_t len = sgr_len(s + i, n - i);
			sb_add(out, s + i, len);
			i += len;
			continue;
		}
		size_t len = char_len(s + i, n - i);
		if (col >= from) {
			sb_add(out, s + i, len);
			taken++;
		}
		col++;
		i += len;
	}
	if (!out->buf)
		sb_grow(out, 1);
	return taken;
}
