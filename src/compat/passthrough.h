/* What sonde does not do itself (perf list, valgrind --tool=massif) runs
 * the real tool: the next program of that name on PATH that is not sonde. */
#ifndef SONDE_COMPAT_PASSTHROUGH_H
#define SONDE_COMPAT_PASSTHROUGH_H
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Carries the chain of sonde binaries and the programs they ran, so a
 * shim reached again (a second shim dir, a wrapper script) looks further. */
#define PASSTHROUGH_ENV "SONDE_PASSTHROUGH"
/* More hops (programs sonde ran that came back to sonde) than this is a
 * loop (wrapper scripts that fork sonde again). */
#define PASSTHROUGH_MAX_HOPS 16

struct file_id {
	dev_t dev;
	ino_t ino;
};

struct file_ids {
	struct file_id *v;
	size_t n, cap;
};

/* Reads a PASSTHROUGH_ENV value: "DEV:INO" entries are sonde binaries,
 * always passed over; "DEV:INO@PID" a program a sonde of process PID ran,
 * passed over by process pid (it exec'd back into sonde) or a child of it
 * (a wrapper script that runs sonde), unless that parent still is the
 * program (parent_exe, NULL if unknown: the real tool's own workload
 * calling it again); *reentered tells whether one was passed over.
 * Appends those to skip; returns the number of "@" entries (the programs
 * sonde ran: the hops so far). Malformed entries are ignored. */
size_t passthrough_parse_chain(const char *val, pid_t pid, pid_t ppid, const struct file_id *parent_exe,
			       struct file_ids *skip, bool *reentered);

/* The first NAME on path that is none of skip; malloc'd, or NULL. */
char *passthrough_search(const char *path, const char *name, const struct file_ids *skip);

/* Execs the real NAME with argv as given (argv[0] too), after one line on
 * stderr naming what sonde leaves to it (what: "perf list"). Returns only
 * when there is none: says which Debian package has it; returns 127. */
int passthrough_exec(const char *name, const char *what, const char *package, char **argv);

#endif
