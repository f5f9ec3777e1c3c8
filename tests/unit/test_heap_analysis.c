/* sonde heap: trace reader and analysis on synthetic runtime streams. */
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "heap_protocol.h"
#include "binary/buildid_cache.h"
#include "heap/analysis.h"
#include "heap/report.h"
#include "heap/trace.h"
#include "unit.h"
#include "util/strbuf.h"

/* ---- a tiny encoder of the runtime protocol: like the runtime, it
 * interns (kind, size, stack) into infos and keeps the live blocks, so the
 * tests speak in pointers ---- */
#define ENC_MAX 256
struct enc {
	struct strbuf out;
	size_t chunk_start;
	uint64_t last_seq;
	size_t n_info;
	uint64_t info_size[ENC_MAX], info_stack[ENC_MAX];
	size_t n_live;
	uint64_t live_ptr[ENC_MAX], live_info[ENC_MAX];
	bool defs; /* the open chunk holds definitions: flag it, as the runtime does */
};

#define ENC_INIT { STRBUF_INIT, 0, 0, 0, { 0 }, { 0 }, 0, { 0 }, { 0 }, false }

static void put_u32le(struct strbuf *sb, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
	sb_add(sb, b, 4);
}

static void chunk_begin(struct enc *e, uint32_t thread)
{
	e->chunk_start = e->out.len;
	put_u32le(&e->out, HEAP_CHUNK_MAGIC);
	put_u32le(&e->out, 0);
	put_u32le(&e->out, thread);
	put_u32le(&e->out, 0);
	e->last_seq = 0;
	e->defs = false;
}

static void chunk_end(struct enc *e)
{
	uint32_t n = (uint32_t)(e->out.len - e->chunk_start - HEAP_CHUNK_HEADER);
	uint8_t *p = (uint8_t *)e->out.buf + e->chunk_start + 4;
	p[0] = (uint8_t)n;
	p[1] = (uint8_t)(n >> 8);
	p[2] = (uint8_t)(n >> 16);
	p[3] = (uint8_t)(n >> 24);
	p[8] = e->defs ? HEAP_CHUNK_DEFS : 0;
}

static void v(struct enc *e, uint64_t x)
{
	uint8_t b[10];
	sb_add(&e->out, b, varint_put(b, x));
}

static void str(struct enc *e, const char *s)
{
	v(e, strlen(s));
	sb_adds(&e->out, s);
}

/* The event's key: an HR_KEY record when it moves. */
static void seq(struct enc *e, uint64_t s)
{
	if (s != e->last_seq) {
		sb_addc(&e->out, HR_KEY);
		v(e, s - e->last_seq);
		e->last_seq = s;
	}
}

static void stack(struct enc *e, uint64_t id, uint64_t parent, uint64_t ip)
{
	e->defs = true;
	sb_addc(&e->out, HR_STACK);
	v(e, id);
	v(e, parent);
	v(e, ip);
}

/* The info of (size, stack), with its HR_INFO record the first time. */
static uint64_t info_of(struct enc *e, uint64_t size, uint64_t st)
{
	for (size_t i = 0; i < e->n_info; i++)
		if (e->info_size[i] == size && e->info_stack[i] == st)
			return i + 1;
	e->info_size[e->n_info] = size;
	e->info_stack[e->n_info] = st;
	uint64_t info = ++e->n_info;
	e->defs = true;
	sb_addc(&e->out, HR_INFO);
	v(e, info);
	sb_addc(&e->out, HK_MALLOC);
	v(e, size);
	v(e, st);
	return info;
}

static void live_put(struct enc *e, uint64_t ptr, uint64_t info)
{
	e->live_ptr[e->n_live] = ptr;
	e->live_info[e->n_live++] = info;
}

static uint64_t live_take(struct enc *e, uint64_t ptr)
{
	for (size_t i = 0; i < e->n_live; i++)
		if (e->live_ptr[i] == ptr) {
			uint64_t info = e->live_info[i];
			e->live_ptr[i] = e->live_ptr[--e->n_live];
			e->live_info[i] = e->live_info[e->n_live];
			return info;
		}
	return 0;
}

static void alloc_info(struct enc *e, uint64_t s, uint64_t info)
{
	seq(e, s);
	sb_addc(&e->out, HR_ALLOC);
	v(e, info);
}

static void free_info(struct enc *e, uint64_t s, uint64_t info)
{
	seq(e, s);
	sb_addc(&e->out, HR_FREE);
	v(e, info);
}

