/* The end of the stream (rt_finish: every buffer, the mode's checks at
 * exit, HR_EXIT), the timer thread (HR_TIME every 10 ms, idle threads'
 * buffers, the key clock's time steps) and the program's ways out that
 * run no destructor (_exit, a SIGKILL to itself). */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "rt_core.h"
#include "rt_ops.h"

void rt_finish(int how, int signo, bool from_signal)
{
	if (atomic_exchange(&rt_finished, 1))
		return;
	if (atomic_load(&rt_state) != ST_ON)
		return;
	int g = t_guard;
	t_guard = 1;
	atomic_store(&rt_stopped, 1); /* seq_cst: then read each busy flag */
	if (from_signal ? !rt_lock_bounded() : (rt_lock(), false)) {
		t_guard = g;
		return;
	}
	for (struct rt_thread *t = rt_threads; t; t = t->next) {
		bool ready = false;
		for (int i = 0; i < 100000; i++) {
			if (!atomic_load_explicit(&t->busy, memory_order_acquire)) {
				ready = true;
				break;
			}
			if (t == t_self)
				break; /* we crashed inside our own append */
			sched_yield();
		}
		if (ready)
			rt_write_thread_chunk(t);
	}
	if (!rt_runtime_lost())
		rt_rlimit_open_up(); /* the leak check's memory is the runtime's */
	if (rt_ops->finish)
		rt_ops->finish(how);
	uint64_t last = rt_key_clock(time_base());
	if (rt_gone_clock >= last)
		last = rt_gone_clock + 1;
	for (struct rt_thread *t = rt_threads; t; t = t->next)
		if (t->clock >= last)
			last = t->clock + 1;
	uint8_t rec[64], *p = rec;
	*p++ = HR_KEY;
	p += varint_put(p, last); /* after every event */
	*p++ = HR_EXIT;
	p += varint_put(p, (uint64_t)how);
	p += varint_put(p, (uint64_t)signo);
	p += varint_put(p, rt_peak_rss_kib());
	rt_write_global_locked(rec, (size_t)(p - rec));
	rt_exit_written = true;
	rt_unlock();
	atomic_store(&rt_state, ST_OFF);
	t_guard = g;
}

/* The main thread left with pthread_exit and every other thread of the
 * program has ended: only the timer keeps the process alive. */
static bool only_timer_left(uint64_t nthreads)
{
	if (nthreads > 2)
		return false;
	if (nthreads <= 1)
		return true;
	char path[64], buf[512];
	snprintf(path, sizeof path, "/proc/self/task/%d/stat", (int)rt_pid);
	if (rt_read_file(path, buf, sizeof buf) <= 0)
		return false;
	char *p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] == 'Z';
}

static void *timer_main(void *arg)
{
	(void)arg;
	t_guard = 1;
	rt_timer_tid = rt_my_tid();
	uint64_t next = rt_now_ns();
	for (;;) {
		/* out of memory (rt_out_of_memory, which may hold any lock): the
		 * stream ends here, and the hooks pass through from now on (no
		 * stacks, no tables to grow) */
		if (rt_runtime_lost()) {
			rt_finish(HX_EXIT, 0, false);
			break;
		}
		if (atomic_load(&rt_state) != ST_ON || atomic_load(&rt_stopped))
			break;
		next += 10000000;
		struct timespec ts = { (time_t)(next / 1000000000u), (long)(next % 1000000000u) };
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
			;
		uint64_t now = rt_now_ns();
		if (now > next + 100000000u)
			next = now; /* we were stopped (SIGSTOP, debugger): don't catch up */
		uint8_t rec[112], *p = rec;
		uint64_t rss = 0, nthreads = 0;
		rt_self_stat(&rss, &nthreads);
		if (nthreads && only_timer_left(nthreads)) {
			/* what the last thread's pthread_exit would have done */
			t_guard = 0;
			exit(0);
		}
		rt_lock();
		uint64_t base = rt_key_now();
		*p++ = HR_KEY;
		p += varint_put(p, rt_key_base(base) - 1); /* before this time step's events */
		*p++ = HR_TIME;
		p += varint_put(p, (now - rt_start_ns) / 1000000u);
		p += varint_put(p, rss);
		if (rt_ops->timer_recs)
			p += rt_ops->timer_recs(p);
		rt_write_global_locked(rec, (size_t)(p - rec));
		rt_send_idle_locked(atomic_load_explicit(&rt_epoch, memory_order_relaxed));
		if (base > time_base())
			atomic_store_explicit(&rt_time_base, base, memory_order_relaxed);
		rt_key_step(&rt_key_word); /* after the base: a new step's events see it */
		rt_unlock();
		atomic_fetch_add_explicit(&rt_epoch, 1, memory_order_relaxed);
	}
	return NULL;
}

/* libc's pthread_create (ours, in rt_process.c, marks the program threaded;
 * the timer thread touches no shared allocation state). */
rt_pthread_create_fn rt_real_pthread_create(void)
{
	static _Atomic(rt_pthread_create_fn) real;
	rt_pthread_create_fn f = atomic_load(&real);
	if (!f) {
		int g = t_guard;
		t_guard = 1;
		f = (rt_pthread_create_fn)dlsym(RTLD_NEXT, "pthread_create");
		t_guard = g;
		atomic_store(&real, f);
	}
	return f;
}

void rt_start_timer(void)
{
	static bool timer_started;
	if (timer_started || atomic_load(&rt_state) != ST_ON)
		return;
	timer_started = true;
	int g = t_guard;
	t_guard = 1;
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 64 << 10);
	pthread_t th;
	if (rt_real_pthread_create()(&th, &attr, timer_main, NULL) == 0)
		pthread_setname_np(th, "sonde-heap");
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	t_guard = g;
}

/* _exit and _Exit (rt_exit.c): no destructor will run, so finish here;
 * caller_ip, sp, bp: the program's call (0: unknown), which the checks at
 * exit name as where they found damage. */
void rt_finish_exit(uint64_t caller_ip, uint64_t caller_sp, uint64_t caller_bp)
{
	if (caller_ip && rt_ops->found_at && atomic_load(&rt_state) == ST_ON && !rt_finished && !t_guard)
		rt_ops->found_at((struct rt_caller){ caller_ip, caller_sp, caller_bp }, HOW_UEXIT);
	rt_finish(0, 0, false);
}

void rt_finish_signal(int sig)
{
	if (atomic_load(&rt_state) != ST_ON || t_guard)
		return;
	if (rt_ops->stack_from) /* the runtime's frames below this one are not the program's */
		rt_ops->stack_from((uint64_t)(uintptr_t)__builtin_frame_address(0));
	rt_finish(HX_SIGNAL, sig, false);
}

bool rt_traced_here(void)
{
	return getpid() == rt_pid;
}
