/* Whether a heap trace covers the whole run (src/heap/trace_end.c): what
 * the runtime's own chunks say of its end, the verdict, the statement. */
#include <signal.h>
#include <stdint.h>
#include <string.h>

#include "heap_protocol.h"
#include "heap/trace.h"
#include "heap/trace_end.h"
#include "unit.h"
#include "util/strbuf.h"

static void v(struct strbuf *sb, uint64_t x)
{
	uint8_t b[10];
	sb_add(sb, b, varint_put(b, x));
}

static void hello(struct strbuf *sb)
{
	sb_addc(sb, HR_HELLO);
	v(sb, HEAP_PROTOCOL_VERSION);
	v(sb, 1234); /* pid, ppid, start */
	v(sb, 1);
	v(sb, 99);
	v(sb, 4);
	sb_adds(sb, "/app");
}

static void timer(struct strbuf *sb, uint64_t ms)
{
	sb_addc(sb, HR_KEY);
	v(sb, 7);
	sb_addc(sb, HR_TIME);
	v(sb, ms);
	v(sb, 2048);
}

static void lost(struct strbuf *sb, uint64_t ms)
{
	sb_addc(sb, HR_LOST);
	sb_addc(sb, HLOST_NOMEM);
	v(sb, ms);
	v(sb, 786432); /* 768 KiB asked for */
	v(sb, 12);     /* ENOMEM */
	v(sb, 256ull << 20);
	v(sb, 0);
}

/* A trace: the file header, one runtime chunk (thread 0, definitions)
 * holding payload, then sonde's summary. */
static void trace_of(struct heap_trace *t, const struct strbuf *payload, int wait_status, uint64_t wall_ms)
{
	struct strbuf sb = STRBUF_INIT;
	uint8_t h[16] = "SONDEHP1";
	h[8] = HEAP_TRACE_VERSION;
	sb_add(&sb, h, 16);
	uint8_t ch[16] = { 0 };
	uint32_t words[4] = { HEAP_CHUNK_MAGIC, (uint32_t)payload->len, 0, HEAP_CHUNK_DEFS };
	for (int i = 0; i < 16; i++)
		ch[i] = (uint8_t)(words[i / 4] >> (8 * (i % 4)));
	sb_add(&sb, ch, 16);
	sb_add(&sb, payload->buf, payload->len);
	struct strbuf z = STRBUF_INIT;
	sb_addc(&z, HR_SONDE_SUMMARY);
	v(&z, (uint32_t)wait_status);
	v(&z, wall_ms * 1000000);
	uint32_t zw[4] = { HEAP_CHUNK_MAGIC, (uint32_t)z.len, HEAP_SONDE_THREAD, 0 };
	for (int i = 0; i < 16; i++)
		ch[i] = (uint8_t)(zw[i / 4] >> (8 * (i % 4)));
	sb_add(&sb, ch, 16);
	sb_add(&sb, z.buf, z.len);
	heap_trace_init(t);
	heap_trace_parse(t, (const uint8_t *)sb.buf, sb.len, true);
	sb_free(&z);
	sb_free(&sb);
}

/* sonde heap's view: the runtime's chunks as they pass */
static void test_chunk_facts(void)
{
	struct strbuf sb = STRBUF_INIT;
	hello(&sb);
	timer(&sb, 10);
	timer(&sb, 20);
	struct heap_end_facts f = { 0 };
	heap_end_facts_chunk(&f, (const uint8_t *)sb.buf, sb.len);
	CHECK(f.hello && !f.exit && !f.lost);
	CHECK_INT(f.last_ms, 20);
	sb.len = 0;
	lost(&sb, 15);
	sb_addc(&sb, HR_KEY);
	v(&sb, 1);
	sb_addc(&sb, HR_EXIT);
	v(&sb, HX_EXIT);
	v(&sb, 0);
	v(&sb, 4096);
	heap_end_facts_chunk(&f, (const uint8_t *)sb.buf, sb.len);
	CHECK(f.exit && f.lost);
	CHECK_INT(f.lost_rec.ms, 15);
	CHECK_INT(f.lost_rec.bytes, 786432);
	CHECK_INT(f.lost_rec.as, 256ull << 20);
	sb_free(&sb);
}