static void alloc(struct enc *e, uint64_t s, uint64_t size, uint64_t ptr, uint64_t st)
{
	uint64_t info = info_of(e, size, st);
	live_put(e, ptr, info);
	alloc_info(e, s, info);
}

static void dofree(struct enc *e, uint64_t s, uint64_t ptr)
{
	free_info(e, s, live_take(e, ptr));
}

/* realloc(old, size) returning ptr: ptr 0 with size 0 freed old; ptr 0
 * otherwise failed (nothing is sent, old stays) */
static void re(struct enc *e, uint64_t s, uint64_t old, uint64_t ptr, uint64_t size, uint64_t st)
{
	if (!ptr) {
		if (old && !size)
			dofree(e, s, old);
		return;
	}
	uint64_t oinfo = old ? live_take(e, old) : 0;
	uint64_t info = info_of(e, size, st);
	live_put(e, ptr, info);
	seq(e, s);
	sb_addc(&e->out, HR_REALLOC);
	v(e, oinfo);
	v(e, info);
}

static void tick(struct enc *e, uint64_t s, uint64_t ms, uint64_t rss)
{
	seq(e, s);
	sb_addc(&e->out, HR_TIME);
	v(e, ms);
	v(e, rss);
}

/* Events in replay order; seqs[] gets their sequence numbers. */
static size_t replay_count(const struct heap_trace *t, uint64_t *seqs, size_t max)
{
	struct heap_iter it;
	struct heap_event ev;
	size_t n = 0;
	heap_iter_init(&it, t);
	while (heap_iter_next(&it, &ev)) {
		if (seqs && n < max)
			seqs[n] = ev.seq;
		n++;
	}
	heap_iter_free(&it);
	return n;
}

static void analyze_buf(struct enc *e, struct heap_trace *t, struct heap_analysis *a)
{
	heap_trace_init(t);
	heap_trace_parse(t, (const uint8_t *)e->out.buf, e->out.len, false);
	heap_analyze(t, a);
}

static const struct heap_cost *cost(const struct heap_analysis *a, uint32_t st)
{
	for (size_t i = 0; i < a->costs.n; i++)
		if (a->costs.v[i].stack == st)
			return &a->costs.v[i];
	return NULL;
}

static void basic_stacks(struct enc *e)
{
	stack(e, 1, 0, 0x1000);
	stack(e, 2, 0, 0x2000);
	stack(e, 3, 1, 0x3000);
}

static void test_temporary(void)
{
	struct enc e = ENC_INIT;
	chunk_begin(&e, 0);
	basic_stacks(&e);
	alloc(&e, 1, 100, 0x10, 1);
	dofree(&e, 2, 0x10); /* temporary */
	alloc(&e, 3, 100, 0x20, 1);
	alloc(&e, 4, 50, 0x30, 2);
	dofree(&e, 5, 0x20); /* not: another allocation in between */
	dofree(&e, 6, 0x30); /* not: a free in between */
	dofree(&e, 7, 0x999); /* unknown: ignored */
	alloc(&e, 8, 100, 0x40, 1);
	dofree(&e, 9, 0x999); /* unknown frees don't break a temporary */
	dofree(&e, 10, 0x40); /* temporary */
	chunk_end(&e);
	struct heap_trace t;
	struct heap_analysis a;
	analyze_buf(&e, &t, &a);
	CHECK_INT(replay_count(&t, NULL, 0), 10);
	CHECK_INT(a.allocations, 4);
	CHECK_INT(a.temporary, 2);
	CHECK_INT(cost(&a, 1)->temporary, 2);
	CHECK_INT(cost(&a, 2)->temporary, 0);
	CHECK_INT(a.leaked, 0);
	CHECK_INT(a.unmatched_frees, 2);
	heap_analysis_free(&a);
	heap_trace_free(&t);
	sb_free(&e.out);
}

static void test_temporary_same_site(void)
{
	/* heaptrack compares (size, stack) of the freed block with the last
	 * allocation, not the pointer */
	struct enc e = ENC_INIT;
	chunk_begin(&e, 0);
	basic_stacks(&e);
	alloc(&e, 1, 64, 0x10, 1);
	alloc(&e, 2, 64, 0x20, 1);
	dofree(&e, 3, 0x10);
	chunk_end(&e);
	struct heap_trace t;
	struct heap_analysis a;
	analyze_buf(&e, &t, &a);
	CHECK_INT(a.temporary, 1);
	heap_analysis_free(&a);
	heap_trace_free(&t);
	sb_free(&e.out);
}

