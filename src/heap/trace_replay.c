/* Replay of a parsed heap trace: each run is read by a cursor that
 * decodes its chunks in place, and the runs are merged by sequence number
 * with a min-heap. */
#include "heap/trace.h"

#include <stdlib.h>
#include <string.h>

#include "heap_protocol.h"
#include "util/die.h"

struct heap_cursor {
	const uint8_t *data;
	const struct heap_span *span, *span_end;
	const uint8_t *p, *chunk_end;
	struct heap_event next;
	uint64_t *damaged; /* the iterator's count */
	uint64_t version;  /* the trace's (record layouts) */
};

/* A varint ending before end (the reader's decoder: at most 10 bytes, no
 * overflow); false if there is none. */
static inline bool cv(const uint8_t **pp, const uint8_t *end, uint64_t *out)
{
	size_t k = heap_get_varint(*pp, (size_t)(end - *pp), out);
	*pp += k;
	return k != 0;
}

bool heap_lost_decode(const uint8_t **pp, const uint8_t *end, struct heap_lost_rec *out)
{
	if (*pp >= end)
		return false;
	out->reason = *(*pp)++;
	return cv(pp, end, &out->ms) && cv(pp, end, &out->bytes) && cv(pp, end, &out->err) &&
	       cv(pp, end, &out->as) && cv(pp, end, &out->data);
}

bool heap_skip_def(const uint8_t **pp, const uint8_t *end, uint8_t type, uint64_t version)
{
	uint64_t x, n;
	int vars = 0, strs = 0;
	switch (type) {
	case HR_HELLO: vars = 4, strs = 1; break;
	case HR_STACK: vars = 3; break;
	case HR_THREAD: vars = 2, strs = 1; break;
	case HR_INFO:
		if (!cv(pp, end, &x) || *pp >= end)
			return false;
		(*pp)++;
		vars = 2;
		break;
	case HR_MC_TOTALS: vars = 5; break;
	case HR_LOST: {
		struct heap_lost_rec l;
		return heap_lost_decode(pp, end, &l);
	}
	case HR_LEAK:
		if (*pp >= end)
			return false;
		(*pp)++;
		vars = 2;
		break;
	case HR_ERROR: /* 2 bytes, 8 varints, the thread name, the order */
		if (end - *pp < 2)
			return false;
		*pp += 2;
		for (int i = 0; i < 8; i++)
			if (!cv(pp, end, &x))
				return false;
		strs = 1;
		vars = -1;
		break;
	case HR_FATAL: /* 4 varints, the flags, 3 varints, the thread name */
		for (int i = 0; i < 4; i++)
			if (!cv(pp, end, &x))
				return false;
		if (*pp >= end)
			return false;
		(*pp)++;
		vars = 3;
		strs = 1;
		break;
	case HR_MODULE:
		if (!cv(pp, end, &x) || !cv(pp, end, &n) || n > (uint64_t)(end - *pp))
			return false;
		*pp += n;
		if (!cv(pp, end, &n) || n > 64)
			return false;
		for (uint64_t i = 0; i < 3 * n; i++)
			if (!cv(pp, end, &x))
				return false;
		if (version >= 3) { /* the build-id */
			if (!cv(pp, end, &n) || n > (uint64_t)(end - *pp))
				return false;
			*pp += n;
		}
		break;
	default:
		return false;
	}
	for (int i = 0; i < vars; i++)
		if (!cv(pp, end, &x))
			return false;
	for (int i = 0; i < strs; i++) {
		if (!cv(pp, end, &n) || n > (uint64_t)(end - *pp))
			return false;
		*pp += n;
	}
	return vars >= 0 || cv(pp, end, &x); /* HR_ERROR ends with a varint after its string */
}

static inline uint8_t free_kind(uint8_t type)
{
	return type == HR_DELETE ? HK_DELETE : type == HR_DELETE_ARRAY ? HK_DELETE_ARRAY : HK_FREE;
}

/* Decodes one event record (or HR_KEY, which moves e->seq and returns
 * nothing else) after its type byte; false if malformed or not an event. */
static bool decode_event(const uint8_t **pp, const uint8_t *end, uint8_t type, struct heap_event *e, bool *is_key)
{
	uint64_t x[3] = { 0, 0, 0 };
	int nf = heap_event_fields(type);
	if (nf < 0)
		return false;
	for (int i = 0; i < nf; i++)
		if (!cv(pp, end, &x[i]))
			return false;
	*is_key = type == HR_KEY;
	if (*is_key) {
		e->seq += x[0];
		return true;
	}
	e->info = e->info2 = 0;
	e->kind = 0;
	e->a = e->b = e->c = 0;
	switch (type) {
	case HR_ALLOC:
		e->type = HEV_ALLOC;
		e->info = (uint32_t)x[0];
		break;
	case HR_FREE:
	case HR_DELETE:
	case HR_DELETE_ARRAY:
		e->type = HEV_FREE;
		e->info = (uint32_t)x[0];
		e->kind = free_kind(type);
		break;
	case HR_REALLOC:
		e->type = HEV_REALLOC;
		e->info2 = (uint32_t)x[0];
		e->info = (uint32_t)x[1];
		break;
	case HR_TIME:
		e->type = HEV_TIME;
		e->a = x[0];
		e->b = x[1];
		break;
	case HR_FORK:
		e->type = HEV_FORK;
		e->a = x[0];
		break;
	default:
		e->type = HEV_EXIT;
		e->a = x[0];
		e->b = x[1];
		e->c = x[2];
		break;
	}
	return true;
}

