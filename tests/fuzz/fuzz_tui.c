/* libFuzzer target: the terminal layer's parsers of outside input. The
 * first byte splits the rest: its low 4 bits + 1 are the size of the reads
 * the key decoder gets (sequences cut anywhere); the whole rest is also
 * read as a [keybindings] key name and as a job's output line, cleaned,
 * measured, cut into rows and drawn. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tui/keys.h"
#include "tui/screen.h"
#include "tui/styled.h"
#include "tui/view.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	size_t piece = (data[0] & 15) + 1;
	const char *text = (const char *)data + 1;
	size_t n = size - 1;

	struct key_decoder d = { .len = 0 };
	struct key k;
	char name[64];
	for (size_t at = 0; at < n; at += piece) {
		key_feed(&d, text + at, n - at < piece ? n - at : piece);
		while (key_next(&d, &k, false))
			key_name(k, name, sizeof name);
	}
	while (key_next(&d, &k, true)) {
		key_name(k, name, sizeof name);
		struct key back;
		char err[128];
		/* every name given is read back as the same key */
		if (key_parse(name, &back, err, sizeof err) < 0 || !key_equal(back, k))
			abort();
	}

	char *z = strndup(text, n);
	char err[256];
	if (z && key_parse(z, &k, err, sizeof err) == 0)
		key_name(k, name, sizeof name);
	free(z);

	struct strbuf clean = STRBUF_INIT;
	styled_clean(&clean, text, n);
	if (memchr(clean.buf, '\r', clean.len) || memchr(clean.buf, '\a', clean.len))
		abort(); /* nothing but text and SGR gets through */
	struct view_line line = view_line_of(clean.buf, clean.len);
	struct view v = { .height = 3, .width = (int)piece, .wrap = data[0] & 16 };
	struct screen s;
	screen_init(&s, 5, (int)piece);
	view_scroll_rows(&v, &line, 1, 2);
	view_render(&v, &line, 1, &s, 1);
	screen_set_bar(&s, 0, "7", text, n);
	struct strbuf out = STRBUF_INIT;
	screen_flush(&s, &out);
	sb_free(&out);
	screen_free(&s);
	sb_free(&clean);
	return 0;
}
