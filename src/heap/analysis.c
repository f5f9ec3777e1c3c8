/* Heap trace replay: heaptrack's cost definitions over the seq-ordered events. */
#include "heap/analysis.h"

#include <stdlib.h>
#include <string.h>

#include "../runtime/heap_protocol.h"
#include "util/die.h"

/* Live blocks: open addressing with linear probing and backward-shift
 * deletion; key 0 marks an empty slot (a NULL block is never live). */
struct live {
	uint64_t ptr, size;
	uint32_t cost;
};

struct livemap {
	struct live *s;
	size_t n, cap; /* cap is a power of two */
};

static size_t lm_slot(const struct livemap *m, uint64_t ptr)
{
	return (size_t)(hash_u64(ptr) & (m->cap - 1));
}

static void lm_grow(struct livemap *m)
{
	size_t ocap = m->cap;
	struct live *os = m->s;
	m->cap = ocap ? ocap * 2 : 1024;
	m->s = xcalloc(m->cap, sizeof(*m->s));
	for (size_t i = 0; i < ocap; i++) {
		if (!os[i].ptr)
			continue;
		size_t j = lm_slot(m, os[i].ptr);
		while (m->s[j].ptr)
			j = (j + 1) & (m->cap - 1);
		m->s[j] = os[i];
	}
	free(os);
}

static struct live *lm_find(const struct livemap *m, uint64_t ptr)
{
	if (!m->cap)
		return NULL;
	size_t j = lm_slot(m, ptr);
	while (m->s[j].ptr) {
		if (m->s[j].ptr == ptr)
			return &m->s[j];
		j = (j + 1) & (m->cap - 1);
	}
	return NULL;
}

/* Inserts; returns the slot (existing entry if ptr was already live). */
static struct live *lm_insert(struct livemap *m, uint64_t ptr, bool *existed)
{
	if ((m->n + 1) * 4 > m->cap * 3)
		lm_grow(m);
	size_t j = lm_slot(m, ptr);
	while (m->s[j].ptr) {
		if (m->s[j].ptr == ptr) {
			*existed = true;
			return &m->s[j];
		}
		j = (j + 1) & (m->cap - 1);
	}
	*existed = false;
	m->s[j].ptr = ptr;
	m->n++;
	return &m->s[j];
}

static void lm_remove(struct livemap *m, struct live *e)
{
	size_t i = (size_t)(e - m->s), mask = m->cap - 1;
	m->s[i].ptr = 0;
	m->n--;
	size_t j = i;
	for (;;) {
		j = (j + 1) & mask;
		if (!m->s[j].ptr)
			break;
		size_t k = lm_slot(m, m->s[j].ptr);
		/* move j back to i if k is not cyclically in (i, j] */
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		m->s[i] = m->s[j];
		m->s[j].ptr = 0;
		i = j;
	}
}

struct replay {
	struct heap_analysis *a;
	struct livemap live;
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

static void do_free(struct replay *r, uint64_t ptr)
{
	struct heap_analysis *a = r->a;
	struct live *e = ptr ? lm_find(&r->live, ptr) : NULL;
	if (!e) {
		if (ptr)
			a->unmatched_frees++;
		return; /* heaptrack_interpret drops frees of unknown blocks */
	}
	struct heap_cost *c = &a->costs.v[e->cost];
	bool temporary = r->last_valid && r->last_size == e->size && r->last_cost == e->cost;
	r->last_valid = false;
	touch(r, c);
	c->leaked -= (int64_t)e->size;
	a->current -= (int64_t)e->size;
	a->frees++;
	if (temporary) {
		c->temporary++;
		a->temporary++;
	}
	lm_remove(&r->live, e);
}

static void do_alloc(struct replay *r, uint64_t ptr, uint64_t size, uint32_t stack)
{
	struct heap_analysis *a = r->a;
	if (!ptr)
		return; /* failed allocation */
	uint32_t ci = cost_of(a, stack);
	bool existed;
	struct live *e = lm_insert(&r->live, ptr, &existed);
	if (existed) {
		/* its free was never seen: retire the old block silently */
		struct heap_cost *oc = &a->costs.v[e->cost];
		touch(r, oc);
		oc->leaked -= (int64_t)e->size;
		a->current -= (int64_t)e->size;
	}
	e->size = size;
	e->cost = ci;
	struct heap_cost *c = &a->costs.v[ci];
	touch(r, c);
	c->allocations++;
	c->bytes += size;
	c->leaked += (int64_t)size;
	a->allocations++;
	a->bytes += size;
	a->current += (int64_t)size;
	r->last_valid = true;
	r->last_size = size;
	r->last_cost = ci;
	bool ins;
	uint64_t *bin = u64map_upsert(&r->size_index, size, a->sizes.n, &ins);
	if (ins) {
		struct heap_size_bin b = { size, 0 };
		vec_push(&a->sizes, b);
	}
	a->sizes.v[*bin].count++;
	if (a->current > a->peak) {
		a->peak = a->current;
		r->peak_ev = r->evno;
		a->peak_ms = r->cur_ms;
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
	uint64_t last_ms = 0;
	for (size_t i = 0; i < t->events.n; i++) {
		const struct heap_event *ev = &t->events.v[i];
		r.evno = i + 1;
		switch (ev->type) {
		case HEV_ALLOC:
			do_alloc(&r, ev->ptr, ev->size, ev->stack);
			break;
		case HEV_FREE:
			do_free(&r, ev->ptr);
			break;
		case HEV_REALLOC:
			if (!ev->ptr) {
				/* failed (old block intact), or realloc(p, 0) that freed p */
				if (ev->size == 0 && ev->ptr2)
					do_free(&r, ev->ptr2);
				break;
			}
			if (ev->ptr2)
				do_free(&r, ev->ptr2);
			do_alloc(&r, ev->ptr, ev->size, ev->stack);
			break;
		case HEV_TIME: {
			r.cur_ms = ev->ptr;
			if (ev->ptr > last_ms)
				last_ms = ev->ptr;
			if (ev->ptr2 > a->peak_rss_kib)
				a->peak_rss_kib = ev->ptr2;
			struct heap_time_point p = { ev->ptr, a->current, ev->ptr2, a->allocations, a->temporary };
			vec_push(&a->timeline, p);
			break;
		}
		case HEV_EXIT:
			if (ev->ptr2 > a->peak_rss_kib)
				a->peak_rss_kib = ev->ptr2;
			break;
		default:
			break;
		}
	}
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
	if (r.peak_ev)
		a->peak_seq = t->events.v[r.peak_ev - 1].seq;
	a->leaked = a->current;
	a->leaked_blocks = r.live.n;
	/* heaptrack: total time = last timestamp + 1 ms; prefer sonde's wall clock */
	a->total_ms = last_ms + 1;
	if (t->have_summary && t->wall_ns / 1000000 + 1 > a->total_ms)
		a->total_ms = t->wall_ns / 1000000 + 1;
	if (a->sizes.n) /* qsort's array must not be NULL, even when empty */
		qsort(a->sizes.v, a->sizes.n, sizeof(a->sizes.v[0]), cmp_bin);
	free(r.live.s);
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
