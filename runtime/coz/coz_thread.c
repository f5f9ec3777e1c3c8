/* Threads are followed through pthread_create: each new thread samples
 * itself and starts owing what its creator owed (coz: a thread inherits
 * its parent's local delay, it was "created late" by as much). A thread
 * that ends pays what it owes first: a thread joining it is woken next.
 *
 * The program's live threads are counted: when main has called
 * pthread_exit, the last one to end ends the profile. glibc exits the
 * process only when no thread is left, and the experiment thread would
 * be one forever. */
#include <pthread.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "coz_rt.h"

struct start {
	void *(*fn)(void *);
	void *arg;
	struct coz_delay_state delay;
};

static int live_threads = 1; /* main */

void coz_thread_finished(void)
{
	if (__atomic_sub_fetch(&live_threads, 1, __ATOMIC_ACQ_REL) == 0)
		coz_profiler_stop();
}

static void end_thread(void *unused)
{
	coz_thread_end();
	coz_thread_finished();
}

static void *thread_main(void *p)
{
	struct start s = *(struct start *)p;
	free(p);
	coz_thread_inherit(s.delay);
	coz_thread_begin();
	void *ret;
	pthread_cleanup_push(end_thread, NULL); /* pthread_exit ends the sampler too */
	ret = s.fn(s.arg);
	pthread_cleanup_pop(1);
	return ret;
}

/* Threads the runtime did not start (the main thread) end through here;
 * the others run end_thread as pthread_exit unwinds them. */
COZ_API void pthread_exit(void *ret)
{
	coz_catch_up();
	if (syscall(SYS_gettid) == getpid())
		coz_thread_finished();
	COZ_REAL(pthread_exit)(ret);
	__builtin_unreachable();
}

COZ_API int pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
	struct start *s = malloc(sizeof(*s));
	if (!s)
		return COZ_REAL(pthread_create)(t, attr, fn, arg);
	s->fn = fn;
	s->arg = arg;
	s->delay = coz_thread_delay();
	__atomic_add_fetch(&live_threads, 1, __ATOMIC_ACQ_REL); /* before: it may end at once */
	int rc = COZ_REAL(pthread_create)(t, attr, thread_main, s);
	if (rc) {
		__atomic_sub_fetch(&live_threads, 1, __ATOMIC_ACQ_REL);
		free(s);
	}
	return rc;
}
