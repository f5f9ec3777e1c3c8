/* Launching a suspended child: fork, park on a pipe, exec when released. */
#include "collect/launch.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/die.h"
#include "util/path_search.h"

static ssize_t read_full(int fd, void *buf, size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t k = read(fd, (char *)buf + got, n - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	return (ssize_t)got;
}

int launch_suspended(struct launch *l, char **argv)
{
	int go[2], err[2];
	if (pipe2(go, O_CLOEXEC) < 0)
		return -1;
	if (pipe2(err, O_CLOEXEC) < 0) {
		close(go[0]);
		close(go[1]);
		return -1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(go[0]);
		close(go[1]);
		close(err[0]);
		close(err[1]);
		errno = e;
		return -1;
	}
	if (pid == 0) {
		close(go[1]);
		close(err[0]);
		char c;
		/* EOF (the parent died or gave up) means: do not run. */
		if (read_full(go[0], &c, 1) != 1)
			_exit(127);
		close(go[0]);
		if (l->stdout_to_stderr && dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
			_exit(127);
		execvp(argv[0], argv);
		int e = errno;
		if (write(err[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(launch_exec_failure_status(e));
	}
	close(go[0]);
	close(err[1]);
	l->pid = pid;
	l->go_fd = go[1];
	l->err_fd = err[0];
	return 0;
}

int launch_release(struct launch *l)
{
	char c = 1;
	ssize_t k;
	do
		k = write(l->go_fd, &c, 1);
	while (k < 0 && errno == EINTR);
	close(l->go_fd);
	l->go_fd = -1;
	int e = 0;
	ssize_t n = read_full(l->err_fd, &e, sizeof(e));
	close(l->err_fd);
	l->err_fd = -1;
	if (n == (ssize_t)sizeof(e) && e) {
		while (waitpid(l->pid, NULL, 0) < 0 && errno == EINTR)
			;
		return e;
	}
	return 0;
}

void launch_abort(struct launch *l)
{
	if (l->go_fd >= 0)
		close(l->go_fd); /* the child sees EOF and exits without exec'ing */
	if (l->err_fd >= 0)
		close(l->err_fd);
	l->go_fd = l->err_fd = -1;
	kill(l->pid, SIGKILL);
	while (waitpid(l->pid, NULL, 0) < 0 && errno == EINTR)
		;
}

int launch_exec_failure_status(int err) { return err == ENOENT ? 127 : 126; }

/* A script's "#!" interpreter must exist too, or exec fails with ENOENT. */
static int check_interpreter(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0; /* executable but not readable: exec will tell */
	char buf[256];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 3 || buf[0] != '#' || buf[1] != '!')
		return 0;
	buf[n] = 0;
	char *interp = buf + 2 + strspn(buf + 2, " \t");
	interp[strcspn(interp, " \t\n")] = 0;
	if (!*interp)
		return 0;
	return access(interp, X_OK) == 0 ? 0 : errno;
}

int launch_check(const char *file)
{
	if (!*file)
		return ENOENT;
	char *path = NULL;
	if (!strchr(file, '/')) {
		int err = 0;
		path = path_search(path_env(), file, NULL, NULL, &err);
		if (!path)
			return err;
	} else {
		struct stat st;
		if (stat(file, &st) < 0)
			return errno;
		if (S_ISDIR(st.st_mode))
			return EISDIR;
		if (access(file, X_OK) < 0)
			return errno;
	}
	int err = check_interpreter(path ? path : file);
	free(path);
	return err;
}

const char *launch_failure_reason(const char *file, int err)
{
	if (err == ENOENT && !strchr(file, '/'))
		return "command not found";
	return strerror(err);
}

int launch_preflight(const char *file)
{
	int err = launch_check(file);
	if (!err)
		return 0;
	error("cannot run '%s': %s", file, launch_failure_reason(file, err));
	return launch_exec_failure_status(err);
}

int wait_status_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 1;
}
