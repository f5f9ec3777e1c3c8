/* A job's process for `sonde watch`: started in its own process group,
 * its stderr (and stdout with need_stdout) read line by line through
 * pipes, its end known through a pidfd, and killed by bacon's rules
 * without leaving orphans.
 *
 * Output: each complete line is handed to the caller's callback without
 * its '\n' (a "\r\n" loses the '\r' too) and with every other byte as the
 * job wrote it, ANSI styles included; a last line without '\n' comes at
 * end of file. stdout and stderr are separate pipes read in the order
 * poll reports them, so lines keep their arrival order between the two as
 * far as the kernel shows it (each stream's own order is exact). Without
 * need_stdout the job's stdout goes to /dev/null, as in bacon.
 *
 * Kill (child_kill): with a `kill` command, that command runs with the
 * job's PID appended and is waited for (bacon's rule; if it cannot run or
 * fails, SIGKILL); otherwise the process group gets SIGTERM. Then, after
 * up to grace_ms for the group to end by itself, whatever is left of the
 * group gets SIGKILL, so grandchildren (`sh -c 'sleep 100 & sleep 100'`)
 * never outlive the job. Processes that left the group (setsid) are out of
 * reach, as in any job runner.
 *
 * child_start makes the calling process a child subreaper
 * (PR_SET_CHILD_SUBREAPER), so the job's orphaned grandchildren come to it
 * and the kill reaps them at once instead of leaving zombies to a slow
 * init; it reaps only members of the job's group.
 *
 * Single-threaded; the callbacks run inside child_pump/child_wait. */
#ifndef SONDE_WATCH_CHILD_H
#define SONDE_WATCH_CHILD_H
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

enum child_stream { CHILD_STDOUT = 1, CHILD_STDERR = 2 };

typedef void (*child_line_fn)(void *ctx, enum child_stream stream, const char *line, size_t len);

struct child_spec {
	const char *const *argv; /* NULL-terminated; argv[0] looked up in PATH */
	const char *workdir;     /* NULL: the current directory */
	const char *const *env;  /* "NAME=value" set over the environment, NULL-terminated; may be NULL */
	bool need_stdout;        /* capture stdout too */
};

#define CHILD_KILL_GRACE_MS 500

/* Starts the job. NULL with a one-line message in err when it cannot
 * (no such program, bad workdir, ...). */
struct child *child_start(const struct child_spec *spec, char *err, size_t errsz);
pid_t child_pid(const struct child *c);
/* Readable when output or the job's end is pending. */
int child_fd(const struct child *c);
/* Hands out the lines ready now, without blocking; true once the job has
 * exited and both pipes are at end of file (then child_status is set). */
bool child_pump(struct child *c, child_line_fn fn, void *ctx);
/* Blocks until child_pump would return true; returns the wait status. */
int child_wait(struct child *c, child_line_fn fn, void *ctx);
/* The wait status (as from waitpid) once the job has ended, else -1. */
int child_status(const struct child *c);
/* Kills the job (rules above) and reaps it; output not yet read is
 * dropped. kill_cmd: the job's `kill` (NULL-terminated; NULL or empty for
 * the default). Returns the job's wait status. */
int child_kill(struct child *c, const char *const *kill_cmd, int grace_ms);
/* Kills the job if it still runs, then frees. */
void child_free(struct child *c);

/* A wait status in words: "exit status 3", "killed by SIGTERM". */
void child_describe_status(int status, char *buf, size_t size);

#endif
