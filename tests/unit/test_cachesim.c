/* The cache and branch models (src/cachesim/) against hand-worked
 * sequences, cachegrind's geometry rules, and the cachegrind.out side:
 * the writer's layout, the exit summary's, the raw dump reader's
 * refusals and the stacks reader. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cachegrind/cg_raw.h"
#include "cachegrind/cg_summary.h"
#include "cachegrind/cg_write.h"
#include "cachesim/cache_detect.h"
#include "cachesim/cachesim.h"
#include "profile/model.h"
#include "profile/stacks_reader.h"
#include "unit.h"

/* 2 sets of 2 ways, 64-byte lines: blocks alternate between the sets */
static void test_lru_two_way(void)
{
	struct cache c;
	struct cache_geom g = { 256, 2, 64 };
	CHECK(cache_geom_check(&g) == NULL);
	CHECK(cache_init(&c, &g));
	/* blocks 2, 4, 6 all map to set 0 */
	CHECK(cache_ref_is_miss(&c, 2 * 64, 4));      /* miss: 2 */
	CHECK(cache_ref_is_miss(&c, 4 * 64, 4));      /* miss: 4 2 */
	CHECK(!cache_ref_is_miss(&c, 2 * 64 + 8, 4)); /* hit, 2 becomes MRU: 2 4 */
	CHECK(cache_ref_is_miss(&c, 6 * 64, 4));      /* miss, evicts LRU 4: 6 2 */
	CHECK(!cache_ref_is_miss(&c, 2 * 64, 4));     /* 2 stayed */
	CHECK(cache_ref_is_miss(&c, 4 * 64, 4));      /* 4 was evicted */
	/* set 1 untouched by all that: block 3 misses once, then hits */
	CHECK(cache_ref_is_miss(&c, 3 * 64, 1));
	CHECK(!cache_ref_is_miss(&c, 3 * 64 + 63, 1));
	cache_free(&c);
}

/* tags start at 0, as cachegrind's: block 0 is "cached" from the start */
static void test_zero_tags(void)
{
	struct cache c;
	struct cache_geom g = { 1024, 4, 64 };
	CHECK(cache_init(&c, &g));
	CHECK(!cache_ref_is_miss(&c, 0, 8));
	CHECK(cache_ref_is_miss(&c, 64, 8));
	cache_free(&c);
}

/* an access over two lines is one access: a miss if either misses */
static void test_straddle(void)
{
	struct cache c;
	struct cache_geom g = { 1024, 2, 64 };
	CHECK(cache_init(&c, &g));
	CHECK(cache_ref_is_miss(&c, 64 + 60, 8));  /* lines 1 and 2 both new */
	CHECK(!cache_ref_is_miss(&c, 64 + 60, 8)); /* both cached now */
	CHECK(!cache_ref_is_miss(&c, 128, 4));     /* line 2 came in with it */
	CHECK(cache_ref_is_miss(&c, 128 + 60, 8)); /* line 2 hit, line 3 miss: one miss */
	CHECK(!cache_ref_is_miss(&c, 192, 1));
	cache_free(&c);
}

/* direct-mapped: any two blocks of one set evict each other */
static void test_direct_mapped(void)
{
	struct cache c;
	struct cache_geom g = { 512, 1, 64 }; /* 8 sets */
	CHECK(cache_init(&c, &g));
	for (int r = 0; r < 3; r++) {
		CHECK(cache_ref_is_miss(&c, 8 * 64, 4));
		CHECK(cache_ref_is_miss(&c, 16 * 64, 4));
	}
	cache_free(&c);
}

/* LL is consulted on an L1 miss only */
static void test_two_levels(void)
{
	struct cache l1, ll;
	struct cache_geom g1 = { 128, 1, 64 }, gl = { 4096, 4, 64 };
	CHECK(cache_init(&l1, &g1) && cache_init(&ll, &gl));
	uint64_t m1 = 0, ml = 0;
	cache_ref2(&l1, &ll, 2 * 64, 4, &m1, &ml); /* both miss */
	cache_ref2(&l1, &ll, 4 * 64, 4, &m1, &ml); /* both miss, evicts 2 from L1 */
	cache_ref2(&l1, &ll, 2 * 64, 4, &m1, &ml); /* L1 miss, LL hit */
	cache_ref2(&l1, &ll, 2 * 64, 4, &m1, &ml); /* L1 hit */
	CHECK_INT(m1, 3);
	CHECK_INT(ml, 2);
	cache_free(&l1);
	cache_free(&ll);
}

