/* coz's viewer, step by step (profile.ts in coz 0.2.2): experiments are
 * added up per (line, progress point, speedup); each sum gives one data
 * point, a throughput point's period (duration / visits) or a latency
 * point's mean latency by Little's law (mean in flight / arrival rate);
 * the program speedup is the relative change from the speedup-0 sum,
 * negated for latency (lower is better), kept within [-1, 2]. The doubles
 * follow JavaScript's arithmetic, so a zero count gives the same infinity
 * or NaN the viewer drops. */
#include "coz/coz_speedup.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* One (line, point, speedup) sum, as the viewer's data entry. */
struct sum {
	bool used;
	enum coz_kind kind;
	double delta, duration, arrivals, departures, difference;
};

static void add(struct sum *g, const struct coz_rec *c)
{
	if (!g->used) {
		memset(g, 0, sizeof(*g));
		g->used = true;
		g->kind = c->kind;
	} else if (g->kind != c->kind) {
		return; /* one name used as both kinds: the first kind counts */
	}
	if (c->kind == COZ_THROUGHPUT) {
		g->delta += c->delta;
	} else {
		g->arrivals += c->arrivals;
		g->departures += c->departures;
		/* the viewer's running mean of the difference, weighted by duration */
		if (g->duration == 0) {
			g->difference = c->difference;
		} else {
			double total = g->duration + c->duration;
			g->difference *= g->duration / total;
			g->difference += c->difference * c->duration / total;
		}
	}
	g->duration += c->duration;
}

static double data_point(const struct sum *g)
{
	if (g->kind == COZ_THROUGHPUT)
		return g->duration / g->delta;
	return g->difference / (g->arrivals / g->duration);
}

static void fit(struct coz_series *s)
{
	double sxx = 0, sxy = 0, rss = 0;
	for (size_t i = 0; i < s->m.n; i++) {
		sxx += s->m.v[i].speedup * s->m.v[i].speedup;
		sxy += s->m.v[i].speedup * s->m.v[i].progress;
	}
	s->slope = sxx > 0 ? sxy / sxx : 0;
	for (size_t i = 0; i < s->m.n; i++) {
		double r = s->m.v[i].progress - s->slope * s->m.v[i].speedup;
		rss += r * r;
	}
	s->se = sxx > 0 && s->m.n > 1 ? sqrt(rss / (double)(s->m.n - 1) / sxx) : 0;
}

/* The series of one (line, point) from its sums by speedup percent; false
 * without a valid baseline (the viewer then shows nothing for it). */
static bool series(const struct sum g[101], struct coz_series *s)
{
	if (!g[0].used)
		return false;
	double base = data_point(&g[0]);
	if (!isfinite(base))
		return false;
	s->kind = g[0].kind;
	for (int pct = 0; pct <= 100; pct++) {
		if (!g[pct].used)
			continue;
		double d = data_point(&g[pct]);
		if (!isfinite(d))
			continue;
		double progress = (base - d) / base;
		if (g[0].kind == COZ_LATENCY)
			progress = -progress;
		if (progress >= -1 && progress <= 2) { /* false for NaN, as in JS */
			struct coz_meas m = { pct / 100.0, progress };
			vec_push(&s->m, m);
		}
	}
	fit(s);
	return true;
}

static const struct coz_rec *sort_recs;

/* By line, point, speedup, then file order (the latency mean's order). */
static int by_key(const void *a, const void *b)
{
	const struct coz_rec *x = &sort_recs[*(const size_t *)a], *y = &sort_recs[*(const size_t *)b];
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->point != y->point)
		return x->point < y->point ? -1 : 1;
	if (x->pct != y->pct)
		return x->pct < y->pct ? -1 : 1;
	return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

static int by_slope(const void *a, const void *b)
{
	const struct coz_series *x = a, *y = b;
	if (x->slope != y->slope)
		return x->slope > y->slope ? -1 : 1;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->point < y->point ? -1 : x->point > y->point;
}

void coz_speedups(const struct coz_profile *p, struct coz_result *r)
{
	memset(r, 0, sizeof(*r));
	size_t n = p->recs.n;
	size_t *idx = xcalloc(n ? n : 1, sizeof(*idx));
	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	sort_recs = p->recs.v;
	qsort(idx, n, sizeof(*idx), by_key);
	struct sum g[101];
	for (size_t i = 0; i < n;) {
		const struct coz_rec *first = &p->recs.v[idx[i]];
		memset(g, 0, sizeof(g));
		for (; i < n; i++) {
			const struct coz_rec *c = &p->recs.v[idx[i]];
			if (c->line != first->line || c->point != first->point)
				break;
			add(&g[c->pct], c);
		}
		struct coz_series s = { .line = first->line, .point = first->point };
		if (series(g, &s))
			vec_push(&r->s, s);
		else
			vec_free(&s.m);
	}
	free(idx);
	if (r->s.n)
		qsort(r->s.v, r->s.n, sizeof(*r->s.v), by_slope);
}

void coz_result_free(struct coz_result *r)
{
	for (size_t i = 0; i < r->s.n; i++)
		vec_free(&r->s.v[i].m);
	vec_free(&r->s);
}