static void test_peak_and_leak(void)
{
	struct enc e = ENC_INIT;
	chunk_begin(&e, 0);
	basic_stacks(&e);
	tick(&e, 1, 0, 1000);
	alloc(&e, 2, 100, 0x10, 1);
	alloc(&e, 3, 200, 0x20, 2);
	tick(&e, 4, 10, 3000);
	dofree(&e, 5, 0x10);
	alloc(&e, 6, 50, 0x30, 1);
	alloc(&e, 7, 30, 0x40, 3);
	dofree(&e, 8, 0x20);
	tick(&e, 9, 20, 2000);
	chunk_end(&e);
	struct heap_trace t;
	struct heap_analysis a;
	analyze_buf(&e, &t, &a);
	CHECK_INT(a.peak, 300);
	CHECK_INT(a.peak_seq, 3);
	CHECK_INT(cost(&a, 1)->peak, 100);
	CHECK_INT(cost(&a, 2)->peak, 200);
	CHECK_INT(cost(&a, 3)->peak, 0);
	CHECK_INT(cost(&a, 1)->leaked, 50);
	CHECK_INT(cost(&a, 2)->leaked, 0);
	CHECK_INT(cost(&a, 3)->leaked, 30);
	CHECK_INT(a.leaked, 80);
	CHECK_INT(a.leaked_blocks, 2);
	CHECK_INT(a.peak_rss_kib, 3000);
	CHECK_INT(a.total_ms, 21);
	CHECK_INT(a.timeline.n, 3);
	CHECK_INT(a.timeline.v[1].heap, 300);
	CHECK_INT(a.sizes.n, 4);
	CHECK_INT(a.sizes.v[0].size, 30);
	heap_analysis_free(&a);
	heap_trace_free(&t);
	sb_free(&e.out);
}

static void test_later_peak_replaces(void)
{
	struct enc e = ENC_INIT;
	chunk_begin(&e, 0);
	basic_stacks(&e);
	alloc(&e, 1, 100, 0x10, 1); /* first peak 100: S1=100 */
	dofree(&e, 2, 0x10);
	alloc(&e, 3, 70, 0x20, 2);
	alloc(&e, 4, 70, 0x30, 1); /* peak 140: S1=70 S2=70 */
	dofree(&e, 5, 0x30);
	dofree(&e, 6, 0x20);
	chunk_end(&e);
	struct heap_trace t;
	struct heap_analysis a;
	analyze_buf(&e, &t, &a);
	CHECK_INT(a.peak, 140);
	CHECK_INT(cost(&a, 1)->peak, 70);
	CHECK_INT(cost(&a, 2)->peak, 70);
	CHECK_INT(a.temporary, 2); /* 0x10 and 0x30 */
	heap_analysis_free(&a);
	heap_trace_free(&t);
	sb_free(&e.out);
}

static void test_realloc(void)
{
	struct enc e = ENC_INIT;
	chunk_begin(&e, 0);
	basic_stacks(&e);
	alloc(&e, 1, 100, 0x10, 1);
	re(&e, 2, 0x10, 0x50, 300, 2); /* free(0x10) temporary, alloc 300 */
	re(&e, 3, 0, 0x60, 10, 3);     /* acts as malloc */
	re(&e, 4, 0x60, 0, 20, 3);     /* failed: 0x60 stays */
	re(&e, 5, 0x50, 0, 0, 2);      /* realloc(p, 0): frees */
	chunk_end(&e);
	struct heap_trace t;
	struct heap_analysis a;
	analyze_buf(&e, &t, &a);
	CHECK_INT(a.allocations, 3);
	CHECK_INT(a.temporary, 1);
	CHECK_INT(cost(&a, 1)->temporary, 1);
	CHECK_INT(a.peak, 310);
	CHECK_INT(a.leaked, 10);
	CHECK_INT(a.bytes, 410);
	heap_analysis_free(&a);
	heap_trace_free(&t);
	sb_free(&e.out);
}

