/* The heap runtime's live-block map (runtime/base/rt_ptrmap.c), linked here
 * with stand-ins for what it takes from the rest of the runtime (rt_map:
 * plain mmap, failing on demand; rt_multi).
 *
 * One process, one map: each test starts from an empty map (drained through
 * the API, then its tables dropped so growth is exercised again). Checked
 * against models kept here: a pool of distinct pointers laid out to meet the
 * map's stripe and home-slot choices (same page, 4 KiB / 64 KiB / 1 MiB /
 * 64 MiB / 8 GiB strides, mmap-chunk-like page+16), each with its model info.
 * Then the event keys (rt.h: a free of a block another thread index put is
 * above every key put on its stripe; once threaded, an allocation is above
 * every other thread's free on its stripe; nothing else bumped), and 4
 * threads with rt_multi set. */
#include <pthread.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/mman.h>

#include "rt.h"
#include "rt_ptrmap_layout.h"
#include "unit.h"

#include "rt_test_stubs.h"

/* ---- helpers ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd_r(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t rnd(void)
{
	return rnd_r(&rng_state);
}

static uint32_t rnd_info(void)
{
	return (uint32_t)(rnd() % 0xfffffffeu) + 1; /* never 0 */
}

static void collect_fn(uint64_t ptr, uint32_t info, uint32_t tag, void *ctx);

struct pairs {
	uint64_t *ptr;
	uint32_t *info, *tag;
	size_t n, cap;
};

static void collect_fn(uint64_t ptr, uint32_t info, uint32_t tag, void *ctx)
{
	struct pairs *p = ctx;
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 1024;
		p->ptr = realloc(p->ptr, p->cap * sizeof *p->ptr);
		p->info = realloc(p->info, p->cap * sizeof *p->info);
		p->tag = realloc(p->tag, p->cap * sizeof *p->tag);
	}
	p->ptr[p->n] = ptr;
	p->tag[p->n] = tag;
	p->info[p->n++] = info;
}

static struct pairs collect(void)
{
	struct pairs p = {0};
	rt_ptrmap_foreach(collect_fn, &p);
	return p;
}

/* Empties the map through the API (returns how many blocks it held, or -1
 * when a take did not return what foreach showed), then drops the tables so
 * the next test grows them from nothing. */
static long reset_map(void)
{
	struct pairs p = collect();
	long bad = 0;
	uint64_t key = 1;
	for (size_t i = 0; i < p.n; i++)
		if (rt_ptrmap_take(p.ptr[i], 0, &key) != p.info[i])
			bad = 1;
	free(p.ptr);
	free(p.info);
	free(p.tag);
	for (size_t k = 0; k < STRIPES; k++) {
		if (rt_ptrmap_stripes[k].n)
			bad = 1;
		if (rt_ptrmap_stripes[k].s)
			rt_unmap(rt_ptrmap_stripes[k].s, rt_ptrmap_stripes[k].cap * sizeof(struct slot));
		memset(&rt_ptrmap_stripes[k], 0, sizeof rt_ptrmap_stripes[k]);
	}
	return bad ? -1 : (long)p.n;
}

/* White-box: every stripe's count is its occupied slots, and each entry
 * sits in its stripe and is reached from its home slot without crossing an
 * empty one (what lock-free races or a wrong shift would break first). */
static int tables_consistent(void)
{
	for (size_t k = 0; k < STRIPES; k++) {
		const struct stripe *st = &rt_ptrmap_stripes[k];
		uint64_t used = 0, mask = st->cap - 1;
		for (uint64_t i = 0; i < st->cap; i++) {
			if (!st->s[i].ptr)
				continue;
			used++;
			if (stripe_of(st->s[i].ptr) != st)
				return 0;
			for (uint64_t j = home(st->s[i].ptr) & mask; j != i; j = (j + 1) & mask)
				if (!st->s[j].ptr)
					return 0;
		}
		if (used != st->n)
			return 0;
	}
	return 1;
}

/* ---- the pointer pool: distinct pointers, in groups ---- */

#define NREGIONS 8
static uint64_t regions[NREGIONS]; /* 64 MiB-aligned bases */

static uint64_t *pool;
static uint32_t *pool_group; /* first index of the pointer's group */
static uint32_t *pool_glen;  /* its length */
static size_t npool;

/* pointer -> pool index (own open addressing, never deleted from) */
static uint64_t *idx_key;
static uint32_t *idx_val;
static size_t idx_cap;

static uint64_t hash64(uint64_t x)
{
	uint64_t s = x;
	return rnd_r(&s);
}

