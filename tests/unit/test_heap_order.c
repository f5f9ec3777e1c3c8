/* The order heap replay gives the events of several threads, against a
 * sequential oracle.
 *
 * A random program of several threads runs in one true order: allocations
 * from a shared pool of addresses (freed addresses come back first, to
 * whichever thread allocates next), frees and reallocs of any thread's
 * blocks, each event at a clock tick of its own. Each event is keyed the
 * way the runtime keys it (rt_key.h: the time base or the clock, then the
 * real live map, runtime/base/rt_ptrmap.c, with rt_multi set), written into its
 * thread's buffer, and buffers are cut into chunks at random points; the
 * trace holds the chunks in a random arrival order that keeps each
 * thread's own order. The replayed order must be the true one, so peak,
 * leaked, temporary, allocations and frees equal the oracle's, also after
 * heap_trace_compact. A second program lets events of different
 * threads share clock ticks (their hooks overlapped, either order is
 * true): a free must still come after its allocation and an address's
 * new block after the old one's free. Programs take turns between threads
 * every event or in long turns, and time steps are short or long, so keys
 * come from the time base (one thread alone in a step) as well as from
 * the clock. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rt.h"
#include "rt_ptrmap_layout.h"
#include "heap_protocol.h"
#include "rt_key.h"
#include "unit.h"

#include "rt_test_stubs.h"

#include "heap/analysis.h"
#include "heap/trace.h"
#include "util/strbuf.h"

static uint64_t rng = 0x2545f4914f6cdd1dull;
/* ORDER_SEED=N runs other programs than the suite's (to hunt a failure). */
static void seed_from_env(void)
{
	const char *s = getenv("ORDER_SEED");
	if (s)
		rng ^= strtoull(s, NULL, 10) * 0x9e3779b97f4a7c15ull;
}

