/* util/browser: $BROWSER entries as argvs, and the order candidates are tried in */
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"
#include "util/browser.h"
#include "util/die.h"

#define P "/tmp/a b/$HOME %s%%.html" /* a path with what a shell or printf would touch */

/* Whether entry's argv, joined with '|' ("(null)" for none), is want. */
static bool argv_is(const char *entry, const char *want)
{
	char **av = browser_argv(entry, strlen(entry), P);
	char *got = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&got, &len);
	if (!av)
		fputs("(null)", f);
	for (char **a = av; a && *a; a++)
		fprintf(f, "%s%s", a == av ? "" : "|", *a);
	fclose(f);
	browser_argv_free(av);
	bool ok = !strcmp(got, want);
	if (!ok)
		printf("  '%s': got '%s'\n", entry, got);
	free(got);
	return ok;
}

static void test_entry_words(void)
{
	CHECK(argv_is("firefox", "firefox|" P));
	/* arguments and no %s: the path is still appended */
	CHECK(argv_is("firefox --new-window", "firefox|--new-window|" P));
	CHECK(argv_is(" \tchromium  --incognito\n", "chromium|--incognito|" P));
	/* blanks only: no entry */
	CHECK(argv_is("", "(null)"));
	CHECK(argv_is("  \t ", "(null)"));
}

static void test_entry_percent(void)
{
	CHECK(argv_is("w3m %s", "w3m|" P));
	CHECK(argv_is("open --url=%s --again %s", "open|--url=" P "|--again|" P));
	/* %% is one %, and "%%s" is no substitution: the path is appended */
	CHECK(argv_is("b 100%%", "b|100%|" P));
	CHECK(argv_is("b %%s", "b|%s|" P));
	CHECK(argv_is("b %%%s", "b|%" P));
	/* other % sequences stay as they are */
	CHECK(argv_is("b %d %", "b|%d|%|" P));
}

/* Only the n bytes given count: entries are cut out of the list in place. */
static void test_entry_bounds(void)
{
	const char *list = "a %s:b";
	char **av = browser_argv(list, 3, "X");
	CHECK(av && !strcmp(av[0], "a") && av[1] && !strcmp(av[1], "%") && av[2] && !strcmp(av[2], "X") && !av[3]);
	browser_argv_free(av);
	browser_argv_free(NULL);
}

static char dir[] = "/tmp/sonde-test-browser.XXXXXX";

/* The recorder's arguments, once it has run (it runs detached). */
static char *recorded(const char *name)
{
	char *path = xasprintf("%s/%s.args", dir, name);
	char *text = NULL;
	for (int i = 0; i < 100 && !text; i++) {
		FILE *f = fopen(path, "r");
		size_t len = 0;
		if (f) {
			char buf[4096];
			len = fread(buf, 1, sizeof(buf) - 1, f);
			fclose(f);
			buf[len] = 0;
			if (len && buf[len - 1] == '\n') /* complete */
				text = xstrdup(buf);
		}
		if (!text)
			usleep(50000);
	}
	free(path);
	return text;
}

static void write_recorder(const char *name)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	fprintf(f, "#!/bin/sh\nPATH=/usr/bin:/bin\nfor a; do printf '[%%s]' \"$a\"; done >'%s/%s.args.tmp'\n"
		   "echo >>'%s/%s.args.tmp'; mv '%s/%s.args.tmp' '%s/%s.args'\n",
		dir, name, dir, name, dir, name, dir, name);
	fclose(f);
	chmod(path, 0755);
	free(path);
}

static void test_open(void)
{
	CHECK(mkdtemp(dir));
	write_recorder("rec");
	write_recorder("rec2");
	char *sub = xasprintf("%s/subdir", dir); /* passes access(X_OK), fails exec */
	mkdir(sub, 0755);
	char *empty = xasprintf("%s/empty", dir);
	mkdir(empty, 0755);
	char *path = xstrdup(getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
	setenv("PATH", empty, 1); /* no xdg-open, no sensible-browser */
	unsetenv("WAYLAND_DISPLAY");
	char *used = (char *)"x";

	/* no display: nothing is run */
	unsetenv("DISPLAY");
	char *list = xasprintf("%s/rec", dir);
	setenv("BROWSER", list, 1);
	CHECK_INT(browser_open(P, &used), BROWSER_NO_DISPLAY);
	CHECK(!used);
	setenv("DISPLAY", "", 1);
	CHECK_INT(browser_open(P, &used), BROWSER_NO_DISPLAY);
	usleep(200000);
	char *args = xasprintf("%s/rec.args", dir);
	bool ran = access(args, F_OK) == 0;
	free(args);
	CHECK(!ran);

	/* Wayland alone is a display; empty entries, a missing program and one
	 * whose exec fails are passed over; the first that starts wins */
	setenv("WAYLAND_DISPLAY", "wayland-0", 1);
	free(list);
	list = xasprintf(":: :no-such-browser-here %%s:%s/missing:%s:%s/rec --new-window:%s/rec2", dir, sub, dir, dir);
	setenv("BROWSER", list, 1);
	CHECK_INT(browser_open(P, &used), BROWSER_OPENED);
	char *want = xasprintf("%s/rec", dir);
	CHECK_STR(used, want);
	free(used);
	free(want);
	args = recorded("rec");
	CHECK_STR(args, "[--new-window][" P "]\n");
	free(args);

	/* nothing can be started */
	free(list);
	list = xasprintf("%s/missing:%s", dir, sub);
	setenv("BROWSER", list, 1);
	CHECK_INT(browser_open(P, &used), BROWSER_NONE);
	CHECK(!used);
	unsetenv("BROWSER");
	CHECK_INT(browser_open(P, &used), BROWSER_NONE);

	/* then xdg-open, found on PATH */
	char *xdg = xasprintf("%s/xdg-open", dir);
	CHECK(symlink("rec2", xdg) == 0);
	setenv("PATH", dir, 1);
	CHECK_INT(browser_open(P, &used), BROWSER_OPENED);
	CHECK_STR(used, "xdg-open");
	free(used);
	args = recorded("rec2");
	CHECK_STR(args, "[" P "]\n");
	free(args);

	free(xdg);
	free(list);
	free(sub);
	free(empty);
	setenv("PATH", path, 1);
	free(path);
	unit_sh("rm -rf '%s'", dir);
}

int main(void)
{
	RUN(test_entry_words);
	RUN(test_entry_percent);
	RUN(test_entry_bounds);
	RUN(test_open);
	UNIT_EXIT();
}
