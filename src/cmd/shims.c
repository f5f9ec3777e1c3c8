/* sonde shims [--force] DIR: symlinks for every compat name, so that with
 * DIR first on PATH the command lines people already use (perf record ...)
 * run sonde. Prints the line that puts DIR on PATH, for eval. */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cmds.h"
#include "compat/compat.h"
#include "util/die.h"
#include "util/options.h"
#include "util/shquote.h"
#include "util/strbuf.h"

static const char *const shims_usage[] = { "shims [--force] DIR", NULL };

static const char shims_intro[] =
	"Creates DIR (if needed) with symlinks named after the tools sonde\n"
	"replaces, and prints the PATH line to use them: eval \"$(sonde shims DIR)\".\n"
	"An entry of DIR that is not sonde's (a symlink elsewhere, a file) is left\n"
	"alone unless --force is given. What sonde does not do itself (perf list,\n"
	"valgrind --tool=massif, ...) runs the real tool found later on PATH.\n";

/* A link sonde shims made: it leads to this binary, or its target is a file
 * named "sonde" (an earlier install, perhaps moved or removed since). */
static bool link_is_sonde(const char *link, const struct stat *self)
{
	struct stat st;
	if (stat(link, &st) == 0 && st.st_dev == self->st_dev && st.st_ino == self->st_ino)
		return true;
	char target[PATH_MAX];
	ssize_t n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return false;
	target[n] = 0;
	const char *base = strrchr(target, '/');
	return !strcmp(base ? base + 1 : target, "sonde");
}

enum link_result { LINK_MADE, LINK_LEFT_ALONE, LINK_FAILED };

/* Makes DIR/NAME a symlink to self, unless something else is there. */
static enum link_result install_link(const char *link, const char *self, const struct stat *self_st, bool force)
{
	struct stat st;
	if (lstat(link, &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			warn("'%s' is a directory; left alone", link);
			return LINK_LEFT_ALONE;
		}
		bool ours = S_ISLNK(st.st_mode) && link_is_sonde(link, self_st);
		if (!ours && !force) {
			char target[PATH_MAX];
			ssize_t n = S_ISLNK(st.st_mode) ? readlink(link, target, sizeof(target) - 1) : -1;
			if (n >= 0) {
				target[n] = 0;
				warn("'%s' is a symlink to '%s', not to sonde; left alone (--force replaces it)",
				     link, target);
			} else {
				warn("'%s' exists and is not sonde's; left alone (--force replaces it)", link);
			}
			return LINK_LEFT_ALONE;
		}
		if (unlink(link) < 0) {
			error("cannot replace '%s': %s", link, strerror(errno));
			return LINK_FAILED;
		}
	}
	if (symlink(self, link) < 0) {
		error("cannot create '%s': %s", link, strerror(errno));
		return LINK_FAILED;
	}
	return LINK_MADE;
}

int cmd_shims(int argc, char **argv, const struct cmd_ctx *ctx)
{
	bool force = false;
	const struct opt opts[] = {
		OPT_BOOL('f', "force", &force, "replace entries of DIR that are not sonde's"),
		OPT_END(),
	};
	struct strbuf names = STRBUF_INIT;
	sb_adds(&names, "Names:\n");
	for (size_t i = 0; compat_names[i].name; i++)
		sb_addf(&names, "  %-18s %s\n", compat_names[i].name, compat_names[i].what);
	const struct opt_cmd cmd = { "shims", .usage = shims_usage, .intro = shims_intro, .outro = names.buf };
	int nargs = opt_parse(&cmd, opts, argc, argv);
	sb_free(&names);
	if (nargs != 1)
		opt_usage_error(&cmd, "%s (usage: sonde shims [--force] DIR)",
				nargs ? "one directory only" : "no directory given");
	const char *dir = argv[0];
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		die("cannot create '%s': %s", dir, strerror(errno));
	char real[PATH_MAX];
	const char *shown = realpath(dir, real) ? real : dir;
	/* PATH separates entries with ':' and has no way to quote one */
	if (strchr(shown, ':'))
		die("'%s' holds a ':', which a PATH entry cannot; choose another directory", shown);
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	struct stat self_st;
	if (n < 0 || stat("/proc/self/exe", &self_st) < 0)
		die("cannot find sonde's own path: %s", strerror(errno));
	self[n] = 0;

	struct strbuf installed = STRBUF_INIT;
	bool failed = false;
	for (size_t i = 0; compat_names[i].name; i++) {
		char *link = xasprintf("%s/%s", dir, compat_names[i].name);
		enum link_result r = install_link(link, self, &self_st, force);
		if (r == LINK_MADE)
			sb_addf(&installed, " %s", compat_names[i].name);
		failed |= r == LINK_FAILED;
		free(link);
	}
	if (failed) {
		sb_free(&installed);
		return 1;
	}
	fprintf(stderr, "sonde: installed%s in %s; to use them, run:\n", installed.len ? installed.buf : " nothing",
		shown);
	sb_free(&installed);
	/* the line is eval'd: DIR must stay one word whatever it holds */
	struct strbuf line = STRBUF_INIT;
	sb_adds(&line, "export PATH=");
	sb_add_shquoted(&line, shown);
	sb_adds(&line, ":\"$PATH\"");
	printf("%s\n", line.buf);
	sb_free(&line);
	(void)ctx;
	return 0;
}
