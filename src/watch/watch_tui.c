/* The terminal interface of `sonde watch` (bacon's TUI: badge line,
 * status line, scrollable output, summary mode, help line, keys from
 * [keybindings]). Not written yet: a terminal gets the headless runner,
 * and says so once (docs/watch.md, "Status"). */
#include <stdio.h>

#include "util/die.h"
#include "watch/watch.h"

int watch_run_tui(struct watch_ctx *w)
{
	note("the interactive view is not there yet: running headless (docs/watch.md)");
	return watch_run_headless(w);
}
