/* Checking an output path before a long run, not after it. */
#ifndef SONDE_UTIL_WRITABLE_H
#define SONDE_UTIL_WRITABLE_H

/* 0 if path can be opened for writing, else the errno opening it would
 * fail with. Leaves the file system as it was: an existing file is not
 * truncated, a new one is created and removed again ("-" is stdout: 0). */
int check_writable(const char *path);

#endif
