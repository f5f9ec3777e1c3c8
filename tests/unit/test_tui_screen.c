/* src/tui: output cleaned to text and SGR, cut by columns; the frame diff;
 * the layout's fixed rows; the scrolled, wrapped region. */
#include "unit.h"
#include "tui/screen.h"
#include "tui/styled.h"
#include "tui/view.h"

static const char *clean(const char *raw)
{
	static struct strbuf out;
	sb_reset(&out);
	styled_clean(&out, raw, strlen(raw));
	return out.buf;
}

static void test_clean_keeps_sgr_only(void)
{
	CHECK_STR(clean("plain"), "plain");
	CHECK_STR(clean("\033[1;31merror\033[0m: x"), "\033[1;31merror\033[0m: x");
	CHECK_STR(clean("\033[38;5;196mred\033[m"), "\033[38;5;196mred\033[m");
	/* cursor moves, clears, private modes, the title, DCS, charset: gone */
	CHECK_STR(clean("a\033[2J\033[H\033[10;10Hb\033[?1049lc\033[?25l"), "abc");
	CHECK_STR(clean("a\033]0;title\007b\033]8;;http://x\033\\c\033Pq#\033\\d\033(0e"), "abcde");
	/* SGR with private parameters ("ESC [ > 4 m") is not SGR */
	CHECK_STR(clean("a\033[>4;2mb"), "ab");
	/* controls dropped, tabs expanded, \r starts over */
	CHECK_STR(clean("a\bb\x07\x0e" "c\x7f"), "abc");
	CHECK_STR(clean("ab\tc"), "ab      c");
	CHECK_STR(clean("50%\r100% done\r"), "100% done");
	CHECK_STR(clean("\rx"), "x");
	/* invalid UTF-8 and C1 controls (U+009B is a CSI) shown as '?' */
	CHECK_STR(clean("\xff" "a\xc2\x9b" "2Jb\xc3\xa9"), "?a?2Jbé");
	/* cut short at the end */
	CHECK_STR(clean("x\033[1;3"), "x");
	CHECK_STR(clean("x\033]0;never ended"), "x");
	CHECK_STR(clean(""), "");
}

static void test_width_and_slice(void)
{
	const char *s = "\033[31mabc\033[0mdé\033[1mf";
	size_t n = strlen(s);
	CHECK_INT(styled_width(s, n), 6);
	struct strbuf out = STRBUF_INIT;
	CHECK_INT(styled_slice(&out, s, n, 0, 2), 2);
	CHECK_STR(out.buf, "\033[31mab");
	sb_reset(&out);
	/* a slice further on carries the styles met before it */
	CHECK_INT(styled_slice(&out, s, n, 2, 3), 3);
	CHECK_STR(out.buf, "\033[31mc\033[0mdé");
	sb_reset(&out);
	CHECK_INT(styled_slice(&out, s, n, 5, 10), 1);
	CHECK_STR(out.buf, "\033[31m\033[0m\033[1mf");
	sb_reset(&out);
	CHECK_INT(styled_slice(&out, s, n, 9, 10), 0);
	sb_free(&out);
}

static void test_frame_diff(void)
{
	struct screen s;
	screen_init(&s, 3, 10);
	struct strbuf out = STRBUF_INIT;
	screen_set(&s, 0, "top", 3);
	screen_set(&s, 1, "a long row that is cut", 22);
	CHECK_INT(screen_flush(&s, &out), 3); /* the first frame draws all */
	CHECK(strstr(out.buf, "\033[1;1H\033[0mtop\033[0m\033[K"));
	CHECK(strstr(out.buf, "\033[2;1H\033[0ma long row\033[0m\033[K"));
	CHECK(strstr(out.buf, "\033[3;1H"));
	sb_reset(&out);
	screen_set(&s, 0, "top", 3);
	screen_set(&s, 2, "new", 3);
	CHECK_INT(screen_flush(&s, &out), 1); /* only the changed row */
	CHECK_STR(out.buf, "\033[3;1H\033[0mnew\033[0m\033[K");
	sb_reset(&out);
	CHECK_INT(screen_flush(&s, &out), 0);
	CHECK_INT(out.len, 0);
	screen_invalidate(&s);
	CHECK_INT(screen_flush(&s, &out), 3);
	sb_reset(&out);
	/* whatever is set is cleaned: no cursor moves from a caller */
	screen_set(&s, 1, "x\033[Hy", 5);
	screen_flush(&s, &out);
	CHECK_STR(out.buf, "\033[2;1H\033[0mxy\033[0m\033[K");
	sb_reset(&out);
	/* a bar fills the width in its style */
	screen_set_bar(&s, 0, "7", "ok", 2);
	screen_flush(&s, &out);
	CHECK_STR(out.buf, "\033[1;1H\033[0m\033[7mok\033[0;7m        \033[0m\033[K");
	/* out of the screen: ignored */
	screen_set(&s, -1, "x", 1);
	screen_set(&s, 3, "x", 1);
	screen_resize(&s, 2, 4);
	sb_reset(&out);
	CHECK_INT(screen_flush(&s, &out), 2);
	sb_free(&out);
	screen_free(&s);
}

