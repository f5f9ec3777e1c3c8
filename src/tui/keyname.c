/* Key names as bacon's [keybindings] write them (crokey's grammar):
 * modifiers "ctrl-", "alt-", "shift-" before a key name or a single
 * character, case-insensitive but for the character itself. */
#include "tui/keys.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util/utf8.h"

static const struct {
	const char *name;
	uint32_t code;
} named_keys[] = {
	{ "esc", KEY_ESC },         { "enter", KEY_ENTER },       { "tab", KEY_TAB },
	{ "backtab", KEY_BACKTAB }, { "backspace", KEY_BACKSPACE }, { "up", KEY_UP },
	{ "down", KEY_DOWN },       { "left", KEY_LEFT },         { "right", KEY_RIGHT },
	{ "home", KEY_HOME },       { "end", KEY_END },           { "pageup", KEY_PAGEUP },
	{ "pagedown", KEY_PAGEDOWN }, { "insert", KEY_INSERT },   { "ins", KEY_INSERT },
	{ "delete", KEY_DELETE },   { "del", KEY_DELETE },        { "space", ' ' },
	{ "hyphen", '-' },          { "minus", '-' },
};

static int parse_error(const char *name, char *err, size_t errlen)
{
	snprintf(err, errlen, "\"%s\" can't be parsed as a key", name);
	return -1;
}

/* The code of the last part of a name ("pageup", "f5", "x", "é"), or
 * KEY_NONE. */
static uint32_t base_code(const char *s, size_t n)
{
	for (size_t i = 0; i < sizeof named_keys / sizeof named_keys[0]; i++)
		if (strlen(named_keys[i].name) == n && !strncasecmp(s, named_keys[i].name, n))
			return named_keys[i].code;
	if ((n == 2 || n == 3) && (s[0] == 'f' || s[0] == 'F') && isdigit((unsigned char)s[1]) &&
	    (n == 2 || isdigit((unsigned char)s[2]))) {
		int f = n == 2 ? s[1] - '0' : (s[1] - '0') * 10 + (s[2] - '0');
		if (f >= 1 && f <= 12)
			return KEY_F1 + f - 1;
	}
	if (n && utf8_valid_len((const unsigned char *)s, n) == n) {
		const unsigned char *u = (const unsigned char *)s;
		uint32_t cp = n == 1 ? u[0] : u[0] & (0x7f >> n);
		for (size_t i = 1; i < n; i++)
			cp = cp << 6 | (u[i] & 0x3f);
		if (cp >= 0x20 && cp != 0x7f)
			return cp;
	}
	return KEY_NONE;
}

/* One key, however it was written: a letter's case follows shift (ctrl
 * alone makes it lowercase, as the terminal cannot tell them apart),
 * backtab always has shift. */
static struct key normalized(uint32_t code, unsigned mods)
{
	if (code < 0x80 && isalpha((int)code)) {
		if (isupper((int)code) && !(mods & KEY_MOD_CTRL))
			mods |= KEY_MOD_SHIFT;
		code = mods & KEY_MOD_SHIFT ? (uint32_t)toupper((int)code) : (uint32_t)tolower((int)code);
	}
	if (code == KEY_BACKTAB)
		mods |= KEY_MOD_SHIFT;
	return (struct key){ code, mods };
}

int key_parse(const char *name, struct key *out, char *err, size_t errlen)
{
	const char *last = strrchr(name, '-');
	const char *base = last ? last + 1 : name;
	uint32_t code = base_code(base, strlen(base));
	if (code == KEY_NONE)
		return parse_error(name, err, errlen);
	unsigned mods = 0;
	for (const char *p = name; p < base;) {
		const char *dash = strchr(p, '-');
		size_t n = (size_t)(dash - p);
		if (n == 4 && !strncasecmp(p, "ctrl", 4))
			mods |= KEY_MOD_CTRL;
		else if (n == 3 && !strncasecmp(p, "alt", 3))
			mods |= KEY_MOD_ALT;
		else if (n == 5 && !strncasecmp(p, "shift", 5))
			mods |= KEY_MOD_SHIFT;
		else
			return parse_error(name, err, errlen);
		p = dash + 1;
	}
	*out = normalized(code, mods);
	return 0;
}

char *key_name(struct key k, char *out, size_t outlen)
{
	unsigned mods = k.mods;
	bool letter = k.code < 0x80 && isalpha((int)k.code);
	/* shift is said by a letter's case (but with ctrl, which lowercases),
	 * and implied by backtab */
	if ((letter && !(mods & KEY_MOD_CTRL)) || k.code == KEY_BACKTAB)
		mods &= ~(unsigned)KEY_MOD_SHIFT;
	char base[16];
	if (k.code >= KEY_F1 && k.code <= KEY_F12) {
		snprintf(base, sizeof base, "f%u", (unsigned)(k.code - KEY_F1 + 1));
	} else if (k.code == ' ' || k.code == '-' || k.code >= KEY_ESC) {
		const char *n = "?";
		for (size_t i = 0; i < sizeof named_keys / sizeof named_keys[0]; i++)
			if (named_keys[i].code == k.code) {
				n = named_keys[i].name;
				break;
			}
		snprintf(base, sizeof base, "%s", n);
	} else {
		char u[5] = { 0 };
		utf8_encode(k.code, u);
		snprintf(base, sizeof base, "%s", u);
	}
	snprintf(out, outlen, "%s%s%s%s", mods & KEY_MOD_CTRL ? "ctrl-" : "", mods & KEY_MOD_ALT ? "alt-" : "",
		 mods & KEY_MOD_SHIFT ? "shift-" : "", base);
	return out;
}
