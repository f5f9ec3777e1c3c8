/* The experiment loop (coz's profiler_thread) and profile.coz: a line is
 * picked in proportion to samples (the first in-scope line sampled after a
 * reset), a speedup of 0-100% in 5% steps, 0% with extra weight; the run
 * lasts experiment_length, then its progress-point deltas are logged with
 * the wall time less the delay inserted meanwhile.
 *
 * Rules taken from coz HEAD rather than 0.2.2: experiments start once the
 * program has a progress point; an experiment whose smallest delta is
 * under COZ_TARGET_DELTA is not written (a handful of visits says nothing
 * about throughput; 0.2.2 wrote them and its viewer's baseline suffered),
 * and experiments grow to 8 s at most. In end-to-end mode the one
 * experiment is the whole run and its point, "end-to-end", is visited once
 * at exit, so it is always written. */
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "coz_lines.h"
#include "coz_rt.h"

#define SPEEDUP_DIVISIONS 20
#define ZERO_SPEEDUP_WEIGHT 7
#define EXPERIMENT_MAX (16 * COZ_EXPERIMENT_MIN)
#define END_TO_END "end-to-end"

static int out_fd = -1;
static int fixed_line = -1, fixed_speedup = -1;
static bool end_to_end;
static struct coz_counter *end_to_end_point; /* looked up at start: on_fatal must not take the points' lock */
static pid_t owner; /* the process the profile is of (a vfork child shares its memory) */
static volatile int running;
static int stopped;
static pthread_t thread;
static uint64_t start_ns;

static void out(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	if (n > 0 && write(out_fd, buf, (size_t)n) < 0)
		return; /* nowhere to say it */
}

/* Sleeps up to ns, in 10 ms steps so the end of the run stops it early. */
static void wait_while_running(uint64_t ns)
{
	uint64_t end = coz_now() + ns;
	for (uint64_t t; running && (t = coz_now()) < end;)
		coz_sleep(end - t < 10000000ull ? end - t : 10000000ull);
}

static int32_t pick_line(void)
{
	if (fixed_line >= 0)
		return fixed_line;
	__atomic_store_n(&coz_next_line, -1, __ATOMIC_RELAXED);
	int32_t l = -1;
	while (running && (l = __atomic_load_n(&coz_next_line, __ATOMIC_RELAXED)) < 0)
		coz_sleep(10000000ull);
	return running ? l : -1;
}

static unsigned pick_speedup(unsigned *seed)
{
	if (fixed_speedup >= 0)
		return (unsigned)fixed_speedup;
	unsigned r = (unsigned)rand_r(seed) % (SPEEDUP_DIVISIONS + ZERO_SPEEDUP_WEIGHT + 1);
	return r <= ZERO_SPEEDUP_WEIGHT ? 0 : (r - ZERO_SPEEDUP_WEIGHT) * 100 / SPEEDUP_DIVISIONS;
}

/* The smallest visit count of any point since `before` (latency points:
 * arrivals and departures both). */
static size_t min_delta(const size_t *before, size_t n)
{
	struct coz_point *p;
	size_t min = (size_t)-1;
	coz_points(&p);
	for (size_t i = 0; i < n; i++) {
		size_t b = __atomic_load_n(&p[i].begin.count, __ATOMIC_RELAXED) - before[2 * i];
		size_t e = __atomic_load_n(&p[i].end.count, __ATOMIC_RELAXED) - before[2 * i + 1];
		if (b < min)
			min = b;
		if (p[i].type != 1 && e < min)
			min = e;
	}
	return min;
}

static void log_experiment(int32_t line, unsigned speedup, uint64_t duration, uint64_t samples,
			   const size_t *before, size_t n)
{
	char name[300];
	coz_table_name((uint32_t)line, name, sizeof(name));
	out("experiment\tselected=%s\tspeedup=%.2f\tduration=%lu\tselected-samples=%lu\n", name, speedup / 100.0,
	    (unsigned long)duration, (unsigned long)samples);
	struct coz_point *p;
	coz_points(&p);
	for (size_t i = 0; i < n; i++) {
		size_t b = __atomic_load_n(&p[i].begin.count, __ATOMIC_RELAXED);
		size_t e = __atomic_load_n(&p[i].end.count, __ATOMIC_RELAXED);
		size_t d = b - before[2 * i];
		if (p[i].type == 1)
			out("throughput-point\tname=%s\tdelta=%lu\n", p[i].name, (unsigned long)d);
		else
			out("latency-point\tname=%s\tarrivals=%lu\tdepartures=%lu\tdifference=%lu\n", p[i].name,
			    (unsigned long)d, (unsigned long)(e - before[2 * i + 1]),
			    (unsigned long)(b > e ? b - e : e - b));
	}
}

static bool have_points(void)
{
	struct coz_point *p;
	return coz_points(&p) > 0;
}

/* Runs with every signal blocked (coz_profiler_start): signals are the
 * program's threads' business, and on_fatal joins this thread. */
