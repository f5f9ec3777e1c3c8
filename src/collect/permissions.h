/* Deciding what we may profile, given kernel.perf_event_paranoid. Kept free of
 * syscalls (except the two readers) so the decisions can be unit-tested with
 * faked values. */
#ifndef SONDE_COLLECT_PERMISSIONS_H
#define SONDE_COLLECT_PERMISSIONS_H
#include <stdbool.h>
#include <stddef.h>

/* kernel.perf_event_paranoid, or 2 (the kernel default) if unreadable. */
int perm_read_paranoid(void);
/* root, or CAP_PERFMON / CAP_SYS_ADMIN in the effective set. */
bool perm_privileged(void);

/* Should kernel samples be left out from the start (paranoid >= 2 and not
 * privileged)? */
bool perm_default_exclude_kernel(int paranoid, bool privileged);

enum perm_next {
	PERM_NOT_PERMISSION, /* the error is not a permission problem */
	PERM_RETRY_USER,     /* retry with exclude_kernel=1 */
	PERM_DENIED,         /* give up: print perm_denied_message() */
};

/* What to do after perf_event_open failed with err. `exclude_kernel` tells
 * whether the failed attempt already excluded the kernel; `user_chose_kernel`
 * is true when the user explicitly asked for ":k" (then do not silently drop
 * to user-only). */
enum perm_next perm_after_error(int err, bool exclude_kernel, bool user_chose_kernel);

/* `kernel_wanted`: the last attempt included kernel samples.
 * The one-line reason printed when profiling is not allowed (no program
 * prefix), e.g. "not allowed to profile (kernel.perf_event_paranoid=3); run
 * 'sudo sysctl kernel.perf_event_paranoid=1' or run as root". */
void perm_denied_message(char *buf, size_t len, int paranoid, bool privileged, bool kernel_wanted);

#endif