static void test_threads_out_of_order(void)
{
	/* infos 1: 100 B, 2: 10 B, 3: 20 B from stack 1; 4: 40 B from stack 2 */
	struct enc e = ENC_INIT;
	chunk_begin(&e, 1); /* thread 1's buffer arrives first */
	stack(&e, 2, 0, 0x2000);
	e.defs = true;
	sb_addc(&e.out, HR_INFO), v(&e, 4), sb_addc(&e.out, HK_MALLOC), v(&e, 40), v(&e, 2);
	alloc_info(&e, 3, 4);
	free_info(&e, 4, 1); /* frees thread 0's block */
	free_info(&e, 6, 4);
	chunk_end(&e);
	chunk_begin(&e, 0);
	stack(&e, 1, 0, 0x1000);
	e.defs = true;
	sb_addc(&e.out, HR_INFO), v(&e, 1), sb_addc(&e.out, HK_MALLOC), v(&e, 100), v(&e, 1);
	sb_addc(&e.out, HR_INFO), v(&e, 2), sb_addc(&e.out, HK_MALLOC), v(&e, 10), v(&e, 1);
	sb_addc(&e.out, HR_INFO), v(&e, 3), sb_addc(&e.out, HK_MALLOC), v(&e, 20), v(&e, 1);
	alloc_info(&e, 1, 1);
	alloc_info(&e, 2, 2);
	alloc_info(&e, 5, 3);
	chunk_end(&e);
	struct heap_trace t;
	struct heap_analysis a;
	analyze_buf(&e, &t, &a);
	uint64_t seqs[16];
	CHECK_INT(replay_count(&t, seqs, 16), 6);
	for (size_t i = 0; i < 6; i++)
		CHECK_INT(seqs[i], i + 1);
	CHECK_INT(a.peak, 150);
	CHECK_INT(cost(&a, 1)->peak, 110);
	CHECK_INT(a.leaked, 30);
	CHECK_INT(a.temporary, 0);
	CHECK_INT(a.unmatched_frees, 0);
	heap_analysis_free(&a);
	heap_trace_free(&t);
	sb_free(&e.out);
}

static void test_many_runs_merge(void)
{
	/* 5 threads, each in several chunks, numbers interleaved round robin:
	 * replay hands them out in global order */
	struct enc e = ENC_INIT;
	chunk_begin(&e, 0);
	stack(&e, 1, 0, 0x1000);
	chunk_end(&e);
	for (int c = 0; c < 4; c++)
		for (uint32_t th = 1; th <= 5; th++) {
			chunk_begin(&e, th);
			for (int i = 0; i < 7; i++)
				alloc(&e, (uint64_t)(c * 35 + i * 5 + (int)th), 8, (uint64_t)(0x1000 + c * 100 + i * 10 + (int)th), 1);
			chunk_end(&e);
		}
	struct heap_trace t;
	struct heap_analysis a;
	analyze_buf(&e, &t, &a);
	uint64_t seqs[200];
	CHECK_INT(replay_count(&t, seqs, 200), 140);
	bool sorted = true;
	for (size_t i = 0; i < 140; i++)
		sorted &= seqs[i] == i + 1;
	CHECK(sorted);
	CHECK_INT(t.runs.n, 5);
	CHECK_INT(a.allocations, 140);
	heap_analysis_free(&a);
	heap_trace_free(&t);
	sb_free(&e.out);
}

static void build_three_chunks(struct enc *e)
{
	for (int c = 0; c < 3; c++) {
		chunk_begin(e, 0);
		if (!c)
			basic_stacks(e);
		for (int i = 0; i < 10; i++)
			alloc(e, (uint64_t)(c * 10 + i + 1), 8, (uint64_t)(0x1000 + c * 100 + i), 1);
		chunk_end(e);
	}
}

/* Offsets where chunks end (a trace cut there reads clean). */
static bool at_chunk_end(const struct enc *e, size_t cut)
{
	const uint8_t *p = (const uint8_t *)e->out.buf;
	for (size_t off = 0; off <= e->out.len;) {
		if (off == cut)
			return true;
		if (off + HEAP_CHUNK_HEADER > e->out.len)
			break;
		off += HEAP_CHUNK_HEADER + (p[off + 4] | (size_t)p[off + 5] << 8);
	}
	return false;
}

static void test_truncated(void)
{
	struct enc e = ENC_INIT;
	build_three_chunks(&e);
	for (size_t cut = 0; cut <= e.out.len; cut++) {
		struct heap_trace t;
		heap_trace_init(&t);
		heap_trace_parse(&t, (const uint8_t *)e.out.buf, cut, false);
		size_t n = replay_count(&t, NULL, 0);
		CHECK(n % 10 == 0);
		CHECK(n <= 30);
		if (cut == e.out.len)
			CHECK_INT(n, 30);
		CHECK(t.truncated == !at_chunk_end(&e, cut));
		CHECK(!t.corrupt);
		heap_trace_free(&t);
	}
	sb_free(&e.out);
}