static uint64_t rnd(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

enum { MAXT = 6, MAXE = 6000, MAXB = 6000 };

enum ev_kind { E_ALLOC, E_FREE, E_REALLOC };

/* One event of the true order. */
struct ev {
	int thread; /* 1..nthreads */
	enum ev_kind kind;
	uint32_t info, old_info; /* new block, freed block (realloc: both) */
	int block, old_block;    /* block ids, for the order checks */
	uint64_t addr, old_addr;
	uint64_t key;      /* the event's (realloc: its allocation's) */
	uint64_t free_key; /* realloc: its free's (when above, sent as a free and an allocation) */
};

struct program {
	int nthreads;
	size_t n;
	struct ev ev[MAXE];
	uint32_t ninfo;
	uint64_t info_size[MAXB + 1];
	uint32_t info_stack[MAXB + 1];
	int info_block[MAXB + 1]; /* unique infos: the block each names */
};

/* The oracle: heaptrack's figures over the true order. */
struct figures {
	uint64_t allocations, temporary, frees;
	int64_t peak, leaked;
};

static struct figures oracle(const struct program *p)
{
	struct figures f = { 0 };
	int64_t cur = 0;
	uint32_t last = 0; /* the info of the last allocation, 0 after a free */
	for (size_t i = 0; i < p->n; i++) {
		const struct ev *e = &p->ev[i];
		if (e->kind != E_ALLOC && e->old_info) {
			cur -= (int64_t)p->info_size[e->old_info];
			f.frees++;
			if (last && p->info_size[last] == p->info_size[e->old_info] &&
			    p->info_stack[last] == p->info_stack[e->old_info])
				f.temporary++;
			last = 0;
		}
		if (e->kind != E_FREE) {
			cur += (int64_t)p->info_size[e->info];
			f.allocations++;
			last = e->info;
			if (cur > f.peak)
				f.peak = cur;
		}
	}
	f.leaked = cur;
	return f;
}

/* A random program. unique: every block gets an info of its own (the
 * replay then names blocks); else infos are shared (few sizes and stacks,
 * as real programs: temporaries are counted across blocks). stay: the
 * percent chance that the next event is the same thread's (long turns:
 * time steps where one thread alone has events, keyed by the base). */
static void make_program(struct program *p, int nthreads, size_t n, bool unique, unsigned stay)
{
	memset(p, 0, sizeof(*p));
	p->nthreads = nthreads;
	static uint64_t live_addr[MAXB];
	static int live_block[MAXB], live_owner[MAXB];
	static uint32_t live_info[MAXB];
	static uint64_t pool[MAXB];
	size_t nlive = 0, npool = 0;
	uint64_t next_addr = 0x7f0000001000ull;
	int nblocks = 0;
	for (size_t i = 0; i < n; i++) {
		struct ev *e = &p->ev[p->n++];
		e->thread = i && rnd() % 100 < stay ? e[-1].thread : 1 + (int)(rnd() % (uint64_t)nthreads);
		unsigned r = (unsigned)(rnd() % 100);
		e->kind = nlive == 0 || (r < 50 && nlive < MAXB / 2) ? E_ALLOC : r < 85 ? E_FREE : E_REALLOC;
		if (e->kind != E_ALLOC) {
			size_t j = (size_t)(rnd() % nlive);
			/* mostly its own blocks; a third of the time another thread's */
			if (rnd() % 3)
				for (size_t k = 0; k < nlive; k++)
					if (live_owner[(j + k) % nlive] == e->thread) {
						j = (j + k) % nlive;
						break;
					}
			e->old_addr = live_addr[j];
			e->old_info = live_info[j];
			e->old_block = live_block[j];
			pool[npool++] = live_addr[j];
			nlive--;
			live_addr[j] = live_addr[nlive];
			live_info[j] = live_info[nlive];
			live_block[j] = live_block[nlive];
			live_owner[j] = live_owner[nlive];
		}
		if (e->kind != E_FREE) {
			/* a freed address comes back first (most recent first), often to
			 * another thread; the one just freed by a realloc is skipped, as
			 * the runtime's realloc always moves in the tests' terms */
			if (npool && rnd() % 4 && !(e->kind == E_REALLOC && npool == 1)) {
				size_t j = e->kind == E_REALLOC ? npool - 2 : npool - 1;
				if (rnd() % 2)
					j = (size_t)(rnd() % (npool - (e->kind == E_REALLOC ? 1u : 0u)));
				e->addr = pool[j];
				pool[j] = pool[--npool];
			} else {
				e->addr = next_addr;
				next_addr += 16 * (1 + rnd() % 64);
			}
			e->block = ++nblocks;
			uint64_t size = 16 * (1 + rnd() % (unique ? 4096 : 6));
			uint32_t stack = (uint32_t)(1 + (unique ? (uint64_t)(nblocks % 7) : rnd() % 3));
			uint32_t info = 0;
			if (!unique)
				for (uint32_t k = 1; k <= p->ninfo; k++)
					if (p->info_size[k] == size && p->info_stack[k] == stack)
						info = k;
			if (!info) {
				info = ++p->ninfo;
				p->info_size[info] = size;
				p->info_stack[info] = stack;
				p->info_block[info] = e->block;
			}
			e->info = info;
			live_addr[nlive] = e->addr;
			live_info[nlive] = info;
			live_block[nlive] = e->block;
			live_owner[nlive] = e->thread;
			nlive++;
		}
	}
}

static int reset_map(void)
{
	for (int i = 0; i < STRIPES; i++) {
		if (rt_ptrmap_stripes[i].s)
			rt_unmap(rt_ptrmap_stripes[i].s, rt_ptrmap_stripes[i].cap * sizeof(struct slot));
		memset(&rt_ptrmap_stripes[i], 0, sizeof(rt_ptrmap_stripes[i]));
	}
	return 0;
}

/* Keys as the runtime gives them (heap_ops.c's key_floor): time steps of
 * `step` ticks, each with its time base (the tick the timer read) and the
 * timer's rt_key_step; each event asks rt_key_need_clock and takes a clock
 * key (rt_key_clock_at its tick) or the base; then the live map (a free:
 * take, as heap_ops.c's take_block; an allocation: put, with a realloc's free
 * key as its floor, as rec_block). */
static void assign_keys(struct program *p, bool ties, uint64_t step)
{
	reset_map();
	rt_multi = 1;
	_Atomic uint64_t word = RT_KEY_WORD_INIT;
	uint64_t clock[MAXT + 1] = { 0 }, seen[MAXT + 1] = { 0 }, tick = 1000, base = tick, next_step = tick + step;
	for (size_t i = 0; i < p->n; i++) {
		struct ev *e = &p->ev[i];
		/* ties: the next event of another thread may share this tick */
		if (!ties || i == 0 || p->ev[i - 1].thread == e->thread || rnd() % 2)
			tick += 1 + rnd() % 3;
		while (tick >= next_step) { /* the timer: a new base, then the step */
			base = next_step;
			rt_key_step(&word);
			next_step += step;
		}
		uint64_t me = (uint64_t)e->thread;
		uint64_t now = rt_key_need_clock(&word, &seen[me]) ? rt_key_clock_at(tick, base) : rt_key_base(base);
		uint64_t key = rt_key_at(clock[me], now), floor = 0;
		if (e->kind != E_ALLOC) {
			uint32_t got = rt_ptrmap_take(e->old_addr, (uint32_t)me, &key);
			if (got != e->old_info)
				e->old_info = UINT32_MAX; /* the test's own bug: caught below */
			if (key < clock[me])
				key = clock[me];
			floor = e->free_key = key;
		}
		if (e->kind != E_FREE) {
			key = rt_key_at(clock[me], now);
			if (key < floor)
				key = floor;
			rt_ptrmap_put(e->addr, e->info, (uint32_t)me, &key);
		}
		e->key = clock[me] = key;
	}
	rt_multi = 0;
}

/* ---- the trace ---- */

struct chunk {
	int thread;
	struct strbuf b;
};

static void varint(struct strbuf *sb, uint64_t x)
{
	uint8_t b[10];
	sb_add(sb, b, varint_put(b, x));
}

static void u32le(struct strbuf *sb, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
	sb_add(sb, b, 4);
}

static void put_chunk(struct strbuf *out, uint32_t thread, uint32_t flags, const struct strbuf *payload)
{
	u32le(out, HEAP_CHUNK_MAGIC);
	u32le(out, (uint32_t)payload->len);
	u32le(out, thread);
	u32le(out, flags);
	sb_add(out, payload->buf, payload->len);
}

/* The trace file's bytes: header, a definitions chunk, then each thread's
 * events cut into chunks, the chunks of all threads in a random arrival
 * order that keeps each thread's own. */
static void write_trace(const struct program *p, struct strbuf *out)
{
	static struct chunk chunks[MAXE + 8];
	size_t nch = 0;
	sb_reset(out);
	sb_add(out, HEAP_TRACE_MAGIC, 8);
	u32le(out, HEAP_TRACE_VERSION);
	u32le(out, 0);
	struct strbuf defs = STRBUF_INIT;
	/* a version-3 stream: its module records end with a build-id */
	sb_addc(&defs, HR_HELLO);
	varint(&defs, 3);
	varint(&defs, 1234);
	varint(&defs, 1);
	varint(&defs, 0);
	varint(&defs, 6);
	sb_adds(&defs, "/bin/x");
	for (uint32_t s = 1; s <= 8; s++) {
		sb_addc(&defs, HR_STACK);
		varint(&defs, s);
		varint(&defs, 0);
		varint(&defs, 0x1000 * s);
	}
	for (uint32_t i = 1; i <= p->ninfo; i++) {
		sb_addc(&defs, HR_INFO);
		varint(&defs, i);
		sb_addc(&defs, HK_MALLOC);
		varint(&defs, p->info_size[i]);
		varint(&defs, p->info_stack[i]);
	}
	put_chunk(out, 1, HEAP_CHUNK_DEFS, &defs);
	/* the runtime's own chunk: a module and a time sample (an event, so
	 * a chunk replay steps through, definitions and all) */
	sb_reset(&defs);
	sb_addc(&defs, HR_MODULE);
	varint(&defs, 0x555500000000ull);
	varint(&defs, 0);
	varint(&defs, 1);
	varint(&defs, 0);
	varint(&defs, 0x2000);
	varint(&defs, 5);
	varint(&defs, 20);
	sb_add(&defs, "\x12\x34\x56\x78\x9a\xbc\xde\xf0\x12\x34\x56\x78\x9a\xbc\xde\xf0\x12\x34\x56\x78", 20);
	sb_addc(&defs, HR_KEY);
	varint(&defs, 1);
	sb_addc(&defs, HR_TIME);
	varint(&defs, 0);
	varint(&defs, 100);
	put_chunk(out, 0, HEAP_CHUNK_DEFS, &defs);
	sb_free(&defs);
	/* each thread's buffer, cut after 1..40 events */
	for (int th = 1; th <= p->nthreads; th++) {
		struct chunk *c = NULL;
		uint64_t running = 0;
		size_t left = 0;
		for (size_t i = 0; i < p->n; i++) {
			const struct ev *e = &p->ev[i];
			if (e->thread != th)
				continue;
			if (!left) {
				c = &chunks[nch++];
				c->thread = th;
				memset(&c->b, 0, sizeof(c->b));
				running = 0;
				left = 1 + (size_t)(rnd() % 40);
			}
			left--;
			uint64_t first = e->kind == E_REALLOC ? e->free_key : e->key;
			if (first != running) {
				sb_addc(&c->b, HR_KEY);
				varint(&c->b, first - running);
				running = first;
			}
			if (e->kind == E_ALLOC) {
				sb_addc(&c->b, HR_ALLOC);
				varint(&c->b, e->info);
			} else if (e->kind == E_FREE) {
				sb_addc(&c->b, HR_FREE);
				varint(&c->b, e->old_info);
			} else if (e->key > e->free_key) { /* as heap_ops.c's rec_block */
				sb_addc(&c->b, HR_FREE);
				varint(&c->b, e->old_info);
				sb_addc(&c->b, HR_KEY);
				varint(&c->b, e->key - running);
				running = e->key;
				sb_addc(&c->b, HR_ALLOC);
				varint(&c->b, e->info);
			} else {
				sb_addc(&c->b, HR_REALLOC);
				varint(&c->b, e->old_info);
				varint(&c->b, e->info);
			}
		}
	}
	/* arrival: repeatedly the next chunk of a random thread */
	size_t next[MAXT + 1] = { 0 }, done = 0;
	while (done < nch) {
		int th = 1 + (int)(rnd() % (uint64_t)p->nthreads);
		size_t k = next[th];
		while (k < nch && chunks[k].thread != th)
			k++;
		if (k >= nch)
			continue;
		put_chunk(out, (uint32_t)th, 0, &chunks[k].b);
		sb_free(&chunks[k].b);
		chunks[k].thread = 0;
		next[th] = k + 1;
		done++;
	}
}

/* The trace's figures, as `sonde heap report` computes them. */
static struct figures analyze(const struct heap_trace *t)
{
	struct heap_analysis a;
	heap_analyze(t, &a);
	struct figures f = { a.allocations, a.temporary, a.frees, a.peak, a.leaked };
	heap_analysis_free(&a);
	return f;
}

/* The replayed order, as (event index) of the program: with unique infos
 * an allocation names its block; a free the block it frees. */
static size_t replay_blocks(const struct heap_trace *t, int *blocks, int *freed, size_t max)
{
	struct heap_iter it;
	struct heap_event ev;
	size_t n = 0;
	heap_iter_init(&it, t);
	while (heap_iter_next(&it, &ev) && n < max) {
		if (ev.type == HEV_TIME)
			continue;
		blocks[n] = ev.type == HEV_FREE ? 0 : (int)ev.info;
		freed[n] = ev.type == HEV_ALLOC ? 0 : (int)(ev.type == HEV_FREE ? ev.info : ev.info2);
		n++;
	}
	heap_iter_free(&it);
	return n;
}

static bool figures_equal(struct figures a, struct figures b)
{
	return a.allocations == b.allocations && a.temporary == b.temporary && a.frees == b.frees &&
	       a.peak == b.peak && a.leaked == b.leaked;
}

static void print_figures(const char *what, struct figures f)
{
	printf("  %s: allocations %llu frees %llu temporary %llu peak %lld leaked %lld\n", what,
	       (unsigned long long)f.allocations, (unsigned long long)f.frees, (unsigned long long)f.temporary,
	       (long long)f.peak, (long long)f.leaked);
}

/* Parses bytes (as a file, so compaction can rewrite it). */
static int load(struct heap_trace *t, const char *path)
{
	heap_trace_init(t);
	return heap_trace_read_file(t, path, true);
}

static int write_file(const char *path, const struct strbuf *sb)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	size_t w = fwrite(sb->buf, 1, sb->len, f);
	return fclose(f) == 0 && w == sb->len ? 0 : -1;
}

