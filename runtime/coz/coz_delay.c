/* Virtual speedup (coz paper §3.2): each sample of the selected line adds
 * delay_size to its thread's local delay; a thread ahead of the global
 * delay raises it, a thread behind sleeps until it has paid the
 * difference. Runs on the thread itself (from the sampling signal). */
#include <errno.h>
#include <time.h>

#include "coz_rt.h"

uint64_t coz_global_delay;
uint64_t coz_delay_size;
int32_t coz_selected_line = -1;
int32_t coz_next_line = -1;
uint64_t coz_selected_samples;
uint64_t *coz_line_samples;

static __thread uint64_t local_delay;

uint64_t coz_thread_delay(void) { return local_delay; }
void coz_thread_set_delay(uint64_t d) { local_delay = d; }

uint64_t coz_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void coz_sleep(uint64_t ns)
{
	struct timespec ts = { (time_t)(ns / 1000000000ull), (long)(ns % 1000000000ull) };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

void coz_add_delays(void)
{
	int saved = errno; /* called from a signal handler */
	uint64_t global = __atomic_load_n(&coz_global_delay, __ATOMIC_ACQUIRE);
	if (__atomic_load_n(&coz_selected_line, __ATOMIC_ACQUIRE) < 0) {
		local_delay = global; /* outside experiments nothing is owed */
	} else if (local_delay > global) {
		/* others owe the difference; a racing thread may have raised it further */
		while (local_delay > global &&
		       !__atomic_compare_exchange_n(&coz_global_delay, &global, local_delay, true, __ATOMIC_ACQ_REL,
						    __ATOMIC_ACQUIRE))
			;
	} else if (local_delay < global) {
		/* the sampler is paused so the sleep is not counted as this thread's CPU time */
		coz_sampler_pause(true);
		uint64_t t0 = coz_now();
		coz_sleep(global - local_delay);
		local_delay += coz_now() - t0;
		coz_sampler_pause(false);
	}
	errno = saved;
}
