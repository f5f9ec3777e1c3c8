/* heaptrack_gui FILE...: sonde has no GUI; for each trace (heaptrack_gui
 * opens a window for each) it writes the HTML report (sonde heap report
 * --html) next to it (FILE.html, or in the current directory when that
 * cannot be created) and opens it in a browser when there is a display
 * ($DISPLAY, $WAYLAND_DISPLAY) and a browser ($BROWSER, xdg-open,
 * sensible-browser); else it prints the path. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmds.h"
#include "compat/compat.h"
#include "util/browser.h"
#include "util/die.h"

static const char gui_usage[] =
	"Usage: heaptrack_gui FILE...\n"
	"\n"
	"sonde's heaptrack_gui: writes the heap report of each FILE as one HTML page\n"
	"(summary, charts over time, flame graphs, call trees) to FILE.html, or to\n"
	"the current directory if that cannot be written, and opens it in a\n"
	"browser ($BROWSER, xdg-open or sensible-browser) when there is a display\n"
	"($DISPLAY or $WAYLAND_DISPLAY); else it prints where the page is.\n"
	"The same page: sonde heap report FILE --html OUT.html\n";

/* Writes the page of one trace: FILE.html, else ./BASENAME.html, the first
 * that can be opened for writing (not truncated yet: a failed report leaves
 * an old page alone). Returns the path written (malloc'd), or NULL. */
static char *write_page(const char *file)
{
	char *out = xasprintf("%s.html", file);
	bool existed = access(out, F_OK) == 0;
	int fd = open(out, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0) {
		int err = errno;
		const char *base = strrchr(file, '/');
		char *alt = xasprintf("%s.html", base ? base + 1 : file);
		existed = access(alt, F_OK) == 0;
		fd = open(alt, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
		if (fd < 0) {
			error("cannot create '%s' (%s) nor '%s' (%s)", out, strerror(err), alt, strerror(errno));
			free(alt);
			free(out);
			return NULL;
		}
		free(out);
		out = alt;
	}
	close(fd);

	/* the page of `sonde heap report FILE --html OUT`, same options */
	char *sub[] = { "heaptrack_gui", "--html", out, "--", (char *)file, NULL };
	int quiet = sonde_quiet;
	sonde_quiet = 1; /* its "wrote" note: said by the caller */
	int rc = heap_report_cmd(5, sub, false);
	sonde_quiet = quiet;
	if (rc) {
		if (!existed)
			unlink(out);
		free(out);
		return NULL;
	}
	return out;
}

int compat_heaptrack_gui(int argc, char **argv)
{
	sonde_progname = "heaptrack_gui";
	int nfiles = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(gui_usage, stdout);
			return 0;
		} else if (!strcmp(a, "-v") || !strcmp(a, "--version")) {
			printf("heaptrack_gui 1.4.0 (sonde %s)\n", SONDE_VERSION);
			return 0;
		} else if (!strcmp(a, "-d") || !strcmp(a, "--diff") || !strncmp(a, "--diff=", 7)) {
			die_status(1, "'%s' is not supported by sonde's heaptrack_gui (no diff view)", a);
		} else if (a[0] == '-' && a[1]) {
			die_status(1, "unknown option '%s'; run 'heaptrack_gui --help'", a);
		} else {
			argv[++nfiles] = argv[i]; /* the files, in order, from argv[1] */
		}
	}
	if (!nfiles) {
		fputs(gui_usage, stderr);
		return 1;
	}
	/* like heaptrack_gui's window for each file: a page for each */
	int rc = 0;
	for (int i = 1; i <= nfiles; i++) {
		char *out = write_page(argv[i]);
		if (!out) {
			rc = 1;
			continue;
		}
		browser_show(out);
		free(out);
	}
	return rc;
}
