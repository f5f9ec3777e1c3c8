/* src/tui/keys: the terminal's bytes decoded into keys (whole, split
 * across reads, a lone Esc after the timeout), and [keybindings] names. */
#include "unit.h"
#include "tui/keys.h"

/* Decodes bytes fed in pieces split at the given lengths (0 ends), flushes,
 * and returns the names of the keys, space-separated. */
static const char *decode(const char *bytes, size_t n, const size_t *splits)
{
	static char names[512];
	struct key_decoder d = { .len = 0 };
	struct key k;
	char one[32];
	size_t at = 0;
	names[0] = '\0';
	for (;;) {
		size_t piece = splits && *splits ? *splits++ : n - at;
		if (piece > n - at)
			piece = n - at;
		key_feed(&d, bytes + at, piece);
		at += piece;
		while (key_next(&d, &k, false)) {
			strcat(names, key_name(k, one, sizeof one));
			strcat(names, " ");
		}
		if (at == n)
			break;
	}
	while (key_next(&d, &k, true)) {
		strcat(names, key_name(k, one, sizeof one));
		strcat(names, " ");
	}
	return names;
}
#define DECODE(lit) decode(lit, sizeof(lit) - 1, NULL)

static void test_plain_and_control(void)
{
	CHECK_STR(DECODE("qG7 /"), "q G 7 space / ");
	CHECK_STR(DECODE("\x03\x11\r\t\x7f\n"), "ctrl-c ctrl-q enter tab backspace ctrl-j ");
	CHECK_STR(DECODE("\x04\x1a\x00"), "ctrl-d ctrl-z ctrl-space ");
	CHECK_STR(DECODE("\xc3\xa9\xe2\x82\xac"), "é € ");
}

static void test_sequences(void)
{
	CHECK_STR(DECODE("\033[A\033[B\033[C\033[D"), "up down right left ");
	CHECK_STR(DECODE("\033OA\033OH\033OF\033[H\033[F"), "up home end home end ");
	CHECK_STR(DECODE("\033[5~\033[6~\033[1~\033[4~\033[7~\033[8~"), "pageup pagedown home end home end ");
	CHECK_STR(DECODE("\033[2~\033[3~\033[Z"), "insert delete backtab ");
	CHECK_STR(DECODE("\033OP\033OS\033[15~\033[17~\033[21~\033[23~\033[24~"), "f1 f4 f5 f6 f10 f11 f12 ");
	CHECK_STR(DECODE("\033[[A\033[[E"), "f1 f5 ");
	CHECK_STR(DECODE("\033[1;5A\033[1;3B\033[1;2C\033[5;5~\033[15;2~"),
		  "ctrl-up alt-down shift-right ctrl-pageup shift-f5 ");
}

static void test_alt_and_esc(void)
{
	CHECK_STR(DECODE("\033w\033G\033\x03"), "alt-w alt-G ctrl-alt-c ");
	CHECK_STR(DECODE("\033"), "esc ");
	CHECK_STR(DECODE("\033\033[A"), "esc up ");
	/* a lone Esc waits for the timeout; then it is esc */
	struct key_decoder d = { .len = 0 };
	struct key k;
	key_feed(&d, "\033", 1);
	CHECK(!key_next(&d, &k, false));
	CHECK(key_pending(&d));
	CHECK(key_next(&d, &k, true));
	CHECK(k.code == KEY_ESC && k.mods == 0);
	CHECK(!key_pending(&d));
}

static void test_split_reads(void)
{
	static const char seq[] = "\033[1;5Ax\033[6~\xe2\x82\xac";
	for (size_t cut = 1; cut < sizeof seq - 1; cut++) {
		size_t splits[] = { cut, 0 };
		CHECK_STR(decode(seq, sizeof seq - 1, splits), "ctrl-up x pagedown € ");
	}
	size_t bytewise[sizeof seq];
	for (size_t i = 0; i < sizeof seq; i++)
		bytewise[i] = 1;
	bytewise[sizeof seq - 1] = 0;
	CHECK_STR(decode(seq, sizeof seq - 1, bytewise), "ctrl-up x pagedown € ");
}