static void *profiler_thread(void *unused)
{
	unsigned seed = (unsigned)coz_now();
	uint64_t length = COZ_EXPERIMENT_MIN;
	size_t before[2 * COZ_MAX_POINTS];
	while (running && !have_points())
		coz_sleep(COZ_COOL_OFF);
	while (running) {
		int32_t line = pick_line();
		if (line < 0)
			break;
		unsigned speedup = pick_speedup(&seed);
		struct coz_point *p;
		size_t n = coz_points(&p);
		for (size_t i = 0; i < n; i++) {
			before[2 * i] = __atomic_load_n(&p[i].begin.count, __ATOMIC_RELAXED);
			before[2 * i + 1] = __atomic_load_n(&p[i].end.count, __ATOMIC_RELAXED);
		}
		uint64_t t0 = coz_now(), d0 = __atomic_load_n(&coz_global_delay, __ATOMIC_ACQUIRE);
		__atomic_store_n(&coz_selected_samples, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&coz_delay_size, COZ_SAMPLE_PERIOD * speedup / 100, __ATOMIC_RELAXED);
		coz_experiment_switch(line); /* the experiment starts */
		wait_while_running(end_to_end ? UINT64_MAX / 2 : length);
		coz_experiment_switch(-1);
		uint64_t inserted = __atomic_load_n(&coz_global_delay, __ATOMIC_ACQUIRE) - d0;
		uint64_t wall = coz_now() - t0;
		/* points registered during the run started from 0; one count for both uses */
		size_t m = coz_points(&p);
		for (size_t i = n; i < m; i++)
			before[2 * i] = before[2 * i + 1] = 0;
		size_t min = min_delta(before, m);
		if (min >= COZ_TARGET_DELTA || end_to_end)
			log_experiment(line, speedup, wall > inserted ? wall - inserted : 0,
				       __atomic_load_n(&coz_selected_samples, __ATOMIC_RELAXED), before, m);
		if (min < COZ_TARGET_DELTA)
			length = length * 2 > EXPERIMENT_MAX ? EXPERIMENT_MAX : length * 2;
		else if (min > 2 * COZ_TARGET_DELTA && length >= 2 * COZ_EXPERIMENT_MIN)
			length /= 2;
		wait_while_running(COZ_COOL_OFF);
	}
	return NULL;
}

static void write_totals(void)
{
	out("runtime\ttime=%lu\n", (unsigned long)(coz_now() - start_ns));
	char name[300];
	for (uint32_t i = 0; i < coz_table_nlines(); i++) {
		uint64_t c = __atomic_load_n(&coz_line_samples[i], __ATOMIC_RELAXED);
		if (!c)
			continue;
		coz_table_name(i, name, sizeof(name));
		out("samples\tlocation=%s\tcount=%lu\n", name, (unsigned long)c);
	}
}

/* A fork child runs plain: the profiler thread and the events are the
 * parent's, and its profile is the parent's to write. */
static void in_child(void)
{
	running = 0;
	stopped = 1;
	out_fd = -1;
	__atomic_store_n(&coz_selected_line, -1, __ATOMIC_RELEASE);
	coz_points_after_fork();
	coz_sampling_disable();
	coz_thread_forget();
}

void coz_profiler_start(void)
{
	const char *s = getenv(COZ_ENV_OUT_FD);
	if (!s || !coz_table_load())
		return;
	out_fd = atoi(s);
	fcntl(out_fd, F_SETFD, FD_CLOEXEC); /* the profile is this process's only */
	if ((s = getenv(COZ_ENV_FIXED_LINE)))
		fixed_line = atoi(s);
	if ((s = getenv(COZ_ENV_FIXED_SPEEDUP)))
		fixed_speedup = atoi(s);
	if ((end_to_end = getenv(COZ_ENV_END_TO_END) != NULL))
		end_to_end_point = _coz_get_counter(1, END_TO_END);
	if (fixed_line >= (int)coz_table_nlines())
		fixed_line = -1;
	size_t bytes = ((size_t)coz_table_nlines() + 1) * sizeof(uint64_t);
	coz_line_samples = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (coz_line_samples == MAP_FAILED || !coz_sampling_init())
		return;
	struct timespec rt;
	clock_gettime(CLOCK_REALTIME, &rt);
	out("startup\ttime=%lu\n", (unsigned long)rt.tv_sec * 1000000000ul + (unsigned long)rt.tv_nsec);
	start_ns = coz_now();
	owner = getpid();
	running = 1;
	sigset_t all, old;
	sigfillset(&all);
	COZ_REAL(pthread_sigmask)(SIG_BLOCK, &all, &old); /* the thread starts with them blocked */
	int failed = COZ_REAL(pthread_create)(&thread, NULL, profiler_thread, NULL);
	COZ_REAL(pthread_sigmask)(SIG_SETMASK, &old, NULL);
	if (failed) {
		running = 0;
		return;
	}
	pthread_atfork(NULL, NULL, in_child);
	coz_flush_on_fatal_signals();
	coz_thread_begin();
}

void coz_profiler_stop(void)
{
	if (!running || getpid() != owner || __atomic_exchange_n(&stopped, 1, __ATOMIC_ACQ_REL))
		return;
	if (end_to_end_point)
		__atomic_add_fetch(&end_to_end_point->count, 1, __ATOMIC_RELAXED);
	running = 0;
	COZ_REAL(pthread_join)(thread, NULL); /* it logs the experiment under way, as coz does */
	coz_thread_end(); /* after: with no experiment left this thread owes nothing (coz HEAD's order) */
	write_totals();
}