static void test_corrupt(void)
{
	struct enc e = ENC_INIT;
	build_three_chunks(&e);
	/* chunks 2 and 3 hold events only (no definitions): they are decoded
	 * on replay; break the 4th record of the last one */
	const uint8_t *p = (const uint8_t *)e.out.buf;
	size_t off = 0;
	for (int c = 0; c < 2; c++)
		off += HEAP_CHUNK_HEADER + (p[off + 4] | p[off + 5] << 8);
	CHECK_INT(p[off + 12], 0);
	e.out.buf[off + HEAP_CHUNK_HEADER + 12] = 'Q'; /* 4 bytes an event: 'K', delta, 'A', info */
	struct heap_trace t;
	heap_trace_init(&t);
	heap_trace_parse(&t, p, e.out.len, false);
	CHECK(!t.corrupt);
	CHECK_INT(t.chunks, 3);
	struct heap_iter it;
	struct heap_event ev;
	size_t n = 0;
	heap_iter_init(&it, &t);
	while (heap_iter_next(&it, &ev))
		n++;
	CHECK_INT(n, 23); /* the first three records of the damaged chunk */
	CHECK_INT(it.damaged, 1);
	heap_iter_free(&it);
	heap_trace_free(&t);
	/* the same damage in a chunk with definitions stops the parse there */
	e.out.buf[off + 12] = HEAP_CHUNK_DEFS;
	heap_trace_init(&t);
	heap_trace_parse(&t, p, e.out.len, false);
	CHECK(t.corrupt);
	CHECK_INT(replay_count(&t, NULL, 0), 20);
	CHECK_INT(t.chunks, 2);
	heap_trace_free(&t);
	/* a bad magic stops there too */
	e.out.buf[off] = 'x';
	heap_trace_init(&t);
	heap_trace_parse(&t, p, e.out.len, false);
	CHECK(t.corrupt);
	CHECK_INT(replay_count(&t, NULL, 0), 20);
	heap_trace_free(&t);
	/* header required when reading files */
	heap_trace_init(&t);
	heap_trace_parse(&t, p, e.out.len, true);
	CHECK(t.bad_header);
	heap_trace_free(&t);
	sb_free(&e.out);
}

/* An HR_ERROR record: kind, how, stack, address, info, free stack, size,
 * block, free_how, then the thread's number and name. */
static void error_rec(struct enc *e, uint64_t thread, const char *name)
{
	e->defs = true;
	sb_addc(&e->out, HR_ERROR);
	sb_addc(&e->out, HE_INVALID_FREE);
	sb_addc(&e->out, HK_FREE);
	v(e, 3);
	v(e, 0x5000);
	v(e, 0);
	v(e, 0);
	v(e, 0);
	v(e, 0);
	v(e, HK_FREE);
	v(e, thread);
	str(e, name);
	v(e, thread * 10); /* the order found */
}

/* memcheck's errors carry the thread that found them; a name longer than
 * a thread's (16 bytes) is cut, a record cut short is damage */
static void test_error_threads(void)
{
	struct enc e = ENC_INIT;
	chunk_begin(&e, 1);
	basic_stacks(&e);
	error_rec(&e, 1, "");
	error_rec(&e, 3, "worker-b");
	error_rec(&e, 7, "a-name-far-longer-than-any-thread-has");
	chunk_end(&e);
	struct heap_trace t;
	heap_trace_init(&t);
	heap_trace_parse(&t, (const uint8_t *)e.out.buf, e.out.len, false);
	CHECK(!t.corrupt);
	CHECK_INT(t.errors.n, 3);
	if (t.errors.n == 3) {
		CHECK_INT(t.errors.v[0].thread, 1);
		CHECK_STR(t.errors.v[0].thread_name, "");
		CHECK_INT(t.errors.v[1].thread, 3);
		CHECK_STR(t.errors.v[1].thread_name, "worker-b");
		CHECK_INT(t.errors.v[2].thread, 7);
		CHECK_STR(t.errors.v[2].thread_name, "a-name-far-long");
		CHECK_INT(t.errors.v[2].where, 3);
		CHECK_INT(t.errors.v[2].order, 70);
	}
	heap_trace_free(&t);
	/* the last record without its order and some of its name's bytes */
	e.out.len -= 6;
	e.out.buf[e.out.len] = 0;
	chunk_end(&e);
	heap_trace_init(&t);
	heap_trace_parse(&t, (const uint8_t *)e.out.buf, e.out.len, false);
	CHECK(t.corrupt);
	CHECK_INT(t.errors.n, 2);
	heap_trace_free(&t);
	sb_free(&e.out);
}

/* An HR_FATAL record: signal, si_code (zigzag), address, stack, flags,
 * the page the stack could not grow to, the stack limit, the thread. */