static long pool_index(uint64_t p)
{
	for (size_t j = hash64(p) & (idx_cap - 1);; j = (j + 1) & (idx_cap - 1)) {
		if (!idx_key[j])
			return -1;
		if (idx_key[j] == p)
			return (long)idx_val[j];
	}
}

static size_t group_start;

static void pool_add(uint64_t p)
{
	if (!p || pool_index(p) >= 0)
		return;
	size_t j = hash64(p) & (idx_cap - 1);
	while (idx_key[j])
		j = (j + 1) & (idx_cap - 1);
	idx_key[j] = p;
	idx_val[j] = (uint32_t)npool;
	pool[npool] = p;
	pool_group[npool] = (uint32_t)group_start;
	npool++;
}

static void group_begin(void)
{
	group_start = npool;
}

static void group_end(void)
{
	for (size_t i = group_start; i < npool; i++)
		pool_glen[i] = (uint32_t)(npool - group_start);
}

static uint64_t rnd_in_region(void)
{
	return regions[rnd() % NREGIONS] + ((rnd() % (64u << 20)) & ~15ull);
}

static void build_pool(size_t want)
{
	size_t max = want + 64;
	pool = calloc(max, sizeof *pool);
	pool_group = calloc(max, sizeof *pool_group);
	pool_glen = calloc(max, sizeof *pool_glen);
	idx_cap = 1;
	while (idx_cap < max * 2)
		idx_cap *= 2;
	idx_key = calloc(idx_cap, sizeof *idx_key);
	idx_val = calloc(idx_cap, sizeof *idx_val);
	/* regions: some neighbouring (64 MiB apart), some far apart, one
	 * straddling the 8 GiB step where home() starts mixing high bits */
	uint64_t r0 = 0x55aa00000000ull;
	for (int r = 0; r < NREGIONS; r++)
		regions[r] = r < 3 ? r0 + ((uint64_t)r << 26)
			   : r == 3 ? (0x200000000ull * 5 - (1ull << 26))
				    : ((0x7f0000000000ull + (rnd() % (1ull << 20) << 26)) & ~((1ull << 26) - 1));
	while (npool < want) {
		group_begin();
		uint64_t kind = rnd() % 10, base = rnd_in_region();
		size_t room = want - npool, n = 1 + rnd() % 16;
		if (n > room)
			n = room;
		static const uint64_t strides[] = {4096, 65536, 1u << 20, 1u << 26, 1ull << 33, 4096 * 17};
		switch (kind) {
		case 0:
		case 1:
		case 2: /* lone pointers */
			pool_add(base);
			break;
		case 3:
		case 4: /* same page */
			for (size_t k = 0; k < n; k++)
				pool_add((base & ~4095ull) + ((rnd() % 256) << 4));
			break;
		case 5: /* neighbouring granules (address-order allocation) */
			for (size_t k = 0; k < n; k++)
				pool_add(base + 16 * k);
			break;
		case 6:
		case 7: { /* strides, same offset */
			uint64_t s = strides[rnd() % (sizeof strides / sizeof *strides)];
			for (size_t k = 0; k < n; k++)
				pool_add(base + s * k);
			break;
		}
		case 8: { /* mmap-chunk-like: page + 16, pages one or a few apart */
			uint64_t p = base & ~4095ull;
			for (size_t k = 0; k < n; k++, p += 4096 * (1 + rnd() % 3))
				pool_add(p + 16);
			break;
		}
		default: { /* the same offset in pages 64 KiB / 1 MiB apart: one stripe, aliasing homes */
			uint64_t s = rnd() & 1 ? 65536 : 1u << 20, p = (base & ~4095ull) + 16 * (rnd() % 4);
			for (size_t k = 0; k < n; k++)
				pool_add(p + s * k);
			break;
		}
		}
		group_end();
	}
}

static void free_pool(void)
{
	free(pool);
	free(pool_group);
	free(pool_glen);
	free(idx_key);
	free(idx_val);
	pool = NULL;
	npool = 0;
}

/* ---- single-threaded: against the model ---- */

static uint32_t *model;
static size_t live;

/* every pool pointer's get against the model, and foreach == the live set */
static int full_check(void)
{
	if (!tables_consistent())
		return 0;
	for (size_t i = 0; i < npool; i++)
		if (rt_ptrmap_get(pool[i]) != model[i])
			return 0;
	struct pairs p = collect();
	int ok = p.n == live;
	uint8_t *seen = calloc(npool, 1);
	for (size_t k = 0; ok && k < p.n; k++) {
		long i = pool_index(p.ptr[k]);
		ok = i >= 0 && !seen[i] && model[i] && model[i] == p.info[k];
		if (ok)
			seen[i] = 1;
	}
	free(seen);
	free(p.ptr);
	free(p.info);
	free(p.tag);
	return ok;
}

