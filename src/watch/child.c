/* A job's process: spawn in its own group, line capture, exit, kill. */
#include "watch/child.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/die.h"
#include "util/strbuf.h"

struct out_pipe {
	int fd; /* -1 once at end of file */
	enum child_stream stream;
	struct strbuf partial; /* bytes of a line not ended yet */
};

struct child {
	pid_t pid;
	int pidfd, epoll;
	bool exited;
	int status;
	struct out_pipe out[2]; /* stderr, stdout */
};

static int open_pidfd(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* In the forked child: never returns. Reports an exec failure's errno
 * through errpipe (close-on-exec, so a successful exec closes it silently). */
static void exec_job(const struct child_spec *spec, int out_w, int err_w, int errpipe)
{
	setpgid(0, 0);
	/* the job must not inherit a handler-less watcher's signal mask */
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* default dispositions: a watcher started from a script's background
	 * job has SIGINT and SIGQUIT ignored, and a `kill` command sending
	 * SIGINT must still end the job */
	signal(SIGPIPE, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGQUIT, SIG_DFL);
	int null_in = open("/dev/null", O_RDONLY);
	if (null_in >= 0)
		dup2(null_in, 0);
	dup2(out_w, 1);
	dup2(err_w, 2);
	int stage = 0;
	if (spec->workdir && chdir(spec->workdir)) {
		stage = 1;
		goto fail;
	}
	for (const char *const *e = spec->env; e && *e; e++) {
		const char *eq = strchr(*e, '=');
		if (!eq)
			continue;
		char name[256];
		snprintf(name, sizeof(name), "%.*s", (int)(eq - *e), *e);
		setenv(name, eq + 1, 1);
	}
	execvp(spec->argv[0], (char *const *)spec->argv);
	stage = 2;
fail:;
	int msg[2] = { stage, errno };
	if (write(errpipe, msg, sizeof(msg)) < 0)
		_exit(127);
	_exit(127);
}

struct child *child_start(const struct child_spec *spec, char *err, size_t errsz)
{
	if (!spec->argv || !spec->argv[0] || !spec->argv[0][0]) {
		snprintf(err, errsz, "empty command");
		return NULL;
	}
	int errp[2], ep[2], op[2] = { -1, -1 };
	if (pipe2(errp, O_CLOEXEC))
		goto sys_fail;
	if (pipe2(ep, O_CLOEXEC)) {
		close(errp[0]);
		close(errp[1]);
		goto sys_fail;
	}
	if (spec->need_stdout ? pipe2(op, O_CLOEXEC) : ((op[1] = open("/dev/null", O_WRONLY | O_CLOEXEC)) < 0)) {
		close(errp[0]);
		close(errp[1]);
		close(ep[0]);
		close(ep[1]);
		goto sys_fail;
	}
	/* orphans of the job come to us, so the kill can reap them at once */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	pid_t pid = fork();
	if (pid == 0)
		exec_job(spec, op[1], ep[1], errp[1]);
	close(errp[1]);
	close(ep[1]);
	close(op[1]);
	if (pid < 0) {
		close(errp[0]);
		close(ep[0]);
		if (op[0] >= 0)
			close(op[0]);
		goto sys_fail;
	}
	setpgid(pid, pid); /* also here: no window where a kill misses the group */
	int msg[2];
	ssize_t n;
	do
		n = read(errp[0], msg, sizeof(msg));
	while (n < 0 && errno == EINTR);
	close(errp[0]);
	if (n == (ssize_t)sizeof(msg)) {
		waitpid(pid, NULL, 0);
		close(ep[0]);
		if (op[0] >= 0)
			close(op[0]);
		if (msg[0] == 1)
			snprintf(err, errsz, "cannot enter %s: %s", spec->workdir, strerror(msg[1]));
		else
			snprintf(err, errsz, "cannot run %s: %s", spec->argv[0], strerror(msg[1]));
		return NULL;
	}
	struct child *c = xcalloc(1, sizeof(*c));
	c->pid = pid;
	c->status = -1;
	c->out[0] = (struct out_pipe){ ep[0], CHILD_STDERR, STRBUF_INIT };
	c->out[1] = (struct out_pipe){ op[0], CHILD_STDOUT, STRBUF_INIT };
	c->pidfd = open_pidfd(pid);
	c->epoll = epoll_create1(EPOLL_CLOEXEC);
	for (int i = 0; i < 2; i++) {
		if (c->out[i].fd < 0)
			continue;
		fcntl(c->out[i].fd, F_SETFL, fcntl(c->out[i].fd, F_GETFL) | O_NONBLOCK);
		struct epoll_event ev = { .events = EPOLLIN, .data.fd = c->out[i].fd };
		epoll_ctl(c->epoll, EPOLL_CTL_ADD, c->out[i].fd, &ev);
	}
	if (c->pidfd >= 0) {
		struct epoll_event ev = { .events = EPOLLIN, .data.fd = c->pidfd };
		epoll_ctl(c->epoll, EPOLL_CTL_ADD, c->pidfd, &ev);
	}
	return c;
sys_fail:
	snprintf(err, errsz, "cannot start %s: %s", spec->argv[0], strerror(errno));
	return NULL;
}

pid_t child_pid(const struct child *c)
{
	return c->pid;
}

int child_fd(const struct child *c)
{
	return c->epoll;
}

int child_status(const struct child *c)
{
	return c->exited ? c->status : -1;
}

static void emit_lines(struct out_pipe *p, child_line_fn fn, void *ctx, bool at_eof)
{
	size_t start = 0;
	for (size_t i = 0; i < p->partial.len; i++) {
		if (p->partial.buf[i] != '\n')
			continue;
		size_t len = i - start;
		if (len && p->partial.buf[i - 1] == '\r')
			len--;
		if (fn)
			fn(ctx, p->stream, p->partial.buf + start, len);
		start = i + 1;
	}
	if (at_eof && start < p->partial.len) {
		if (fn)
			fn(ctx, p->stream, p->partial.buf + start, p->partial.len - start);
		start = p->partial.len;
	}
	if (!start)
		return; /* nothing consumed (the buffer may not even exist yet) */
	memmove(p->partial.buf, p->partial.buf + start, p->partial.len - start);
	p->partial.len -= start;
}

/* Reads what one pipe has now; closes it at end of file. */
static void drain_pipe(struct child *c, struct out_pipe *p, child_line_fn fn, void *ctx)
{
	char buf[8192];
	while (p->fd >= 0) {
		ssize_t n = read(p->fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n <= 0) {
			epoll_ctl(c->epoll, EPOLL_CTL_DEL, p->fd, NULL);
			close_fd(&p->fd);
			emit_lines(p, fn, ctx, true);
			break;
		}
		sb_add(&p->partial, buf, (size_t)n);
		emit_lines(p, fn, ctx, false);
	}
}

static void reap(struct child *c, bool block)
{
	if (c->exited)
		return;
	int st;
	pid_t r;
	do
		r = waitpid(c->pid, &st, block ? 0 : WNOHANG);
	while (r < 0 && errno == EINTR);
	if (r == c->pid) {
		c->exited = true;
		c->status = st;
		if (c->pidfd >= 0) {
			epoll_ctl(c->epoll, EPOLL_CTL_DEL, c->pidfd, NULL);
			close_fd(&c->pidfd);
		}
	}
}

/* Grandchildren orphaned by the job's end are re-parented to us (we are a
 * child subreaper): reap the group's, never the job's leader here. */
static void reap_group_orphans(const struct child *c)
{
	if (!c->exited)
		return; /* the leader's status must go to reap() */
	pid_t r;
	while ((r = waitpid(-c->pid, NULL, WNOHANG | __WALL)) > 0 && r != c->pid)
		;
}

bool child_pump(struct child *c, child_line_fn fn, void *ctx)
{
	/* the pipes in the order the kernel reports them ready */
	struct epoll_event evs[3];
	int n = epoll_wait(c->epoll, evs, 3, 0);
	for (int i = 0; i < n; i++)
		for (int k = 0; k < 2; k++)
			if (evs[i].data.fd == c->out[k].fd)
				drain_pipe(c, &c->out[k], fn, ctx);
	reap(c, false);
	return c->exited && c->out[0].fd < 0 && c->out[1].fd < 0;
}

int child_wait(struct child *c, child_line_fn fn, void *ctx)
{
	struct pollfd pfd = { .fd = c->epoll, .events = POLLIN };
	while (!child_pump(c, fn, ctx)) {
		/* without a pidfd (old kernels) the end is polled for */
		int r = poll(&pfd, 1, c->pidfd >= 0 || c->exited ? -1 : 10);
		if (r < 0 && errno != EINTR)
			break;
	}
	return c->status;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Runs the job's `kill` command with its PID appended; true when it ran
 * and exited 0. */
static bool run_kill_command(const struct child *c, const char *const *kill_cmd)
{
	size_t n = 0;
	while (kill_cmd[n])
		n++;
	const char **argv = xcalloc(n + 2, sizeof(*argv));
	memcpy(argv, kill_cmd, n * sizeof(*argv));
	char pid[24];
	snprintf(pid, sizeof(pid), "%d", (int)c->pid);
	argv[n] = pid;
	pid_t k = fork();
	if (k == 0) {
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	free(argv);
	int st = 0;
	if (k < 0)
		return false;
	while (waitpid(k, &st, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

int child_kill(struct child *c, const char *const *kill_cmd, int grace_ms)
{
	for (int k = 0; k < 2; k++) {
		if (c->out[k].fd >= 0)
			epoll_ctl(c->epoll, EPOLL_CTL_DEL, c->out[k].fd, NULL);
		close_fd(&c->out[k].fd);
		c->out[k].partial.len = 0;
	}
	reap(c, false);
	if (c->exited && kill(-c->pid, 0) < 0 && errno == ESRCH)
		return c->status; /* nothing left of the group */
	if (kill_cmd && kill_cmd[0] && kill_cmd[0][0]) {
		if (!c->exited && !run_kill_command(c, kill_cmd))
			kill(c->pid, SIGKILL);
	} else {
		kill(-c->pid, SIGTERM);
	}
	/* the group may end by itself within the grace; then the rest is killed */
	long long deadline = now_ms() + (grace_ms < 0 ? 0 : grace_ms);
	for (;;) {
		reap(c, false);
		reap_group_orphans(c);
		if (c->exited && kill(-c->pid, 0) < 0 && errno == ESRCH)
			break;
		if (now_ms() >= deadline) {
			kill(-c->pid, SIGKILL);
			reap(c, true);
			/* killed members are gone once their parent reaps them: we
			 * do (subreaper), or a slow init does */
			long long sweep_end = now_ms() + 2000;
			while (kill(-c->pid, 0) == 0 && now_ms() < sweep_end) {
				reap_group_orphans(c);
				struct timespec ts = { 0, 1000000L };
				nanosleep(&ts, NULL);
			}
			break;
		}
		struct timespec ts = { 0, 2 * 1000000L };
		nanosleep(&ts, NULL);
	}
	reap(c, true);
	return c->status;
}

void child_free(struct child *c)
{
	if (!c)
		return;
	if (!c->exited)
		child_kill(c, NULL, CHILD_KILL_GRACE_MS);
	reap_group_orphans(c);
	for (int k = 0; k < 2; k++) {
		close_fd(&c->out[k].fd);
		sb_free(&c->out[k].partial);
	}
	close_fd(&c->pidfd);
	close_fd(&c->epoll);
	free(c);
}

void child_describe_status(int status, char *buf, size_t size)
{
	if (status < 0)
		snprintf(buf, size, "still running");
	else if (WIFEXITED(status))
		snprintf(buf, size, "exit status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, size, "killed by SIG%s", sigabbrev_np(WTERMSIG(status)) ? sigabbrev_np(WTERMSIG(status)) : "?");
	else
		snprintf(buf, size, "wait status %d", status);
}