static char tmp_path[256];

static void tmp_init(void)
{
	const char *d = getenv("SONDE_TMP");
	snprintf(tmp_path, sizeof tmp_path, "%s/test_heap_order.%d.trace", d && *d ? d : "/tmp", (int)getpid());
}

/* The program's trace, written to tmp_path (sb: its bytes). */
static int write_program(const struct program *p, struct strbuf *sb)
{
	write_trace(p, sb);
	return write_file(tmp_path, sb);
}

/* The figures of the trace at tmp_path. */
static int figures_of_file(struct figures *f)
{
	struct heap_trace t;
	if (load(&t, tmp_path) < 0)
		return -1;
	*f = analyze(&t);
	heap_trace_free(&t);
	return 0;
}

/* Exact order: events a tick apart at least. Many programs, 2..6 threads,
 * shared and unique infos; the figures after replay and after compaction
 * equal the oracle's. */
static void test_exact_against_oracle(void)
{
	static struct program p;
	struct strbuf sb = STRBUF_INIT;
	int rounds = 60 / SCALE;
	for (int round = 0; round < rounds; round++) {
		int nthreads = 2 + round % 5;
		bool unique = round % 2;
		unsigned stay = round % 3 == 0 ? 0 : round % 3 == 1 ? 90 : 99;
		uint64_t step = round % 4 == 0 ? 10 : round % 4 == 1 ? 100 : round % 4 == 2 ? 1000 : UINT64_MAX / 2;
		make_program(&p, nthreads, 500 + (size_t)(rnd() % (MAXE - 500)), unique, stay);
		assign_keys(&p, false, step);
		for (size_t i = 0; i < p.n; i++)
			CHECK(p.ev[i].old_info != UINT32_MAX);
		struct figures want = oracle(&p), got;
		CHECK(write_program(&p, &sb) == 0);
		CHECK(figures_of_file(&got) == 0);
		if (!figures_equal(got, want)) {
			printf("  round %d, %d threads, %zu events%s\n", round, nthreads, p.n, unique ? ", unique infos" : "");
			print_figures("oracle", want);
			print_figures("replay", got);
		}
		CHECK(figures_equal(got, want));
		CHECK(heap_trace_compact(tmp_path, 1, false) >= 0);
		CHECK(figures_of_file(&got) == 0);
		if (!figures_equal(got, want))
			print_figures("after compaction", got);
		CHECK(figures_equal(got, want));
	}
	unlink(tmp_path);
	sb_free(&sb);
}

