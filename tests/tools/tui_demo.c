/* A small full-screen program on src/tui for the tmux tests
 * (tests/e2e/e2e_tui.sh): a list of numbered lines under a badge line,
 * with a status and a help line; it scrolls on keys, quits on q, crashes
 * on x (SIGSEGV) or a (abort), and prints the keys it got after it left
 * the screen, so a test can check the decoding and the restore together.
 * Usage: tui_demo [LINES [ESC_MS]]   (ESC_MS: how long a lone Esc waits
 * for the rest of a sequence, KEY_ESC_TIMEOUT_MS by default; a test that
 * sends a sequence in two writes sets it long, to be sure they are two
 * reads and still one key) */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tui/keys.h"
#include "tui/screen.h"
#include "tui/styled.h"
#include "tui/term.h"
#include "tui/view.h"

struct demo {
	struct view_line *lines;
	size_t n;
	struct view view;
	struct screen screen;
	struct frame_layout layout;
	char last_key[32];
	struct strbuf keys_seen;
};

static void layout(struct demo *d)
{
	int rows, cols;
	term_size(&rows, &cols);
	screen_resize(&d->screen, rows, cols);
	d->layout = frame_layout(rows, true, false);
	view_resize(&d->view, d->lines, d->n, d->layout.region_height, cols);
}

static void draw(struct demo *d)
{
	char bar[256];
	int len = snprintf(bar, sizeof bar, " tui_demo  %zu lines  %s", d->n, d->view.wrap ? "wrap" : "cut");
	screen_set_bar(&d->screen, d->layout.badge_row, "1;7", bar, (size_t)len);
	view_render(&d->view, d->lines, d->n, &d->screen, d->layout.region_top);
	len = snprintf(bar, sizeof bar, "top line %zu  last key %s", d->view.top_line + 1, d->last_key);
	screen_set_bar(&d->screen, d->layout.status_row, "7", bar, (size_t)len);
	static const char help[] = "q quit  j/k/up/down/pageup/pagedown/home/end/space scroll  w wrap  x crash  a abort  ctrl-z stop";
	screen_set(&d->screen, d->layout.help_row, help, sizeof help - 1);
	struct strbuf out = STRBUF_INIT;
	screen_flush(&d->screen, &out);
	term_write(out.buf ? out.buf : "", out.len);
	sb_free(&out);
}

/* Under ASan (make SAN=1) a SIGSEGV handler of the program's own is
 * ignored unless asked for: this one restores the terminal. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "allow_user_segv_handler=1";
}

/* A real fault (a store to a page that allows none), not a null pointer
 * that UBSan would report first. */
static void crash(void)
{
	volatile int *page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	*page = 1;
}

/* Acts on a key; false to quit. */
static bool on_key(struct demo *d, struct key k)
{
	struct view *v = &d->view;
	key_name(k, d->last_key, sizeof d->last_key);
	sb_adds(&d->keys_seen, d->last_key);
	sb_addc(&d->keys_seen, ' ');
	if ((k.code == 'q' && !k.mods) || (k.code == 'c' && k.mods == KEY_MOD_CTRL))
		return false;
	if (k.code == 'x' && !k.mods)
		crash();
	if (k.code == 'a' && !k.mods)
		abort();
	if (k.code == 'z' && k.mods == KEY_MOD_CTRL)
		term_suspend();
	if (k.code == KEY_DOWN || k.code == 'j')
		view_scroll_rows(v, d->lines, d->n, 1);
	else if (k.code == KEY_UP || k.code == 'k')
		view_scroll_rows(v, d->lines, d->n, -1);
	else if (k.code == KEY_PAGEDOWN)
		view_scroll_millipages(v, d->lines, d->n, 1000);
	else if (k.code == KEY_PAGEUP)
		view_scroll_millipages(v, d->lines, d->n, -1000);
	else if (k.code == ' ')
		view_scroll_millipages(v, d->lines, d->n, 800);
	else if (k.code == KEY_HOME)
		view_scroll_top(v);
	else if (k.code == KEY_END)
		view_scroll_bottom(v, d->lines, d->n);
	else if (k.code == 'w')
		view_set_wrap(v, d->lines, d->n, !v->wrap);
	return true;
}

int main(int argc, char **argv)
{
	struct demo d;
	memset(&d, 0, sizeof d);
	d.n = argc > 1 ? strtoul(argv[1], NULL, 10) : 100;
	int esc_ms = argc > 2 ? atoi(argv[2]) : KEY_ESC_TIMEOUT_MS;
	d.lines = calloc(d.n ? d.n : 1, sizeof *d.lines);
	for (size_t i = 0; i < d.n; i++) {
		struct strbuf raw = STRBUF_INIT, clean = STRBUF_INIT;
		/* every 7th line is long, every 5th colored and with a hostile title sequence */
		sb_addf(&raw, "%sline %zu%s%s", i % 5 == 4 ? "\033[32m" : "", i + 1, i % 5 == 4 ? "\033[0m\033]0;pwned\007" : "",
			i % 7 == 6 ? " which is long enough to wrap on a narrow terminal, as output lines often are" : "");
		styled_clean(&clean, raw.buf, raw.len);
		size_t len = clean.len;
		d.lines[i] = view_line_of(sb_detach(&clean), len);
		sb_free(&raw);
	}
	d.view.wrap = true;
	char err[256];
	if (term_enter(STDIN_FILENO, err, sizeof err) < 0) {
		fprintf(stderr, "tui_demo: %s\n", err);
		return 1;
	}
	screen_init(&d.screen, 0, 0);
	layout(&d);
	struct key_decoder dec = { .len = 0 };
	bool running = true;
	draw(&d);
	while (running) {
		struct pollfd fds[2] = { { STDIN_FILENO, POLLIN, 0 }, { term_event_fd(), POLLIN, 0 } };
		int r = poll(fds, 2, key_pending(&dec) ? esc_ms : -1);
		if (r < 0 && errno != EINTR)
			break;
		if (term_take_resized()) {
			layout(&d);
			screen_invalidate(&d.screen);
		}
		bool flush = r == 0;
		if (r > 0 && (fds[0].revents & (POLLIN | POLLHUP))) {
			char buf[64];
			ssize_t got = read(STDIN_FILENO, buf, sizeof buf);
			if (got <= 0)
				break;
			key_feed(&dec, buf, (size_t)got);
		}
		struct key k;
		while (running && key_next(&dec, &k, flush))
			running = on_key(&d, k);
		draw(&d);
	}
	term_leave();
	printf("tui_demo: keys: %s\n", d.keys_seen.buf ? d.keys_seen.buf : "");
	for (size_t i = 0; i < d.n; i++)
		free((char *)d.lines[i].text);
	free(d.lines);
	screen_free(&d.screen);
	sb_free(&d.keys_seen);
	return 0;
}
