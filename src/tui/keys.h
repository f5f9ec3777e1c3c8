/* Key presses: the terminal's bytes decoded into keys, and keys named as
 * bacon's [keybindings] spell them (crokey's names: "q", "esc", "ctrl-c",
 * "alt-w", "shift-g" or "G", "pageup", "f5" or "F5", "space", ...).
 * The decoder is incremental: bytes go in as read() gives them, a key
 * comes out when it is whole, so an escape sequence split across reads is
 * still one key; a lone Esc is told apart from a sequence's start only by
 * time, so the caller flushes the decoder when KEY_ESC_TIMEOUT_MS pass
 * with nothing more to read. */
#ifndef SONDE_TUI_KEYS_H
#define SONDE_TUI_KEYS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Codes above every Unicode code point name the keys that are no
 * character. */
enum key_code {
	KEY_NONE = 0,
	KEY_ESC = 0x110000,
	KEY_ENTER,
	KEY_TAB,
	KEY_BACKTAB,
	KEY_BACKSPACE,
	KEY_UP,
	KEY_DOWN,
	KEY_LEFT,
	KEY_RIGHT,
	KEY_HOME,
	KEY_END,
	KEY_PAGEUP,
	KEY_PAGEDOWN,
	KEY_INSERT,
	KEY_DELETE,
	KEY_F1, /* KEY_F1 + n - 1 is Fn, up to F12 */
	KEY_F12 = KEY_F1 + 11,
};

enum key_mod { KEY_MOD_SHIFT = 1, KEY_MOD_ALT = 2, KEY_MOD_CTRL = 4 };

/* A key and its modifiers. A character key holds its code point; an
 * uppercase ASCII letter always carries KEY_MOD_SHIFT and a ctrl letter is
 * lowercase, so "G", "shift-g" and the byte 'G' are the same key. Compare
 * with key_equal. */
struct key {
	uint32_t code;
	unsigned mods;
};

static inline bool key_equal(struct key a, struct key b)
{
	return a.code == b.code && a.mods == b.mods;
}

/* How long a lone Esc waits for the rest of a sequence. */
#define KEY_ESC_TIMEOUT_MS 50

struct key_decoder {
	unsigned char buf[64];
	size_t len;
};

/* Queues n bytes; what does not fit (a paste faster than keys are taken)
 * is dropped. */
void key_feed(struct key_decoder *d, const void *bytes, size_t n);
/* Takes the next whole key into *out: true, or false when the queue is
 * empty or holds only the start of a sequence. With flush (the Esc timeout
 * passed), a sequence's start is given as what it is: Esc, then its other
 * bytes as keys. Unknown sequences and invalid bytes are skipped. */
bool key_next(struct key_decoder *d, struct key *out, bool flush);
/* True when bytes wait for the rest of their sequence (poll for
 * KEY_ESC_TIMEOUT_MS, then key_next with flush). */
static inline bool key_pending(const struct key_decoder *d)
{
	return d->len > 0;
}

/* Parses a [keybindings] key name ("ctrl-q", "F5", "shift-G", "space",
 * case-insensitive but for a single character). 0, or -1 with the error in
 * err, worded like bacon's: "\"foo\" can't be parsed as a key". */
int key_parse(const char *name, struct key *out, char *err, size_t errlen);
/* The key's name, as key_parse reads it back ("ctrl-c", "alt-enter", "G",
 * "f5", "space"); returns out. */
char *key_name(struct key k, char *out, size_t outlen);

#endif