/* Ties: events of different threads may share ticks. Each block (unique
 * infos) must still be freed after it was allocated, an address's new
 * block must come after the free of the block it had before, each
 * thread's own order holds, and compaction keeps the replay order as it
 * was, event for event. */
static void test_ties_keep_causality(void)
{
	static struct program p;
	static int blocks[2 * MAXE], freed[2 * MAXE], blocks2[2 * MAXE], freed2[2 * MAXE]; /* reallocs may come as two events */
	static size_t alloc_at[MAXB + 1], free_at[MAXB + 1];
	struct strbuf sb = STRBUF_INIT;
	int rounds = 40 / SCALE;
	for (int round = 0; round < rounds; round++) {
		int nthreads = 2 + round % 5;
		make_program(&p, nthreads, 500 + (size_t)(rnd() % (MAXE - 500)), true, round % 2 ? 95 : 0);
		assign_keys(&p, true, round % 3 ? 50 : 1000);
		CHECK(write_program(&p, &sb) == 0);
		struct heap_trace t;
		CHECK(load(&t, tmp_path) == 0);
		size_t n = replay_blocks(&t, blocks, freed, 2 * MAXE);
		struct figures got = analyze(&t);
		heap_trace_free(&t);
		size_t splits = 0;
		for (size_t i = 0; i < p.n; i++)
			splits += p.ev[i].kind == E_REALLOC && p.ev[i].key > p.ev[i].free_key;
		CHECK_INT(n, p.n + splits);
		memset(alloc_at, 0xff, sizeof alloc_at);
		memset(free_at, 0xff, sizeof free_at);
		for (size_t i = 0; i < n; i++) {
			if (blocks[i])
				alloc_at[p.info_block[blocks[i]]] = i;
			if (freed[i])
				free_at[p.info_block[freed[i]]] = i;
		}
		for (size_t i = 0; i < p.n; i++) {
			const struct ev *e = &p.ev[i];
			if (e->kind != E_ALLOC) /* freed after its allocation */
				CHECK(alloc_at[e->old_block] < free_at[e->old_block]);
			if (e->kind == E_FREE)
				continue;
			/* the block that had this address before is freed first */
			for (size_t j = i; j-- > 0;) {
				const struct ev *d = &p.ev[j];
				if (d->kind != E_ALLOC && d->old_addr == e->addr) {
					if (!(free_at[d->old_block] < alloc_at[e->block]))
						printf("  ev %zu (t%d kind %d key %llu) reuses addr freed by ev %zu (t%d kind %d key %llu): free at %zu alloc at %zu\n", i, e->thread, e->kind, (unsigned long long)e->key, j, d->thread, d->kind, (unsigned long long)d->key, free_at[d->old_block], alloc_at[e->block]);
					CHECK(free_at[d->old_block] < alloc_at[e->block]);
					break;
				}
			}
		}
		/* never more live than allocated, never below zero at the end */
		CHECK(got.leaked >= 0 && got.peak >= got.leaked);
		CHECK(heap_trace_compact(tmp_path, 1, false) >= 0);
		CHECK(load(&t, tmp_path) == 0);
		size_t n2 = replay_blocks(&t, blocks2, freed2, 2 * MAXE);
		heap_trace_free(&t);
		CHECK_INT(n2, n);
		CHECK(!memcmp(blocks, blocks2, n * sizeof(int)) && !memcmp(freed, freed2, n * sizeof(int)));
	}
	unlink(tmp_path);
	sb_free(&sb);
}

