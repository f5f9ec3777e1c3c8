/* libc's functions behind libsonde-coz.so's wrappers. All are looked up
 * once by coz_real_init (the constructor), so a wrapper called from a
 * signal handler never runs dlsym, which takes the loader's lock; a
 * wrapper called before the constructor (another library's) looks its
 * function up then. pthread_cond_* need their version named: glibc keeps
 * the pre-2.3.2 condition variables under the same names. */
#ifndef SONDE_RT_COZ_REAL_H
#define SONDE_RT_COZ_REAL_H
#include <stddef.h>

/* X(name, symbol version or NULL for the default) */
#define COZ_REAL_FUNCTIONS(X)                                                                                  \
	X(pthread_create, NULL) X(pthread_exit, NULL) X(pthread_join, NULL) X(pthread_timedjoin_np, NULL)         \
	X(pthread_clockjoin_np, NULL) X(pthread_mutex_lock, NULL) X(pthread_mutex_timedlock, NULL)               \
	X(pthread_mutex_unlock, NULL) X(pthread_cond_wait, "GLIBC_2.3.2") X(pthread_cond_timedwait, "GLIBC_2.3.2") \
	X(pthread_cond_clockwait, NULL) X(pthread_cond_signal, "GLIBC_2.3.2")                                    \
	X(pthread_cond_broadcast, "GLIBC_2.3.2") X(pthread_barrier_wait, NULL) X(pthread_rwlock_rdlock, NULL)    \
	X(pthread_rwlock_wrlock, NULL) X(pthread_rwlock_timedrdlock, NULL) X(pthread_rwlock_timedwrlock, NULL)   \
	X(pthread_rwlock_unlock, NULL) X(syscall, NULL) X(sigaction, NULL) X(signal, NULL) X(sigprocmask, NULL)  \
	X(pthread_sigmask, NULL) X(kill, NULL) X(pthread_kill, NULL) X(pthread_sigqueue, NULL)                   \
	X(sigtimedwait, NULL) X(sigsuspend, NULL) X(_exit, NULL) X(_Exit, NULL)

/* One entry per function: its name, version and, once looked up, address. */
#define COZ_REAL_INDEX(fn, version) COZ_REAL_##fn,
enum coz_real_fn { COZ_REAL_FUNCTIONS(COZ_REAL_INDEX) COZ_REAL_COUNT };
#undef COZ_REAL_INDEX
struct coz_real_entry {
	void *f; /* atomic: racing threads store the same value */
	const char *name, *version;
};
extern struct coz_real_entry coz_real_table[COZ_REAL_COUNT];

/* The entry's function, looked up first if it is not there yet (a missing
 * one ends the process with a message: the wrapper cannot go on). */
void *coz_real_lookup(enum coz_real_fn i);
void coz_real_init(void);

#define COZ_REAL(fn)                                                                                       \
	((__typeof__(&fn))(__atomic_load_n(&coz_real_table[COZ_REAL_##fn].f, __ATOMIC_RELAXED)                  \
				   ?: coz_real_lookup(COZ_REAL_##fn)))

#endif