static void test_basic(void)
{
	CHECK(reset_map() >= 0);
	uint64_t key = 1, a = 0x55aa12345670ull, b = a + 16, c = a + (1u << 20);
	CHECK_INT(rt_ptrmap_get(a), 0);
	CHECK_INT(rt_ptrmap_take(a, 1, &key), 0); /* nothing there yet (no table) */
	CHECK_INT(rt_ptrmap_put(a, 7, 1, &key), 0);
	CHECK_INT(rt_ptrmap_get(a), 7);
	CHECK_INT(rt_ptrmap_get(b), 0);
	CHECK_INT(rt_ptrmap_get(c), 0);
	CHECK_INT(rt_ptrmap_put(a, 9, 1, &key), 7); /* its free was never seen: old info back, replaced */
	CHECK_INT(rt_ptrmap_get(a), 9);
	CHECK_INT(rt_ptrmap_put(c, 11, 3, &key), 0);
	CHECK_INT(rt_ptrmap_take(b, 1, &key), 0); /* absent: 0, nothing changes */
	CHECK_INT(rt_ptrmap_get(a), 9);
	CHECK_INT(rt_ptrmap_get(c), 11);
	struct pairs p = collect();
	CHECK_INT(p.n, 2);
	/* foreach gives back what put kept beside the info (memcheck: the age) */
	for (size_t i = 0; i < p.n && p.n == 2; i++)
		CHECK_INT(p.tag[i], p.ptr[i] == c ? 3 : 1);
	free(p.ptr);
	free(p.info);
	free(p.tag);
	CHECK_INT(rt_ptrmap_take(a, 1, &key), 9);
	CHECK_INT(rt_ptrmap_take(a, 1, &key), 0);
	CHECK_INT(rt_ptrmap_get(a), 0);
	CHECK_INT(rt_ptrmap_get(c), 11);
	CHECK_INT(rt_ptrmap_take(c, 1, &key), 11);
	CHECK_INT(reset_map(), 0);
}

/* A take must leave every other key findable (backward-shift deletion):
 * the taken pointer's group (same page / stride: same stripe, nearby or
 * equal homes) and a few random others. */
static int spot_check(size_t i)
{
	size_t g = pool_group[i], n = pool_glen[i];
	for (size_t k = 0; k < n && k < 16; k++) {
		size_t j = g + (n <= 16 ? k : rnd() % n);
		if (rt_ptrmap_get(pool[j]) != model[j])
			return 0;
	}
	for (int k = 0; k < 4; k++) {
		size_t j = rnd() % npool;
		if (rt_ptrmap_get(pool[j]) != model[j])
			return 0;
	}
	return 1;
}

static void test_random_model(void)
{
	CHECK(reset_map() >= 0);
	size_t ops = 1000000 / SCALE;
	build_pool(160000 / SCALE);
	model = calloc(npool, sizeof *model);
	live = 0;
	int maps0 = atomic_load(&map_calls);
	uint64_t key = 1;
	size_t puts = 0, takes = 0, replaced = 0, absent = 0;
	for (size_t op = 0; op < ops; op++) {
		/* phases: fill up, drain, fill to more than before, ... */
		size_t phase = op / (ops / 8);
		unsigned put_pct = phase % 2 ? 30 : 75;
		unsigned r = (unsigned)(rnd() % 100);
		size_t i;
		if (r < 12) /* often act on a group: same stripe, colliding homes */
			i = pool_group[rnd() % npool] + rnd() % 4;
		else
			i = rnd() % npool;
		if (i >= npool)
			i = npool - 1;
		uint64_t p = pool[i];
		r = (unsigned)(rnd() % 100);
		if (r < put_pct) {
			uint32_t info = rnd_info();
			uint32_t old = rt_ptrmap_put(p, info, 1, &key);
			CHECK_INT(old, model[i]);
			replaced += model[i] != 0;
			live += model[i] == 0;
			model[i] = info;
			puts++;
		} else if (r < 95) {
			uint32_t got = rt_ptrmap_take(p, 1, &key);
			CHECK_INT(got, model[i]);
			absent += model[i] == 0;
			live -= model[i] != 0;
			model[i] = 0;
			takes++;
			CHECK(spot_check(i));
		} else {
			CHECK_INT(rt_ptrmap_get(p), model[i]);
			CHECK_INT(rt_ptrmap_get(p), model[i]); /* get changed nothing */
		}
		if (op % (ops / 10) == ops / 10 - 1)
			CHECK(full_check());
	}
	CHECK(full_check());
	int growths = atomic_load(&map_calls) - maps0;
	CHECK(growths > 2 * STRIPES / SCALE); /* stripes grew several times (~900 at full scale) */
	CHECK(replaced > 1000 && absent > 1000 && puts > ops / 3 && takes > ops / 4);
	CHECK_INT(reset_map(), (long)live);
	free(model);
	free_pool();
}

