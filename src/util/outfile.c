#include "util/outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/die.h"

/* mkstemp makes 0600 files; an output gets what open(..., 0666) would. */
static void default_mode(int fd)
{
	mode_t um = umask(0);
	umask(um);
	fchmod(fd, 0666 & ~um);
}

static int open_new(struct outfile *o, const char *path);

int outfile_open(struct outfile *o, const char *path)
{
	int fd = open_new(o, path);
	if (fd < 0) { /* nothing to place or drop */
		int e = errno;
		outfile_done(o);
		errno = e;
	}
	return fd;
}

static int open_new(struct outfile *o, const char *path)
{
	memset(o, 0, sizeof(*o));
	o->fd = -1;
	if (!strcmp(path, "-")) {
		o->fd = STDOUT_FILENO;
		return o->fd;
	}
	/* through a symlink: its target is replaced, the link stays */
	char *real = realpath(path, NULL);
	struct stat st;
	o->path = xstrdup(real ? real : path);
	free(real);
	if (stat(o->path, &st) == 0 && !S_ISREG(st.st_mode)) {
		o->fd = open(o->path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
		return o->fd;
	}
	const char *slash = strrchr(o->path, '/');
	int dir_len = slash ? (int)(slash - o->path + 1) : 0;
	o->tmp = xasprintf("%.*s.%s.sonde-XXXXXX", dir_len, o->path, slash ? slash + 1 : o->path);
	o->fd = mkostemp(o->tmp, O_CLOEXEC);
	if (o->fd >= 0) {
		default_mode(o->fd);
		return o->fd;
	}
	int e = errno;
	free(o->tmp);
	o->tmp = NULL;
	if (e != EACCES && e != EPERM && e != EROFS) {
		errno = e;
		return -1;
	}
	o->fd = open(o->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	return o->fd;
}

int outfile_place(struct outfile *o, bool keep_old)
{
	if (!o->tmp)
		return 0;
	struct stat st;
	if (keep_old && stat(o->path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
		char *old = xasprintf("%s.old", o->path);
		if (rename(o->path, old) != 0)
			warn("cannot keep '%s' as '%s': %s", o->path, old, strerror(errno));
		free(old);
	}
	if (rename(o->tmp, o->path) != 0)
		return -1; /* the file stays under o->tmp, for the caller to name */
	free(o->tmp);
	o->tmp = NULL;
	return 0;
}

void outfile_drop(struct outfile *o)
{
	if (o->tmp)
		unlink(o->tmp);
	outfile_done(o);
}

void outfile_done(struct outfile *o)
{
	free(o->tmp);
	free(o->path);
	o->tmp = o->path = NULL;
}

FILE *outfile_fopen(struct outfile *o, const char *path)
{
	int fd = outfile_open(o, path);
	if (fd == STDOUT_FILENO)
		return stdout;
	FILE *f = fd < 0 ? NULL : fdopen(fd, "w");
	if (!f && fd >= 0) {
		int e = errno;
		close(fd);
		outfile_drop(o);
		errno = e;
	}
	return f;
}

int outfile_fclose(struct outfile *o, FILE *f, bool complete)
{
	int e = errno;
	int rc = complete ? fflush(f) : -1;
	if (complete && rc)
		e = errno;
	if (f != stdout && fclose(f) != 0 && !rc)
		rc = -1, e = errno;
	if (rc == 0 && outfile_place(o, false) < 0)
		rc = -1, e = errno;
	outfile_drop(o); /* a placed file has no temporary left to remove */
	errno = e;
	return rc;
}
