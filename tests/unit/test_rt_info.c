/* The heap runtime's allocation infos (runtime/base/rt_info.c), linked here
 * with a stand-in rt_map (plain mmap, failing on demand).
 *
 * One process, one global table: every test interns through check_intern,
 * which keeps a model (triple -> index, index -> triple) of all that was
 * given so far, so indexes must stay dense from 1 across the tests and
 * is_new must come exactly once per triple, whatever cache asks. Caches are
 * struct rt_info_cache values standing for threads; triples differing only
 * in kind always share a cache slot (kind only reaches the hash's low bits),
 * and further same-slot triples are found through the module's key_hash.
 * Then out of memory (white-box: the tables' growth points are read from the
 * module's statics) and 4 threads interning overlapping sets. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/mman.h>

#include "rt.h"
#include "rt_info_layout.h"
#include "unit.h"

#include "rt_test_stubs.h"


/* ---- helpers ---- */

#define CALL(x)                               \
	do {                                  \
		x;                            \
		if (unit_current_failed_)     \
			return;               \
	} while (0)

static uint64_t rng_state = 0x243f6a8885a308d3ull;

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

struct triple {
	uint64_t size;
	uint32_t stack;
	int kind;
};

static int cache_slot(struct triple t)
{
	return (int)((key_hash(t.kind, t.size, t.stack) >> 20) & (RT_INFO_CACHE - 1));
}

/* The model: by index (1..model_n) and a hash table of indexes. */
#define MODEL_BITS 21
#define MODEL_CAP (1u << MODEL_BITS)
#define MODEL_MAX (MODEL_CAP / 2)
static struct triple model_by[MODEL_MAX + 1];
static uint32_t model_tab[MODEL_CAP];
static uint32_t model_n;

static uint64_t model_hash(struct triple t)
{
	uint64_t h = (t.size + 0x632be59bd9b4e019ull) * 0xd6e8feb86659fd93ull;
	h ^= ((uint64_t)t.stack << 8 | (uint8_t)t.kind) * 0xa0761d6478bd642full;
	return h ^ (h >> 29);
}

static bool same(struct triple a, struct triple b)
{
	return a.size == b.size && a.stack == b.stack && a.kind == b.kind;
}

/* The model's slot for t: holding its index, or empty (0). */
static uint32_t *model_slot(struct triple t)
{
	uint64_t j = model_hash(t) & (MODEL_CAP - 1);
	while (model_tab[j] && !same(model_by[model_tab[j]], t))
		j = (j + 1) & (MODEL_CAP - 1);
	return &model_tab[j];
}

static void model_add(struct triple t, uint32_t info)
{
	model_by[info] = t;
	*model_slot(t) = info;
	model_n = info;
}

/* Interns t through c: the model's index if it had one (is_new false),
 * else the next index (is_new true), which the model then records. */
static void check_intern(struct rt_info_cache *c, struct triple t, uint32_t *out)
{
	bool is_new = true;
	uint32_t info = rt_info_intern(c, t.kind, t.size, t.stack, &is_new);
	uint32_t want = *model_slot(t);
	if (want) {
		CHECK_INT(info, want);
		CHECK(!is_new);
	} else {
		CHECK(model_n < MODEL_MAX);
		CHECK_INT(info, model_n + 1);
		CHECK(is_new);
		model_add(t, info);
	}
	if (out)
		*out = info;
}

static void check_get(uint32_t info)
{
	uint64_t size;
	uint32_t stack;
	int kind;
	CHECK(rt_info_get(info, &size, &stack, &kind));
	struct triple t = model_by[info];
	CHECK(size == t.size);
	CHECK_INT(stack, t.stack);
	CHECK_INT(kind, t.kind);
}

static void check_get_unknown(uint32_t info)
{
	uint64_t size;
	uint32_t stack;
	int kind;
	CHECK(!rt_info_get(info, &size, &stack, &kind));
}

/* Every index given agrees with the model; none beyond. */
static void check_all(void)
{
	for (uint32_t i = 1; i <= model_n; i++)
		CALL(check_get(i));
	CALL(check_get_unknown(0));
	CALL(check_get_unknown(model_n + 1));
	CALL(check_get_unknown(model_n + 4096));
	CALL(check_get_unknown(UINT32_MAX));
}

static struct rt_info_cache cache_a, cache_b; /* two threads' caches */

/* ---- tests ---- */

static void test_get_before_any(void)
{
	CALL(check_get_unknown(0));
	CALL(check_get_unknown(1));
	CALL(check_get_unknown(UINT32_MAX));
}

