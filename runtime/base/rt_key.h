/* Event keys: the order in which replay merges the threads' events (the
 * protocol's "seq", docs/heap-runtime.md).
 *
 * Each thread writes its own buffer, so the stream holds no global order;
 * keys give one. The peak, the temporaries and the charts over time are
 * only right if that order follows real time: four threads that each hold
 * 10 MB at a barrier peak at 40 MB together only if every thread's
 * allocations sort before any thread's frees after the barrier. So:
 *
 *  - while one thread has events, a key is the time base the timer thread
 *    publishes every 10 ms (a thread's events keep their order by
 *    position; the base only places them between the HR_TIME records);
 *  - once a second thread has events in the same time step (or had in the
 *    step before), every event's key is the clock read in the hook: the
 *    TSC in 64-cycle ticks (~25 ns here, less than a cache line's trip
 *    between cores, so two events of different threads in one tick could
 *    not have seen each other: either order is one the program could have
 *    had), raised above the time base and the thread's previous key. The
 *    second thread turns clock keys on before it takes its own key, so
 *    the first one's time-base keys all sort before it;
 *  - the live map (rt_ptrmap.c) orders the events of one address under its
 *    stripe lock: a free of another thread's block goes after that block's
 *    allocation, and an allocation after every other thread's free on its
 *    stripe, so replay never sees a free before its allocation, nor a
 *    reused address's new block before the old one's free.
 *
 * The clock is read only when needed (rdtsc: ~10 ns here, 25-30 ns when
 * both vCPUs read it at once; a shared counter would bounce its cache line
 * between cores on every call), and each clock key costs a K record, which
 * `sonde heap` takes out again once the trace is complete
 * (src/heap/trace_compact.c). The clock is the TSC only when the kernel's
 * clocksource is the TSC (synchronised across CPUs); otherwise
 * CLOCK_MONOTONIC through the vDSO. */
#ifndef SONDE_RT_KEY_H
#define SONDE_RT_KEY_H
#include <stdatomic.h>
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

/* The key of a thread's next event at time now (a clock key, or the
 * published time base): never below the thread's previous key. The live
 * map may raise it further. */
static inline uint64_t rt_key_at(uint64_t thread_clock, uint64_t now)
{
	return thread_clock > now ? thread_clock : now;
}

/* Keys are clock ticks times two: a time base B (a tick the timer read)
 * keys the events of a step without the clock as 2B, the step's HR_TIME
 * record as 2B - 1, and a clock reading T as 2T + 1, so a clock key never
 * ties with the base's (T >= B: the clock is read after the step's base
 * was published), whose events came before the clock was needed. */
static inline uint64_t rt_key_base(uint64_t base)
{
	return base << 1;
}

static inline uint64_t rt_key_clock_at(uint64_t now, uint64_t base)
{
	return (now > base ? now : base) << 1 | 1;
}

static inline uint64_t rt_key_clock(uint64_t base)
{
	return rt_key_clock_at(rt_key_now(), base);
}

/* Whether clock keys are needed, in one word changed by compare-and-swap:
 * the time step (bits 16..63, from 1), the threads that had events in it
 * (bits 1..15, saturating) and the answer (bit 0). A thread registers once
 * per step, on its first event in it; the second one turns the answer on;
 * the timer's step keeps it on for one more step if the step that ends
 * had two threads, else turns it off. Read on every event: a cache line
 * that changes once per thread per 10 ms. */
#define RT_KEY_WORD_INIT ((uint64_t)1 << 16)

/* seen: the step the thread registered in last (0: none yet). */
static inline bool rt_key_need_clock(_Atomic uint64_t *word, uint64_t *seen)
{
	uint64_t w = atomic_load_explicit(word, memory_order_acquire);
	if (__builtin_expect(w >> 16 == *seen, 1))
		return w & 1;
	for (;;) {
		uint64_t n = (w >> 1) & 0x7fff;
		if (n < 0x7fff)
			n++;
		uint64_t nw = (w >> 16 << 16) | n << 1 | (w & 1) | (n >= 2);
		if (atomic_compare_exchange_weak_explicit(word, &w, nw, memory_order_acq_rel, memory_order_acquire)) {
			*seen = nw >> 16;
			return nw & 1;
		}
	}
}

/* The timer's new time step. */
static inline void rt_key_step(_Atomic uint64_t *word)
{
	uint64_t w = atomic_load_explicit(word, memory_order_relaxed);
	for (;;) {
		uint64_t nw = ((w >> 16) + 1) << 16 | (((w >> 1) & 0x7fff) >= 2);
		if (atomic_compare_exchange_weak_explicit(word, &w, nw, memory_order_acq_rel, memory_order_relaxed))
			return;
	}
}

#endif
