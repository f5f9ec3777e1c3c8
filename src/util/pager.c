#include "util/pager.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/die.h"

static bool forbidden;
static volatile pid_t pager_pid = -1; /* read by the signal handler */

void pager_forbid(void)
{
	forbidden = true;
}

int pager_forbid_opt(struct opt_parser *p, const struct opt *o, const char *arg)
{
	pager_forbid();
	return 0;
}

static const char *pager_command(void)
{
	const char *p = getenv("SONDE_PAGER");
	if (!p)
		p = getenv("PAGER");
	if (!p)
		p = "less";
	if (!*p || !strcmp(p, "cat"))
		return NULL;
	return p;
}

/* EOF to the pager, then wait until the reader is done with it: exiting
 * first would hand the terminal back to the shell under a running less. */
static void wait_for_pager(void)
{
	close(STDOUT_FILENO);
	while (pager_pid > 0 && waitpid(pager_pid, NULL, 0) < 0 && errno == EINTR)
		;
	pager_pid = -1;
}

static void wait_at_exit(void)
{
	if (pager_pid > 0) {
		fflush(stdout);
		wait_for_pager();
	}
}

/* Only async-signal-safe calls here. */
static void wait_on_signal(int sig)
{
	wait_for_pager();
	if (sig == SIGPIPE) /* the reader quit the pager: nothing went wrong */
		_exit(0);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* A plain command name or path is run directly, so that a missing pager is
 * noticed (and the text printed instead); anything else goes to the shell. */
static bool needs_shell(const char *cmd)
{
	return cmd[strcspn(cmd, " \t\n|&;<>()$`\\\"'*?[#~=%")] != 0;
}

/* The child: stdin from the pipe; exec failures reported through `err`. */
static void __attribute__((noreturn)) run_pager(const char *cmd, int in, int err)
{
	dup2(in, STDIN_FILENO);
	setenv("LESS", "FRSX", 0); /* perf's; the reader's LESS wins */
	setenv("LV", "-c", 0);     /* lv: pass colours, as git sets it */
	if (needs_shell(cmd))
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	else
		execlp(cmd, cmd, (char *)NULL);
	int e = errno;
	if (write(err, &e, sizeof(e)) < 0) {
		/* nobody to tell */
	}
	_exit(127);
}

void pager_start(void)
{
	const char *cmd = pager_command();
	if (forbidden || pager_pid > 0 || !cmd || !isatty(STDOUT_FILENO))
		return;
	int data[2], err[2];
	if (pipe2(data, O_CLOEXEC) < 0)
		return;
	if (pipe2(err, O_CLOEXEC) < 0) {
		close(data[0]);
		close(data[1]);
		return;
	}
	fflush(stdout);
	pid_t pid = fork();
	int e = errno;
	if (pid == 0)
		run_pager(cmd, data[0], err[1]);
	close(data[0]);
	close(err[1]);
	ssize_t n = -1;
	if (pid > 0) { /* 0 bytes: the exec closed the pipe, the pager runs */
		while ((n = read(err[0], &e, sizeof(e))) < 0 && errno == EINTR)
			;
		if (n < 0)
			e = errno;
	}
	close(err[0]);
	if (pid < 0 || n != 0) { /* no pager: print to the terminal */
		if (pid > 0)
			waitpid(pid, NULL, 0);
		warn("cannot run the pager '%s': %s; printing directly", cmd, strerror(e));
		close(data[1]);
		return;
	}
	dup2(data[1], STDOUT_FILENO);
	close(data[1]);
	pager_pid = pid;
	atexit(wait_at_exit);
	static const int sigs[] = { SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], wait_on_signal);
}