/* The aliasing strides in bulk: many pointers in few stripes with equal
 * homes, filled, half taken in random order, refilled, all checked. */
static void test_alias_strides(void)
{
	static const uint64_t strides[] = {65536, 1u << 20, 1u << 26, 4096 * 16 * 3};
	for (size_t s = 0; s < sizeof strides / sizeof *strides; s++) {
		CHECK(reset_map() >= 0);
		size_t n = 6000 / SCALE;
		uint64_t *p = malloc(n * sizeof *p);
		uint32_t *m = calloc(n, sizeof *m);
		uint64_t key = 1, base = 0x56000000000ull + 16;
		for (size_t i = 0; i < n; i++) {
			p[i] = base + strides[s] * i;
			m[i] = (uint32_t)i + 1;
			CHECK_INT(rt_ptrmap_put(p[i], m[i], 2, &key), 0);
		}
		for (size_t round = 0; round < 3; round++) {
			for (size_t k = 0; k < n / 2; k++) {
				size_t i = rnd() % n;
				CHECK_INT(rt_ptrmap_take(p[i], 2, &key), m[i]);
				m[i] = 0;
				for (int t = 0; t < 3; t++) { /* neighbours in the stride: same stripe */
					size_t j = (i + n - 2 + (size_t)t * 2) % n;
					CHECK_INT(rt_ptrmap_get(p[j]), m[j]);
				}
			}
			for (size_t i = 0; i < n; i++)
				CHECK_INT(rt_ptrmap_get(p[i]), m[i]);
			for (size_t i = 0; i < n; i++)
				if (!m[i] && rnd() % 2) {
					m[i] = (uint32_t)(rnd() % 1000) + 1;
					CHECK_INT(rt_ptrmap_put(p[i], m[i], 2, &key), 0);
				}
		}
		size_t nlive = 0;
		for (size_t i = 0; i < n; i++)
			nlive += m[i] != 0;
		CHECK_INT(reset_map(), (long)nlive);
		free(p);
		free(m);
	}
}

/* When rt_map fails the insert is dropped (0 back, nothing recorded) and
 * what was recorded stays. */
static void test_out_of_memory(void)
{
	CHECK(reset_map() >= 0);
	uint64_t key = 1, a = 0x55aa00001000ull;
	atomic_store(&map_fail, 1);
	CHECK_INT(rt_ptrmap_put(a, 5, 1, &key), 0);
	CHECK_INT(rt_ptrmap_get(a), 0);
	CHECK_INT(rt_ptrmap_take(a, 1, &key), 0);
	atomic_store(&map_fail, 0);
	CHECK_INT(rt_ptrmap_put(a, 5, 1, &key), 0);
	/* fill a's page (one stripe) until the first table is too full, then fail */
	size_t n = 1;
	atomic_store(&map_fail, 1);
	for (uint64_t p = a + 16; n < 64; p += 16, n++) {
		uint32_t old = rt_ptrmap_put(p, 6, 1, &key);
		CHECK_INT(old, 0);
		if (!rt_ptrmap_get(p))
			break; /* dropped */
	}
	CHECK(n < 64); /* something was dropped */
	atomic_store(&map_fail, 0);
	CHECK_INT(rt_ptrmap_get(a), 5);
	CHECK_INT(rt_ptrmap_take(a, 1, &key), 5);
	CHECK_INT(reset_map(), (long)n - 1);
}

/* ---- event keys ---- */

