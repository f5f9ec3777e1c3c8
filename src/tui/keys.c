/* Decoding the terminal's bytes into keys: the xterm family's sequences
 * (CSI and SS3, with the "1;m" modifier parameter), the Linux console's
 * F1-F5, control bytes as ctrl keys, Esc before a key as alt, UTF-8. */
#include "tui/keys.h"

#include <string.h>

#include "util/utf8.h"

void key_feed(struct key_decoder *d, const void *bytes, size_t n)
{
	size_t room = sizeof d->buf - d->len;
	if (n > room)
		n = room;
	memcpy(d->buf + d->len, bytes, n);
	d->len += n;
}

static void consume(struct key_decoder *d, size_t n)
{
	memmove(d->buf, d->buf + n, d->len - n);
	d->len -= n;
}

static struct key plain(uint32_t code)
{
	struct key k = { code, 0 };
	if (code >= 'A' && code <= 'Z')
		k.mods = KEY_MOD_SHIFT;
	return k;
}

/* A single byte below 0x80 (not Esc) as a key. */
static struct key ascii_key(unsigned char c)
{
	switch (c) {
	case '\r': /* raw mode leaves \n to ctrl-j, which bacon binds */
		return (struct key){ KEY_ENTER, 0 };
	case '\t':
		return (struct key){ KEY_TAB, 0 };
	case 0x7f:
	case 0x08:
		return (struct key){ KEY_BACKSPACE, 0 };
	case 0:
		return (struct key){ ' ', KEY_MOD_CTRL };
	}
	if (c < 0x1b)
		return (struct key){ 'a' + c - 1, KEY_MOD_CTRL };
	if (c < 0x20) /* 0x1c..0x1f: ctrl-4..ctrl-7 on most keyboards */
		return (struct key){ '4' + c - 0x1c, KEY_MOD_CTRL };
	return plain(c);
}

/* xterm's modifier parameter: 1 + shift(1) + alt(2) + ctrl(4). */
static unsigned csi_mods(unsigned param)
{
	return param > 1 ? (param - 1) & 7 : 0;
}

static uint32_t tilde_key(unsigned n)
{
	switch (n) {
	case 1: case 7: return KEY_HOME;
	case 2: return KEY_INSERT;
	case 3: return KEY_DELETE;
	case 4: case 8: return KEY_END;
	case 5: return KEY_PAGEUP;
	case 6: return KEY_PAGEDOWN;
	case 11: case 12: case 13: case 14: case 15: return KEY_F1 + n - 11;
	case 17: case 18: case 19: case 20: case 21: return KEY_F1 + 5 + n - 17;
	case 23: case 24: return KEY_F1 + 10 + n - 23;
	}
	return KEY_NONE;
}

static uint32_t final_key(unsigned char f)
{
	switch (f) {
	case 'A': return KEY_UP;
	case 'B': return KEY_DOWN;
	case 'C': return KEY_RIGHT;
	case 'D': return KEY_LEFT;
	case 'H': return KEY_HOME;
	case 'F': return KEY_END;
	case 'P': return KEY_F1;
	case 'Q': return KEY_F1 + 1;
	case 'R': return KEY_F1 + 2;
	case 'S': return KEY_F1 + 3;
	case 'Z': return KEY_BACKTAB;
	}
	return KEY_NONE;
}

enum parsed { WHOLE, PARTIAL, SKIP };

/* The sequence at buf (buf[0] is Esc, buf[1] '[' or 'O'): its length in
 * *used and the key, or PARTIAL when it is cut short. */
