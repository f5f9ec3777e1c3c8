/* Folded stacks -> profile model -> folded stacks again: the names, kinds
 * and counts survive (annotations, empty frames, counts past 2^63, zero
 * counts), and unsigned weight columns read back as unsigned. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collapse/folded.h"
#include "profile/folded_reader.h"
#include "profile/model.h"
#include "render/folded_profile.h"
#include "unit.h"

/* The set's text, as `sonde flamegraph --format folded` writes it. */
static void check_text(const struct folded_set *s, const char *want)
{
	static char buf[4096];
	memset(buf, 0, sizeof(buf));
	FILE *f = fmemopen(buf, sizeof(buf) - 1, "w");
	CHECK(folded_write(f, s) == 0);
	fclose(f);
	CHECK_STR(buf, want);
}

static struct folded_set round_trip(const char *text, struct profile **pp)
{
	struct folded_set in, out;
	folded_init(&in);
	folded_init(&out);
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	folded_read(f, &in, NULL, NULL);
	fclose(f);
	struct profile *p = profile_from_folded(&in);
	struct folded_opts fo = { .kernel = true, .inline_marks = true, .weight = 0 };
	profile_to_folded(p, &fo, &out);
	folded_free(&in);
	*pp = p;
	return out;
}

static void test_names(void)
{
	const char *t = "main;init;sys_read_[k] 5\n"
			"a;_[k];x_[j] 0\n"
			"x;;y 7\n"
			"foo_[i];bar_[i];baz_[q] 2\n";
	struct profile *p;
	struct folded_set out = round_trip(t, &p);
	check_text(&out, t);
	CHECK(!p->weights.v[0].is_signed);
	CHECK_INT(p->samples.n, 4);
	/* kinds from the annotations, names without them */
	const struct prof_rstack *rs = &p->rstacks.v[p->samples.v[0].rstack];
	const struct prof_loc *leaf = &p->locs.v[p->nodes.v[rs->node].loc];
	CHECK_STR(prof_str(p, leaf->func), "sys_read");
	CHECK(leaf->kernel && !leaf->inlined);
	rs = &p->rstacks.v[p->samples.v[1].rstack];
	leaf = &p->locs.v[p->nodes.v[rs->node].loc];
	CHECK_STR(prof_str(p, leaf->func), "x");
	CHECK(leaf->jit);
	folded_free(&out);
	profile_free(p);
}

static void test_big_counts(void)
{
	const char *t = "a;b 9223372036854775809\nc 18446744073709551615\n";
	struct profile *p;
	struct folded_set out = round_trip(t, &p);
	check_text(&out, t);
	CHECK(prof_value(p, 0, 0) == 9223372036854775809ULL);
	CHECK(prof_value(p, 1, 0) == UINT64_MAX);
	CHECK(prof_value_signed(p, 1, 0) == INT64_MAX); /* pprof's clamp */
	CHECK(p->total_period == UINT64_MAX);             /* saturated */
	folded_free(&out);
	profile_free(p);
}

/* a signed column keeps below-zero values (heap leaked bytes) */
static void test_signed_column(void)
{
	struct profile *p = profile_new();
	profile_add_weight(p, "leaked", "bytes");
	struct prof_sample s = { 0 };
	int64_t v = -5;
	profile_add_sample(p, &s, &v);
	CHECK(p->weights.v[0].is_signed);
	CHECK(prof_value(p, 0, 0) == 0);
	CHECK(prof_value_signed(p, 0, 0) == -5);
	profile_free(p);
}

/* One node per distinct prefix, however the stacks come: a node's first
 * child, a second (moved into the index), many; byte-shared prefixes that
 * are not whole frames ("f" / "f2"); text read back whole. */
static void test_trie_sharing(void)
{
	const char *t = "m;f;a 1\n"
			"m;f2;a 2\n"
			"m;f 3\n"
			"m;f;b 4\n"
			"m;f;a;x 5\n"
			"m;g;a 6\n"
			"m;f;c 7\n";
	struct profile *p;
	struct folded_set out = round_trip(t, &p);
	folded_sort(&out);
	check_text(&out, "m;f 3\nm;f2;a 2\nm;f;a 1\nm;f;a;x 5\nm;f;b 4\nm;f;c 7\nm;g;a 6\n");
	/* root, m, f, f2, f2;a, f;a, f;a;x, f;b, f;c, g, g;a */
	CHECK_INT(p->nodes.n, 11);
	/* the set adds to stacks after folded_add_new and folded_sort */
	folded_add(&out, "m;f;b", 5, 10);
	folded_add(&out, "new", 3, 1);
	CHECK_INT(out.v.n, 8);
	check_text(&out, "m;f 3\nm;f2;a 2\nm;f;a 1\nm;f;a;x 5\nm;f;b 14\nm;f;c 7\nm;g;a 6\nnew 1\n");
	folded_free(&out);
	profile_free(p);
}

int main(void)
{
	RUN(test_trie_sharing);
	RUN(test_names);
	RUN(test_big_counts);
	RUN(test_signed_column);
	UNIT_EXIT();
}
