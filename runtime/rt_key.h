/* Event keys: the order in which replay merges the threads' events (the
 * protocol's "seq", docs/heap-runtime.md).
 *
 * Each thread writes its own buffer, so the stream holds no global order;
 * keys give one. The peak, the temporaries and the charts over time are
 * only right if that order follows real time: four threads that each hold
 * 10 MB at a barrier peak at 40 MB together only if every thread's
 * allocations sort before any thread's frees after the barrier. So:
 *
 *  - while the program has one thread, a key is the time base the timer
 *    thread publishes every 10 ms (one thread's events keep their order by
 *    position; the base only places them between the HR_TIME records);
 *  - once it has more, every event's key is the clock read in the hook
 *    (the TSC in 64-cycle ticks, ~25 ns here: shorter than a hook, so two
 *    events of different threads that share a tick overlapped in time and
 *    either order is true), raised to the thread's previous key;
 *  - the live map (rt_ptrmap.c) orders the events of one address under its
 *    stripe lock: a free of another thread's block goes after that block's
 *    allocation, and an allocation after every earlier free on its stripe,
 *    so replay never sees a free before its allocation, nor a reused
 *    address's new block before the old one's free.
 *
 * The clock is read once per event (~7 ns for rdtsc here; a shared counter
 * would bounce its cache line between cores on every call). It is the TSC
 * only when the kernel's clocksource is the TSC (synchronised across CPUs);
 * otherwise CLOCK_MONOTONIC through the vDSO. */
#ifndef SONDE_RT_KEY_H
#define SONDE_RT_KEY_H
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <x86intrin.h>

#define RT_KEY_TSC_SHIFT 6 /* TSC cycles per key tick: 64 */
#define RT_KEY_NS_SHIFT 5  /* CLOCK_MONOTONIC ns per key tick: 32 */

extern bool rt_key_tsc; /* set once by rt_key_init, before any thread */

/* Decides the clock (reads the kernel's clocksource). */
void rt_key_init(void);

static inline uint64_t rt_key_now(void)
{
	if (__builtin_expect(rt_key_tsc, 1))
		return __rdtsc() >> RT_KEY_TSC_SHIFT;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec) >> RT_KEY_NS_SHIFT;
}

/* The key of a thread's next event at time now (rt_key_now() when
 * threaded, else the published time base): never below the thread's
 * previous key. The live map may raise it further. */
static inline uint64_t rt_key_at(uint64_t thread_clock, uint64_t now)
{
	return thread_clock > now ? thread_clock : now;
}

#endif