/* The barrier program of the e2e fixture, in miniature: 4 threads each
 * allocate 100 blocks, then (after a barrier) free them; with each
 * thread's events in one key per phase (as a coarse clock would give)
 * the peak is whatever the merge happens to take; with the clock it is
 * 400 blocks. */
static void test_barrier_peak(void)
{
	static struct program p;
	memset(&p, 0, sizeof p);
	p.nthreads = 4;
	p.ninfo = 1;
	p.info_size[1] = 10000;
	p.info_stack[1] = 1;
	for (int phase = 0; phase < 2; phase++)
		for (int i = 0; i < 100; i++)
			for (int th = 1; th <= 4; th++) {
				struct ev *e = &p.ev[p.n++];
				e->thread = th;
				e->kind = phase ? E_FREE : E_ALLOC;
				uint64_t addr = 0x7f0000000000ull + (uint64_t)th * (1 << 26) + (uint64_t)i * 10016;
				if (phase) {
					e->old_addr = addr;
					e->old_info = 1;
				} else {
					e->addr = addr;
					e->info = 1;
				}
			}
	assign_keys(&p, false, 50);
	struct figures want = oracle(&p), got;
	CHECK_INT(want.peak, 4000000);
	struct strbuf sb = STRBUF_INIT;
	CHECK(write_program(&p, &sb) == 0);
	CHECK(figures_of_file(&got) == 0);
	CHECK_INT(got.peak, 4000000);
	CHECK_INT(got.leaked, 0);
	unlink(tmp_path);
	sb_free(&sb);
}

