/* Scrolling and wrapping the output region (see view.h). */
#include "tui/view.h"


static size_t rows_of(const struct view *v, const struct view_line *l)
{
	if (!v->wrap || v->width <= 0)
		return 1;
	size_t width = (size_t)v->width;
	return l->cols ? (l->cols + width - 1) / width : 1;
}

size_t view_total_rows(const struct view *v, const struct view_line *lines, size_t n)
{
	size_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += rows_of(v, &lines[i]);
	return total;
}

static size_t top_row(const struct view *v, const struct view_line *lines, size_t n)
{
	size_t row = 0;
	for (size_t i = 0; i < v->top_line && i < n; i++)
		row += rows_of(v, &lines[i]);
	return row + v->top_sub;
}

/* Puts the top at absolute row, clamped so the last page is full. */
static void set_top_row(struct view *v, const struct view_line *lines, size_t n, size_t row)
{
	size_t total = view_total_rows(v, lines, n);
	size_t height = v->height > 0 ? (size_t)v->height : 0;
	size_t max_top = total > height ? total - height : 0;
	if (row > max_top)
		row = max_top;
	size_t i = 0;
	for (; i < n; i++) {
		size_t r = rows_of(v, &lines[i]);
		if (row < r)
			break;
		row -= r;
	}
	v->top_line = i;
	v->top_sub = i < n ? row : 0;
}

void view_scroll_rows(struct view *v, const struct view_line *lines, size_t n, long delta)
{
	size_t row = top_row(v, lines, n);
	if (delta < 0)
		row = (size_t)-delta > row ? 0 : row - (size_t)-delta;
	else
		row += (size_t)delta;
	set_top_row(v, lines, n, row);
}

void view_scroll_millipages(struct view *v, const struct view_line *lines, size_t n, long milli)
{
	long delta = milli * (long)v->height / 1000;
	if (delta == 0 && milli)
		delta = milli > 0 ? 1 : -1;
	view_scroll_rows(v, lines, n, delta);
}

void view_scroll_top(struct view *v)
{
	v->top_line = v->top_sub = 0;
}

void view_scroll_bottom(struct view *v, const struct view_line *lines, size_t n)
{
	set_top_row(v, lines, n, (size_t)-1);
}

bool view_at_bottom(const struct view *v, const struct view_line *lines, size_t n)
{
	return top_row(v, lines, n) + (size_t)(v->height > 0 ? v->height : 0) >= view_total_rows(v, lines, n);
}

void view_set_wrap(struct view *v, const struct view_line *lines, size_t n, bool wrap)
{
	v->wrap = wrap;
	v->top_sub = 0;
	set_top_row(v, lines, n, top_row(v, lines, n));
}

void view_resize(struct view *v, const struct view_line *lines, size_t n, int height, int width)
{
	v->height = height;
	v->width = width;
	size_t r = v->top_line < n ? rows_of(v, &lines[v->top_line]) : 1;
	if (v->top_sub >= r)
		v->top_sub = r - 1;
	set_top_row(v, lines, n, top_row(v, lines, n));
}

void view_render(const struct view *v, const struct view_line *lines, size_t n, struct screen *s, int first_row)
{
	struct strbuf row = STRBUF_INIT;
	size_t line = v->top_line, sub = v->top_sub;
	for (int r = 0; r < v->height; r++) {
		sb_reset(&row);
		if (line < n) {
			const struct view_line *l = &lines[line];
			size_t width = v->width > 0 ? (size_t)v->width : 0;
			styled_slice(&row, l->text, l->len, sub * width, width);
			if (++sub >= rows_of(v, l)) {
				line++;
				sub = 0;
			}
		}
		screen_set(s, first_row + r, row.buf ? row.buf : "", row.len);
	}
	sb_free(&row);
}
