/* Virtual speedup (coz paper §3.2): each sample of the selected line adds
 * delay_size to its thread's local delay; a thread ahead of the global
 * delay raises it, a thread behind sleeps until it has paid the
 * difference. Blocking (§3.4): delays inserted while a thread waited for
 * another are not its to pay once that thread wakes it, and a thread
 * pays what it owes before it wakes another (coz_catch_up), so the woken
 * one starts level.
 *
 * A thread's state is thread-local and changed only by the thread itself,
 * from its code or its sampling signal; `busy` keeps the two apart: the
 * signal handler leaves the samples for later when it interrupts the
 * thread's own update. */
#include <errno.h>
#include <time.h>

#include "coz_rt.h"

uint64_t coz_global_delay;
uint64_t coz_delay_size;
int32_t coz_selected_line = -1;
int32_t coz_next_line = -1;
uint64_t coz_selected_samples;
uint64_t *coz_line_samples;

/* Experiment n started with the global delay at coz_experiment_base: a
 * thread that first looks at experiment n while running starts level with
 * it, so what it owed or was owed before cannot leak into the result. */
static uint32_t coz_experiment_id;
static uint64_t coz_experiment_base;

static __thread uint64_t local_delay;
static __thread uint64_t block_start; /* the global delay when the thread blocked */
static __thread uint32_t seen_experiment, block_experiment;
static __thread unsigned block_depth; /* a handler may block inside a blocking call */
static __thread volatile bool blocked, busy;

struct coz_delay_state coz_thread_delay(void)
{
	bool was = coz_thread_busy(true); /* both fields from one moment, not a sync apart */
	struct coz_delay_state s = { local_delay, seen_experiment };
	coz_thread_busy(was);
	return s;
}

void coz_thread_inherit(struct coz_delay_state s)
{
	local_delay = s.delay; /* level with its creator, as of the experiment its creator saw last */
	seen_experiment = s.experiment;
}
void coz_thread_add_delay(uint64_t d) { local_delay += d; }

bool coz_thread_busy(bool b)
{
	bool old = busy;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	busy = b;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	return old;
}

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

void coz_experiment_switch(int32_t line)
{
	if (line >= 0) {
		__atomic_store_n(&coz_experiment_base, __atomic_load_n(&coz_global_delay, __ATOMIC_ACQUIRE),
				 __ATOMIC_RELAXED);
		__atomic_add_fetch(&coz_experiment_id, 1, __ATOMIC_RELEASE);
	}
	__atomic_store_n(&coz_selected_line, line, __ATOMIC_RELEASE);
}

/* Before this thread's samples of a new experiment count. */
static void sync_experiment(void)
{
	uint32_t id = __atomic_load_n(&coz_experiment_id, __ATOMIC_ACQUIRE);
	if (id == seen_experiment)
		return;
	seen_experiment = id;
	if (!blocked)
		local_delay = __atomic_load_n(&coz_experiment_base, __ATOMIC_RELAXED);
}

void coz_add_delays(void)
{
	int saved = errno; /* called from a signal handler */
	uint64_t global = __atomic_load_n(&coz_global_delay, __ATOMIC_ACQUIRE);
	if (__atomic_load_n(&coz_selected_line, __ATOMIC_ACQUIRE) < 0) {
		local_delay = global; /* outside experiments nothing is owed */
	} else if (blocked) {
		/* coz_post_block settles it */
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

/* Samples not yet read are read first: the selected line's time just
 * spent is owed by the thread about to be woken too. (coz only pays what
 * its last signal counted; up to 10 ms of samples can be missing there.) */
void coz_catch_up(void)
{
	if (coz_thread_sampled() && __atomic_load_n(&coz_selected_line, __ATOMIC_RELAXED) >= 0)
		coz_process_samples();
}

void coz_process_samples(void)
{
	if (coz_thread_busy(true))
		return; /* the thread was interrupted in here: it goes on when we return */
	sync_experiment();
	coz_drain();
	coz_add_delays();
	coz_thread_busy(false);
}

/* Only the outermost block counts (coz HEAD's depth): a signal handler
 * that waits inside a blocking call must not reset it. */
void coz_pre_block(void)
{
	if (!coz_thread_sampled() || block_depth++)
		return;
	bool was = coz_thread_busy(true);
	block_start = __atomic_load_n(&coz_global_delay, __ATOMIC_ACQUIRE);
	block_experiment = __atomic_load_n(&coz_experiment_id, __ATOMIC_ACQUIRE);
	blocked = true;
	coz_thread_busy(was);
}

void coz_post_block(bool woken)
{
	if (!coz_thread_sampled() || !block_depth || --block_depth)
		return;
	bool was = coz_thread_busy(true);
	blocked = false;
	uint32_t id = __atomic_load_n(&coz_experiment_id, __ATOMIC_ACQUIRE);
	if (woken)
		local_delay += __atomic_load_n(&coz_global_delay, __ATOMIC_ACQUIRE) - block_start;
	else if (id != block_experiment)
		local_delay = __atomic_load_n(&coz_experiment_base, __ATOMIC_RELAXED); /* owes this experiment's only */
	seen_experiment = id; /* level with the experiment under way */
	coz_thread_busy(was);
}
