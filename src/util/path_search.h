/* Looking a program up on PATH the way execvp does. */
#ifndef SONDE_UTIL_PATH_SEARCH_H
#define SONDE_UTIL_PATH_SEARCH_H
#include <stdbool.h>
#include <sys/stat.h>

/* Return true to pass over a candidate (cand: its path; st: the file it leads to). */
typedef bool (*path_skip_fn)(const char *cand, const struct stat *st, void *arg);

/* $PATH, or execvp's default when it is unset. */
const char *path_env(void);

/* The first executable regular file NAME in the ':'-separated directories of
 * path (an empty entry is the current directory) that skip (may be NULL)
 * does not reject. Returns a malloc'd path, or NULL with *err (may be NULL)
 * set to EACCES when only non-executable files were found, else ENOENT. */
char *path_search(const char *path, const char *name, path_skip_fn skip, void *arg, int *err);

#endif