static void test_layout(void)
{
	struct frame_layout l = frame_layout(24, true, false);
	CHECK_INT(l.badge_row, 0);
	CHECK_INT(l.region_top, 1);
	CHECK_INT(l.region_height, 21);
	CHECK_INT(l.status_row, 22);
	CHECK_INT(l.help_row, 23);
	l = frame_layout(24, false, false);
	CHECK_INT(l.status_row, 23);
	CHECK_INT(l.help_row, -1);
	CHECK_INT(l.region_height, 22);
	l = frame_layout(24, true, true);
	CHECK_INT(l.status_row, 0);
	CHECK_INT(l.help_row, 1);
	CHECK_INT(l.region_top, 2);
	CHECK_INT(l.badge_row, 23);
	l = frame_layout(2, true, false); /* too small: output only */
	CHECK_INT(l.status_row, -1);
	CHECK_INT(l.region_height, 2);
}

/* Lines "0".."9", line 3 30 columns long. */
static struct view_line lines[10];
static char texts[10][40];
static void make_lines(void)
{
	for (int i = 0; i < 10; i++) {
		if (i == 3)
			snprintf(texts[i], sizeof texts[i], "3 ---------+---------+-------");
		else
			snprintf(texts[i], sizeof texts[i], "%d", i);
		lines[i] = view_line_of(texts[i], strlen(texts[i]));
	}
}

/* The view's rows as drawn, '|'-separated. */
static const char *shown(struct view *v)
{
	static char out[512];
	struct screen s;
	screen_init(&s, v->height, v->width);
	view_render(v, lines, 10, &s, 0);
	out[0] = '\0';
	for (int r = 0; r < v->height; r++) {
		strcat(out, s.next[r].buf);
		strcat(out, "|");
	}
	screen_free(&s);
	return out;
}

static void test_view_scroll_and_wrap(void)
{
	make_lines();
	struct view v = { .height = 4, .width = 10, .wrap = true };
	CHECK_INT(view_total_rows(&v, lines, 10), 12); /* line 3 takes 3 rows */
	CHECK_STR(shown(&v), "0|1|2|3 --------|");
	view_scroll_rows(&v, lines, 10, 4);
	CHECK_STR(shown(&v), "-+--------|-+-------|4|5|");
	CHECK_INT(v.top_line, 3);
	CHECK_INT(v.top_sub, 1);
	/* cut: the top line stays on top */
	view_set_wrap(&v, lines, 10, false);
	CHECK_STR(shown(&v), "3 --------|4|5|6|");
	view_set_wrap(&v, lines, 10, true);
	CHECK_STR(shown(&v), "3 --------|-+--------|-+-------|4|");
	view_scroll_millipages(&v, lines, 10, 1000);
	CHECK_STR(shown(&v), "5|6|7|8|");
	/* never past the last full page */
	view_scroll_millipages(&v, lines, 10, 5000);
	CHECK_STR(shown(&v), "6|7|8|9|");
	CHECK(view_at_bottom(&v, lines, 10));
	view_scroll_rows(&v, lines, 10, -1);
	CHECK(!view_at_bottom(&v, lines, 10));
	view_scroll_millipages(&v, lines, 10, -800); /* 0.8 page: 3 rows */
	CHECK_STR(shown(&v), "-+--------|-+-------|4|5|");
	view_scroll_top(&v);
	CHECK_STR(shown(&v), "0|1|2|3 --------|");
	view_scroll_rows(&v, lines, 10, -5);
	CHECK_INT(v.top_line, 0);
	view_scroll_bottom(&v, lines, 10);
	CHECK_STR(shown(&v), "6|7|8|9|");
	/* more room than rows: the top stays at 0, the rest blank */
	view_resize(&v, lines, 10, 20, 40);
	CHECK_INT(v.top_line, 0);
	CHECK(view_at_bottom(&v, lines, 10));
	struct view empty = { .height = 2, .width = 5, .wrap = true };
	view_scroll_rows(&empty, lines, 0, 3);
	view_scroll_bottom(&empty, lines, 0);
	CHECK_INT(empty.top_line, 0);
}

int main(void)
{
	RUN(test_clean_keeps_sgr_only);
	RUN(test_width_and_slice);
	RUN(test_frame_diff);
	RUN(test_layout);
	RUN(test_view_scroll_and_wrap);
	UNIT_EXIT();
}