static void test_geometry(void)
{
	struct cache_geom g;
	CHECK(cache_geom_parse("32768,8,64", &g) == NULL);
	CHECK_INT(g.size, 32768);
	CHECK_INT(g.assoc, 8);
	CHECK_INT(g.line, 64);
	CHECK_STR(cache_geom_parse("3000,8,64", &g), "Cache set count is not a power of two.");
	CHECK_STR(cache_geom_parse("1024,2,8", &g), "Cache line size is too small.");
	CHECK(cache_geom_parse("32768,8", &g) != NULL);
	CHECK(cache_geom_parse("32768,8,64x", &g) != NULL);
	char d[80];
	g = (struct cache_geom){ 65536, 16, 64 };
	cache_geom_desc(&g, d, sizeof(d));
	CHECK_STR(d, "65536 B, 64 B, 16-way associative");
	g.assoc = 1;
	cache_geom_desc(&g, d, sizeof(d));
	CHECK_STR(d, "65536 B, 64 B, direct-mapped");
	/* 480 MB, 16-way: 491520 sets -> 262144 sets, 30-way (cachegrind's warning) */
	g = (struct cache_geom){ 491520u * 1024, 16, 64 };
	CHECK(cache_tweak_ll(&g));
	CHECK_INT(g.size, 503316480);
	CHECK_INT(g.assoc, 30);
	g = (struct cache_geom){ 1048576, 16, 64 };
	CHECK(!cache_tweak_ll(&g));
	struct cache_geom i1, d1, ll;
	char warn[512];
	cache_detect(&i1, &d1, &ll, warn, sizeof(warn));
	CHECK(cache_geom_check(&i1) == NULL && cache_geom_check(&d1) == NULL && cache_geom_check(&ll) == NULL);
}