static void fatal_rec(struct enc *e, uint64_t signo, int64_t code, const char *name)
{
	e->defs = true;
	sb_addc(&e->out, HR_FATAL);
	v(e, signo);
	v(e, ((uint64_t)code << 1) ^ (uint64_t)(code >> 63));
	v(e, 0xdeadbeef);
	v(e, 3);
	sb_addc(&e->out, HF_CORE);
	v(e, 0x7ffd0000);
	v(e, 8 << 20);
	v(e, 2);
	str(e, name);
}

/* The fatal signal's record, a negative si_code (a signal a process sent)
 * among them; errors and fatal records between events in one chunk do not
 * stop the replay (it steps over definitions: HR_ERROR ends with a varint
 * after its string). */
static void test_fatal_record(void)
{
	struct enc e = ENC_INIT;
	chunk_begin(&e, 1);
	basic_stacks(&e);
	alloc(&e, 1, 10, 0x100, 1);
	error_rec(&e, 1, "w");
	fatal_rec(&e, 6, -6, "");
	alloc(&e, 2, 20, 0x200, 2);
	fatal_rec(&e, 11, 1, "crasher");
	alloc(&e, 3, 30, 0x300, 3);
	chunk_end(&e);
	struct heap_trace t;
	heap_trace_init(&t);
	heap_trace_parse(&t, (const uint8_t *)e.out.buf, e.out.len, false);
	CHECK(!t.corrupt);
	CHECK(t.have_fatal);
	CHECK_INT(t.fatal.signo, 11);
	CHECK_INT(t.fatal.code, 1);
	CHECK_INT(t.fatal.addr, 0xdeadbeef);
	CHECK_INT(t.fatal.where, 3);
	CHECK_INT(t.fatal.flags, HF_CORE);
	CHECK_INT(t.fatal.grow_to, 0x7ffd0000);
	CHECK_INT(t.fatal.stack_limit, 8 << 20);
	CHECK_INT(t.fatal.thread, 2);
	CHECK_STR(t.fatal.thread_name, "crasher");
	CHECK_INT(replay_count(&t, NULL, 0), 3);
	heap_trace_free(&t);
	/* the first one, alone: a negative code */
	struct enc e2 = ENC_INIT;
	chunk_begin(&e2, 1);
	fatal_rec(&e2, 6, -6, "");
	chunk_end(&e2);
	heap_trace_init(&t);
	heap_trace_parse(&t, (const uint8_t *)e2.out.buf, e2.out.len, false);
	CHECK(!t.corrupt && t.have_fatal);
	CHECK_INT(t.fatal.code, -6);
	CHECK_STR(t.fatal.thread_name, "");
	heap_trace_free(&t);
	sb_free(&e.out);
	sb_free(&e2.out);
}

static void test_file_roundtrip(void)
{
	struct enc e = ENC_INIT;
	build_three_chunks(&e);
	char path[] = "/tmp/sonde-heap-test-XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	close(fd);
	struct heap_writer *w = heap_writer_open(path, 1);
	CHECK(w);
	heap_writer_command(w, "./prog arg");
	/* feed in odd pieces */
	for (size_t off = 0; off < e.out.len; off += 7)
		heap_writer_add(w, e.out.buf + off, e.out.len - off < 7 ? e.out.len - off : 7);
	heap_writer_summary(w, 3 << 8, 1234567890ull);
	CHECK_INT(heap_writer_close(w), 0);
	struct heap_trace t;
	heap_trace_init(&t);
	CHECK_INT(heap_trace_read_file(&t, path, true), 0);
	CHECK_INT(replay_count(&t, NULL, 0), 30);
	CHECK(t.have_summary);
	CHECK_INT(t.wait_status, 3 << 8);
	CHECK_INT(t.wall_ns, 1234567890ull);
	CHECK_STR(heap_trace_cmdline(&t), "./prog arg");
	CHECK(!t.truncated && !t.corrupt);
	heap_trace_free(&t);

	/* cut the compressed file in half: still readable, flagged */
	FILE *f = fopen(path, "rb");
	CHECK(f);
	char buf[1 << 16];
	size_t n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	f = fopen(path, "wb");
	fwrite(buf, 1, n / 2, f);
	fclose(f);
	heap_trace_init(&t);
	int rc = heap_trace_read_file(&t, path, true);
	CHECK(rc == 0 || t.bad_header || t.truncated);
	CHECK(replay_count(&t, NULL, 0) <= 30);
	heap_trace_free(&t);
	unlink(path);
	sb_free(&e.out);
}

