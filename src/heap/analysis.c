/* Heap trace replay: heaptrack's cost definitions over the events in
 * global order. Blocks are named by allocation info (kind, size, stack),
 * so no address bookkeeping is needed here: the runtime did it. */
#include "heap/analysis.h"

#include <stdlib.h>
#include <string.h>

#include "heap_protocol.h"
#include "util/die.h"


struct replay {
	struct heap_analysis *a;
	const struct heap_trace *t;
	/* by info index (an index past the end is read as 0, "unknown") */
	uint32_t *info_cost;   /* cost index */
	uint64_t *info_size;
	uint64_t *info_allocs; /* allocations (the size histogram) */
	size_t n_infos;
	uint64_t live_blocks;
	struct u64map size_index;
	uint64_t evno;    /* 1-based index of the current event */
	uint64_t peak_ev; /* event number of the last global peak */
	/* heaptrack's temporary rule: the last allocation's (size, stack), cleared by any free */
	bool last_valid;
	uint64_t last_size;
	uint32_t last_cost;
	uint64_t cur_ms;
};

static uint32_t cost_of(struct heap_analysis *a, uint32_t stack)
{
	bool ins;
	uint64_t *slot = u64map_upsert(&a->cost_index, stack, a->costs.n, &ins);
	if (ins) {
		struct heap_cost c = { 0 };
		c.stack = stack;
		vec_push(&a->costs, c);
	}
	return (uint32_t)*slot;
}

/* Before changing a stack's live bytes: remember its value at the last peak. */
static void touch(struct replay *r, struct heap_cost *c)
{
	if (c->last_mod <= r->peak_ev) {
		c->snap = c->leaked;
		c->snap_at = r->peak_ev;
	}
	c->last_mod = r->evno;
}

/* Every info's cost index and size, looked up once before the replay
 * (infos are few: one per distinct kind, size and stack). */
static void index_infos(struct replay *r)
{
	const struct heap_trace *t = r->t;
	size_t n = t->infos.n ? t->infos.n : 1;
	r->info_cost = xcalloc(n, sizeof(*r->info_cost));
	r->info_size = xcalloc(n, sizeof(*r->info_size));
	r->info_allocs = xcalloc(n, sizeof(*r->info_allocs));
	r->n_infos = n;
	for (size_t i = 0; i < n; i++) {
		bool used = i < t->infos.n && t->infos.v[i].defined;
		r->info_cost[i] = used ? cost_of(r->a, t->infos.v[i].stack) : UINT32_MAX;
		r->info_size[i] = used ? t->infos.v[i].size : 0;
	}
}

/* The cost of an info; undefined ones (damaged traces) share the cost of
 * the empty stack, made when first needed. */
static inline uint32_t info_cost(struct replay *r, uint32_t info)
{
	uint32_t ci = r->info_cost[info];
	if (__builtin_expect(ci == UINT32_MAX, 0))
		ci = r->info_cost[info] = cost_of(r->a, 0);
	return ci;
}

static void do_free(struct replay *r, uint32_t info)
{
	struct heap_analysis *a = r->a;
	if (!info) {
		a->unmatched_frees++;
		return; /* a block the runtime never saw (heaptrack drops these too) */
	}
	if (info >= r->n_infos)
		info = 0;
	uint32_t ci = info_cost(r, info);
	uint64_t size = r->info_size[info];
	struct heap_cost *c = &a->costs.v[ci];
	bool temporary = r->last_valid && r->last_size == size && r->last_cost == ci;
	r->last_valid = false;
	touch(r, c);
	c->leaked -= (int64_t)size;
	a->current -= (int64_t)size;
	a->frees++;
	if (r->live_blocks)
		r->live_blocks--;
	if (temporary) {
		c->temporary++;
		a->temporary++;
	}
}