static void test_bad_bytes(void)
{
	/* unknown sequences and invalid UTF-8 are skipped, what follows kept */
	CHECK_STR(DECODE("\033[99~a\033[9999999999Xb\xff\xc3(c"), "a b ( c ");
	/* a sequence cut short at the timeout: esc, then the rest as keys */
	CHECK_STR(DECODE("\033[1;"), "esc [ 1 ; ");
	/* a flood never overflows the queue */
	char flood[1000];
	memset(flood, 'z', sizeof flood);
	struct key_decoder d = { .len = 0 };
	struct key k;
	key_feed(&d, flood, sizeof flood);
	int n = 0;
	while (key_next(&d, &k, true))
		n++;
	CHECK_INT(n, sizeof d.buf);
}

static const char *parsed(const char *name)
{
	static char out[256];
	char err[128];
	struct key k;
	if (key_parse(name, &k, err, sizeof err) < 0)
		snprintf(out, sizeof out, "error: %s", err);
	else
		key_name(k, out, sizeof out);
	return out;
}

static void test_parse_names(void)
{
	/* the names of bacon's default bindings and of its default-prefs.toml */
	CHECK_STR(parsed("q"), "q");
	CHECK_STR(parsed("?"), "?");
	CHECK_STR(parsed("ctrl-c"), "ctrl-c");
	CHECK_STR(parsed("Ctrl-Q"), "ctrl-q");
	CHECK_STR(parsed("F5"), "f5");
	CHECK_STR(parsed("f12"), "f12");
	CHECK_STR(parsed("alt-w"), "alt-w");
	CHECK_STR(parsed("shift-g"), "G");
	CHECK_STR(parsed("G"), "G");
	CHECK_STR(parsed("shift-G"), "G");
	CHECK_STR(parsed("Home"), "home");
	CHECK_STR(parsed("PageDown"), "pagedown");
	CHECK_STR(parsed("Space"), "space");
	CHECK_STR(parsed("esc"), "esc");
	CHECK_STR(parsed("backtab"), "backtab");
	CHECK_STR(parsed("shift-backtab"), "backtab");
	CHECK_STR(parsed("shift-F9"), "shift-f9");
	CHECK_STR(parsed("alt-enter"), "alt-enter");
	CHECK_STR(parsed("ctrl-shift-p"), "ctrl-shift-P");
	CHECK_STR(parsed("minus"), "hyphen");
	CHECK_STR(parsed("del"), "delete");
	CHECK_STR(parsed("é"), "é");
}

static void test_parse_errors(void)
{
	CHECK_STR(parsed("foo"), "error: \"foo\" can't be parsed as a key");
	CHECK_STR(parsed("f13"), "error: \"f13\" can't be parsed as a key");
	CHECK_STR(parsed("meta-x"), "error: \"meta-x\" can't be parsed as a key");
	CHECK_STR(parsed(""), "error: \"\" can't be parsed as a key");
	CHECK_STR(parsed("ctrl-"), "error: \"ctrl-\" can't be parsed as a key");
	CHECK_STR(parsed("-"), "error: \"-\" can't be parsed as a key");
}

static void test_parsed_equals_decoded(void)
{
	char err[128];
	struct key want, got;
	struct key_decoder d = { .len = 0 };
	CHECK(key_parse("shift-g", &want, err, sizeof err) == 0);
	key_feed(&d, "G", 1);
	CHECK(key_next(&d, &got, false) && key_equal(want, got));
	CHECK(key_parse("ctrl-c", &want, err, sizeof err) == 0);
	key_feed(&d, "\x03", 1);
	CHECK(key_next(&d, &got, false) && key_equal(want, got));
	CHECK(key_parse("alt-w", &want, err, sizeof err) == 0);
	key_feed(&d, "\033w", 2);
	CHECK(key_next(&d, &got, false) && key_equal(want, got));
	CHECK(key_parse("PageUp", &want, err, sizeof err) == 0);
	key_feed(&d, "\033[5~", 4);
	CHECK(key_next(&d, &got, false) && key_equal(want, got));
}

int main(void)
{
	RUN(test_plain_and_control);
	RUN(test_sequences);
	RUN(test_alt_and_esc);
	RUN(test_split_reads);
	RUN(test_bad_bytes);
	RUN(test_parse_names);
	RUN(test_parse_errors);
	RUN(test_parsed_equals_decoded);
	UNIT_EXIT();
}
