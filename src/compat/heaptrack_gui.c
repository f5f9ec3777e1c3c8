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
#include <sys/wait.h>
#include <unistd.h>

#include "cmd/cmds.h"
#include "compat/compat.h"
#include "util/die.h"
#include "util/path_search.h"
#include "util/strbuf.h"

static const char gui_usage[] =
	"Usage: heaptrack_gui FILE...\n"
	"\n"
	"sonde's heaptrack_gui: writes the heap report of each FILE as one HTML page\n"
	"(summary, charts over time, flame graphs, call trees) to FILE.html, or to\n"
	"the current directory if that cannot be written, and opens it in a\n"
	"browser ($BROWSER, xdg-open or sensible-browser) when there is a display\n"
	"($DISPLAY or $WAYLAND_DISPLAY); else it prints where the page is.\n"
	"The same page: sonde heap report FILE --html OUT.html\n";

/* The full path of an executable (name itself when it has a slash), or NULL. */
static char *find_exe(const char *name)
{
	if (!*name)
		return NULL;
	if (strchr(name, '/'))
		return access(name, X_OK) == 0 ? xstrdup(name) : NULL;
	return path_search(path_env(), name, NULL, NULL, NULL);
}

/* Starts argv detached (the browser outlives heaptrack_gui); true if exec'd. */
static bool spawn_detached(char *const argv[])
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return false;
	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return false;
	}
	if (pid == 0) {
		close(fds[0]);
		setsid();
		pid_t g = fork();
		if (g != 0)
			_exit(g < 0);
		execvp(argv[0], argv);
		char fail = 1; /* tell the parent; the pipe closes on a successful exec */
		if (write(fds[1], &fail, 1) < 0)
			_exit(127);
		_exit(127);
	}
	close(fds[1]);
	int st;
	waitpid(pid, &st, 0);
	char c;
	ssize_t r;
	while ((r = read(fds[0], &c, 1)) < 0 && errno == EINTR)
		;
	close(fds[0]);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 && r == 0;
}

/* Opens path in a browser; returns the one used, or NULL. */
static const char *open_browser(const char *path)
{
	static char used[256];
	const char *env = getenv("BROWSER");
	char *list = xstrdup(env ? env : "");
	for (char *save = NULL, *e = strtok_r(list, ":", &save); e; e = strtok_r(NULL, ":", &save)) {
		bool ok;
		if (strstr(e, "%s")) {
			/* the convention's "cmd %s": the shell runs it, the path is "$1" */
			struct strbuf cmd = STRBUF_INIT;
			for (const char *q = e; *q; q++) {
				if (q[0] == '%' && q[1] == 's') {
					sb_adds(&cmd, "\"$1\"");
					q++;
				} else {
					sb_addc(&cmd, *q);
				}
			}
			char *argv[] = { "/bin/sh", "-c", cmd.buf, "sh", (char *)path, NULL };
			ok = spawn_detached(argv);
			sb_free(&cmd);
		} else {
			char *exe = find_exe(e);
			char *argv[] = { exe, (char *)path, NULL };
			ok = exe && spawn_detached(argv);
			free(exe);
		}
		if (ok) {
			snprintf(used, sizeof(used), "%s", e);
			free(list);
			return used;
		}
	}
	free(list);
	static const char *const fallbacks[] = { "xdg-open", "sensible-browser" };
	for (size_t i = 0; i < 2; i++) {
		char *exe = find_exe(fallbacks[i]);
		char *argv[] = { exe, (char *)path, NULL };
		bool ok = exe && spawn_detached(argv);
		free(exe);
		if (ok)
			return fallbacks[i];
	}
	return NULL;
}

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

/* A graphical session a browser can open a window in. */
static bool have_display(void)
{
	const char *x = getenv("DISPLAY"), *w = getenv("WAYLAND_DISPLAY");
	return (x && *x) || (w && *w);
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
	bool display = have_display();
	for (int i = 1; i <= nfiles; i++) {
		char *out = write_page(argv[i]);
		if (!out) {
			rc = 1;
			continue;
		}
		char real[PATH_MAX];
		const char *shown = realpath(out, real) ? real : out;
		const char *browser = display ? open_browser(shown) : NULL;
		if (browser)
			fprintf(stderr, "sonde: wrote %s; opening it with %s\n", shown, browser);
		else
			fprintf(stderr, "sonde: wrote %s \xe2\x80\x94 open it in a browser\n", shown);
		free(out);
	}
	return rc;
}