static void test_keys_basic(void)
{
	CHECK(reset_map() >= 0);
	uint64_t a = 0x55aa00042010ull, b = a + 0x20; /* same page: same stripe */
	uint64_t k;
	k = 5, rt_ptrmap_put(a, 1, 1, &k);
	CHECK_INT(k, 5); /* an allocation keeps its key */
	k = 3, rt_ptrmap_take(a, 2, &k);
	CHECK_INT(k, 6); /* thread 1's block: above its allocation's 5 */
	k = 6, rt_ptrmap_put(b, 2, 2, &k);
	CHECK_INT(k, 6);
	k = 6, rt_ptrmap_take(b, 2, &k);
	CHECK_INT(k, 6); /* its own block */
	k = 5, rt_ptrmap_take(b, 1, &k); /* absent: nothing to sort after */
	CHECK_INT(k, 5);
	k = 40, rt_ptrmap_put(a, 3, 3, &k);
	CHECK_INT(k, 40);
	k = 7, rt_ptrmap_put(b, 3, 1, &k);
	CHECK_INT(k, 7); /* below another thread's allocation here: allocations never move */
	k = 8, rt_ptrmap_take(b, 1, &k);
	CHECK_INT(k, 8); /* its own block, below the stripe's 40: not bumped either */
	k = 1, rt_ptrmap_put(b, 3, 0, &k);
	CHECK_INT(k, 1);
	k = 1, rt_ptrmap_take(b, 0, &k); /* index 0 (unknown) is always bumped */
	CHECK_INT(k, 41);
	k = 41, rt_ptrmap_take(a, 1, &k);
	CHECK_INT(k, 41); /* thread 3's block, already above 40 */
	/* get is no event */
	CHECK_INT(rt_ptrmap_get(a), 0);
	k = 44, rt_ptrmap_put(a, 1, 1, &k);
	CHECK_INT(k, 44);
	/* another stripe keeps its own clock */
	uint64_t c = a + 4096;
	CHECK(stripe_of(c) != stripe_of(a));
	k = 2, rt_ptrmap_put(c, 1, 2, &k);
	CHECK_INT(k, 2);
	k = 1, rt_ptrmap_take(c, 1, &k);
	CHECK_INT(k, 3);
	CHECK_INT(reset_map(), 1); /* a */
}

/* Once threaded (locks taken), an allocation goes after every other
 * thread's free on its stripe: the free of the block that had its address
 * before sorts first. A thread's own frees do not move it (its order is
 * by position), unless another thread freed at the same key. */
static void test_keys_threaded_puts(void)
{
	CHECK(reset_map() >= 0);
	rt_multi = 1;
	uint64_t a = 0x55aa00042010ull, b = a + 0x20, c = a + 0x40; /* one stripe */
	uint64_t k;
	k = 10, rt_ptrmap_put(a, 1, 1, &k);
	CHECK_INT(k, 10);
	k = 12, rt_ptrmap_take(a, 1, &k); /* thread 1 frees its own block */
	CHECK_INT(k, 12);
	k = 12, rt_ptrmap_put(b, 2, 1, &k); /* and allocates again at the same key */
	CHECK_INT(k, 12);
	k = 12, rt_ptrmap_put(a, 3, 2, &k); /* thread 2 reuses a at that key: after the free */
	CHECK_INT(k, 13);
	k = 11, rt_ptrmap_put(c, 4, 3, &k); /* below the stripe's frees: raised */
	CHECK_INT(k, 13);
	k = 20, rt_ptrmap_take(c, 3, &k);
	CHECK_INT(k, 20);
	k = 20, rt_ptrmap_take(b, 2, &k); /* thread 1's block: above its allocation anyway */
	CHECK_INT(k, 20);
	k = 20, rt_ptrmap_put(c, 5, 3, &k); /* thread 2 freed at 20 too: raised even for 3 */
	CHECK_INT(k, 21);
	k = 21, rt_ptrmap_put(b, 6, 4, &k); /* above every free: stays */
	CHECK_INT(k, 21);
	rt_multi = 0;
	k = 1, rt_ptrmap_put(c + 0x100, 7, 5, &k); /* one thread (no locks): nothing moves */
	CHECK_INT(k, 1);
	CHECK_INT(reset_map(), 4);
}

/* Random events from thread indices 0..4, each thread's keys never going
 * back (as the runtime's callers do), against: a put keeps its key; a take
 * of a block put by another index (0 being another index even to itself)
 * gets max(in, 1 + the highest key anything was put with on its stripe);
 * any other take keeps its key. */
