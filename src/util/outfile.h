/* Output files: nothing the user had is lost when sonde writes nothing
 * new. A new file is written under a temporary name beside its final one
 * and renamed into place: a recording once its command has started (a run
 * killed later still leaves what it wrote where the user looks), anything
 * else once complete. A recording replacing another keeps it as FILE.old,
 * as perf does. Paths that are no regular file ("-", FIFOs, /dev/stdout)
 * are written directly, and so is a file in a directory sonde cannot
 * create files in (it can only be truncated there). */
#ifndef SONDE_UTIL_OUTFILE_H
#define SONDE_UTIL_OUTFILE_H

#include <stdbool.h>
#include <stdio.h>

struct outfile {
	char *path; /* the final name (a symlink's target: the link stays) */
	char *tmp;  /* the name written under until placed; NULL: direct */
	int fd;
};

/* Opens a new file for path ("-": standard output, not closed by sonde).
 * Returns its descriptor, or -1 with errno (o then holds nothing). */
int outfile_open(struct outfile *o, const char *path);

/* Puts the file in place; keep_old: an existing non-empty file at path
 * becomes path.old first. 0, or -1 with errno (the new file then stays
 * under o->tmp). */
int outfile_place(struct outfile *o, bool keep_old);

/* The new file will not be: it is removed (not closed: its writer
 * closes it); whatever was at path stays. Frees o's names. */
void outfile_drop(struct outfile *o);

/* Frees o's names once placed. */
void outfile_done(struct outfile *o);

/* The same for stdio writers of a whole file: a stream on outfile_open's
 * descriptor (stdout for "-"), NULL with errno. */
FILE *outfile_fopen(struct outfile *o, const char *path);
/* Flushes and closes f (not stdout). A complete file that was written
 * whole is placed (no .old); otherwise it is dropped. 0, or -1 with errno
 * (errno as it was when !complete). Frees o's names. */
int outfile_fclose(struct outfile *o, FILE *f, bool complete);

#endif
