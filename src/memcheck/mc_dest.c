#include "memcheck/mc_dest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "memcheck/mc_opts.h"
#include "util/die.h"
#include "util/strbuf.h"
#include "util/write_all.h"

bool mc_dest_open(struct mc_dest *d, const char *opt, const char *tmpl, int fd, int pid)
{
	memset(d, 0, sizeof(*d));
	d->opt = opt;
	d->fd = -1;
	if (!tmpl) {
		d->fd = fd;
		d->name = fd == 2 ? xstrdup("standard error") : xasprintf("file descriptor %d", fd);
		return true;
	}
	struct strbuf err = STRBUF_INIT;
	d->name = mc_expand_file_name(opt, tmpl, pid, &err);
	if (!d->name) { /* checked before the run: only a changed environment gets here */
		error("%s", err.buf ? err.buf : "bad file name");
		sb_free(&err);
		return false;
	}
	sb_free(&err);
	d->fd = outfile_open(&d->of, d->name);
	if (d->fd < 0) {
		error("cannot create '%s': %s; the memcheck report is lost", d->name, strerror(errno));
		outfile_done(&d->of);
		return false;
	}
	d->file = d->fd != STDOUT_FILENO;
	return true;
}

static void failed(struct mc_dest *d, int e)
{
	if (d->err)
		return;
	d->err = e ? e : EIO;
	if (e == ENOSPC || e == EDQUOT)
		error("cannot write the memcheck report to %s%s%s: %s; free some space or choose another %s",
		      d->file ? "'" : "", d->name, d->file ? "'" : "", strerror(d->err),
		      d->opt);
	else
		error("cannot write the memcheck report to %s%s%s: %s", d->file ? "'" : "", d->name,
		      d->file ? "'" : "", strerror(d->err));
}

void mc_dest_write(struct mc_dest *d, const char *buf, size_t n)
{
	if (!d->err && write_all(d->fd, buf, n) < 0)
		failed(d, errno);
}

void mc_dest_copy(struct mc_dest *d, int from)
{
	char buf[1 << 16];
	off_t off = 0;
	while (!d->err) {
		ssize_t n = pread(from, buf, sizeof buf, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		off += n;
		mc_dest_write(d, buf, (size_t)n);
	}
}

int mc_dest_close(struct mc_dest *d)
{
	if (d->file) {
		if (close(d->fd) != 0)
			failed(d, errno);
		if (!d->err && outfile_place(&d->of, false) < 0)
			failed(d, errno);
		outfile_drop(&d->of);
	}
	free(d->name);
	d->name = NULL;
	return d->err ? -1 : 0;
}
