/* Memcheck mode's slot allocator (runtime/memcheck/mc_slab.c), linked with the
 * runtime stand-ins: size classes (every size gets the smallest class that
 * holds it), slots (aligned, inside the region, never handed out twice while
 * in use), info cells (one per slot start, none elsewhere), the walk over
 * live cells, reuse through the thread caches and the pools, a thread
 * past its exit hook, and 4 threads trading slots. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include "mc_slab.h"
#include "mc_slab_layout.h"
#include "rt.h"
#include "unit.h"

#include "rt_test_stubs.h"

static void test_classes(void)
{
	CHECK(class_size(NCLASS - 1) == MC_SLAB_MAX);
	bool ok = true;
	for (unsigned c = 0; c < NCLASS; c++) {
		ok &= class_size(c) % 16 == 0;
		if (c)
			ok &= class_size(c) > class_size(c - 1);
	}
	CHECK(ok);
	ok = true;
	for (size_t n = 1; n <= MC_SLAB_MAX; n++) {
		unsigned c = class_of(n);
		ok &= c < NCLASS && class_size(c) >= n && (c == 0 || class_size(c - 1) < n);
		if (!ok) {
			CHECK_INT(n, 0);
		}
	}
	CHECK(ok);
	/* at most a quarter wasted above the 16-byte steps */
	CHECK(class_size(class_of(1025)) == 1280 && class_size(class_of(40000)) == 40960);
}

struct seen {
	uint64_t ptr[64];
	uint32_t info[64], age[64];
	size_t n;
};

static void seen_fn(uint64_t ptr, uint32_t info, uint32_t age, void *ctx)
{
	struct seen *s = ctx;
	if (s->n < 64) {
		s->ptr[s->n] = ptr;
		s->info[s->n] = info;
		s->age[s->n] = age;
	}
	s->n++;
}

static void test_slots_and_cells(void)
{
	CHECK(mc_slab_alloc(MC_SLAB_MAX + 1) == NULL);
	enum { N = 40 };
	static const size_t sizes[N] = { 1, 16, 48, 64, 65, 100, 1000, 1024, 1025, 5000, 65536, 33 };
	void *p[N];
	bool ok = true;
	for (int i = 0; i < N; i++) {
		size_t n = sizes[i] ? sizes[i] : (size_t)(i * 97 + 1);
		p[i] = mc_slab_alloc(n);
		uint64_t a = (uint64_t)(uintptr_t)p[i];
		ok &= p[i] && a % 16 == 0 && mc_slab_owns(a) && mc_slab_owns(a + n - 1);
		if (p[i])
			memset(p[i], i + 1, n);
		ok &= mc_slab_cell(a) != NULL && *mc_slab_cell(a) == 0;
		ok &= mc_slab_cell(a + 16) == NULL && mc_slab_cell(a + 8) == NULL;
	}
	CHECK(ok);
	/* no overlap: every block still holds its own bytes */
	for (int i = 0; i < N; i++) {
		size_t n = sizes[i] ? sizes[i] : (size_t)(i * 97 + 1);
		const uint8_t *b = p[i];
		for (size_t k = 0; k < n; k++)
			ok &= b[k] == (uint8_t)(i + 1);
	}
	CHECK(ok);
	CHECK(mc_slab_cell(mc_slab_lo - 64) == NULL);
	CHECK(mc_slab_cell(mc_slab_hi - SPAN) == NULL); /* a span not in use */

	/* cells: the walk sees exactly the slots marked live, offset */
	*mc_slab_cell((uint64_t)(uintptr_t)p[3]) = 7;
	*mc_slab_cell((uint64_t)(uintptr_t)p[10]) = 9;
	mc_slab_cell((uint64_t)(uintptr_t)p[10])[1] = 44; /* the block's age */
	struct seen s = { .n = 0 };
	mc_slab_foreach_live(32, seen_fn, &s);
	CHECK_INT(s.n, 2);
	bool found3 = false, found10 = false;
	for (size_t i = 0; i < s.n && i < 64; i++) {
		found3 |= s.ptr[i] == (uint64_t)(uintptr_t)p[3] + 32 && s.info[i] == 7;
		found10 |= s.ptr[i] == (uint64_t)(uintptr_t)p[10] + 32 && s.info[i] == 9 && s.age[i] == 44;
	}
	CHECK(found3 && found10);
	*mc_slab_cell((uint64_t)(uintptr_t)p[3]) = 0;
	*mc_slab_cell((uint64_t)(uintptr_t)p[10]) = 0;

	/* a freed slot is the next of its class */
	mc_slab_free(p[5]);
	CHECK(mc_slab_alloc(sizes[5]) == p[5]);
	for (int i = 0; i < N; i++)
		mc_slab_free(p[i]);
}