static void do_alloc(struct replay *r, uint32_t info, uint64_t seq)
{
	struct heap_analysis *a = r->a;
	if (info >= r->n_infos)
		info = 0;
	uint32_t ci = info_cost(r, info);
	uint64_t size = r->info_size[info];
	struct heap_cost *c = &a->costs.v[ci];
	touch(r, c);
	c->allocations++;
	c->bytes += size;
	c->leaked += (int64_t)size;
	a->allocations++;
	a->bytes += size;
	a->current += (int64_t)size;
	r->live_blocks++;
	r->last_valid = true;
	r->last_size = size;
	r->last_cost = ci;
	r->info_allocs[info]++;
	if (a->current > a->peak) {
		a->peak = a->current;
		r->peak_ev = r->evno;
		a->peak_ms = r->cur_ms;
		a->peak_seq = seq;
	}
}

static int cmp_bin(const void *x, const void *y)
{
	const struct heap_size_bin *a = x, *b = y;
	return a->size < b->size ? -1 : a->size > b->size;
}

void heap_analyze(const struct heap_trace *t, struct heap_analysis *a)
{
	memset(a, 0, sizeof(*a));
	struct replay r = { 0 };
	r.a = a;
	r.t = t;
	index_infos(&r);
	uint64_t last_ms = 0;
	struct heap_iter it;
	struct heap_event ev;
	heap_iter_init(&it, t);
	while (heap_iter_next(&it, &ev)) {
		r.evno++;
		switch (ev.type) {
		case HEV_ALLOC:
			do_alloc(&r, ev.info, ev.seq);
			break;
		case HEV_FREE:
			do_free(&r, ev.info);
			break;
		case HEV_REALLOC:
			if (ev.info2)
				do_free(&r, ev.info2);
			do_alloc(&r, ev.info, ev.seq);
			break;
		case HEV_TIME: {
			r.cur_ms = ev.a;
			if (ev.a > last_ms)
				last_ms = ev.a;
			if (ev.b > a->peak_rss_kib)
				a->peak_rss_kib = ev.b;
			struct heap_time_point p = { ev.a, a->current, ev.b, a->allocations, a->temporary };
			vec_push(&a->timeline, p);
			break;
		}
		case HEV_EXIT:
			if (ev.c > a->peak_rss_kib)
				a->peak_rss_kib = ev.c;
			break;
		default:
			break;
		}
	}
	if (it.damaged)
		warn("%llu chunk%s of the trace stopped decoding part way (damaged); the report covers the rest",
		     (unsigned long long)it.damaged, it.damaged == 1 ? "" : "s");
	heap_iter_free(&it);
	/* per-stack peak: the value at the last global peak */
	for (size_t i = 0; i < a->costs.n; i++) {
		struct heap_cost *c = &a->costs.v[i];
		if (!r.peak_ev)
			c->peak = 0;
		else if (c->last_mod <= r.peak_ev)
			c->peak = c->leaked;
		else
			c->peak = c->snap_at == r.peak_ev ? c->snap : 0;
	}
	a->leaked = a->current;
	a->leaked_blocks = r.live_blocks;
	/* heaptrack: total time = last timestamp + 1 ms; prefer sonde's wall clock */
	a->total_ms = last_ms + 1;
	if (t->have_summary && t->wall_ns / 1000000 + 1 > a->total_ms)
		a->total_ms = t->wall_ns / 1000000 + 1;
	for (size_t i = 0; i < t->infos.n; i++) {
		if (!r.info_allocs[i])
			continue;
		uint64_t size = t->infos.v[i].size;
		bool ins;
		uint64_t *bin = u64map_upsert(&r.size_index, size, a->sizes.n, &ins);
		if (ins) {
			struct heap_size_bin b = { size, 0 };
			vec_push(&a->sizes, b);
		}
		a->sizes.v[*bin].count += r.info_allocs[i];
	}
	if (a->sizes.n) /* qsort's array must not be NULL, even when empty */
		qsort(a->sizes.v, a->sizes.n, sizeof(a->sizes.v[0]), cmp_bin);
	free(r.info_cost);
	free(r.info_size);
	free(r.info_allocs);
	u64map_free(&r.size_index);
}

void heap_analysis_free(struct heap_analysis *a)
{
	vec_free(&a->costs);
	u64map_free(&a->cost_index);
	vec_free(&a->sizes);
	vec_free(&a->timeline);
	memset(a, 0, sizeof(*a));
}
