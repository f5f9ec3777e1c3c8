/* Threads are followed through pthread_create: each new thread samples
 * itself and starts owing what its creator owed (coz: a thread inherits
 * its parent's local delay, it was "created late" by as much). */
#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>

#include "coz_rt.h"

typedef int (*create_fn)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);

struct start {
	void *(*fn)(void *);
	void *arg;
	uint64_t delay;
};

static void end_thread(void *unused) { coz_thread_end(); }

static void *thread_main(void *p)
{
	struct start s = *(struct start *)p;
	free(p);
	coz_thread_set_delay(s.delay);
	coz_thread_begin();
	void *ret;
	pthread_cleanup_push(end_thread, NULL); /* pthread_exit ends the sampler too */
	ret = s.fn(s.arg);
	pthread_cleanup_pop(1);
	return ret;
}

int coz_real_pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
	static create_fn real; /* threads racing here all store the same value */
	create_fn f = __atomic_load_n(&real, __ATOMIC_RELAXED);
	if (!f) {
		f = (create_fn)dlsym(RTLD_NEXT, "pthread_create");
		__atomic_store_n(&real, f, __ATOMIC_RELAXED);
	}
	return f(t, attr, fn, arg);
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
