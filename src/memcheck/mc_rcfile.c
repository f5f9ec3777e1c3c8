#include "memcheck/mc_rcfile.h"

#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/die.h"
#include "util/strbuf.h"

/* Beyond this an rc file is no option list: read its start only. */
#define RC_MAX (1 << 20)

void mc_rc_split(const char *s, char ***v, int *n)
{
	struct strbuf arg = STRBUF_INIT;
	while (*s) {
		while (isspace((unsigned char)*s))
			s++;
		if (!*s)
			break;
		char quote = 0;
		sb_reset(&arg);
		for (; *s && (quote || !isspace((unsigned char)*s)); s++) {
			if (*s == quote)
				quote = 0;
			else if (!quote && (*s == '\'' || *s == '"'))
				quote = *s;
			else
				sb_add(&arg, s, 1);
		}
		*v = xrealloc(*v, (size_t)(*n + 1) * sizeof(**v));
		(*v)[(*n)++] = xstrndup(arg.buf ? arg.buf : "", arg.len);
	}
	sb_free(&arg);
}

/* dir/.valgrindrc's options, when valgrind would read the file
 * (CVE-2008-4865: only a regular file of ours that others cannot write). */
static void read_rc(const char *dir, char ***v, int *n)
{
	char *path = xasprintf("%s/.valgrindrc", dir);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	struct stat st;
	if (fd >= 0 && fstat(fd, &st) == 0) {
		if (st.st_uid == geteuid() && S_ISREG(st.st_mode) && !(st.st_mode & S_IWOTH)) {
			char *buf = xmalloc(RC_MAX + 1);
			ssize_t got = read(fd, buf, RC_MAX);
			buf[got > 0 ? got : 0] = 0;
			mc_rc_split(buf, v, n);
			free(buf);
		} else {
			int me = (int)getpid();
			fprintf(stderr, "==%d== %s was not read as it is either not a regular file,\n"
					"==%d==     or is world writeable, or is not owned by the current user.\n",
				me, path, me);
		}
	}
	if (fd >= 0)
		close(fd);
	free(path);
}

struct mc_rc_args mc_rc_args(int argc, char **argv)
{
	struct mc_rc_args a = { argc, argv, 0 };
	bool augment = true;
	for (int i = 1; i < argc && argv[i][0] == '-' && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--command-line-only=yes"))
			augment = false;
		else if (!strcmp(argv[i], "--command-line-only=no"))
			augment = true;
	if (!augment)
		return a;
	char **extra = NULL;
	int n = 0;
	const char *home = getenv("HOME");
	if (home && *home)
		read_rc(home, &extra, &n);
	const char *env = getenv("VALGRIND_OPTS");
	if (env)
		mc_rc_split(env, &extra, &n);
	char cwd[4096];
	/* not twice when the current directory is home */
	if (home && *home && getcwd(cwd, sizeof(cwd)) && strcmp(cwd, home))
		read_rc(".", &extra, &n);
	if (!n)
		return a;
	a.argv = xmalloc((size_t)(argc + n + 1) * sizeof(*a.argv));
	a.argv[0] = argv[0];
	memcpy(a.argv + 1, extra, (size_t)n * sizeof(*a.argv));
	memcpy(a.argv + 1 + n, argv + 1, (size_t)argc * sizeof(*a.argv)); /* with argv[argc] = NULL */
	free(extra);
	a.argc = argc + n;
	a.extra = n;
	return a;
}

void mc_rc_args_free(struct mc_rc_args *a)
{
	if (!a->extra)
		return;
	for (int i = 1; i <= a->extra; i++)
		free(a->argv[i]);
	free(a->argv);
	a->extra = 0;
}
