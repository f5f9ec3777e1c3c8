/* The program's threads as the runtime knows them: each one's state
 * (buffer, caches) made on its first traced call, registered under the
 * global lock, and flushed and released by a thread-specific destructor. */
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "rt_core.h"
#include "rt_ops.h"

__thread struct rt_thread *t_self RT_TLS;
static __thread int t_exited RT_TLS; /* the thread's state was released */
static pthread_key_t g_key;

struct rt_thread *rt_threads;
static struct rt_thread *g_free_threads;
static uint32_t g_next_index = 1; /* 0: the runtime's own chunks */
uint64_t rt_gone_clock;           /* the last event key of threads that ended (under the lock) */

static void append_thread_rec(struct rt_thread *t)
{
	t->defs = true;
	uint8_t *p = t->buf + t->pos;
	*p++ = HR_THREAD;
	p += varint_put(p, t->index);
	p += varint_put(p, (uint64_t)t->tid);
	p += rt_put_str(p, t->name, strlen(t->name));
	t->pos = (size_t)(p - t->buf);
	__atomic_store_n(&t->gen, t->gen + 1, __ATOMIC_RELEASE);
}

NOINLINE struct rt_thread *rt_thread_new(void)
{
	if (t_exited)
		return NULL;
	rt_lock();
	struct rt_thread *t = g_free_threads;
	if (t)
		g_free_threads = t->next;
	rt_unlock();
	if (!t) {
		void *m = rt_map(sizeof *t);
		if (!m)
			return NULL;
		t = m;
	}
	atomic_store_explicit(&t->busy, 1, memory_order_relaxed);
	t->tid = rt_my_tid();
	t->epoch = atomic_load_explicit(&rt_epoch, memory_order_relaxed);
	t->dtor_rounds = 0;
	t->pos = t->sent = HEAP_CHUNK_HEADER;
	t->last_seq = t->sent_key = 0;
	t->clock_keys = false;
	t->key_step = 0;
	rt_proc_thread_name(t->tid, t->name, sizeof t->name);
	rt_stack_thread_init(&t->sc);
	rt_lock();
	if (rt_threads)
		atomic_store(&rt_multi, 1); /* a thread not made by pthread_create (raw clone): lock from now on */
	t->index = g_next_index++;
	t->next = rt_threads;
	rt_threads = t;
	rt_unlock();
	append_thread_rec(t);
	atomic_store_explicit(&t->busy, 0, memory_order_release);
	pthread_setspecific(g_key, t);
	t_self = t;
	return t;
}

/* Thread exit: flush in every destructor round (later destructors of other
 * keys may still free memory), release the state in the last one. */
static void thread_dtor(void *arg)
{
	struct rt_thread *t = arg;
	int g = t_guard;
	t_guard = 1;
	if (++t->dtor_rounds < PTHREAD_DESTRUCTOR_ITERATIONS) {
		rt_flush_own(t);
		pthread_setspecific(g_key, t);
		t_guard = g;
		return;
	}
	char name[16];
	rt_proc_thread_name(t->tid, name, sizeof name);
	if (name[0] && strcmp(name, t->name) && atomic_load(&rt_state) == ST_ON) {
		/* renamed after its first allocation: say so again (later wins) */
		memcpy(t->name, name, sizeof t->name);
		if (t->pos + 64 > RT_BUF)
			rt_flush_own(t);
		atomic_store_explicit(&t->busy, 1, memory_order_relaxed);
		append_thread_rec(t);
		atomic_store_explicit(&t->busy, 0, memory_order_release);
	}
	rt_lock();
	rt_write_thread_chunk(t);
	if (t->clock > rt_gone_clock)
		rt_gone_clock = t->clock;
	if (rt_ops->thread_gone)
		rt_ops->thread_gone(t);
	if (!rt_finished) {
		struct rt_thread **pp = &rt_threads;
		while (*pp && *pp != t)
			pp = &(*pp)->next;
		if (*pp) {
			*pp = t->next;
			t->next = g_free_threads;
			g_free_threads = t;
		}
	}
	rt_unlock();
	t_self = NULL;
	t_exited = 1;
	if (rt_ops->thread_exit)
		rt_ops->thread_exit();
	t_guard = g;
}

void rt_threads_start(void)
{
	pthread_key_create(&g_key, thread_dtor);
}
