/* Programs the dynamic loader runs in secure-execution mode (AT_SECURE):
 * it then ignores LD_PRELOAD, so a preloaded runtime (sonde heap, sonde
 * memcheck) would see nothing and report a clean, empty run. */
#ifndef SONDE_COLLECT_SECURE_EXEC_H
#define SONDE_COLLECT_SECURE_EXEC_H

#include <stdbool.h>
#include <stddef.h>

/* Whether exec'ing file (a path, or a name looked up on PATH) by this
 * process would be secure execution, as the kernel decides it
 * (cap_bprm_creds_from_file): a set-user-ID file owned by someone other
 * than our real user, a set-group-ID file of a group we are not in, or a
 * file with capabilities run by a user other than root; none of it on a
 * nosuid mount, and only for ELF files (Linux ignores the bits on
 * scripts). When so, writes what makes it so ("set-user-ID nobody") into
 * why. */
int secure_exec(const char *file, char *why, size_t n);

/* The one line saying a command cannot measure file (why: from
 * secure_exec): perf_events, because the kernel detaches a task's perf
 * events when it execs with new privileges (it becomes non-dumpable);
 * else because the loader drops the preload. Returns the exit status for
 * it: 126, as for a command that cannot be executed. */
int secure_exec_refuse(const char *file, const char *why, bool perf_events);

#endif