static enum parsed parse_sequence(const unsigned char *buf, size_t len, struct key *k, size_t *used)
{
	if (len < 3)
		return PARTIAL;
	if (buf[1] == 'O') { /* SS3: ESC O final */
		*used = 3;
		k->code = final_key(buf[2]);
		k->mods = 0;
		return k->code ? WHOLE : SKIP;
	}
	if (buf[2] == '[') { /* the Linux console's F1-F5: ESC [ [ A..E */
		if (len < 4)
			return PARTIAL;
		*used = 4;
		if (buf[3] < 'A' || buf[3] > 'E')
			return SKIP;
		*k = (struct key){ KEY_F1 + buf[3] - 'A', 0 };
		return WHOLE;
	}
	unsigned params[4] = { 0, 0, 0, 0 };
	size_t np = 0, i = 2;
	for (; i < len; i++) {
		unsigned char c = buf[i];
		if (c >= '0' && c <= '9') {
			if (np < 4 && params[np] < 1000)
				params[np] = params[np] * 10 + (c - '0');
		} else if (c == ';') {
			np++;
		} else if (c >= 0x40 && c <= 0x7e) {
			break;
		} else if (c < 0x20 || c > 0x7e) {
			*used = i; /* not a sequence after all: drop its start */
			return SKIP;
		}
	}
	if (i == len)
		return len >= sizeof ((struct key_decoder *)0)->buf ? (*used = len, SKIP) : PARTIAL;
	*used = i + 1;
	unsigned char f = buf[i];
	unsigned mods = np >= 1 ? csi_mods(params[1]) : 0;
	uint32_t code = f == '~' ? tilde_key(params[0]) : final_key(f);
	if (!code)
		return SKIP;
	if (code == KEY_BACKTAB)
		mods |= KEY_MOD_SHIFT;
	*k = (struct key){ code, mods };
	return WHOLE;
}

/* The character at buf (not Esc): a control byte or a UTF-8 character. */
static enum parsed parse_char(const unsigned char *buf, size_t len, struct key *k, size_t *used)
{
	if (buf[0] < 0x80) {
		*k = ascii_key(buf[0]);
		*used = 1;
		return WHOLE;
	}
	size_t want = buf[0] >= 0xf0 ? 4 : buf[0] >= 0xe0 ? 3 : 2;
	if (len < want && buf[0] >= 0xc2 && buf[0] <= 0xf4) {
		/* wait for the rest of a character cut short by read() */
		size_t ok = 1;
		while (ok < len && (buf[ok] & 0xc0) == 0x80)
			ok++;
		if (ok == len)
			return PARTIAL;
	}
	size_t n = utf8_valid_len(buf, len);
	if (!n) {
		*used = 1;
		return SKIP;
	}
	uint32_t cp = buf[0] & (0x7f >> n);
	for (size_t i = 1; i < n; i++)
		cp = cp << 6 | (buf[i] & 0x3f);
	*k = plain(cp);
	*used = n;
	return WHOLE;
}

static enum parsed parse_one(const unsigned char *buf, size_t len, bool flush, struct key *k, size_t *used)
{
	if (buf[0] != 0x1b)
		return parse_char(buf, len, k, used);
	if (len == 1) {
		if (!flush)
			return PARTIAL;
		*k = (struct key){ KEY_ESC, 0 };
		*used = 1;
		return WHOLE;
	}
	if (buf[1] == '[' || buf[1] == 'O') {
		enum parsed r = parse_sequence(buf, len, k, used);
		if (r != PARTIAL || !flush)
			return r;
		*k = (struct key){ KEY_ESC, 0 }; /* timed out: Esc, then the rest */
		*used = 1;
		return WHOLE;
	}
	if (buf[1] == 0x1b) { /* Esc Esc: the first one stands alone */
		*k = (struct key){ KEY_ESC, 0 };
		*used = 1;
		return WHOLE;
	}
	/* Esc then a key: that key with alt */
	enum parsed r = parse_char(buf + 1, len - 1, k, used);
	if (r == PARTIAL && flush) {
		*k = (struct key){ KEY_ESC, 0 };
		*used = 1;
		return WHOLE;
	}
	if (r == WHOLE)
		k->mods |= KEY_MOD_ALT;
	(*used)++;
	return r;
}

bool key_next(struct key_decoder *d, struct key *out, bool flush)
{
	while (d->len) {
		size_t used = 0;
		enum parsed r = parse_one(d->buf, d->len, flush, out, &used);
		if (r == PARTIAL)
			return false;
		consume(d, used);
		if (r == WHOLE)
			return true;
	}
	return false;
}
