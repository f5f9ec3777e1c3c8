/* A terminal line split into runs of one style: what the analyzers read.
 * Tools that colour their output (cargo's `--color always`, gcc's
 * `-fdiagnostics-color`) say what a line is by its style, so the text alone
 * is not always enough; the plain text is what patterns are matched on. */
#ifndef SONDE_WATCH_ANSI_H
#define SONDE_WATCH_ANSI_H
#include <stdbool.h>
#include <stddef.h>

/* The 8 base colours; the bright ones (90-97) map onto them. */
enum ansi_color { ANSI_NONE = -1, ANSI_BLACK, ANSI_RED, ANSI_GREEN, ANSI_YELLOW,
		  ANSI_BLUE, ANSI_MAGENTA, ANSI_CYAN, ANSI_WHITE };

struct ansi_run {
	bool bold;
	signed char fg;      /* enum ansi_color */
	size_t start, len;   /* in the line's plain text */
};

struct ansi_line {
	char *plain;         /* NUL-terminated, escape sequences removed */
	size_t plain_len;
	struct ansi_run *runs;
	size_t n_runs;       /* empty runs are never made */
};

/* Splits len bytes of s (no newline; a trailing \r is dropped). SGR
 * sequences set the style, every other CSI, OSC (hyperlinks) and lone ESC
 * is dropped; NUL bytes become spaces. Never fails. */
void ansi_parse(struct ansi_line *out, const char *s, size_t len);
void ansi_line_free(struct ansi_line *l);

/* No run carries a style (bold or colour). */
bool ansi_unstyled(const struct ansi_line *l);

#endif