static void test_format_bytes(void)
{
	char b[32];
	heap_format_bytes(b, sizeof(b), 1000);
	CHECK_STR(b, "1000B");
	heap_format_bytes(b, sizeof(b), 49000);
	CHECK_STR(b, "49.00K");
	heap_format_bytes(b, sizeof(b), 2097152);
	CHECK_STR(b, "2.10M");
	heap_format_bytes(b, sizeof(b), 1001);
	CHECK_STR(b, "1.00K");
}

/* ---- module build-ids (trace version 3) ---- */

/* A stream of protocol `version`: HR_HELLO, then one HR_MODULE in a chunk
 * of its own; version 3 adds the module's build-id. */
static void module_stream(struct enc *e, uint64_t version, bool header)
{
	if (header) {
		sb_adds(&e->out, HEAP_TRACE_MAGIC);
		put_u32le(&e->out, (uint32_t)(version < 3 ? 2 : version));
		put_u32le(&e->out, 0);
	}
	chunk_begin(e, 0);
	e->defs = true;
	sb_addc(&e->out, HR_HELLO);
	v(e, version), v(e, 42), v(e, 1), v(e, 0);
	str(e, "/x/prog");
	chunk_end(e);
	chunk_begin(e, 0);
	e->defs = true;
	sb_addc(&e->out, HR_MODULE);
	v(e, 0x1000);
	str(e, "/x/prog");
	v(e, 1), v(e, 0), v(e, 0x2000), v(e, 5);
	if (version >= 3)
		str(e, "\x12\x34\x56\x78");
	chunk_end(e);
}

static void test_module_build_ids(void)
{
	struct enc e = ENC_INIT;
	module_stream(&e, 3, true);
	struct heap_trace t;
	heap_trace_init(&t);
	heap_trace_parse(&t, (const uint8_t *)e.out.buf, e.out.len, true);
	CHECK(!t.bad_header && !t.corrupt);
	CHECK_INT(t.modules.n, 1);
	CHECK_INT(t.modules.v[0].build_id_len, 4);
	CHECK_INT(t.modules.v[0].build_id[3], 0x78);
	heap_trace_free(&t);

	/* what the recorder lists for the build-id cache, chunk by chunk */
	struct buildid_list l = { 0 };
	uint64_t version = 0;
	for (size_t off = HEAP_TRACE_HEADER; off < e.out.len;) {
		const uint8_t *c = (const uint8_t *)e.out.buf + off;
		uint32_t n = (uint32_t)c[4] | (uint32_t)c[5] << 8 | (uint32_t)c[6] << 16 | (uint32_t)c[7] << 24;
		heap_chunk_modules(c + HEAP_CHUNK_HEADER, n, &version, &l);
		off += HEAP_CHUNK_HEADER + n;
	}
	CHECK_INT(version, 3);
	CHECK_INT(l.files.n, 1);
	CHECK_STR(l.files.v[0].path, "/x/prog");
	CHECK_INT(l.files.v[0].len, 4);
	/* chunks of other definitions are not decoded */
	const uint8_t other[] = { HR_STACK, 1, 0, 5, HR_MODULE };
	heap_chunk_modules(other, sizeof(other), &version, &l);
	CHECK_INT(l.files.n, 1);
	buildid_list_free(&l);
	sb_free(&e.out);

	/* a version 2 trace (before build-ids) still reads */
	struct enc old = ENC_INIT;
	module_stream(&old, 2, true);
	heap_trace_init(&t);
	heap_trace_parse(&t, (const uint8_t *)old.out.buf, old.out.len, true);
	CHECK(!t.bad_header && !t.corrupt);
	CHECK_INT(t.modules.n, 1);
	CHECK_INT(t.modules.v[0].build_id_len, 0);
	heap_trace_free(&t);
	sb_free(&old.out);

	/* a newer one is refused with a clear word */
	struct enc newer = ENC_INIT;
	module_stream(&newer, 4, true);
	heap_trace_init(&t);
	heap_trace_parse(&t, (const uint8_t *)newer.out.buf, newer.out.len, true);
	CHECK(t.bad_header);
	CHECK(strstr(t.damage, "update sonde") != NULL);
	heap_trace_free(&t);
	sb_free(&newer.out);
}

/* ---- symbolized report against this very binary ---- */
__attribute__((noinline)) int heap_test_leaf_fn(int x)
{
	return x * 3 + 1;
}

__attribute__((noinline)) int main_like_caller(int x)
{
	return heap_test_leaf_fn(x) + 2;
}

struct self_mod {
	uint64_t bias;
	struct enc *e;
};