static void test_judge(void)
{
	struct heap_end_facts f = { .hello = true, .summary = true, .last_ms = 100, .wall_ns = 105000000 };
	CHECK_INT(heap_end_judge(&f), HEAP_CUT_NO_END); /* ended with the stream, without its end */
	f.wall_ns = 700000000;
	CHECK_INT(heap_end_judge(&f), HEAP_CUT_STOPPED); /* the program ran on without it */
	f.wait_status = SIGKILL;
	CHECK_INT(heap_end_judge(&f), HEAP_CUT_KILLED);
	f.exit = true; /* the runtime's handler wrote its end: complete */
	CHECK_INT(heap_end_judge(&f), HEAP_CUT_NONE);
	f.lost = true;
	CHECK_INT(heap_end_judge(&f), HEAP_CUT_NOMEM);
	f = (struct heap_end_facts){ .hello = true, .last_ms = 100 }; /* sonde was stopped: the damage says it */
	CHECK_INT(heap_end_judge(&f), HEAP_CUT_NONE);
	f = (struct heap_end_facts){ .summary = true }; /* no runtime in the program */
	CHECK_INT(heap_end_judge(&f), HEAP_CUT_NONE);
}

static void test_trace_killed(void)
{
	struct strbuf sb = STRBUF_INIT;
	hello(&sb);
	timer(&sb, 1550);
	struct heap_trace t;
	trace_of(&t, &sb, SIGKILL, 1560);
	struct heap_end_facts f;
	heap_end_facts_of(&t, &f);
	enum heap_cut cut = heap_end_judge(&f);
	char *trace = heap_end_text(&f, cut, "./app", HEAP_END_TRACE);
	char *check = heap_end_text(&f, cut, "./app", HEAP_END_CHECK);
	char *brief = heap_end_short(&f, cut);
	heap_trace_free(&t);
	sb_free(&sb);
	CHECK_INT(cut, HEAP_CUT_KILLED);
	CHECK_STR(trace, "'./app' was killed by SIGKILL 1.56 s into the run: the trace holds its calls until a few "
			 "ms before, and blocks still live then show as leaked");
	CHECK_STR(check, "'./app' was killed by SIGKILL 1.56 s into the run: the leak check could not run");
	CHECK_STR(brief, "the program was killed by SIGKILL");
	free(trace);
	free(check);
	free(brief);
	f.oom_kills = true; /* the kernel's count of OOM kills grew during the run */
	check = heap_end_text(&f, cut, "./app", HEAP_END_CHECK);
	CHECK_STR(check, "'./app' was killed by SIGKILL 1.56 s into the run, by the kernel's out-of-memory killer it "
			 "seems (give it more memory): the leak check could not run");
	free(check);
}

static void test_trace_lost(void)
{
	struct strbuf sb = STRBUF_INIT;
	hello(&sb);
	timer(&sb, 70);
	lost(&sb, 75);
	struct heap_trace t;
	trace_of(&t, &sb, 0, 300);
	struct heap_end_facts f;
	heap_end_facts_of(&t, &f);
	bool damaged = t.corrupt || t.truncated;
	heap_trace_free(&t);
	sb_free(&sb);
	CHECK(!damaged);
	CHECK_INT(heap_end_judge(&f), HEAP_CUT_NOMEM);
	char *s = heap_end_text(&f, HEAP_CUT_NOMEM, "./app", HEAP_END_TRACE);
	CHECK_STR(s, "the heap runtime ran out of memory 75 ms into the run of './app' (768 KiB more failed: Cannot "
		     "allocate memory under its RLIMIT_AS of 256 MiB): calls after that are missing from the trace "
		     "and leaks are unknown; give the program more memory");
	free(s);
	/* the replay steps over it too */
	sb.len = 0;
	lost(&sb, 1);
	const uint8_t *p = (const uint8_t *)sb.buf + 1, *end = (const uint8_t *)sb.buf + sb.len;
	CHECK(heap_skip_def(&p, end, HR_LOST, HEAP_PROTOCOL_VERSION) && p == end);
	sb_free(&sb);
}

static void test_trace_stopped(void)
{
	struct strbuf sb = STRBUF_INIT;
	hello(&sb);
	timer(&sb, 102);
	struct heap_trace t;
	trace_of(&t, &sb, 0, 705);
	struct heap_end_facts f;
	heap_end_facts_of(&t, &f);
	heap_trace_free(&t);
	sb_free(&sb);
	char *s = heap_end_text(&f, heap_end_judge(&f), "./app", HEAP_END_CHECK);
	CHECK_STR(s, "'./app' took the heap runtime's descriptor away 102 ms into its 705 ms run (a raw close or dup2 "
		     "system call?): calls after that went unchecked and the leak check could not run; close "
		     "descriptors through the C library, which spares sonde's");
	free(s);
}

int main(void)
{
	RUN(test_chunk_facts);
	RUN(test_judge);
	RUN(test_trace_killed);
	RUN(test_trace_lost);
	RUN(test_trace_stopped);
	UNIT_EXIT();
}