static void test_basic(void)
{
	static const struct triple base = { 48, 7, 1 };
	static const struct triple vary[] = {
		{ 48, 7, 1 }, { 48, 7, 2 }, { 48, 7, 0 }, { 48, 7, 255 }, /* kind alone */
		{ 49, 7, 1 }, { 0, 7, 1 }, { UINT64_MAX, 7, 1 }, { 48ull << 32, 7, 1 }, /* size alone */
		{ 48, 8, 1 }, { 48, 0, 1 }, { 48, UINT32_MAX, 1 }, { 48, 7u << 20, 1 }, /* stack alone */
		{ 0, 0, 0 },
	};
	uint32_t first, again;
	CALL(check_intern(&cache_a, base, &first));
	CHECK_INT(first, 1);
	CALL(check_intern(&cache_a, base, &again));
	CHECK_INT(again, 1);
	size_t n = sizeof(vary) / sizeof(vary[0]);
	for (int round = 0; round < 3; round++) /* new, then cached, then the other cache */
		for (size_t i = 0; i < n; i++)
			CALL(check_intern(round == 2 ? &cache_b : &cache_a, vary[i], NULL));
	CHECK_INT(model_n, n);
	/* the kind-only variants share one cache slot; the cache must tell them apart */
	CHECK_INT(cache_slot(vary[1]), cache_slot(vary[0]));
	for (size_t i = 0; i < 4 * n; i++)
		CALL(check_intern(&cache_a, vary[(i * 7) % 4], NULL));
	CALL(check_all());
}

/* A second cache gets is_new false for what the first created, and what it
 * creates itself is not new to the first. */
static void test_other_cache(void)
{
	struct triple t = { 4096, 1234, 3 }, u = { 4096, 1234, 4 };
	uint32_t a, b;
	CALL(check_intern(&cache_a, t, &a));
	CALL(check_intern(&cache_b, t, &b));
	CHECK_INT(a, b);
	CALL(check_intern(&cache_b, u, &b));
	CALL(check_intern(&cache_a, u, &a));
	CHECK_INT(a, b);
	CHECK(a != 0);
	CALL(check_all());
}

/* Many triples on one cache slot, asked for in turn. */
static void test_slot_collisions(void)
{
	struct triple same_slot[24];
	int n = 0, target = (int)(rnd() & (RT_INFO_CACHE - 1));
	while (n < 24) {
		struct triple t = { rnd() % 100000, (uint32_t)rnd(), (int)(rnd() % 6) };
		if (cache_slot(t) == target)
			same_slot[n++] = t;
	}
	for (int i = 0; i < 24 * 40; i++)
		CALL(check_intern(i % 3 ? &cache_a : &cache_b, same_slot[(i * 5 + i / 24) % 24], NULL));
	CALL(check_all());
}

static struct triple random_triple(void)
{
	struct triple t;
	t.kind = (int)(rnd() % 6);
	t.stack = (uint32_t)(rnd() % 20000);
	switch (rnd() % 4) {
	case 0: t.size = rnd() % 256; break;
	case 1: t.size = (rnd() % 64) << (rnd() % 40); break;
	case 2: t.size = rnd(); break;
	default: t.size = (rnd() % 4096) * 16; break;
	}
	return t;
}

/* ~300k distinct triples (about 300 per cache slot), mixed with look-ups of
 * old ones and immediate repeats, through two caches; several growths. */
static void test_random_model(void)
{
	uint32_t goal = model_n + 300000 / SCALE;
	uint64_t cap0 = rt_info_cap;
	while (model_n < goal) {
		struct rt_info_cache *c = rnd() % 8 ? &cache_a : &cache_b;
		uint64_t r = rnd() % 8;
		struct triple t = r < 2 ? model_by[1 + rnd() % model_n] : random_triple();
		CALL(check_intern(c, t, NULL));
		if (r == 7)
			CALL(check_intern(c, t, NULL));
	}
	CHECK(rt_info_cap >= cap0 * 8); /* at least three growths */
	CHECK(rt_info_n == model_n);
	CALL(check_all());
}

/* Whether interning a new triple must map: the table's load or the
 * by-index chunk for the next index (the module's own tests, read back). */
static int growth_due(void)
{
	return ((rt_info_n + 1) * 2 > rt_info_cap ? 1 : 0) | (!rt_info_chunks[rt_info_next >> CHUNK_BITS] ? 2 : 0);
}

/* With rt_map failing: new triples are given until a table must grow, then
 * 0 with is_new false, nothing given; what another cache holds is still
 * found; once rt_map works again the failed triple gets the next index. Both tables' failure
 * paths are met. */
static void test_oom(void)
{
	int seen = 0;
	uint32_t stack = 0x40000000;
	struct triple known = model_by[model_n];
	CALL(check_intern(&cache_a, known, NULL)); /* cache_a: only known till the end */
	while (seen != 3) {
		atomic_store(&map_fail, 1);
		struct triple t;
		for (;;) {
			t = (struct triple){ 24, stack++, 9 };
			int due = growth_due();
			if (due) {
				seen |= due;
				break;
			}
			CALL(check_intern(&cache_b, t, NULL));
		}
		uint32_t before = model_n;
		for (int i = 0; i < 3; i++) {
			bool is_new = true;
			CHECK_INT(rt_info_intern(&cache_b, t.kind, t.size, t.stack, &is_new), 0);
			CHECK(!is_new);
		}
		CALL(check_intern(&cache_a, known, NULL)); /* in the cache: no map needed */
		CHECK_INT(model_n, before);
		CALL(check_get_unknown(before + 1));
		atomic_store(&map_fail, 0);
		CALL(check_intern(&cache_b, t, NULL));
		CHECK_INT(model_n, before + 1);
	}
	CALL(check_all());
}

