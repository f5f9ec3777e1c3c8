/* Blocking and waking (coz paper §3.4, Tables 1-2): a thread that may
 * block on another calls coz_pre_block first and coz_post_block after,
 * told whether another thread ended the wait (then the delays inserted
 * meanwhile are not its to pay); a thread that may wake another catches
 * up on its own delays first. The same calls coz wraps, plus
 * pthread_mutex_timedlock, pthread_cond_clockwait and the futex calls
 * Rust's std makes through syscall(2) (its Mutex, Condvar, channels and
 * park are futexes, not pthread calls). */
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdarg.h>
#include <sys/syscall.h>

#include "coz_rt.h"

#define BLOCKING(call, woken)                                                  \
	({                                                                     \
		coz_pre_block();                                               \
		__typeof__(call) r_ = (call);                                  \
		coz_post_block(woken);                                         \
		r_;                                                            \
	})

COZ_API int pthread_mutex_lock(pthread_mutex_t *m)
{
	return BLOCKING(COZ_REAL(pthread_mutex_lock)(m), true);
}

COZ_API int pthread_mutex_timedlock(pthread_mutex_t *m, const struct timespec *t)
{
	int r = BLOCKING(COZ_REAL(pthread_mutex_timedlock)(m, t), r_ == 0);
	return r;
}

COZ_API int pthread_mutex_unlock(pthread_mutex_t *m)
{
	coz_catch_up();
	return COZ_REAL(pthread_mutex_unlock)(m);
}

COZ_API int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
	return BLOCKING(COZ_REAL(pthread_cond_wait)(c, m), true);
}

COZ_API int pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *t)
{
	return BLOCKING(COZ_REAL(pthread_cond_timedwait)(c, m, t), r_ == 0);
}

COZ_API int pthread_cond_clockwait(pthread_cond_t *c, pthread_mutex_t *m, clockid_t clock, const struct timespec *t)
{
	return BLOCKING(COZ_REAL(pthread_cond_clockwait)(c, m, clock, t), r_ == 0);
}

COZ_API int pthread_cond_signal(pthread_cond_t *c)
{
	coz_catch_up();
	return COZ_REAL(pthread_cond_signal)(c);
}

COZ_API int pthread_cond_broadcast(pthread_cond_t *c)
{
	coz_catch_up();
	return COZ_REAL(pthread_cond_broadcast)(c);
}

COZ_API int pthread_barrier_wait(pthread_barrier_t *b)
{
	coz_catch_up(); /* the last one in wakes the others */
	return BLOCKING(COZ_REAL(pthread_barrier_wait)(b), true);
}

COZ_API int pthread_rwlock_rdlock(pthread_rwlock_t *l)
{
	return BLOCKING(COZ_REAL(pthread_rwlock_rdlock)(l), true);
}

COZ_API int pthread_rwlock_wrlock(pthread_rwlock_t *l)
{
	return BLOCKING(COZ_REAL(pthread_rwlock_wrlock)(l), true);
}

COZ_API int pthread_rwlock_timedrdlock(pthread_rwlock_t *l, const struct timespec *t)
{
	return BLOCKING(COZ_REAL(pthread_rwlock_timedrdlock)(l, t), r_ == 0);
}

COZ_API int pthread_rwlock_timedwrlock(pthread_rwlock_t *l, const struct timespec *t)
{
	return BLOCKING(COZ_REAL(pthread_rwlock_timedwrlock)(l, t), r_ == 0);
}

COZ_API int pthread_rwlock_unlock(pthread_rwlock_t *l)
{
	coz_catch_up();
	return COZ_REAL(pthread_rwlock_unlock)(l);
}

COZ_API int pthread_join(pthread_t t, void **ret)
{
	return BLOCKING(COZ_REAL(pthread_join)(t, ret), true);
}

COZ_API int pthread_timedjoin_np(pthread_t t, void **ret, const struct timespec *abstime)
{
	return BLOCKING(COZ_REAL(pthread_timedjoin_np)(t, ret, abstime), r_ == 0);
}

COZ_API int pthread_clockjoin_np(pthread_t t, void **ret, clockid_t clock, const struct timespec *abstime)
{
	return BLOCKING(COZ_REAL(pthread_clockjoin_np)(t, ret, clock, abstime), r_ == 0);
}

/* futex(2) through syscall(2). A wait that returns 0 was ended by a wake
 * (or spuriously; it cannot be told apart, and coz counts condition
 * waits the same way); EAGAIN means it never slept. Wakes and requeues
 * catch up first. */
static long futex_call(long n, long a[6])
{
	int op = (int)a[1] & FUTEX_CMD_MASK;
	switch (op) {
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET:
	case FUTEX_LOCK_PI:
	case FUTEX_LOCK_PI2:
	case FUTEX_WAIT_REQUEUE_PI:
		return BLOCKING(COZ_REAL(syscall)(n, a[0], a[1], a[2], a[3], a[4], a[5]), r_ == 0);
	case FUTEX_WAKE:
	case FUTEX_WAKE_BITSET:
	case FUTEX_WAKE_OP:
	case FUTEX_REQUEUE:
	case FUTEX_CMP_REQUEUE:
	case FUTEX_UNLOCK_PI:
	case FUTEX_CMP_REQUEUE_PI:
		coz_catch_up();
		break;
	}
	return COZ_REAL(syscall)(n, a[0], a[1], a[2], a[3], a[4], a[5]);
}

COZ_API long syscall(long n, ...)
{
	long a[6];
	va_list ap;
	va_start(ap, n);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long); /* the kernel's six argument registers, as glibc reads them */
	va_end(ap);
	if (n == SYS_futex)
		return futex_call(n, a);
	return COZ_REAL(syscall)(n, a[0], a[1], a[2], a[3], a[4], a[5]);
}
