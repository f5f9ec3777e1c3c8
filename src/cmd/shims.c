/* sonde shims DIR: symlinks for every compat name, so that with DIR first
 * on PATH the command lines people already use (perf record ...) run sonde. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cmds.h"
#include "compat/compat.h"
#include "util/die.h"

int cmd_shims(int argc, char **argv, const struct cmd_ctx *ctx)
{
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: sonde shims DIR\n\nCreates DIR (if needed) with symlinks named after the tools sonde\n"
		       "replaces, and prints the PATH line to use them:\n");
		for (size_t i = 0; compat_names[i].name; i++)
			printf("  %-18s %s\n", compat_names[i].name, compat_names[i].what);
		return 0;
	}
	if (argc != 2)
		die("usage: sonde shims DIR");
	const char *dir = argv[1];
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		die("cannot create '%s': %s", dir, strerror(errno));
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		die("cannot find sonde's own path: %s", strerror(errno));
	self[n] = 0;
	for (size_t i = 0; compat_names[i].name; i++) {
		char *link = xasprintf("%s/%s", dir, compat_names[i].name);
		struct stat st;
		if (lstat(link, &st) == 0) {
			if (!S_ISLNK(st.st_mode))
				die("'%s' exists and is not a symlink; not replacing it", link);
			unlink(link);
		}
		if (symlink(self, link) < 0)
			die("cannot create '%s': %s", link, strerror(errno));
		free(link);
	}
	char real[PATH_MAX];
	const char *shown = realpath(dir, real) ? real : dir;
	fprintf(stderr, "sonde: installed");
	for (size_t i = 0; compat_names[i].name; i++)
		fprintf(stderr, " %s", compat_names[i].name);
	fprintf(stderr, " in %s; to use them, run:\n", shown);
	printf("export PATH=\"%s:$PATH\"\n", shown);
	return 0;
}