static void test_keys_random(void)
{
	CHECK(reset_map() >= 0);
	enum { NT = 5, NP = 600 };
	static uint64_t put_max[STRIPES];
	memset(put_max, 0, sizeof put_max);
	uint64_t tk[NT] = {0}, base = 1, ptrs[NP];
	int putter[NP]; /* -1: not in the map */
	for (int i = 0; i < NP; i++) { /* few pages so stripes are shared often */
		ptrs[i] = (i % 3 ? 0x55aa00000000ull + (rnd() % 40) * 4096 : rnd_in_region()) + (rnd() % 256) * 16;
		putter[i] = -1;
	}
	for (int i = 0; i < NP; i++) /* the same address twice is one block */
		for (int j = 0; j < i; j++)
			if (ptrs[j] == ptrs[i])
				ptrs[i] += 8;
	size_t bumped = 0, kept = 0, n = 400000 / SCALE;
	for (size_t op = 0; op < n; op++) {
		if (rnd() % 50 == 0)
			base += rnd() % 8; /* the coarse time base */
		uint32_t me = (uint32_t)(rnd() % NT);
		uint64_t in = me ? (tk[me] > base ? tk[me] : base) : base, k = in;
		int i = (int)(rnd() % NP);
		uint64_t p = ptrs[i];
		size_t s = (size_t)(stripe_of(p) - rt_ptrmap_stripes);
		unsigned r = (unsigned)(rnd() % 3);
		uint64_t want = in;
		if (r == 0) {
			rt_ptrmap_put(p, 1, me, &k);
			putter[i] = (int)me;
			if (k > put_max[s])
				put_max[s] = k;
		} else if (r == 1) {
			if (putter[i] >= 0 && (putter[i] != (int)me || !me) && in <= put_max[s])
				want = put_max[s] + 1;
			rt_ptrmap_take(p, me, &k);
			putter[i] = -1;
		} else {
			rt_ptrmap_get(p);
			continue;
		}
		CHECK_INT(k, want);
		bumped += k != in;
		kept += k == in;
		tk[me] = k;
	}
	CHECK(bumped > n / 50 && kept > n / 10);
	CHECK(reset_map() >= 0);
}

/* ---- threads ---- */

#define NTHR 4
#define RING 256

struct handoff {
	uint64_t ptr, key;
	uint32_t info;
};

struct ring {
	_Atomic uint64_t head, tail; /* head: next to write (producer), tail: next to read */
	struct handoff e[RING];
};

struct thr {
	int id; /* index id + 1 */
	uint64_t seed;
	uint64_t *ptrs; /* own pointers (disjoint from the others') */
	uint32_t *model;
	size_t n, ops;
	uint64_t *hand; /* single-use pointers handed to the next thread */
	size_t nhand, hand_used;
	struct ring *out, *in;
	uint64_t key; /* the thread's last key */
	size_t received;
	char err[160];
};

static struct ring rings[NTHR];
static _Atomic int thr_failed, thr_go;

#define TCHECK(c, ...)                                                                   \
	do {                                                                             \
		if (!(c)) {                                                              \
			snprintf(t->err, sizeof t->err, __VA_ARGS__);                    \
			atomic_store(&thr_failed, 1);                                    \
			return NULL;                                                     \
		}                                                                        \
	} while (0)

static void *thr_main(void *arg)
{
	struct thr *t = arg;
	uint32_t me = (uint32_t)t->id;
	while (!atomic_load(&thr_go))
		sched_yield();
	for (size_t op = 0; op < t->ops && !atomic_load_explicit(&thr_failed, memory_order_relaxed); op++) {
		uint64_t r = rnd_r(&t->seed);
		if (r % 64 == 0)
			t->key += r >> 60; /* the time base moving */
		uint64_t in = t->key, k = in;
		unsigned what = (unsigned)(r >> 8) % 100;
		size_t i = (size_t)(r >> 20) % t->n;
		if (r & 1 << 7) /* half the time: the four stripes everybody uses */
			i = (i & ~(size_t)3) + 1 < t->n ? (i & ~(size_t)3) + 1 : 1;
		if (what < 3 && t->hand_used < t->nhand) {
			/* allocate here, free in the next thread */
			uint64_t p = t->hand[t->hand_used++];
			uint32_t info = (uint32_t)(r >> 32) | 1;
			TCHECK(rt_ptrmap_put(p, info, me, &k) == 0, "handoff put %#llx", (unsigned long long)p);
			TCHECK(k >= in, "put key went back");
			t->key = k;
			uint64_t h = atomic_load_explicit(&t->out->head, memory_order_relaxed);
			if (h - atomic_load_explicit(&t->out->tail, memory_order_acquire) < RING) {
				t->out->e[h % RING] = (struct handoff){p, k, info};
				atomic_store_explicit(&t->out->head, h + 1, memory_order_release);
			} else {
				uint64_t k2 = t->key;
				TCHECK(rt_ptrmap_take(p, me, &k2) == info, "handoff self-take");
				t->key = k2;
			}
		} else if (what < 8) {
			uint64_t tl = atomic_load_explicit(&t->in->tail, memory_order_relaxed);
			if (tl != atomic_load_explicit(&t->in->head, memory_order_acquire)) {
				struct handoff e = t->in->e[tl % RING];
				atomic_store_explicit(&t->in->tail, tl + 1, memory_order_release);
				TCHECK(rt_ptrmap_take(e.ptr, me, &k) == e.info, "handoff take %#llx",
				       (unsigned long long)e.ptr);
				/* the allocation's key came from another thread on this stripe */
				TCHECK(k > e.key && k >= in, "free key %llu not above alloc key %llu",
				       (unsigned long long)k, (unsigned long long)e.key);
				t->key = k;
				t->received++;
			}
		} else if (what < 55) {
			uint32_t info = (uint32_t)(r >> 32) | 1;
			uint32_t old = rt_ptrmap_put(t->ptrs[i], info, me, &k);
			TCHECK(old == t->model[i], "put %#llx: %u, model %u", (unsigned long long)t->ptrs[i], old,
			       t->model[i]);
			t->model[i] = info;
			TCHECK(k >= in, "put key went back");
			t->key = k;
		} else if (what < 92) {
			uint32_t got = rt_ptrmap_take(t->ptrs[i], me, &k);
			TCHECK(got == t->model[i], "take %#llx: %u, model %u", (unsigned long long)t->ptrs[i], got,
			       t->model[i]);
			t->model[i] = 0;
			TCHECK(k >= in, "take key went back");
			t->key = k;
		} else {
			uint32_t got = rt_ptrmap_get(t->ptrs[i]);
			TCHECK(got == t->model[i], "get %#llx: %u, model %u", (unsigned long long)t->ptrs[i], got,
			       t->model[i]);
		}
	}
	return NULL;
}