static bool cursor_advance(struct heap_cursor *c)
{
	struct heap_event *e = &c->next;
	for (;;) {
		if (c->p >= c->chunk_end) {
			if (c->span >= c->span_end)
				return false;
			c->p = c->data + c->span->off;
			c->chunk_end = c->p + c->span->len;
			c->span++;
			e->seq = 0; /* each chunk's running key starts at zero */
			continue;
		}
		const uint8_t *p = c->p;
		uint8_t type = *p++;
		/* the bulk: an allocation or free() of an info below 2^14, well
		 * inside the chunk */
		if ((type == HR_ALLOC || type == HR_FREE) && c->chunk_end - p >= 2 && (p[0] < 0x80 || p[1] < 0x80)) {
			uint32_t info = p[0] & 0x7f;
			if (*p++ & 0x80)
				info |= (uint32_t)(*p++) << 7;
			e->info = info;
			e->info2 = 0;
			if (type == HR_ALLOC) {
				e->type = HEV_ALLOC;
				e->kind = 0;
			} else {
				e->type = HEV_FREE;
				e->kind = HK_FREE;
			}
			c->p = p;
			return true;
		}
		bool is_key = false;
		bool ok = decode_event(&p, c->chunk_end, type, e, &is_key);
		if (!ok && heap_skip_def(&p, c->chunk_end, type, c->version)) {
			c->p = p;
			continue;
		}
		if (!ok) {
			/* damaged: the rest of this chunk is lost, the run goes on */
			(*c->damaged)++;
			c->p = c->chunk_end;
			continue;
		}
		c->p = p;
		if (is_key)
			continue;
		return true;
	}
}

static inline uint64_t key(const struct heap_iter *it, uint32_t i)
{
	return it->cur[i].next.seq;
}

static void sift_down(struct heap_iter *it, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, m = i;
		if (l < it->n && key(it, it->heap[l]) < key(it, it->heap[m]))
			m = l;
		if (l + 1 < it->n && key(it, it->heap[l + 1]) < key(it, it->heap[m]))
			m = l + 1;
		if (m == i)
			return;
		uint32_t tmp = it->heap[i];
		it->heap[i] = it->heap[m];
		it->heap[m] = tmp;
		i = m;
	}
}

static void heap_push(struct heap_iter *it, uint32_t c)
{
	size_t i = it->n++;
	it->heap[i] = c;
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (key(it, it->heap[parent]) <= key(it, it->heap[i]))
			break;
		uint32_t tmp = it->heap[i];
		it->heap[i] = it->heap[parent];
		it->heap[parent] = tmp;
		i = parent;
	}
}

static uint32_t heap_pop(struct heap_iter *it)
{
	uint32_t top = it->heap[0];
	it->heap[0] = it->heap[--it->n];
	sift_down(it, 0);
	return top;
}

void heap_iter_init(struct heap_iter *it, const struct heap_trace *t)
{
	memset(it, 0, sizeof(*it));
	it->t = t;
	size_t nr = t->runs.n;
	it->cur = xcalloc(nr ? nr : 1, sizeof(*it->cur));
	it->heap = xcalloc(nr ? nr : 1, sizeof(*it->heap));
	for (size_t i = 0; i < nr; i++) {
		struct heap_cursor *c = &it->cur[i];
		c->data = t->data;
		c->span = t->runs.v[i].spans.v;
		c->span_end = c->span + t->runs.v[i].spans.n;
		c->damaged = &it->damaged;
		c->version = t->version;
		if (cursor_advance(c))
			heap_push(it, (uint32_t)i);
	}
}

/* The run that holds the smallest next sequence number is drained until
 * another run's next event comes first: few heap operations when threads
 * take turns in long stretches. */
bool heap_iter_next(struct heap_iter *it, struct heap_event *ev)
{
	if (!it->have_top) {
		if (!it->n)
			return false;
		it->top = heap_pop(it);
		it->have_top = true;
	}
	struct heap_cursor *c = &it->cur[it->top];
	*ev = c->next;
	it->last_run = it->top;
	if (!cursor_advance(c))
		it->have_top = false;
	else if (__builtin_expect(it->n != 0, 1) && key(it, it->heap[0]) < c->next.seq) {
		/* the run whose turn it is leaves the heap as this one enters:
		 * one sift instead of a push and a pop */
		uint32_t next = it->heap[0];
		it->heap[0] = it->top;
		sift_down(it, 0);
		it->top = next;
	}
	return true;
}

uint32_t heap_iter_run(const struct heap_iter *it)
{
	return it->last_run;
}

void heap_iter_free(struct heap_iter *it)
{
	free(it->cur);
	free(it->heap);
	memset(it, 0, sizeof(*it));
}