static bool file_is(const char *path, const struct strbuf *sb)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return false;
	char *buf = malloc(sb->len + 1);
	size_t n = fread(buf, 1, sb->len + 1, f);
	fclose(f);
	bool same = n == sb->len && !memcmp(buf, sb->buf, n);
	free(buf);
	return same;
}

/* A damaged trace is left as it is: cut inside a chunk, or an event chunk
 * whose records stop decoding part way (replay skips the rest of it). */
static void test_compact_leaves_damage(void)
{
	static struct program p;
	struct strbuf sb = STRBUF_INIT;
	make_program(&p, 3, 600, false, 0);
	assign_keys(&p, false, 100);
	write_trace(&p, &sb);
	sb.len -= 3; /* cut */
	CHECK(write_file(tmp_path, &sb) == 0);
	CHECK_INT(heap_trace_compact(tmp_path, 1, false), 0);
	CHECK(file_is(tmp_path, &sb));
	write_trace(&p, &sb);
	/* the last chunk is a thread's events: a record type no one knows */
	size_t last = sb.len - 4;
	while (last > HEAP_TRACE_HEADER && memcmp(sb.buf + last, "SDHP", 4))
		last--;
	CHECK(last > HEAP_TRACE_HEADER);
	sb.buf[last + HEAP_CHUNK_HEADER] = (char)0xee;
	CHECK(write_file(tmp_path, &sb) == 0);
	CHECK_INT(heap_trace_compact(tmp_path, 1, false), 0);
	CHECK(file_is(tmp_path, &sb));
	unlink(tmp_path);
	sb_free(&sb);
}

