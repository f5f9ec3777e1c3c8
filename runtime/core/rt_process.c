/* Process events the runtime follows: fork (HR_FORK; the child is not
 * traced), exec (this image's stream ends, HR_EXIT how 2), new threads
 * (the program is threaded from then on), dlclose (the module list), and
 * main itself for the modes that wrap it. */
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <unistd.h>

#include "rt_children.h"
#include "rt_core.h"
#include "rt_ops.h"

static void rec_fork(pid_t child)
{
	struct rt_thread *t = rt_self();
	if (!t || !ev_begin(t, MAX_EVENT_REC))
		return;
	uint64_t key = rt_ops->key_floor(t);
	uint8_t *p = put_key(t, t->buf + t->pos, key);
	*p++ = HR_FORK;
	p += varint_put(p, (uint64_t)child);
	ev_end(t, p, key);
	rt_flush_own(t);
}

EXPORT pid_t fork(void)
{
	static pid_t (*real_fork)(void);
	if (!real_fork)
		real_fork = (pid_t(*)(void))rt_real_sym("fork");
	pid_t pid = real_fork();
	if (pid > 0 && tracing()) {
		t_guard = 1;
		rec_fork(pid);
		t_guard = 0;
	}
	return pid;
}

EXPORT int __libc_start_main(rt_main_fn main, int argc, char **argv, void (*init)(void), void (*fini)(void),
			     void (*rtld_fini)(void), void *stack_end)
{
	typedef int (*start_fn)(rt_main_fn, int, char **, void (*)(void), void (*)(void), void (*)(void), void *);
	start_fn real = (start_fn)rt_real_sym("__libc_start_main");
	if (rt_ops->wrap_main && main)
		main = rt_ops->wrap_main(main);
	return real(main, argc, argv, init, fini, rtld_fini, stack_end);
}

EXPORT int pthread_create(pthread_t *th, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
	/* before the thread exists: clone orders this store before its start */
	atomic_store(&rt_multi, 1);
	if (rt_ops->thread_create && atomic_load(&rt_state) == ST_ON)
		return rt_ops->thread_create(th, attr, fn, arg);
	return rt_real_pthread_create()(th, attr, fn, arg);
}

EXPORT int dlclose(void *h)
{
	static int (*real_dlclose)(void *);
	if (!real_dlclose)
		real_dlclose = (int (*)(void *))rt_real_sym("dlclose");
	int r = real_dlclose(h);
	rt_modules_mark_dirty();
	return r;
}

/* exec: the new image is not traced (the fd is close-on-exec), so this
 * image's stream ends here: everything is flushed and HR_EXIT says how=2.
 * If exec fails, tracing stays off. Not in a vfork child (shared memory,
 * other pid): its exec must not end the parent's trace. */
static void before_exec(const char *file, bool search, char *const argv[], char *const envp[])
{
	if (atomic_load(&rt_state) == ST_ON && getpid() == rt_pid)
		rt_finish(2, 0, false);
	rt_children_exec(file, search, argv, envp);
	rt_rlimit_before_exec();
}

#define REAL(type, name) ((type)rt_real_sym(name))
typedef int (*execve_fn)(const char *, char *const[], char *const[]);
typedef int (*execv_fn)(const char *, char *const[]);

EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
	execve_fn real = REAL(execve_fn, "execve");
	before_exec(path, false, argv, envp);
	return real(path, argv, envp);
}

EXPORT int execv(const char *path, char *const argv[])
{
	execv_fn real = REAL(execv_fn, "execv");
	before_exec(path, false, argv, environ);
	return real(path, argv);
}

EXPORT int execvp(const char *file, char *const argv[])
{
	execv_fn real = REAL(execv_fn, "execvp");
	before_exec(file, true, argv, environ);
	return real(file, argv);
}

EXPORT int execvpe(const char *file, char *const argv[], char *const envp[])
{
	execve_fn real = REAL(execve_fn, "execvpe");
	before_exec(file, true, argv, envp);
	return real(file, argv, envp);
}

EXPORT int fexecve(int fd, char *const argv[], char *const envp[])
{
	int (*real)(int, char *const[], char *const[]) =
		REAL(int (*)(int, char *const[], char *const[]), "fexecve");
	before_exec(NULL, false, argv, envp);
	return real(fd, argv, envp);
}

/* execl, execlp, execle: collect the list, then the v forms above. */
#define COLLECT_ARGS(arg0, last, envp_out)                                   \
	size_t argc_ = 1;                                                    \
	va_list ap_;                                                         \
	va_start(ap_, arg0);                                                 \
	while (va_arg(ap_, const char *))                                    \
		argc_++;                                                     \
	va_end(ap_);                                                         \
	char **argv_ = __builtin_alloca((argc_ + 1) * sizeof(char *));       \
	argv_[0] = (char *)arg0;                                             \
	va_start(ap_, arg0);                                                 \
	for (size_t i_ = 1; i_ <= argc_; i_++)                               \
		argv_[i_] = va_arg(ap_, char *);                             \
	if (last)                                                            \
		envp_out = va_arg(ap_, char **);                             \
	va_end(ap_);

EXPORT int execl(const char *path, const char *arg, ...)
{
	char **envp = NULL;
	COLLECT_ARGS(arg, 0, envp)
	(void)envp;
	return execv(path, argv_);
}

EXPORT int execlp(const char *file, const char *arg, ...)
{
	char **envp = NULL;
	COLLECT_ARGS(arg, 0, envp)
	(void)envp;
	return execvp(file, argv_);
}

EXPORT int execle(const char *path, const char *arg, ...)
{
	char **envp = NULL;
	COLLECT_ARGS(arg, 1, envp)
	return execve(path, argv_, envp);
}
