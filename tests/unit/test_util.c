/* hash maps, interning, command-name suggestions */
#include "unit.h"
#include "util/hashmap.h"
#include "util/suggest.h"

static void test_u64map(void)
{
	struct u64map m = { 0 };
	for (uint64_t i = 0; i < 100000; i++)
		*u64map_upsert(&m, i * 7919, 0, NULL) = i;
	for (uint64_t i = 0; i < 100000; i++) {
		uint64_t *v = u64map_get(&m, i * 7919);
		CHECK(v && *v == i);
	}
	CHECK(!u64map_get(&m, 3));
	bool fresh;
	*u64map_upsert(&m, 0, 5, &fresh) = 5;
	CHECK(!fresh); /* key 0 was inserted above (i = 0) */
	u64map_free(&m);
}

static void test_interner(void)
{
	struct interner in = { 0 };
	uint32_t a = intern(&in, "alpha"), b = intern(&in, "beta");
	CHECK(a != b);
	CHECK_INT(intern(&in, "alpha"), a);
	CHECK_INT(intern_n(&in, "betamax", 4), b);
	CHECK_STR(interned(&in, b), "beta");
	interner_free(&in);
}

static void test_suggest(void)
{
	const char *cmds[] = { "record", "report", "script", "stat" };
	CHECK_STR(suggest("recrod", cmds, 4), "record");
	CHECK_STR(suggest("reprot", cmds, 4), "report");
	CHECK_STR(suggest("scirpt", cmds, 4), "script");
	CHECK_STR(suggest("sta", cmds, 4), "stat");
	CHECK(suggest("flamegraph", cmds, 4) == NULL);
	CHECK_INT(edit_distance("kitten", "sitting"), 3);
}

int main(void)
{
	RUN(test_u64map);
	RUN(test_interner);
	RUN(test_suggest);
	UNIT_EXIT();
}