/* Only a plain file is rewritten: through a symlink the link stays as it
 * is (not replaced by a file), and the file itself keeps its mode. */
static void test_compact_plain_files_only(void)
{
	static struct program p;
	struct strbuf sb = STRBUF_INIT;
	make_program(&p, 4, 3000, false, 0);
	assign_keys(&p, false, UINT64_MAX / 2);
	CHECK(write_program(&p, &sb) == 0);
	CHECK(chmod(tmp_path, 0640) == 0);
	char link[300];
	snprintf(link, sizeof link, "%s.link", tmp_path);
	unlink(link);
	CHECK(symlink(tmp_path, link) == 0);
	CHECK_INT(heap_trace_compact(link, 1, false), 0);
	struct stat st;
	CHECK(lstat(link, &st) == 0 && S_ISLNK(st.st_mode));
	CHECK(file_is(tmp_path, &sb));
	CHECK_INT(heap_trace_compact(tmp_path, 1, false), 1);
	CHECK(lstat(tmp_path, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 07777) == 0640);
	CHECK(st.st_size < (off_t)sb.len);
	unlink(link);
	unlink(tmp_path);
	sb_free(&sb);
}

int main(void)
{
	tmp_init();
	seed_from_env();
	RUN(test_exact_against_oracle);
	RUN(test_ties_keep_causality);
	RUN(test_barrier_peak);
	RUN(test_compact_leaves_damage);
	RUN(test_compact_plain_files_only);
	UNIT_EXIT();
}
