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

#define COZ_REAL_SLOT(fn, version) extern void *coz_slot_##fn;
COZ_REAL_FUNCTIONS(COZ_REAL_SLOT)
#undef COZ_REAL_SLOT

/* The function in *slot, looked up first if it is not there yet (a missing
 * one ends the process with a message: the wrapper cannot go on). */
void *coz_real(void **slot, const char *name, const char *version);
void coz_real_init(void);

#define COZ_REAL(fn)                                                                  \
	((__typeof__(&fn))(__atomic_load_n(&coz_slot_##fn, __ATOMIC_RELAXED)              \
				   ?: coz_real(&coz_slot_##fn, #fn, coz_real_version(#fn))))

/* The version the list names for fn (NULL: the default). */
const char *coz_real_version(const char *name);

#endif
