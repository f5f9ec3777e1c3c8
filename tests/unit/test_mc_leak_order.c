/* The loss records' order and the heuristics' summary, as valgrind 3.19
 * prints them: records of one size sorted by kind (still reachable first,
 * definitely lost last), then block count, then the age of the allocation
 * stack; "of which reachable via heuristic" lines only for heuristics that
 * reached something; --leak-check-heuristics sets read like valgrind's. */
#include "memcheck/mc_model.h"
#include "memcheck/mc_opts.h"
#include "memcheck/mc_text.h"
#include "unit.h"

static void add(struct mc_result *r, enum mc_leak_kind k, uint64_t bytes, uint64_t ind, uint64_t blocks,
		uint64_t age)
{
	struct mc_loss l = { 0 };
	l.kind = k;
	l.bytes = bytes;
	l.indirect_bytes = ind;
	l.blocks = blocks;
	l.age = age;
	/* a frame of its own, so no two records merge */
	struct mc_frame f = { 0 };
	f.ip = 0x1000 + r->losses.n;
	vec_push(&l.alloc.frames, f);
	vec_push(&r->losses, l);
}

static void test_order(void)
{
	struct mc_result r;
	memset(&r, 0, sizeof r);
	add(&r, MC_DEFINITE, 16, 32, 1, 1);  /* 48 in total */
	add(&r, MC_DEFINITE, 16, 0, 1, 9);   /* two of one size, kind and count: */
	add(&r, MC_DEFINITE, 16, 0, 1, 4);   /* the older stack first */
	add(&r, MC_INDIRECT, 48, 0, 1, 2);
	add(&r, MC_POSSIBLE, 48, 0, 2, 3);
	add(&r, MC_REACHABLE, 48, 0, 3, 8);
	add(&r, MC_REACHABLE, 48, 0, 1, 7);  /* fewer blocks first */
	mc_result_group_losses(&r, 12);
	static const struct { enum mc_leak_kind k; uint64_t blocks, age; } want[] = {
		{ MC_DEFINITE, 1, 4 }, { MC_DEFINITE, 1, 9 }, { MC_REACHABLE, 1, 7 }, { MC_REACHABLE, 3, 8 },
		{ MC_POSSIBLE, 2, 3 }, { MC_INDIRECT, 1, 2 }, { MC_DEFINITE, 1, 1 },
	};
	CHECK_INT(r.losses.n, 7);
	for (size_t i = 0; i < 7; i++) {
		CHECK_INT(r.losses.v[i].kind, want[i].k);
		CHECK_INT(r.losses.v[i].blocks, want[i].blocks);
		CHECK_INT(r.losses.v[i].age, want[i].age);
	}
	mc_result_free(&r);
}

static void test_parse_heuristics(void)
{
	static const struct { const char *s; bool ok; unsigned set; } c[] = {
		{ "all", true, MC_HEURISTICS_ALL },
		{ "none", true, 0 },
		{ "stdstring,newarray", true, 1u << MC_STDSTRING | 1u << MC_NEWARRAY },
		{ "multipleinheritance", true, 1u << MC_MULTIPLEINHERITANCE },
		{ ",length64,", true, 1u << MC_LENGTH64 }, /* empty words are skipped */
		{ "length64,length64", true, 1u << MC_LENGTH64 },
		{ "all,all", true, MC_HEURISTICS_ALL },
		{ "", false, 0 },
		{ ",", false, 0 },
		{ "all,none", false, 0 },
		{ "none,stdstring", false, 0 },
		{ "stdstring,all", false, 0 },
		{ "ALL", false, 0 },
		{ "stdstrings", false, 0 },
		{ "stdstring,foo", false, 0 },
	};
	for (size_t i = 0; i < sizeof c / sizeof *c; i++) {
		unsigned set = 12345;
		bool ok = mc_parse_heuristics(c[i].s, &set);
		if (ok != c[i].ok || (ok && set != c[i].set))
			printf("# '%s': %d %u\n", c[i].s, ok, set);
		CHECK(ok == c[i].ok);
		if (ok)
			CHECK_INT(set, c[i].set);
	}
}

static void test_summary_lines(void)
{
	struct mc_result r;
	memset(&r, 0, sizeof r);
	r.pid = 7;
	r.leak_checked = true;
	r.in_use_blocks = 3;
	r.in_use_bytes = 1207;
	add(&r, MC_REACHABLE, 1200, 0, 2, 1);
	add(&r, MC_POSSIBLE, 7, 0, 1, 2);
	r.heur_bytes[MC_LENGTH64] = 1200;
	r.heur_blocks[MC_LENGTH64] = 1;
	r.heur_bytes[MC_MULTIPLEINHERITANCE] = 7; /* counted whatever the kind */
	r.heur_blocks[MC_MULTIPLEINHERITANCE] = 1;
	struct mc_opts o;
	mc_opts_init(&o);
	struct strbuf sb = STRBUF_INIT;
	mc_text_report(&sb, &r, &o, NULL);
	CHECK(strstr(sb.buf, "==7==    still reachable: 1,200 bytes in 2 blocks\n"
			     "==7==                       of which reachable via heuristic:\n"
			     "==7==                         length64           : 1,200 bytes in 1 blocks\n"
			     "==7==                         multipleinheritance: 7 bytes in 1 blocks\n"
			     "==7==         suppressed: 0 bytes in 0 blocks\n") != NULL);
	sb_free(&sb);
	/* none reached: no lines */
	memset(r.heur_blocks, 0, sizeof r.heur_blocks);
	mc_text_report(&sb, &r, &o, NULL);
	CHECK(strstr(sb.buf, "heuristic") == NULL);
	sb_free(&sb);
	mc_opts_free(&o);
	mc_result_free(&r);
}

int main(void)
{
	RUN(test_order);
	RUN(test_parse_heuristics);
	RUN(test_summary_lines);
	UNIT_EXIT();
}