/* Runs fn on NTHR elements of args (elem bytes each) at once, prints the
 * error text each left at err_off; true if none failed. */
static bool run_threads(void *(*fn)(void *), void *args, size_t elem, size_t err_off)
{
	atomic_store(&thr_failed, 0);
	atomic_store(&thr_go, 0);
	pthread_t tid[NTHR];
	for (int i = 0; i < NTHR; i++)
		if (pthread_create(&tid[i], NULL, fn, (char *)args + (size_t)i * elem) != 0)
			return false;
	atomic_store(&thr_go, 1);
	for (int i = 0; i < NTHR; i++)
		pthread_join(tid[i], NULL);
	for (int i = 0; i < NTHR; i++) {
		const char *err = (const char *)args + (size_t)i * elem + err_off;
		if (err[0]) {
			printf("# thread %d: %s\n", i + 1, err);
			fflush(stdout);
		}
	}
	return !atomic_load(&thr_failed);
}

static void test_threads(void)
{
	CHECK(reset_map() >= 0);
	atomic_store(&rt_multi, 1);
	static struct thr th[NTHR];
	size_t per = 40000 / SCALE, nhand = 20000 / SCALE;
	uint64_t shared_region = 0x55ab00000000ull;
	for (int i = 0; i < NTHR; i++) {
		struct thr *t = &th[i];
		memset(t, 0, sizeof *t);
		t->id = i + 1;
		t->seed = rnd();
		t->n = per;
		t->ops = 600000 / SCALE;
		t->ptrs = malloc(per * sizeof *t->ptrs);
		t->model = calloc(per, sizeof *t->model);
		t->nhand = nhand;
		t->hand = malloc(nhand * sizeof *t->hand);
		t->out = &rings[i];
		t->in = &rings[(i + NTHR - 1) % NTHR];
		t->key = 1;
		uint64_t own_region = 0x7f1200000000ull + ((uint64_t)i << 26);
		for (size_t k = 0; k < per; k++) {
			/* a quarter in shared pages (granule k*4+i: disjoint, same stripes),
			 * a quarter in four shared stripes, a quarter at 1 MiB strides in
			 * the shared region, the rest in the thread's own region */
			switch (k % 4) {
			case 0:
				t->ptrs[k] = shared_region + (k / 4) * 64 * 4 + (uint64_t)i * 16;
				break;
			case 1: { /* four stripes all threads share, their blocks interleaved in
				   * 64 KiB chunks: equal or neighbouring home slots */
				uint64_t j = k / 4;
				t->ptrs[k] = shared_region + (128ull << 20) + (j % 4) * 4096 +
					     ((j / 4) % 256 * 4 + (uint64_t)i) * 65536 + (j / 1024) * 16 + 16;
				break;
			}
			case 2:
				t->ptrs[k] = shared_region + (64ull << 20) + (k / 4) * (1ull << 20) + (uint64_t)i * 4096 + 2048 + 16;
				break;
			default:
				t->ptrs[k] = own_region + (k / 4) * 48;
				break;
			}
		}
		for (size_t k = 0; k < nhand; k++) /* handoff blocks: in a shared page range too */
			t->hand[k] = shared_region + (16ull << 20) + (k * NTHR + (uint64_t)i) * 32;
	}
	memset(rings, 0, sizeof rings);
	CHECK(run_threads(thr_main, th, sizeof th[0], offsetof(struct thr, err)));
	size_t received = 0;
	for (int i = 0; i < NTHR; i++)
		received += th[i].received;
	CHECK(received > 1000 / SCALE);
	/* handoffs still in flight are live */
	size_t inflight = 0;
	for (int i = 0; i < NTHR; i++)
		for (uint64_t k = rings[i].tail; k < rings[i].head; k++, inflight++)
			CHECK_INT(rt_ptrmap_get(rings[i].e[k % RING].ptr), rings[i].e[k % RING].info);
	/* the map is the union of the models */
	size_t nlive = inflight;
	for (int i = 0; i < NTHR; i++)
		for (size_t k = 0; k < th[i].n; k++) {
			CHECK_INT(rt_ptrmap_get(th[i].ptrs[k]), th[i].model[k]);
			nlive += th[i].model[k] != 0;
		}
	struct pairs p = collect();
	size_t n = p.n;
	free(p.ptr);
	free(p.info);
	free(p.tag);
	CHECK_INT(n, nlive);
	CHECK(tables_consistent());
	atomic_store(&rt_multi, 0);
	CHECK_INT(reset_map(), (long)nlive);
	for (int i = 0; i < NTHR; i++) {
		free(th[i].ptrs);
		free(th[i].model);
		free(th[i].hand);
	}
}