static void test_branch(void)
{
	struct branchpred *b = calloc(1, sizeof(*b));
	CHECK(b);
	/* counters start at 0 (not taken). An always-taken branch: the first
	 * 7 see new history bits each (0, 1, 11, ... 1111111), a fresh counter,
	 * a miss; then the counter under 1111111 goes 0 -> 1 -> 2, two more
	 * misses, and it predicts taken from then on: 9 */
	int miss = 0;
	for (int i = 0; i < 20; i++)
		miss += branch_cond(b, 0x400000, true);
	CHECK_INT(miss, 9);
	CHECK_INT(branch_cond(b, 0x400000, true), 0);
	/* indirect: the last target is the prediction */
	CHECK_INT(branch_indirect(b, 0x1234, 0x5000), 1);
	CHECK_INT(branch_indirect(b, 0x1234, 0x5000), 0);
	CHECK_INT(branch_indirect(b, 0x1234 + 512, 0x6000), 1); /* aliases the same slot */
	CHECK_INT(branch_indirect(b, 0x1234, 0x5000), 1);
	free(b);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	static char buf[8192];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

static void test_write_layout(void)
{
	struct cg_data d;
	memset(&d, 0, sizeof(d));
	char *desc = strdup("I1 cache:         32768 B, 64 B, 8-way associative");
	vec_push(&d.desc, desc);
	d.cmd = "./prog a";
	const char *ev[] = { "Ir", "I1mr", "ILmr", "Dr", "D1mr", "DLmr", "Dw", "D1mw", "DLmw" };
	d.n_events = 9;
	memcpy(d.events, ev, sizeof(ev));
	struct cg_fn fn = { intern(&d.strs, "a.c"), intern(&d.strs, "main"), { 0 } };
	struct cg_line l1 = { .line = 3, .c = { 10, 1, 1, 2, 0, 0, 1, 0, 0 } }, l2 = { .line = 4, .c = { 5, 0, 0, 0, 0, 0, 0, 0, 0 } };
	vec_push(&fn.lines, l1);
	vec_push(&fn.lines, l2);
	vec_push(&d.fns, fn);
	char path[] = "/tmp/sonde-cgw.XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	close(fd);
	CHECK(cg_write_file(path, &d) == 0);
	CHECK_STR(slurp(path), "desc: I1 cache:         32768 B, 64 B, 8-way associative\n"
			       "cmd: ./prog a\n"
			       "events: Ir I1mr ILmr Dr D1mr DLmr Dw D1mw DLmw \n"
			       "fl=a.c\nfn=main\n3 10 1 1 2 0 0 1 0 0\n4 5 0 0 0 0 0 0 0 0\n"
			       "summary: 15 1 1 2 0 0 1 0 0\n");
	unlink(path);
	free(desc);
	vec_free(&d.desc);
	vec_free(&d.fns.v[0].lines);
	vec_free(&d.fns);
	interner_free(&d.strs);
}

/* valgrind 3.19's own lines for these totals */
static void test_summary_layout(void)
{
	struct cg_data d;
	memset(&d, 0, sizeof(d));
	const char *ev[] = { "Ir", "I1mr", "ILmr", "Dr", "D1mr", "DLmr", "Dw", "D1mw", "DLmw" };
	d.n_events = 9;
	memcpy(d.events, ev, sizeof(ev));
	uint64_t s[] = { 128758, 1073, 1072, 29598, 1157, 1018, 10265, 337, 311 };
	memcpy(d.summary, s, sizeof(s));
	d.has_summary = true;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	cg_print_summary(f, 16181, &d);
	fclose(f);
	CHECK_STR(buf, "==16181== \n"
		       "==16181== I   refs:      128,758\n"
		       "==16181== I1  misses:      1,073\n"
		       "==16181== LLi misses:      1,072\n"
		       "==16181== I1  miss rate:    0.83%\n"
		       "==16181== LLi miss rate:    0.83%\n"
		       "==16181== \n"
		       "==16181== D   refs:       39,863  (29,598 rd   + 10,265 wr)\n"
		       "==16181== D1  misses:      1,494  ( 1,157 rd   +    337 wr)\n"
		       "==16181== LLd misses:      1,329  ( 1,018 rd   +    311 wr)\n"
		       "==16181== D1  miss rate:     3.7% (   3.9%     +    3.3%  )\n"
		       "==16181== LLd miss rate:     3.3% (   3.4%     +    3.0%  )\n"
		       "==16181== \n"
		       "==16181== LL refs:         2,567  ( 2,230 rd   +    337 wr)\n"
		       "==16181== LL misses:       2,401  ( 2,090 rd   +    311 wr)\n"
		       "==16181== LL miss rate:      1.4% (   1.3%     +    3.0%  )\n");
	free(buf);
}

static const char *write_tmp(const char *text)
{
	static char path[64];
	snprintf(path, sizeof(path), "/tmp/sonde-cgr.XXXXXX");
	int fd = mkstemp(path);
	if (fd < 0)
		return NULL;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		close(fd);
		return NULL;
	}
	close(fd);
	return path;
}

static void test_raw_refusals(void)
{
	struct cg_raw r;
	char why[256];
	CHECK(cg_raw_load("/nonexistent/raw.1", &r, why, sizeof(why)) < 0);
	CHECK(strstr(why, "cannot open") && !strchr(why, '\n'));
	const char *p = write_tmp("sonde-cg-raw 1\npid 7\nsim 1 0\nvcpu 0\nblk 0 2 5\ni 1000 4 0 0 0 0 0 0 0 0 0 0 0 0\n");
	CHECK(p && cg_raw_load(p, &r, why, sizeof(why)) < 0);
	CHECK(strstr(why, "damaged") || strstr(why, "truncated"));
	unlink(p);
	p = write_tmp("sonde-cg-raw 1\npid 7\nsim 1 0\nvcpu 0\n");
	CHECK(p && cg_raw_load(p, &r, why, sizeof(why)) < 0);
	CHECK(strstr(why, "truncated"));
	unlink(p);
	p = write_tmp("hello\n");
	CHECK(p && cg_raw_load(p, &r, why, sizeof(why)) < 0);
	CHECK(strstr(why, "not a sonde cachegrind dump"));
	unlink(p);
	p = write_tmp("");
	CHECK(p && cg_raw_load(p, &r, why, sizeof(why)) < 0);
	unlink(p);
	/* a node naming a parent not yet seen */
	p = write_tmp("sonde-cg-raw 1\npid 7\nsim 1 0\nvcpu 0\nnode 1 5 400000\nend\n");
	CHECK(p && cg_raw_load(p, &r, why, sizeof(why)) < 0);
	unlink(p);
}

