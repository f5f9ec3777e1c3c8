/* A frame of rows drawn on the terminal, redrawn only where it changed:
 * the caller sets rows of styled text (styled.h's cleaned text, or its
 * own SGR), screen_flush compares them with what the terminal shows and
 * writes only the rows that differ, each positioned absolutely, cut to the
 * width, styles reset and the rest of the row erased. Rows not set again
 * keep what they held. */
#ifndef SONDE_TUI_SCREEN_H
#define SONDE_TUI_SCREEN_H
#include <stdbool.h>
#include <stddef.h>

#include "util/strbuf.h"

struct screen {
	int rows, cols;
	struct strbuf *shown;  /* what the terminal has, per row */
	struct strbuf *next;   /* what the next flush draws */
	bool all_stale;        /* the terminal's content is unknown */
};

void screen_init(struct screen *s, int rows, int cols);
void screen_free(struct screen *s);
/* A new size: every row blank and redrawn on the next flush. */
void screen_resize(struct screen *s, int rows, int cols);
/* Redraw every row on the next flush (after a stop, or when another
 * program may have written to the terminal). */
void screen_invalidate(struct screen *s);
/* Sets row to the styled text, cleaned (styled_clean) and cut to the
 * width. Rows out of the
 * screen are ignored. */
void screen_set(struct screen *s, int row, const char *text, size_t len);
/* Sets row to text padded with spaces to the full width, drawn in the SGR
 * style sgr (e.g. "7" for reverse video): bars like the status line. */
void screen_set_bar(struct screen *s, int row, const char *sgr, const char *text, size_t len);
/* Appends to out the bytes that bring the terminal from what it shows to
 * the frame set; returns the rows redrawn. */
int screen_flush(struct screen *s, struct strbuf *out);

/* Where the fixed lines and the scrolled region are: the badge line (the
 * job's name and its state) on top, the status line and, when shown, the
 * help line at the bottom, the output between them. With reverse (bacon's
 * "reverse" mode) the status and help lines go on top. */
struct frame_layout {
	int badge_row, status_row, help_row; /* -1: not shown */
	int region_top, region_height;
};
struct frame_layout frame_layout(int rows, bool help_line, bool reverse);

#endif
