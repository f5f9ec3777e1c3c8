/* The frame diff (see screen.h). */
#include "tui/screen.h"

#include <stdlib.h>
#include <string.h>

#include "tui/styled.h"
#include "util/die.h"

static struct strbuf *new_rows(int rows)
{
	struct strbuf *r = xmalloc(sizeof *r * (size_t)(rows > 0 ? rows : 1));
	for (int i = 0; i < rows; i++) {
		r[i] = (struct strbuf)STRBUF_INIT;
		sb_grow(&r[i], 1);
		r[i].buf[0] = '\0';
	}
	return r;
}

static void free_rows(struct strbuf *r, int rows)
{
	for (int i = 0; i < rows; i++)
		sb_free(&r[i]);
	free(r);
}

void screen_init(struct screen *s, int rows, int cols)
{
	s->rows = rows > 0 ? rows : 0;
	s->cols = cols > 0 ? cols : 0;
	s->shown = new_rows(s->rows);
	s->next = new_rows(s->rows);
	s->all_stale = true;
}

void screen_free(struct screen *s)
{
	free_rows(s->shown, s->rows);
	free_rows(s->next, s->rows);
	s->shown = s->next = NULL;
}

void screen_resize(struct screen *s, int rows, int cols)
{
	screen_free(s);
	screen_init(s, rows, cols);
}

void screen_invalidate(struct screen *s)
{
	s->all_stale = true;
}

/* Cleaned again here: whatever a caller hands over, only text and SGR
 * reach the terminal. */
static size_t append_cut(struct strbuf *out, const char *text, size_t len, size_t cols)
{
	struct strbuf clean = STRBUF_INIT;
	styled_clean(&clean, text, len);
	size_t n = styled_slice(out, clean.buf, clean.len, 0, cols);
	sb_free(&clean);
	return n;
}

void screen_set(struct screen *s, int row, const char *text, size_t len)
{
	if (row < 0 || row >= s->rows)
		return;
	sb_reset(&s->next[row]);
	append_cut(&s->next[row], text, len, (size_t)s->cols);
}

void screen_set_bar(struct screen *s, int row, const char *sgr, const char *text, size_t len)
{
	if (row < 0 || row >= s->rows)
		return;
	struct strbuf *r = &s->next[row];
	sb_reset(r);
	sb_addf(r, "\033[%sm", sgr);
	size_t cols = append_cut(r, text, len, (size_t)s->cols);
	/* the text may have reset styles: the padding gets the bar's back */
	sb_addf(r, "\033[0;%sm", sgr);
	for (; cols < (size_t)s->cols; cols++)
		sb_addc(r, ' ');
}

int screen_flush(struct screen *s, struct strbuf *out)
{
	int drawn = 0;
	for (int i = 0; i < s->rows; i++) {
		struct strbuf *want = &s->next[i], *have = &s->shown[i];
		if (!s->all_stale && want->len == have->len && !memcmp(want->buf, have->buf, want->len))
			continue;
		sb_addf(out, "\033[%d;1H\033[0m", i + 1);
		sb_add(out, want->buf, want->len);
		sb_adds(out, "\033[0m\033[K");
		sb_reset(have);
		sb_add(have, want->buf, want->len);
		drawn++;
	}
	s->all_stale = false;
	return drawn;
}

struct frame_layout frame_layout(int rows, bool help_line, bool reverse)
{
	struct frame_layout l = { -1, -1, -1, 0, 0 };
	int fixed = help_line ? 3 : 2;
	if (rows < fixed + 1) { /* too small for bars: output only */
		l.region_height = rows > 0 ? rows : 0;
		return l;
	}
	if (reverse) {
		l.status_row = 0;
		l.help_row = help_line ? 1 : -1;
		l.badge_row = rows - 1;
		l.region_top = fixed - 1;
	} else {
		l.badge_row = 0;
		l.status_row = rows - (help_line ? 2 : 1);
		l.help_row = help_line ? rows - 1 : -1;
		l.region_top = 1;
	}
	l.region_height = rows - fixed;
	return l;
}
