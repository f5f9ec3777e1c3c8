/* Progress points for causal profiling with `sonde coz run` (and with coz:
 * the ABI is coz's). Without a profiler preloaded the macros cost one
 * load and a branch and do nothing. No -ldl is needed: dlsym is declared
 * weak and, when absent, the points stay off.
 *
 *   COZ_PROGRESS;                 a throughput point named "file:line"
 *   COZ_PROGRESS_NAMED("name");   a named throughput point
 *   COZ_BEGIN("name"); ... COZ_END("name");   a latency point
 */
#ifndef SONDE_COZ_H
#define SONDE_COZ_H
#include <stddef.h>

#define COZ_COUNTER_TYPE_THROUGHPUT 1
#define COZ_COUNTER_TYPE_BEGIN 2
#define COZ_COUNTER_TYPE_END 3

#ifdef __cplusplus
extern "C" {
#endif

/* The counter the profiler hands out, by ABI: the program increments
 * count; backoff is reserved. */
typedef struct {
	size_t count;
	size_t backoff;
} coz_counter_t;

typedef coz_counter_t *(*coz_get_counter_t)(int, const char *);

#define _SONDE_RTLD_DEFAULT ((void *)0) /* glibc's RTLD_DEFAULT */
extern void *dlsym(void *, const char *) __attribute__((weak));

/* The profiler's _coz_get_counter, looked up once per process (NULL when
 * no profiler is loaded). */
static inline coz_counter_t *_sonde_coz_counter(int type, const char *name)
{
	static unsigned char looked;
	static coz_get_counter_t get;
	if (!__atomic_load_n(&looked, __ATOMIC_ACQUIRE)) {
		get = dlsym ? (coz_get_counter_t)dlsym(_SONDE_RTLD_DEFAULT, "_coz_get_counter") : NULL;
		__atomic_store_n(&looked, 1, __ATOMIC_RELEASE);
	}
	return get ? get(type, name) : NULL;
}

#ifdef __cplusplus
}
#endif

#define _SONDE_COZ_STR2(x) #x
#define _SONDE_COZ_STR(x) _SONDE_COZ_STR2(x)

/* Each site asks for its counter once and keeps it. */
#define _SONDE_COZ_HIT(type, name)                                                        \
	do {                                                                              \
		static unsigned char _sonde_init;                                         \
		static coz_counter_t *_sonde_ctr;                                         \
		if (!__atomic_load_n(&_sonde_init, __ATOMIC_ACQUIRE)) {                   \
			_sonde_ctr = _sonde_coz_counter((type), (name));                  \
			__atomic_store_n(&_sonde_init, 1, __ATOMIC_RELEASE);              \
		}                                                                         \
		if (_sonde_ctr)                                                           \
			__atomic_add_fetch(&_sonde_ctr->count, 1, __ATOMIC_RELAXED);      \
	} while (0)

#define COZ_PROGRESS_NAMED(name) _SONDE_COZ_HIT(COZ_COUNTER_TYPE_THROUGHPUT, name)
#define COZ_PROGRESS _SONDE_COZ_HIT(COZ_COUNTER_TYPE_THROUGHPUT, __FILE__ ":" _SONDE_COZ_STR(__LINE__))
#define COZ_BEGIN(name) _SONDE_COZ_HIT(COZ_COUNTER_TYPE_BEGIN, name)
#define COZ_END(name) _SONDE_COZ_HIT(COZ_COUNTER_TYPE_END, name)

#endif
