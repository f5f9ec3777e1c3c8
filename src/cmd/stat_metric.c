/* The derived column of `sonde stat`, with perf's stat-shadow.c rules:
 * which pairs of events make a ratio, and the formats perf prints. */
#include "cmd/stat_metric.h"

#include <math.h>
#include <stdio.h>

void stats_add(struct stats *s, double v)
{
	s->n += 1;
	double d = v - s->mean;
	s->mean += d / s->n;
	s->M2 += d * (v - s->mean);
}

double stats_stddev(const struct stats *s)
{
	if (s->n < 2)
		return 0;
	double var = s->M2 / (s->n - 1);
	return sqrt(var / s->n);
}

double rel_stddev(const struct stats *s)
{
	return s->mean ? 100.0 * stats_stddev(s) / s->mean : 0;
}

bool stat_is_clock(const struct event_spec *e)
{
	return e->type == PERF_TYPE_SOFTWARE &&
	       (e->config == PERF_COUNT_SW_TASK_CLOCK || e->config == PERF_COUNT_SW_CPU_CLOCK);
}

static bool is_event(const struct event_spec *e, uint32_t type, uint64_t config)
{
	return e->type == type && e->config == config;
}

/* The counted event (type, config) in the same context as `like` (user,
 * kernel or both; NULL: any): perf pairs a ratio's two events only within
 * one context, so cache-misses:u is no share of cache-references:k. */
static const struct stat_ev *find_ev(const struct stat_ev *evs, int n, uint32_t type, uint64_t config,
				     const struct event_spec *like)
{
	for (int i = 0; i < n; i++) {
		const struct event_spec *o = &evs[i].c.ev;
		if (is_event(o, type, config) && !evs[i].unsupported && !evs[i].not_counted &&
		    (!like || (o->exclude_user == like->exclude_user && o->exclude_kernel == like->exclude_kernel)))
			return &evs[i];
	}
	return NULL;
}

#define HW PERF_TYPE_HARDWARE
#define CACHE PERF_TYPE_HW_CACHE
#define MISS(c) ((c) | PERF_COUNT_HW_CACHE_OP_READ << 8 | PERF_COUNT_HW_CACHE_RESULT_MISS << 16)
#define ACCESS(c) ((c) | PERF_COUNT_HW_CACHE_OP_READ << 8 | PERF_COUNT_HW_CACHE_RESULT_ACCESS << 16)

/* A percentage of another event. Without the other event counted perf
 * leaves the column blank (no rate either); nonzero: only a nonzero ratio
 * is printed (perf's stalled-cycles lines). */
static const struct ratio {
	uint32_t type;
	uint64_t config;
	uint32_t of_type;
	uint64_t of_config;
	const char *fmt, *unit;
	bool nonzero;
} ratios[] = {
	{ HW, PERF_COUNT_HW_BRANCH_MISSES, HW, PERF_COUNT_HW_BRANCH_INSTRUCTIONS, "%7.2f%%", "of all branches", false },
	{ HW, PERF_COUNT_HW_CACHE_MISSES, HW, PERF_COUNT_HW_CACHE_REFERENCES, "%8.3f %%", "of all cache refs", false },
	{ HW, PERF_COUNT_HW_STALLED_CYCLES_FRONTEND, HW, PERF_COUNT_HW_CPU_CYCLES, "%7.2f%%",
	  "frontend cycles idle", true },
	{ HW, PERF_COUNT_HW_STALLED_CYCLES_BACKEND, HW, PERF_COUNT_HW_CPU_CYCLES, "%7.2f%%",
	  "backend cycles idle", true },
	{ CACHE, MISS(PERF_COUNT_HW_CACHE_L1D), CACHE, ACCESS(PERF_COUNT_HW_CACHE_L1D), "%7.2f%%",
	  "of all L1-dcache accesses", false },
	{ CACHE, MISS(PERF_COUNT_HW_CACHE_L1I), CACHE, ACCESS(PERF_COUNT_HW_CACHE_L1I), "%7.2f%%",
	  "of all L1-icache accesses", false },
	{ CACHE, MISS(PERF_COUNT_HW_CACHE_LL), CACHE, ACCESS(PERF_COUNT_HW_CACHE_LL), "%7.2f%%",
	  "of all LL-cache accesses", false },
	{ CACHE, MISS(PERF_COUNT_HW_CACHE_DTLB), CACHE, ACCESS(PERF_COUNT_HW_CACHE_DTLB), "%7.2f%%",
	  "of all dTLB cache accesses", false },
	{ CACHE, MISS(PERF_COUNT_HW_CACHE_ITLB), CACHE, ACCESS(PERF_COUNT_HW_CACHE_ITLB), "%7.2f%%",
	  "of all iTLB cache accesses", false },
};

static void rate_metric(struct metric *m, double count, double task_ns)
{
	double r = count / (task_ns / 1e9);
	const char *u = "/sec";
	if (r >= 1e9) {
		r /= 1e9;
		u = "G/sec";
	} else if (r >= 1e6) {
		r /= 1e6;
		u = "M/sec";
	} else if (r >= 1e3) {
		r /= 1e3;
		u = "K/sec";
	}
	snprintf(m->val, sizeof(m->val), "%8.3f", r);
	m->unit = u;
	m->num = r;
	m->have = true;
}

static void set_metric(struct metric *m, const char *fmt, double num, const char *unit)
{
	snprintf(m->val, sizeof(m->val), fmt, num);
	m->num = num;
	m->unit = unit;
	m->have = true;
}

struct metric stat_metric(const struct stat_ev *evs, int n, const struct stat_ev *e, double elapsed_ns)
{
	struct metric m = { .have = false };
	const struct event_spec *ev = &e->c.ev;
	double v = e->st.mean;
	for (size_t i = 0; i < sizeof(ratios) / sizeof(ratios[0]); i++) {
		const struct ratio *r = &ratios[i];
		if (!is_event(ev, r->type, r->config))
			continue;
		const struct stat_ev *of = find_ev(evs, n, r->of_type, r->of_config, ev);
		double pct = of && of->st.mean ? 100.0 * v / of->st.mean : 0;
		if (of && (pct || !r->nonzero))
			set_metric(&m, r->fmt, pct, r->unit);
		return m;
	}
	const struct stat_ev *task = find_ev(evs, n, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK, NULL);
	if (!task)
		task = find_ev(evs, n, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK, NULL);
	double task_ns = task ? task->st.mean : 0;
	if (stat_is_clock(ev)) {
		if (elapsed_ns > 0)
			set_metric(&m, "%8.3f", v / elapsed_ns, "CPUs utilized");
	} else if (is_event(ev, HW, PERF_COUNT_HW_CPU_CYCLES)) {
		if (task_ns > 0)
			set_metric(&m, "%8.3f", v / task_ns, "GHz");
	} else if (is_event(ev, HW, PERF_COUNT_HW_INSTRUCTIONS)) {
		const struct stat_ev *cyc = find_ev(evs, n, HW, PERF_COUNT_HW_CPU_CYCLES, ev);
		if (cyc && cyc->st.mean > 0)
			set_metric(&m, "%7.2f ", v / cyc->st.mean, "insn per cycle");
	} else if (task_ns > 0) {
		rate_metric(&m, v, task_ns);
	}
	return m;
}
