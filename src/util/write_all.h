/* Writing a whole buffer to a file descriptor. */
#ifndef SONDE_UTIL_WRITE_ALL_H
#define SONDE_UTIL_WRITE_ALL_H
#include <stddef.h>

/* Writes all n bytes of p to fd, retrying after EINTR and short writes.
 * 0, or -1 with errno set (EIO when write made no progress). Only write(2):
 * async-signal-safe. */
int write_all(int fd, const void *p, size_t n);

#endif
