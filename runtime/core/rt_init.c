/* libsonde-rt.so: the runtime `sonde heap` and `sonde memcheck` preload
 * into the target (docs/heap-runtime.md). It interposes the malloc family
 * and C++ operator new/delete (runtime/hooks/), records each call with its
 * call stack into a per-thread buffer (heap profiling, runtime/heap/) or
 * checks it (memcheck, runtime/memcheck/), and writes the buffers as chunks
 * (heap_protocol.h) to the pipe named by SONDE_HEAP_FD.
 *
 * This file: the state, init (the mode chosen once: rt_ops), the library's
 * constructor and destructor. Without SONDE_HEAP_FD every function passes
 * straight through. */
#include <dlfcn.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rt_children.h"
#include "rt_core.h"
#include "rt_ops.h"

_Atomic int rt_state;
/* The program has (or had) more than one thread: shared structures need
 * their locks. Set before the second thread exists (pthread_create in
 * rt_process.c, or found at start-up), never cleared. */
_Atomic int rt_multi;
_Atomic int rt_stopped;
_Atomic int rt_finished;
_Atomic unsigned rt_epoch;
pid_t rt_pid;
uint64_t rt_start_ns;
pid_t rt_timer_tid;
_Atomic uint64_t rt_time_base;
_Atomic uint64_t rt_key_word = RT_KEY_WORD_INIT;
/* The mode: heap profiling until init finds SONDE_MEMCHECK. */
const struct rt_ops *rt_ops = &rt_heap_ops;
static bool g_follow_exec;

uint64_t rt_env_u64(const char *name, uint64_t dflt)
{
	const char *v = getenv(name);
	char *end;
	unsigned long long x = v && *v ? strtoull(v, &end, 10) : 0;
	return v && *v && !*end ? (uint64_t)x : dflt;
}

static void atfork_child(void)
{
	/* the child is not traced: its copy of the buffers belongs to the parent */
	atomic_store(&rt_state, ST_OFF);
	if (rt_ops->forked)
		rt_ops->forked();
	rt_writer_forked();
}

void rt_init(void)
{
	int expect = ST_UNINIT;
	if (!atomic_compare_exchange_strong(&rt_state, &expect, ST_INIT))
		return;
	int g = t_guard;
	t_guard = 1;
	const char *fds = getenv("SONDE_HEAP_FD");
	char *end = "";
	long fd = fds && *fds ? strtol(fds, &end, 10) : -1;
	int sock = rt_children_connect(); /* following exec: this image's own stream */
	if (sock != -1)
		fd = sock;
	struct stat st;
	if (fd < 0 || *end || fd > INT_MAX || fstat((int)fd, &st) != 0) {
		atomic_store(&rt_state, ST_OFF);
		t_guard = g;
		return;
	}
	g_follow_exec = getenv("SONDE_HEAP_FOLLOW_EXEC") != NULL;
	const char *mc = getenv("SONDE_MEMCHECK");
	if (mc && *mc && *mc != '0')
		rt_ops = &rt_mc_ops;
	if (rt_ops->init)
		rt_ops->init();
	rt_writer_start((int)fd, g_follow_exec);
	rt_pid = getpid();
	rt_start_ns = rt_now_ns();
	rt_key_init();
	rt_tls_init();
	atomic_store(&rt_time_base, rt_key_now());
	rt_threads_start();
	pthread_atfork(NULL, NULL, atfork_child);
	rt_install_signals();
	rt_rlimit_start();

	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n < 0)
		n = 0;
	exe[n] = 0;
	uint8_t rec[4096 + 64], *p = rec;
	*p++ = HR_HELLO;
	p += varint_put(p, HEAP_PROTOCOL_VERSION);
	p += varint_put(p, (uint64_t)rt_pid);
	p += varint_put(p, (uint64_t)getppid());
	p += varint_put(p, rt_start_ns);
	p += rt_put_str(p, exe, (size_t)n);
	rt_emit_global(rec, (size_t)(p - rec));
	rt_modules_init();
	atomic_store(&rt_state, ST_ON);
	t_guard = g;
}

__attribute__((constructor)) static void rt_ctor(void)
{
	if (!rt_real_ready())
		return;
	if (atomic_load(&rt_state) == ST_UNINIT && !t_guard)
		rt_init();
	rt_start_timer();
	if (!g_follow_exec && atomic_load(&rt_state) != ST_UNINIT)
		unsetenv("SONDE_HEAP_FD"); /* exec'd programs are not traced */
	rt_children_ctor();
}

__attribute__((destructor)) static void rt_dtor(void)
{
	if (rt_ops->stack_from) /* our frames below this one are not the program's */
		rt_ops->stack_from((uint64_t)(uintptr_t)__builtin_frame_address(0));
	if (rt_ops->found_at && atomic_load(&rt_state) == ST_ON && !rt_finished && !t_guard)
		rt_ops->found_at(RT_CALLER(), HOW_EXIT);
	if (atomic_load(&rt_state) == ST_ON && !rt_finished) {
		/* Like heaptrack and valgrind: let libstdc++ free its emergency
		 * exception pool, which is not the program's leak. */
		int g = t_guard;
		t_guard = 1; /* a failed dlsym allocates its error message */
		void (*freeres)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, "_ZN9__gnu_cxx9__freeresEv");
		t_guard = g;
		if (freeres)
			freeres();
		/* memcheck mode, like valgrind's --run-libc-freeres=yes: glibc
		 * frees its own one-time allocations (thread and locale caches) */
		if (rt_ops->libc_freeres) {
			t_guard = 1;
			void (*libc_freeres)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, "__libc_freeres");
			t_guard = g;
			if (libc_freeres)
				libc_freeres();
		}
	}
	rt_finish(0, 0, false);
}