/* ---- threads ---- */

#define TH 4
static uint32_t th_n; /* the shared triples: th_triple(0..th_n-1) */
static _Atomic int *th_new;   /* is_new reports per triple */
static uint32_t *th_got[TH]; /* index each thread got per triple (0: not asked) */
static _Atomic int th_go;

static struct triple th_triple(uint32_t i)
{
	return (struct triple){ 16 * (i % 97), 0x80000000u + i / 97, 10 + (int)(i % 3) };
}

static void *th_main(void *arg)
{
	int me = (int)(intptr_t)arg;
	struct rt_info_cache *c = calloc(1, sizeof(*c));
	if (!c)
		return (void *)1;
	uint64_t s = 0x1234567ull * (uint64_t)(me + 1);
	uint32_t lo = (uint32_t)me * th_n / (2 * TH), span = th_n / 2 + th_n / (2 * TH);
	while (!atomic_load(&th_go))
		;
	intptr_t bad = 0;
	for (uint32_t k = 0; k < 3 * span; k++) {
		s = s * 6364136223846793005ull + 1442695040888963407ull;
		uint32_t i = (lo + (uint32_t)(s >> 33) % span) % th_n;
		struct triple t = th_triple(i);
		bool is_new;
		uint32_t info = rt_info_intern(c, t.kind, t.size, t.stack, &is_new);
		if (!info || (th_got[me][i] && th_got[me][i] != info))
			bad = 1;
		/* read back without the lock while the others intern */
		uint64_t size;
		uint32_t stack;
		int kind;
		if (!rt_info_get(info, &size, &stack, &kind) || size != t.size || stack != t.stack || kind != t.kind)
			bad = 1;
		th_got[me][i] = info;
		if (is_new)
			atomic_fetch_add(&th_new[i], 1);
	}
	free(c);
	return (void *)bad;
}

static void test_threads(void)
{
	th_n = 60000 / SCALE;
	th_new = calloc(th_n, sizeof(*th_new));
	CHECK(th_new);
	for (int t = 0; t < TH; t++) {
		th_got[t] = calloc(th_n, sizeof(uint32_t));
		CHECK(th_got[t]);
	}
	uint32_t base = model_n;
	pthread_t tid[TH];
	atomic_store(&rt_multi, 1); /* as the runtime does before a second thread exists */
	for (int t = 0; t < TH; t++)
		CHECK(pthread_create(&tid[t], NULL, th_main, (void *)(intptr_t)t) == 0);
	atomic_store(&th_go, 1);
	int bad = 0;
	for (int t = 0; t < TH; t++) {
		void *r;
		pthread_join(tid[t], &r);
		bad |= r != NULL;
	}
	CHECK(!bad);
	/* every triple asked: one index for all threads, one is_new overall */
	uint32_t asked = 0;
	for (uint32_t i = 0; i < th_n; i++) {
		uint32_t info = 0;
		for (int t = 0; t < TH; t++) {
			uint32_t g = th_got[t][i];
			if (g && info)
				CHECK_INT(g, info);
			if (g)
				info = g;
		}
		if (!info) {
			CHECK_INT(th_new[i], 0);
			continue;
		}
		asked++;
		CHECK_INT(th_new[i], 1);
		CHECK(info > base && info <= base + th_n);
		CHECK(!model_by[info].kind); /* not given twice (kinds here are >= 10) */
		model_add(th_triple(i), info);
	}
	CHECK(asked > th_n / 2);
	model_n = base + asked; /* dense: base+1 .. base+asked each taken once */
	for (uint32_t i = base + 1; i <= model_n; i++)
		CHECK(model_by[i].kind >= 10);
	CALL(check_all());
	/* and looked up afresh they are not new */
	for (uint32_t i = 0; i < th_n; i += 7)
		if (*model_slot(th_triple(i)))
			CALL(check_intern(&cache_b, th_triple(i), NULL));
	CHECK_INT(model_n, base + asked);
	for (int t = 0; t < TH; t++)
		free(th_got[t]);
	free(th_new);
}

int main(void)
{
	RUN(test_get_before_any);
	RUN(test_basic);
	RUN(test_other_cache);
	RUN(test_slot_collisions);
	RUN(test_random_model);
	RUN(test_oom);
	RUN(test_threads);
	UNIT_EXIT();
}
