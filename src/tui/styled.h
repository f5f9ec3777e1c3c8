/* Styled text: a job's output reduced to what is safe on a screen.
 * A job's output is untrusted: of its escape sequences only SGR (colors,
 * bold, ...: "ESC [ params m") is kept; everything else that could move
 * the cursor, clear the screen, set the title, switch screens or answer
 * back (other CSI, OSC, DCS, two-byte ESC sequences, C0 and C1 controls) is
 * dropped. What is left is one row of printable text with SGR sequences,
 * measured in columns and cut into columns for wrapping. A column is a
 * code point (wide East Asian characters count one: no locale needed). */
#ifndef SONDE_TUI_STYLED_H
#define SONDE_TUI_STYLED_H
#include <stddef.h>

#include "util/strbuf.h"

/* Appends one line of raw output (no '\n'), cleaned: SGR kept, tabs
 * expanded to the next multiple of 8 columns, a '\r' before more text
 * starts the line over (progress bars), invalid UTF-8 shown as '?'. */
void styled_clean(struct strbuf *out, const char *in, size_t n);
/* Columns of cleaned text. */
size_t styled_width(const char *s, size_t n);
/* Appends columns [from, from + cols) of cleaned text, preceded by the SGR
 * sequences met before them so the slice is styled as it was in the line;
 * returns the columns appended. */
size_t styled_slice(struct strbuf *out, const char *s, size_t n, size_t from, size_t cols);

#endif
