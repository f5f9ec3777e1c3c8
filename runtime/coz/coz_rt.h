/* libsonde-coz.so, the causal-profiling runtime `sonde coz run` preloads
 * (docs/coz.md): shared state between its files. libc only. */
#ifndef SONDE_RT_COZ_H
#define SONDE_RT_COZ_H
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
/* How many points are registered; points[0..n) stay valid (never moved). */
size_t coz_points(struct coz_point **points);

/* coz_delay.c: the virtual speedup's bookkeeping */
extern uint64_t coz_global_delay;   /* atomic: delay every thread owes */
extern uint64_t coz_delay_size;     /* atomic: ns per selected-line sample, 0 outside experiments */
extern int32_t coz_selected_line;   /* atomic: -1 outside experiments */
extern int32_t coz_next_line;       /* atomic: the first in-scope line sampled since reset */
extern uint64_t coz_selected_samples; /* atomic */
extern uint64_t *coz_line_samples;  /* per line, atomic */
void coz_add_delays(void);
uint64_t coz_thread_delay(void);
void coz_thread_set_delay(uint64_t d);
uint64_t coz_now(void); /* CLOCK_MONOTONIC ns */
void coz_sleep(uint64_t ns);

/* coz_sample.c: per-thread sampling */
bool coz_sampling_init(void);
void coz_thread_begin(void); /* on the thread itself */
void coz_thread_end(void);
void coz_sampler_pause(bool pause);
void coz_thread_forget(void); /* closes without disabling (fork child) */

/* coz_thread.c: libc's pthread_create, for the runtime's own thread */
int coz_real_pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *), void *arg);

/* coz_experiment.c */
void coz_profiler_start(void);
void coz_profiler_stop(void);

#endif
