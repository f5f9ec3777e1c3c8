/* Error reporting in git's style: die() at the command edge, error() inside. */
#ifndef SONDE_UTIL_DIE_H
#define SONDE_UTIL_DIE_H
#include <stddef.h>

#define SONDE_PRINTF(a, b) __attribute__((format(printf, a, b)))

/* Prints "sonde: <msg>" and exits with status 1 (or `status` for die_status). */
__attribute__((noreturn)) SONDE_PRINTF(1, 2) void die(const char *fmt, ...);
__attribute__((noreturn)) SONDE_PRINTF(2, 3) void die_status(int status, const char *fmt, ...);
/* Prints "sonde: <msg>" and returns -1, for `return error(...)`. */
SONDE_PRINTF(1, 2) int error(const char *fmt, ...);
/* Prints "sonde: warning: <msg>". */
SONDE_PRINTF(1, 2) void warn(const char *fmt, ...);
/* Prints "sonde: <msg>" without prefix words; informational lines on stderr. */
SONDE_PRINTF(1, 2) void note(const char *fmt, ...);

/* The program name used as message prefix ("sonde", or "perf" when run as perf). */
extern const char *sonde_progname;
/* Set by -q: suppress note(). */
extern int sonde_quiet;

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
SONDE_PRINTF(1, 2) char *xasprintf(const char *fmt, ...);

#endif
