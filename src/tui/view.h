/* The scrollable region: lines of cleaned styled text (styled.h) shown
 * height rows at a time, each line wrapped into as many rows as its width
 * needs or cut at the width (bacon's toggle-wrap), scrolled by rows, by
 * pages (bacon's scroll-pages(n): n heights; space scrolls 0.8 of one) and
 * to the top or bottom. The position is kept as a line and a row inside
 * it, so toggling wrap keeps the top line where it was. */
#ifndef SONDE_TUI_VIEW_H
#define SONDE_TUI_VIEW_H
#include <stdbool.h>
#include <stddef.h>

#include "tui/screen.h"
#include "tui/styled.h"

/* A line of the region; its width is measured once (view_line_of), as
 * every scroll and wrap counts rows over all lines. */
struct view_line {
	const char *text; /* cleaned: styled_clean */
	size_t len;
	size_t cols; /* styled_width(text, len) */
};

static inline struct view_line view_line_of(const char *text, size_t len)
{
	return (struct view_line){ text, len, styled_width(text, len) };
}

struct view {
	int height, width;
	bool wrap;
	size_t top_line, top_sub; /* first line shown, and its first row shown */
};

/* Rows the view holds in all, for the current width and wrap. */
size_t view_total_rows(const struct view *v, const struct view_line *lines, size_t n);
void view_scroll_rows(struct view *v, const struct view_line *lines, size_t n, long delta);
/* Scrolls by thousandths of a page: 1000 a page down, -1000 a page up. */
void view_scroll_millipages(struct view *v, const struct view_line *lines, size_t n, long milli);
void view_scroll_top(struct view *v);
void view_scroll_bottom(struct view *v, const struct view_line *lines, size_t n);
/* True when the last row is shown (new output then keeps it in sight). */
bool view_at_bottom(const struct view *v, const struct view_line *lines, size_t n);
/* Switches wrapping, the top line staying on top. */
void view_set_wrap(struct view *v, const struct view_line *lines, size_t n, bool wrap);
/* Sets a new size, keeping the position valid. */
void view_resize(struct view *v, const struct view_line *lines, size_t n, int height, int width);
/* Draws the view's rows into screen rows first_row.. (blank past the end). */
void view_render(const struct view *v, const struct view_line *lines, size_t n, struct screen *s, int first_row);

#endif
