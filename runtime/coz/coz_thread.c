/* Threads are followed through pthread_create: each new thread samples
 * itself and starts owing what its creator owed (coz: a thread inherits
 * its parent's local delay, it was "created late" by as much). A thread
 * that ends pays what it owes first: a thread joining it is woken next. */
#include <pthread.h>
#include <stdlib.h>

#include "coz_rt.h"

struct start {
	void *(*fn)(void *);
	void *arg;
	struct coz_delay_state delay;
};

static void end_thread(void *unused) { coz_thread_end(); }

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

int coz_real_pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
	return COZ_REAL(pthread_create, NULL)(t, attr, fn, arg);
}

/* Threads the runtime did not start (the main thread) end through here;
 * the others run end_thread as pthread_exit unwinds them. */
COZ_API void pthread_exit(void *ret)
{
	coz_catch_up();
	COZ_REAL(pthread_exit, NULL)(ret);
	__builtin_unreachable();
}

COZ_API int pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
	struct start *s = malloc(sizeof(*s));
	if (!s)
		return coz_real_pthread_create(t, attr, fn, arg);
	s->fn = fn;
	s->arg = arg;
	s->delay = coz_thread_delay();
	int rc = coz_real_pthread_create(t, attr, thread_main, s);
	if (rc)
		free(s);
	return rc;
}
