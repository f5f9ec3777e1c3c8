/* libsonde-coz.so, the causal-profiling runtime `sonde coz run` preloads
 * (docs/coz.md): shared state between its files. libc only. */
#ifndef SONDE_RT_COZ_H
#define SONDE_RT_COZ_H
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "coz_real.h"

#define COZ_API __attribute__((visibility("default")))

/* coz's constants (profiler.h), times in ns */
#define COZ_SAMPLE_PERIOD 1000000ull
#define COZ_SAMPLE_BATCH 10
#define COZ_EXPERIMENT_MIN 500000000ull
#define COZ_COOL_OFF 10000000ull
#define COZ_TARGET_DELTA 5

/* coz.h's counter, by ABI */
struct coz_counter {
	size_t count;
	size_t backoff; /* unused, as in coz */
};

/* coz_table.c: the line table from sonde */
bool coz_table_load(void);
/* Finds the table's objects among the loaded ones (not signal-safe). */
void coz_table_rescan(void);
/* The line index of a runtime address, or -1 out of scope (signal-safe). */
int32_t coz_table_line(uint64_t addr);
uint32_t coz_table_nlines(void);
/* "file:line" of a line index into buf */
void coz_table_name(uint32_t line, char *buf, size_t size);

/* coz_points.c: the progress points */
#define COZ_MAX_POINTS 64
struct coz_point {
	int type; /* 1 throughput, 2/3 latency (begin and end share a point) */
	char name[120];
	struct coz_counter begin, end; /* throughput points count in begin */
};
struct coz_counter *_coz_get_counter(int type, const char *name);
/* How many points are registered; points[0..n) stay valid (never moved). */
size_t coz_points(struct coz_point **points);
void coz_points_after_fork(void);

/* coz_delay.c: the virtual speedup's bookkeeping */
extern uint64_t coz_global_delay;   /* atomic: delay every thread owes */
extern uint64_t coz_delay_size;     /* atomic: ns per selected-line sample, 0 outside experiments */
extern int32_t coz_selected_line;   /* atomic: -1 outside experiments */
extern int32_t coz_next_line;       /* atomic: the first in-scope line sampled since reset */
extern uint64_t coz_selected_samples; /* atomic */
extern uint64_t *coz_line_samples;  /* per line, atomic */
/* Starts an experiment on line (the delays of threads that are running are
 * brought level with the global delay first, as coz HEAD does), or ends it
 * with line -1. */
void coz_experiment_switch(int32_t line);
/* The calling thread's part: on its own thread only. */
void coz_add_delays(void);        /* pay what this thread owes, or make others owe */
void coz_process_samples(void);   /* read the samples, then coz_add_delays (the signal's work) */
void coz_catch_up(void);          /* before waking another thread: samples read, delays paid */
void coz_pre_block(void);         /* before a call that may block on another thread */
void coz_post_block(bool woken);  /* after it; woken: another thread ended the wait */
bool coz_thread_busy(bool busy);  /* marks the thread's delay state in use; returns the old mark */
struct coz_delay_state {
	uint64_t delay;
	uint32_t experiment;
};
struct coz_delay_state coz_thread_delay(void);
void coz_thread_inherit(struct coz_delay_state s); /* a new thread starts with its creator's */
void coz_thread_add_delay(uint64_t d);
uint64_t coz_now(void); /* CLOCK_MONOTONIC ns */
void coz_sleep(uint64_t ns);


/* coz_sample.c: per-thread sampling */
bool coz_sampling_init(void);
void coz_thread_begin(void); /* on the thread itself */
void coz_thread_end(void);
bool coz_thread_sampled(void); /* this thread has a sampler */
void coz_drain(void);          /* reads this thread's samples (delay state marked busy) */
void coz_sampler_pause(bool pause);
void coz_thread_forget(void); /* closes without disabling (fork child) */
void coz_sampling_disable(void); /* no thread starts sampling from now on (fork child) */

/* coz_signal.c: SIGPROF kept for the sampler; fatal signals flush the profile */
int coz_real_sigaction(int sig, const struct sigaction *sa, struct sigaction *old);
void coz_flush_on_fatal_signals(void);

/* coz_thread.c */
void coz_thread_finished(void); /* a program thread ended: the last one ends the profile */

/* coz_experiment.c */
void coz_profiler_start(void);
void coz_profiler_stop(void); /* at exit, _exit and fatal signals; runs once */

#endif