static void test_raw_unknown_code(void)
{
	struct cg_raw r;
	char why[256];
	const char *p = write_tmp("sonde-cg-raw 1\npid 7\nsim 1 1\nguest_base 0\nvcpu 0\nnode 1 0 2000\n"
				  "blk 1 2 5\ni 2000 4 1 1 3 1 0 0 0 0 0 0 0 0\ni 2004 2 0 0 0 0 0 2 1 1 4 1 0 0\nend\n");
	CHECK(p && cg_raw_load(p, &r, why, sizeof(why)) == 0);
	unlink(p);
	CHECK_INT(r.pid, 7);
	CHECK_INT(r.data.n_events, 13);
	CHECK_INT(r.data.fns.n, 1);
	CHECK_STR(interned(&r.data.strs, r.data.fns.v[0].name), "???");
	CHECK_INT(r.data.summary[0], 10); /* Ir: 2 instructions x 5 */
	CHECK_INT(r.data.summary[3], 3);  /* Dr */
	CHECK_INT(r.data.summary[9], 4);  /* Bc */
	CHECK_INT(r.stack_costs.n, 1);
	CHECK_STR(interned(&r.stacks, r.stack_costs.v[0].name), "???");
	cg_raw_free(&r);
}

static void test_stacks_reader(void)
{
	const char *p = write_tmp("# sonde stacks: events Ir D1mr\nmain;work 100 7\nmain;operator new(unsigned long) 5 1\n"
				  "bad line\nmain 3 0\n");
	CHECK(p && stacks_sniff(p));
	char why[256];
	struct profile *prof = profile_read_stacks(p, why, sizeof(why));
	unlink(p);
	CHECK(prof);
	CHECK_INT(prof->weights.n, 2);
	CHECK_INT(profile_weight_find(prof, "D1mr"), 1);
	CHECK_INT(prof->samples.n, 3);
	uint64_t ir = 0, d1 = 0;
	for (size_t i = 0; i < prof->samples.n; i++) {
		ir += prof_value(prof, i, 0);
		d1 += prof_value(prof, i, 1);
	}
	CHECK_INT(ir, 108);
	CHECK_INT(d1, 8);
	profile_free(prof);
	p = write_tmp("main 1\n");
	CHECK(p && !stacks_sniff(p));
	unlink(p);
	/* the thread frame: COMM-PID/TID, the comm may hold '-' */
	p = write_tmp("# sonde stacks: events Ir\nworker-3-100/104;start_thread;work 9\nmain-1;x 2\n");
	prof = profile_read_stacks(p, why, sizeof(why));
	unlink(p);
	CHECK(prof);
	CHECK_INT(prof->samples.n, 2);
	CHECK_INT(prof->samples.v[0].pid, 100);
	CHECK_INT(prof->samples.v[0].tid, 104);
	CHECK_STR(prof_str(prof, prof->samples.v[0].comm), "worker-3");
	CHECK_INT(prof->samples.v[1].tid, 0);
	profile_free(prof);
}

int main(void)
{
	RUN(test_lru_two_way);
	RUN(test_zero_tags);
	RUN(test_straddle);
	RUN(test_direct_mapped);
	RUN(test_two_levels);
	RUN(test_geometry);
	RUN(test_branch);
	RUN(test_write_layout);
	RUN(test_summary_layout);
	RUN(test_raw_refusals);
	RUN(test_raw_unknown_code);
	RUN(test_stacks_reader);
	UNIT_EXIT();
}
