/* Starting a command suspended, so events can be attached before it execs. */
#ifndef SONDE_COLLECT_LAUNCH_H
#define SONDE_COLLECT_LAUNCH_H
#include <sys/types.h>

struct launch {
	pid_t pid;
	int go_fd;  /* write end: one byte releases the child */
	int err_fd; /* read end: receives errno if exec fails, EOF if exec worked */
	int stdout_to_stderr; /* set before launch: the command's stdout goes to our stderr
			       * (when our stdout carries the recording) */
};

/* Forks a child that waits before exec'ing argv (PATH search like a shell).
 * Returns 0, or -1 with errno (fork/pipe failure). */
int launch_suspended(struct launch *l, char **argv);
/* Lets the child exec. Returns 0 when exec succeeded, or the child's exec
 * errno (the child has then exited with 127 and been reaped). */
int launch_release(struct launch *l);
/* Kills and reaps a child that was never released. */
void launch_abort(struct launch *l);

/* Exit status a shell would use for an exec failure (127 not found, 126 otherwise). */
int launch_exec_failure_status(int err);

/* Whether file can be exec'd as launch_suspended will (execvp's PATH
 * search; a script's "#!" interpreter must exist): 0, or the errno exec
 * would fail with (ENOENT, EACCES, EISDIR). Commands check before creating
 * any output; what it cannot foresee (a file changed meanwhile, a nested
 * interpreter) launch_release still reports. */
int launch_check(const char *file);
/* The reason for messages: "command not found" for a bare name found
 * nowhere on PATH, else strerror(err). */
const char *launch_failure_reason(const char *file, int err);
/* launch_check, and when it fails the one line "cannot run 'FILE': WHY";
 * returns 0, or the status to exit with (127, 126). */
int launch_preflight(const char *file);

/* Describes a wait status for messages: "exited with status 3", "killed by
 * signal 9 (Killed)". Returns the shell-style exit code (128+sig for signals). */
int wait_status_code(int status);

#endif