/* Many slots of one class out and back: the second round reuses them
 * (through the cache's spills to the pool and refills), no new spans. */
static void test_reuse(void)
{
	enum { M = 20000 };
	static void *p[M];
	for (int i = 0; i < M; i++)
		p[i] = mc_slab_alloc(200);
	for (int i = 0; i < M; i++)
		mc_slab_free(p[i]);
	uint64_t spans = atomic_load(&mc_slab_next_span);
	for (int i = 0; i < M; i++)
		p[i] = mc_slab_alloc(200);
	CHECK_INT(atomic_load(&mc_slab_next_span), spans);
	bool ok = true;
	for (int i = 0; i < M; i++) {
		ok &= p[i] != NULL;
		mc_slab_free(p[i]);
	}
	CHECK(ok);
}

/* 4 threads take and return slots of random classes (a cell claims a slot:
 * it must be free when handed out), then end (their caches spill). */
static _Atomic unsigned long handed_twice;

static void *trader(void *arg)
{
	uint64_t st = (uint64_t)(uintptr_t)arg * 0x9e3779b97f4a7c15ull + 1;
	enum { W = 512 };
	void *win[W] = { 0 };
	for (int i = 0; i < 200000 / SCALE; i++) {
		st = st * 6364136223846793005ull + 1442695040888963407ull;
		unsigned k = (unsigned)(st >> 33) % W;
		if (win[k]) {
			*mc_slab_cell((uint64_t)(uintptr_t)win[k]) = 0;
			mc_slab_free(win[k]);
		}
		size_t n = 48 + (size_t)(st >> 40) % 3000;
		win[k] = mc_slab_alloc(n);
		if (win[k]) {
			uint32_t *cell = mc_slab_cell((uint64_t)(uintptr_t)win[k]);
			if (!cell || __atomic_exchange_n(cell, 1u, __ATOMIC_RELAXED))
				atomic_fetch_add(&handed_twice, 1);
		}
	}
	for (int k = 0; k < W; k++)
		if (win[k]) {
			*mc_slab_cell((uint64_t)(uintptr_t)win[k]) = 0;
			mc_slab_free(win[k]);
		}
	mc_slab_thread_exit();
	return NULL;
}

/* After its exit hook a thread gets no slots (the C library serves it)
 * and what it frees goes straight to the pool. */
static void *late_frees(void *arg)
{
	void *p = mc_slab_alloc(300);
	mc_slab_thread_exit();
	uint32_t before = mc_slab_pools[class_of(300)].n;
	bool ok = p && mc_slab_alloc(300) == NULL;
	mc_slab_free(p);
	ok &= mc_slab_pools[class_of(300)].n == before + 1;
	*(bool *)arg = ok;
	return NULL;
}

static void test_thread_end(void)
{
	pthread_t t;
	bool ok = false;
	pthread_create(&t, NULL, late_frees, &ok);
	pthread_join(t, NULL);
	CHECK(ok);
}

static void test_threads(void)
{
	pthread_t t[4];
	for (uintptr_t i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, trader, (void *)(i + 1));
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	CHECK_INT(atomic_load(&handed_twice), 0);
	struct seen s = { .n = 0 };
	mc_slab_foreach_live(0, seen_fn, &s);
	CHECK_INT(s.n, 0);
	CHECK(mc_slab_spare != NULL); /* the ended threads' caches wait for reuse */
	mc_slab_after_fork();
	CHECK(mc_slab_alloc(100) != NULL);
}

/* The slot index by multiply equals the division for every offset in a
 * span and every class. */
static void test_recip(void)
{
	bool ok = true;
	for (unsigned c = 0; c < NCLASS && ok; c++)
		for (uint64_t in = 0; in < SPAN; in++)
			if (((in * mc_slab_recip[c]) >> RECIP_SHIFT) != in / class_size(c)) {
				ok = false;
				CHECK_INT(in, c);
			}
	CHECK(ok);
}

static void test_init(void)
{
	CHECK(mc_slab_init());
}

int main(void)
{
	RUN(test_classes);
	RUN(test_init);
	RUN(test_recip);
	RUN(test_slots_and_cells);
	RUN(test_reuse);
	RUN(test_thread_end);
	RUN(test_threads);
	UNIT_EXIT();
}