static int add_self(struct dl_phdr_info *info, size_t size, void *data)
{
	struct self_mod *m = data;
	if (info->dlpi_name && info->dlpi_name[0])
		return 0; /* the main program has an empty name */
	int nload = 0;
	for (int i = 0; i < info->dlpi_phnum; i++)
		nload += info->dlpi_phdr[i].p_type == PT_LOAD;
	m->e->defs = true;
	sb_addc(&m->e->out, HR_MODULE);
	v(m->e, info->dlpi_addr);
	str(m->e, "");
	v(m->e, (uint64_t)nload);
	for (int i = 0; i < info->dlpi_phnum; i++)
		if (info->dlpi_phdr[i].p_type == PT_LOAD) {
			v(m->e, info->dlpi_phdr[i].p_vaddr);
			v(m->e, info->dlpi_phdr[i].p_memsz);
			v(m->e, info->dlpi_phdr[i].p_flags);
		}
	m->bias = info->dlpi_addr;
	return 1;
}

static void test_report_symbolized(void)
{
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	CHECK(n > 0);
	exe[n] = 0;
	struct enc e = ENC_INIT;
	chunk_begin(&e, 0);
	e.defs = true;
	sb_addc(&e.out, HR_HELLO);
	v(&e, 1);
	v(&e, 1234);
	v(&e, 1);
	v(&e, 0);
	str(&e, exe);
	struct self_mod m = { 0, &e };
	dl_iterate_phdr(add_self, &m);
	/* return addresses: the runtime sends them as-is, sonde looks up ip-1 */
	stack(&e, 1, 0, (uint64_t)(uintptr_t)main_like_caller + 5);
	stack(&e, 2, 1, (uint64_t)(uintptr_t)heap_test_leaf_fn + 5);
	for (int i = 0; i < 5; i++)
		alloc(&e, (uint64_t)i + 1, 100, 0x100 + (uint64_t)i, 2);
	dofree(&e, 6, 0x104);
	chunk_end(&e);
	struct heap_trace t;
	struct heap_analysis a;
	analyze_buf(&e, &t, &a);
	struct heap_view *view = heap_view_new(&t, &a, false);
	struct heap_report_opts o;
	heap_report_opts_init(&o);
	o.print_leaks = true;
	o.label = "x.zst";
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	heap_report_print(out, view, &o);
	fclose(out);
	CHECK(strstr(text, "reading file \"x.zst\""));
	CHECK(strstr(text, "MOST CALLS TO ALLOCATION FUNCTIONS\n5 calls to allocation functions with 500B peak consumption from\nheap_test_leaf_fn\n"));
	CHECK(strstr(text, "5 calls with 500B peak consumption from:\n    main_like_caller\n"));
	CHECK(strstr(text, "MEMORY LEAKS\n400B leaked over 5 calls from\n"));
	CHECK(strstr(text, "MOST TEMPORARY ALLOCATIONS\n1 temporary allocations of 5 allocations in total (20.00%) from\n"));
	CHECK(strstr(text, "calls to allocation functions: 5 ("));
	CHECK(strstr(text, "temporary memory allocations: 1 ("));
	CHECK(strstr(text, "peak heap memory consumption: 500B\n"));
	CHECK(strstr(text, "total memory leaked: 400B\n"));
	free(text);
	text = NULL;
	out = open_memstream(&text, &len);
	heap_report_folded(out, view, HC_LEAKED);
	fclose(out);
	CHECK_STR(text, "main_like_caller;heap_test_leaf_fn 400\n");
	free(text);
	text = NULL;
	out = open_memstream(&text, &len);
	CHECK_INT(heap_report_massif(out, view, "./x", 1.0), 0);
	fclose(out);
	CHECK(strstr(text, "heap_tree=peak\nn1: 500 (heap allocation functions)"));
	CHECK(strstr(text, " n1: 500 0x"));
	free(text);
	heap_view_free(view);
	heap_analysis_free(&a);
	heap_trace_free(&t);
	sb_free(&e.out);
}

int main(void)
{
	RUN(test_temporary);
	RUN(test_temporary_same_site);
	RUN(test_peak_and_leak);
	RUN(test_later_peak_replaces);
	RUN(test_realloc);
	RUN(test_threads_out_of_order);
	RUN(test_many_runs_merge);
	RUN(test_truncated);
	RUN(test_corrupt);
	RUN(test_error_threads);
	RUN(test_fatal_record);
	RUN(test_file_roundtrip);
	RUN(test_format_bytes);
	RUN(test_report_symbolized);
	RUN(test_module_build_ids);
	UNIT_EXIT();
}
