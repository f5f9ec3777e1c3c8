/* Opening a file in the user's web browser, detached from sonde. */
#ifndef SONDE_UTIL_BROWSER_H
#define SONDE_UTIL_BROWSER_H
#include <stddef.h>

enum browser_status {
	BROWSER_OPENED,     /* a browser was started */
	BROWSER_NO_DISPLAY, /* neither $DISPLAY nor $WAYLAND_DISPLAY is set */
	BROWSER_NONE,       /* no candidate could be started */
};

/* Opens path (pass it absolute: it is given to the browser as is) when
 * there is a display: the entries of $BROWSER in order, then xdg-open, then
 * sensible-browser; the first that can be started wins. It runs in its own
 * session with stdin, stdout and stderr on /dev/null, and outlives sonde.
 * On BROWSER_OPENED *used is the program started (malloc'd), else NULL. */
enum browser_status browser_open(const char *path, char **used);

/* A page just written to path: opened in a browser when there is one
 * (browser_open, by its absolute path), and one line on stderr saying
 * where it is and whether it was opened. */
void browser_show(const char *path);

/* The argv of one $BROWSER entry (the n bytes at entry, no ':') opening
 * path: its words split at blanks (no shell: nothing else is special),
 * "%s" in them replaced by path and "%%" by "%", path appended as the last
 * argument when no word has "%s". NULL for a blank entry; free the rest
 * with browser_argv_free. */
char **browser_argv(const char *entry, size_t n, const char *path);
void browser_argv_free(char **argv);

#endif
