/* valgrind's thread numbers, which memcheck reports print ("Thread 2:",
 * "on thread 2's stack"): 1 for the main thread, then, when a thread is
 * created, the lowest number no running thread holds (an exited thread's
 * number goes to the next thread, as valgrind reuses its thread slots).
 *
 * pthread_create hands the new thread a start routine of ours that takes
 * its number and tail-calls the program's, so no frame of ours stays
 * under the thread's own; a key's destructor gives the number back when
 * the thread exits. Threads made otherwise (a raw clone) take a number
 * the first time they need one. */
#include <string.h>
#include <sys/prctl.h>

#include "mc_fatal.h"
#include "mc_mode.h"
#include "rt.h"

#define NUMS 1024 /* beyond: threads get no number (reports say 1) */

static _Atomic int g_lock;
static uint64_t g_used[NUMS / 64] = { 3 }; /* 0 (no number) and 1 (main) */
static __thread uint32_t t_num RT_TLS;
static pthread_key_t g_key;
static bool g_key_made;
static char g_comm0[16]; /* the process's name: threads inherit it, it names none */

struct start {
	void *(*fn)(void *);
	void *arg;
};
static struct start g_start[NUMS];

static uint32_t take(void)
{
	uint32_t n = 0;
	rt_spin_lock(&g_lock);
	for (uint32_t w = 0; w < NUMS / 64 && !n; w++)
		if (~g_used[w]) {
			uint32_t b = (uint32_t)__builtin_ctzll(~g_used[w]);
			g_used[w] |= 1ull << b;
			n = w * 64 + b;
		}
	rt_spin_unlock(&g_lock);
	return n;
}

static void give_back(uint32_t n)
{
	if (n < 2 || n >= NUMS)
		return;
	rt_spin_lock(&g_lock);
	g_used[n / 64] &= ~(1ull << (n % 64));
	rt_spin_unlock(&g_lock);
}

/* The thread keeps answering with its number in the destructors that
 * run after this one (taking a new one there would start another round). */
static void key_dtor(void *v)
{
	mc_altstack_off(); /* before the next thread with this number takes it */
	give_back((uint32_t)(uintptr_t)v);
}

/* This thread holds n: given back when it exits. */
static void hold(uint32_t n)
{
	t_num = n;
	if (g_key_made)
		pthread_setspecific(g_key, (void *)(uintptr_t)n);
}

void rt_thread_num_init(void)
{
	t_num = 1;
	g_key_made = pthread_key_create(&g_key, key_dtor) == 0;
	prctl(PR_GET_NAME, g_comm0);
}

uint32_t rt_thread_num(void)
{
	if (!t_num) {
		uint32_t n = take();
		if (n)
			hold(n);
	}
	return t_num ? t_num : 1;
}

size_t rt_thread_name(char out[16])
{
	char name[17] = { 0 };
	if (prctl(PR_GET_NAME, name) != 0 || !strcmp(name, g_comm0))
		return 0;
	size_t n = strlen(name);
	memcpy(out, name, n);
	return n;
}

static void *start_numbered(void *p)
{
	struct start *s = p;
	hold((uint32_t)(s - g_start));
	mc_altstack_on(t_num);
	void *(*fn)(void *) = s->fn;
	void *arg = s->arg;
	return fn(arg); /* a sibling call: the thread's frames sit on libc's */
}

int rt_thread_num_create(rt_pthread_create_fn real, pthread_t *th, const pthread_attr_t *attr,
			 void *(*fn)(void *), void *arg)
{
	uint32_t n = g_key_made ? take() : 0;
	if (!n)
		return real(th, attr, fn, arg);
	g_start[n] = (struct start){ fn, arg };
	int r = real(th, attr, start_numbered, &g_start[n]);
	if (r)
		give_back(n);
	return r;
}
