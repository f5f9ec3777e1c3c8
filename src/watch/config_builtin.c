/* bacon's built-in configuration, in sonde's words: the same jobs, flags
 * and bindings as bacon's defaults/default-bacon.toml and
 * src/conf/keybindings.rs (facts, not their text). */
#include "watch/config.h"

const char watch_builtin_config[] =
	"default_job = \"check\"\n"
	"env.CARGO_TERM_COLOR = \"always\"\n"
	"\n"
	"[jobs.check]\n"
	"command = [\"cargo\", \"check\"]\n"
	"need_stdout = false\n"
	"\n"
	"[jobs.check-all]\n"
	"command = [\"cargo\", \"check\", \"--all-targets\"]\n"
	"need_stdout = false\n"
	"\n"
	"[jobs.clippy]\n"
	"command = [\"cargo\", \"clippy\"]\n"
	"need_stdout = false\n"
	"\n"
	"[jobs.clippy-all]\n"
	"command = [\"cargo\", \"clippy\", \"--all-targets\"]\n"
	"need_stdout = false\n"
	"\n"
	"[jobs.test]\n"
	"command = [\"cargo\", \"test\"]\n"
	"need_stdout = true\n"
	"\n"
	"[jobs.nextest]\n"
	"command = [\"cargo\", \"nextest\", \"run\", \"--hide-progress-bar\", \"--failure-output\", \"final\"]\n"
	"need_stdout = true\n"
	"analyzer = \"nextest\"\n"
	"\n"
	"[jobs.doc]\n"
	"command = [\"cargo\", \"doc\", \"--no-deps\"]\n"
	"need_stdout = false\n"
	"\n"
	"# opens the doc once it builds, then goes back to the job before\n"
	"[jobs.doc-open]\n"
	"command = [\"cargo\", \"doc\", \"--no-deps\", \"--open\"]\n"
	"need_stdout = false\n"
	"on_success = \"back\"\n"
	"\n"
	"[jobs.run]\n"
	"command = [\"cargo\", \"run\"]\n"
	"need_stdout = true\n"
	"allow_warnings = true\n"
	"background = true\n"
	"\n"
	"# a program that does not end (a server): restarted on each change\n"
	"[jobs.run-long]\n"
	"command = [\"cargo\", \"run\"]\n"
	"need_stdout = true\n"
	"allow_warnings = true\n"
	"background = false\n"
	"on_change_strategy = \"kill_then_restart\"\n"
	"\n"
	"# bacon ex -- EXAMPLE\n"
	"[jobs.ex]\n"
	"command = [\"cargo\", \"run\", \"--example\"]\n"
	"need_stdout = true\n"
	"allow_warnings = true\n"
	"\n"
	"[keybindings]\n"
	"c = \"job:clippy-all\"\n";

/* bacon's default bindings (its dismiss and undismiss keys, alt-i/t/u,
 * are left out: sonde has no dismissing yet) */
const char *const watch_default_keys[][2] = {
	{ "?", "help" },
	{ "h", "help" },
	{ "ctrl-c", "quit" },
	{ "ctrl-q", "quit" },
	{ "q", "quit" },
	{ "f5", "refresh" },
	{ "s", "toggle-summary" },
	{ "w", "toggle-wrap" },
	{ "b", "toggle-backtrace(1)" },
	{ "home", "scroll-to-top" },
	{ "end", "scroll-to-bottom" },
	{ "up", "scroll-lines(-1)" },
	{ "down", "scroll-lines(1)" },
	{ "pageup", "scroll-pages(-1)" },
	{ "pagedown", "scroll-pages(1)" },
	{ "space", "scroll-pages(0.8)" },
	{ "f", "scope-to-failures" },
	{ "esc", "back" },
	{ "ctrl-d", "job:default" },
	{ "i", "job:initial" },
	{ "p", "toggle-pause" },
	{ "/", "focus-search" },
	{ ":", "focus-goto" },
	{ "enter", "validate" },
	{ "tab", "next-match" },
	{ "backtab", "previous-match" },
	{ "shift-backtab", "previous-match" },
	{ "ctrl-j", "open-jobs-menu" },
	{ "a", "job:check-all" },
	{ "c", "job:clippy" },
	{ "d", "job:doc-open" },
	{ "t", "job:test" },
	{ "n", "job:nextest" },
	{ "r", "job:run" },
	{ NULL, NULL },
};