/* All threads in one cluster: 8 blocks each, at the same offset in pages
 * 64 KiB apart (one stripe, one home slot), so every put and take shifts
 * slots the others are probing. */
#define HOT 8
static uint64_t hot_base = 0x55ac00000000ull + 0x30;

struct hot {
	uint32_t me;
	uint64_t seed;
	size_t ops;
	uint32_t model[HOT];
	char err[120];
};

static uint64_t hot_ptr(uint32_t me, size_t k)
{
	return hot_base + ((uint64_t)k * NTHR + me - 1) * 65536;
}

static void *hot_main(void *arg)
{
	struct hot *t = arg;
	uint64_t key = 1;
	while (!atomic_load(&thr_go))
		sched_yield();
	for (size_t op = 0; op < t->ops && !atomic_load_explicit(&thr_failed, memory_order_relaxed); op++) {
		uint64_t r = rnd_r(&t->seed);
		size_t k = (size_t)(r >> 40) % HOT;
		uint64_t p = hot_ptr(t->me, k);
		if (r & 1) {
			uint32_t info = (uint32_t)(r >> 8) | 1;
			uint32_t old = rt_ptrmap_put(p, info, t->me, &key);
			TCHECK(old == t->model[k], "hot put: %u, model %u", old, t->model[k]);
			t->model[k] = info;
		} else if (r & 2) {
			uint32_t got = rt_ptrmap_take(p, t->me, &key);
			TCHECK(got == t->model[k], "hot take: %u, model %u", got, t->model[k]);
			t->model[k] = 0;
		} else {
			uint32_t got = rt_ptrmap_get(p);
			TCHECK(got == t->model[k], "hot get: %u, model %u", got, t->model[k]);
		}
	}
	return NULL;
}

static void test_threads_hot(void)
{
	CHECK(reset_map() >= 0);
	atomic_store(&rt_multi, 1);
	static struct hot th[NTHR];
	for (int i = 0; i < NTHR; i++) {
		memset(&th[i], 0, sizeof th[i]);
		th[i].me = (uint32_t)i + 1;
		th[i].seed = rnd();
		th[i].ops = 300000 / SCALE;
	}
	CHECK(stripe_of(hot_ptr(1, 0)) == stripe_of(hot_ptr(NTHR, HOT - 1)));
	CHECK(run_threads(hot_main, th, sizeof th[0], offsetof(struct hot, err)));
	CHECK(tables_consistent());
	size_t nlive = 0;
	for (int i = 0; i < NTHR; i++)
		for (size_t k = 0; k < HOT; k++) {
			CHECK_INT(rt_ptrmap_get(hot_ptr(th[i].me, k)), th[i].model[k]);
			nlive += th[i].model[k] != 0;
		}
	atomic_store(&rt_multi, 0);
	CHECK_INT(reset_map(), (long)nlive);
}

int main(void)
{
	RUN(test_basic);
	RUN(test_out_of_memory);
	RUN(test_random_model);
	RUN(test_alias_strides);
	RUN(test_keys_basic);
	RUN(test_keys_random);
	RUN(test_keys_threaded_puts);
	RUN(test_threads);
	RUN(test_threads_hot);
	UNIT_EXIT();
}
