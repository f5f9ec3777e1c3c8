/* Where a memcheck report goes (--log-file/--log-fd, --xml-file/--xml-fd,
 * else stderr), and what happens when it cannot be written there: the
 * first failure is said once, in one line, and the run's exit status says
 * the report was lost (valgrind writes nothing and exits 0). A file is
 * written beside its name and put in place complete (util/outfile.h): a
 * failed write leaves whatever was there before. */
#ifndef SONDE_MEMCHECK_MC_DEST_H
#define SONDE_MEMCHECK_MC_DEST_H

#include <stdbool.h>
#include <stddef.h>

#include "util/outfile.h"

struct mc_dest {
	const char *opt; /* "--log-file" or "--xml-file", for messages */
	char *name;	 /* the file, or "standard error" / "file descriptor N" */
	struct outfile of;
	int fd;
	bool file; /* a file sonde opened (closed and placed by mc_dest_close) */
	int err;   /* the first write error */
};

/* Opens the destination: tmpl (a --log-file/--xml-file template, %p the
 * target's pid) or, without one, fd. false when it cannot be opened
 * (said). */
bool mc_dest_open(struct mc_dest *d, const char *opt, const char *tmpl, int fd, int pid);
void mc_dest_write(struct mc_dest *d, const char *buf, size_t n);
/* Appends everything fd holds (from its start). */
void mc_dest_copy(struct mc_dest *d, int from);
/* Closes it: 0, or -1 when the report did not get there whole. */
int mc_dest_close(struct mc_dest *d);

#endif
