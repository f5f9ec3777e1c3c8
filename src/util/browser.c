#include "util/browser.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/die.h"
#include "util/path_search.h"
#include "util/strbuf.h"
#include "util/vec.h"

/* A graphical session a browser can open a window in. Without one,
 * xdg-open would fall back to a text browser, which has no terminal here. */
static bool have_display(void)
{
	const char *x = getenv("DISPLAY"), *w = getenv("WAYLAND_DISPLAY");
	return (x && *x) || (w && *w);
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n'; /* the shell's default IFS */
}

char **browser_argv(const char *entry, size_t n, const char *path)
{
	VEC(char *) av = { 0 };
	bool substituted = false;
	const char *end = entry + n;
	for (const char *p = entry;;) {
		while (p < end && is_blank(*p))
			p++;
		if (p == end)
			break;
		struct strbuf w = STRBUF_INIT;
		for (; p < end && !is_blank(*p); p++) {
			if (p[0] == '%' && p + 1 < end && p[1] == 's') {
				sb_adds(&w, path);
				substituted = true;
				p++;
			} else if (p[0] == '%' && p + 1 < end && p[1] == '%') {
				sb_addc(&w, '%');
				p++;
			} else {
				sb_addc(&w, *p);
			}
		}
		vec_push(&av, sb_detach(&w));
	}
	if (!av.n)
		return NULL;
	if (!substituted)
		vec_push(&av, xstrdup(path));
	vec_push(&av, (char *)NULL);
	return av.v;
}

void browser_argv_free(char **argv)
{
	if (!argv)
		return;
	for (char **a = argv; *a; a++)
		free(*a);
	free(argv);
}

/* Runs exe with argv in a grandchild that init adopts (no zombie, and it
 * outlives sonde), in its own session so the terminal's signals do not
 * reach it. True once it has exec'd: a failed exec writes its errno to a
 * pipe that a successful one closes (O_CLOEXEC). */
static bool spawn_detached(const char *exe, char *const argv[])
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
		int null = open("/dev/null", O_RDWR);
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
			dup2(null, 2);
			if (null > 2)
				close(null);
		}
		/* ignored signals and the mask survive exec: the browser starts clean */
		struct sigaction dfl = { .sa_handler = SIG_DFL };
		for (int s = 1; s < NSIG; s++)
			sigaction(s, &dfl, NULL);
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		execvp(exe, argv); /* exe has a slash: no PATH search, but sh runs a script without #! */
		int err = errno;
		if (write(fds[1], &err, sizeof(err)) < 0)
			_exit(127);
		_exit(127);
	}
	close(fds[1]);
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	int err;
	ssize_t r;
	while ((r = read(fds[0], &err, sizeof(err))) < 0 && errno == EINTR)
		;
	close(fds[0]);
	/* r == 0: exec'd, unless the middle child could not fork */
	return r == 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* Starts argv, its program looked up on PATH as execvp would; true if it runs. */
static bool try_start(char *const argv[])
{
	const char *name = argv[0];
	char *exe = strchr(name, '/') ? (access(name, X_OK) == 0 ? xstrdup(name) : NULL)
				      : path_search(path_env(), name, NULL, NULL, NULL);
	bool ok = exe && spawn_detached(exe, argv);
	free(exe);
	return ok;
}

enum browser_status browser_open(const char *path, char **used)
{
	*used = NULL;
	if (!have_display())
		return BROWSER_NO_DISPLAY;
	const char *list = getenv("BROWSER");
	for (const char *p = list ? list : "";;) {
		const char *colon = strchrnul(p, ':');
		char **argv = browser_argv(p, (size_t)(colon - p), path);
		if (argv && try_start(argv)) {
			*used = xstrdup(argv[0]);
			browser_argv_free(argv);
			return BROWSER_OPENED;
		}
		browser_argv_free(argv);
		if (!*colon)
			break;
		p = colon + 1;
	}
	static const char *const fallbacks[] = { "xdg-open", "sensible-browser" };
	for (size_t i = 0; i < sizeof(fallbacks) / sizeof(*fallbacks); i++) {
		char *argv[] = { (char *)fallbacks[i], (char *)path, NULL };
		if (try_start(argv)) {
			*used = xstrdup(fallbacks[i]);
			return BROWSER_OPENED;
		}
	}
	return BROWSER_NONE;
}

void browser_show(const char *path)
{
	char real[PATH_MAX];
	const char *shown = realpath(path, real) ? real : path;
	char *browser;
	if (browser_open(shown, &browser) == BROWSER_OPENED)
		fprintf(stderr, "sonde: wrote %s; opening it with %s\n", shown, browser);
	else
		fprintf(stderr, "sonde: wrote %s \xe2\x80\x94 open it in a browser\n", shown);
	free(browser);
}
