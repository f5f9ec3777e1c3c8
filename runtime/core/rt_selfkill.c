/* A program that sends itself SIGKILL (kill(getpid(), SIGKILL), raise)
 * dies without any handler running: the stream is finished first, as
 * valgrind, which sees the call, finishes its run (memcheck mode: the leak
 * check, then the signal). A SIGKILL from elsewhere (kill -9, the OOM
 * killer) cannot be seen: sonde says what it lost (src/heap/trace_end.c). */
#include <signal.h>
#include <unistd.h>

#include "rt_core.h"

#define EXPORT __attribute__((visibility("default")))

EXPORT int kill(pid_t pid, int sig)
{
	static int (*real)(pid_t, int);
	if (!real)
		real = (int (*)(pid_t, int))rt_real_sym("kill");
	/* this process, or its process group */
	if (sig == SIGKILL && rt_traced_here() && (pid == getpid() || pid == 0 || (pid < -1 && -pid == getpgrp())))
		rt_finish_signal(SIGKILL);
	return real(pid, sig);
}

EXPORT int raise(int sig)
{
	static int (*real)(int);
	if (!real)
		real = (int (*)(int))rt_real_sym("raise");
	if (sig == SIGKILL && rt_traced_here())
		rt_finish_signal(SIGKILL);
	return real(sig);
}
