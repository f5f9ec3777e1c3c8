/* profile.coz reading and the viewer's speedup math on hand-made experiments. */
#include <math.h>

#include "coz/coz_profile.h"
#include "coz/coz_speedup.h"
#include "unit.h"

static int parse(const char *text, struct coz_profile *p, char *err, size_t errlen)
{
	memset(p, 0, sizeof(*p));
	FILE *in = fmemopen((void *)text, strlen(text), "r");
	int rc = coz_read_stream(in, "t.coz", p, err, errlen);
	fclose(in);
	return rc;
}

#define NEAR(a, b) (fabs((a) - (b)) < 1e-9)

static void test_read_records(void)
{
	const char *t = "startup\ttime=1\n"
			"experiment\tselected=a.c:5\tspeedup=0.25\tduration=1000\tselected-samples=3\n"
			"throughput-point\tname=ops\tdelta=10\n"
			"latency-point\tname=req\tarrivals=4\tdepartures=3\tdifference=1\n"
			"runtime\ttime=5\nsamples\tlocation=a.c:5\tcount=9\n"
			"startup\ttime=7\n"
			"experiment\tselected=b.c:1\tspeedup=0.00\tduration=500\tselected-samples=0\n"
			"progress-point\tname=ops\ttype=source\tdelta=2\n";
	struct coz_profile p;
	char err[256] = "";
	CHECK_INT(parse(t, &p, err, sizeof(err)), 0);
	CHECK_INT(p.runs, 2);
	CHECK_INT(p.experiments, 2);
	CHECK_INT(p.recs.n, 3);
	CHECK_INT(p.lines.n, 2);
	CHECK_INT(p.points.n, 2);
	CHECK_INT(p.recs.v[0].pct, 25);
	CHECK(NEAR(p.recs.v[0].delta, 10));
	CHECK_INT(p.recs.v[1].kind, COZ_LATENCY);
	CHECK(NEAR(p.recs.v[1].arrivals, 4));
	CHECK_STR(interned(&p.lines, p.recs.v[2].line), "b.c:1");
	CHECK(NEAR(p.recs.v[2].duration, 500));
	coz_profile_free(&p);
}

static void expect_error(const char *t, const char *want)
{
	struct coz_profile p;
	char err[256] = "";
	int rc = parse(t, &p, err, sizeof(err));
	coz_profile_free(&p);
	if (rc != -1 || !strstr(err, want))
		printf("FAIL %s: '%s' gave %d '%s', expected '%s'\n", unit_current_, t, rc, err, want), unit_current_failed_ = 1;
}

static void test_bad_input(void)
{
	expect_error("throughput-point\tname=x\tdelta=1\n", "t.coz:1: progress point before any experiment");
	expect_error("startup\n\nexperiment\tselected=a:1\tspeedup=0.5\n", "t.coz:3: no duration= field");
	expect_error("experiment\tselected=a:1\tspeedup=2\tduration=1\n", "t.coz:1: speedup=2 is above 1");
	expect_error("experiment\tselected=a:1\tspeedup=0\tduration=1e999\n", "bad duration= value (not an integer)");
	expect_error("experiment\tselected=a:1\tspeedup=0\tduration=1.5\n", "bad duration= value (not an integer)");
	expect_error("experiment\tselected=a:1\tspeedup=1e999\tduration=1\n", "bad speedup= value");
	expect_error("experiment\tselected=a:1\tspeedup=0\tduration=-4\n", "bad duration=");
	expect_error("experiment\tselected=a:1\tspeedup=0\tduration=1\nthroughput-point\tname=x\tdelta=1x\n",
		     "t.coz:2: bad delta=");
	expect_error("experiment\tselected=a:1\tspeedup=0\tduration=1\nlatency-point\tname=x\tarrivals=1\n",
		     "t.coz:2: no departures= field");
	expect_error("junk\n", "t.coz:1: unknown record type");
	expect_error("{\"type\":\"startup\"}\n", "JSON");
	expect_error("experiment\tselected=a:1\tspeedup=0\tduration=1\nthroughput-point\tname=x\tdel", "t.coz:2: no delta=");
}

/* Throughput: period = duration / delta, speedup relative to speedup 0. */
static void test_throughput_math(void)
{
	/* baseline period 100 (two experiments summed: 2000 ns / 20 visits);
	 * at 50% the period is 80 -> 20% program speedup */
	const char *t = "experiment\tselected=a.c:1\tspeedup=0.00\tduration=1000\tselected-samples=1\n"
			"throughput-point\tname=ops\tdelta=10\n"
			"experiment\tselected=a.c:1\tspeedup=0.00\tduration=1000\tselected-samples=1\n"
			"throughput-point\tname=ops\tdelta=10\n"
			"experiment\tselected=a.c:1\tspeedup=0.50\tduration=800\tselected-samples=1\n"
			"throughput-point\tname=ops\tdelta=10\n"
			"experiment\tselected=b.c:2\tspeedup=0.00\tduration=1000\tselected-samples=1\n"
			"throughput-point\tname=ops\tdelta=10\n"
			"experiment\tselected=b.c:2\tspeedup=0.50\tduration=1000\tselected-samples=1\n"
			"throughput-point\tname=ops\tdelta=10\n"
			"experiment\tselected=b.c:2\tspeedup=1.00\tduration=1000\tselected-samples=1\n"
			"throughput-point\tname=ops\tdelta=0\n"; /* infinite period: dropped */
	struct coz_profile p;
	char err[256];
	CHECK_INT(parse(t, &p, err, sizeof(err)), 0);
	struct coz_result r;
	coz_speedups(&p, &r);
	CHECK_INT(r.s.n, 2);
	const struct coz_series *a = &r.s.v[0], *b = &r.s.v[1];
	CHECK_STR(interned(&p.lines, a->line), "a.c:1");
	CHECK_INT(a->m.n, 2);
	CHECK(NEAR(a->m.v[0].progress, 0));
	CHECK(NEAR(a->m.v[1].speedup, 0.5));
	CHECK(NEAR(a->m.v[1].progress, 0.2));
	CHECK(NEAR(a->slope, 0.4)); /* through the origin: 0.1 / 0.25 */
	CHECK(NEAR(a->se, 0));
	CHECK_INT(b->m.n, 2);
	CHECK(NEAR(b->slope, 0));
	CHECK(coz_enough(a, 2) && !coz_enough(a, 3));
	coz_result_free(&r);
	coz_profile_free(&p);
}

/* Latency: difference / (arrivals / duration), negated; the difference
 * averaged over experiments weighted by duration. */
static void test_latency_math(void)
{
	const char *t = "experiment\tselected=q.c:9\tspeedup=0.00\tduration=1000\tselected-samples=1\n"
			"latency-point\tname=req\tarrivals=10\tdepartures=10\tdifference=2\n"
			"experiment\tselected=q.c:9\tspeedup=0.00\tduration=3000\tselected-samples=1\n"
			"latency-point\tname=req\tarrivals=30\tdepartures=30\tdifference=6\n"
			"experiment\tselected=q.c:9\tspeedup=0.40\tduration=1000\tselected-samples=1\n"
			"latency-point\tname=req\tarrivals=10\tdepartures=10\tdifference=4\n";
	/* baseline: difference (2*1000 + 6*3000)/4000 = 5, rate 40/4000 -> 500;
	 * at 40%: 4 / (10/1000) = 400 -> (500-400)/500 = 0.2, negated: -0.2 */
	struct coz_profile p;
	char err[256];
	CHECK_INT(parse(t, &p, err, sizeof(err)), 0);
	struct coz_result r;
	coz_speedups(&p, &r);
	CHECK_INT(r.s.n, 1);
	CHECK_INT(r.s.v[0].kind, COZ_LATENCY);
	CHECK_INT(r.s.v[0].m.n, 2);
	CHECK(NEAR(r.s.v[0].m.v[1].progress, -0.2));
	CHECK(NEAR(r.s.v[0].slope, -0.5));
	coz_result_free(&r);
	coz_profile_free(&p);
}

/* Points out of [-1, 2] are dropped; no baseline, no series; the fit's
 * standard error on scattered points. */
static void test_filters_and_fit(void)
{
	const char *t = "experiment\tselected=a:1\tspeedup=0.10\tduration=1000\tselected-samples=1\n"
			"throughput-point\tname=ops\tdelta=10\n" /* no baseline for a:1 */
			"experiment\tselected=b:1\tspeedup=0\tduration=1000\tselected-samples=1\n"
			"throughput-point\tname=ops\tdelta=10\n"
			"experiment\tselected=b:1\tspeedup=0.5\tduration=10\tselected-samples=1\n"
			"throughput-point\tname=ops\tdelta=10\n" /* 99x faster: 0.99 kept */
			"experiment\tselected=b:1\tspeedup=0.6\tduration=4000\tselected-samples=1\n"
			"throughput-point\tname=ops\tdelta=1\n"; /* period 4000: -39, dropped */
	struct coz_profile p;
	char err[256];
	CHECK_INT(parse(t, &p, err, sizeof(err)), 0);
	struct coz_result r;
	coz_speedups(&p, &r);
	CHECK_INT(r.s.n, 1);
	CHECK_INT(r.s.v[0].m.n, 2);
	CHECK(NEAR(r.s.v[0].m.v[1].progress, 0.99));
	coz_result_free(&r);
	coz_profile_free(&p);

	/* y = (0,0) (0.5,0.1) (1,0.5): slope 0.55/1.25 = 0.44; residuals 0,
	 * -0.12, 0.06: se = sqrt(0.018 / 2 / 1.25) */
	const char *u = "experiment\tselected=c:1\tspeedup=0\tduration=1000\tselected-samples=1\n"
			"throughput-point\tname=ops\tdelta=10\n"
			"experiment\tselected=c:1\tspeedup=0.5\tduration=900\tselected-samples=1\n"
			"throughput-point\tname=ops\tdelta=10\n"
			"experiment\tselected=c:1\tspeedup=1\tduration=500\tselected-samples=1\n"
			"throughput-point\tname=ops\tdelta=10\n";
	CHECK_INT(parse(u, &p, err, sizeof(err)), 0);
	coz_speedups(&p, &r);
	CHECK_INT(r.s.n, 1);
	CHECK(NEAR(r.s.v[0].slope, 0.44));
	CHECK(NEAR(r.s.v[0].se, sqrt(0.0072)));
	coz_result_free(&r);
	coz_profile_free(&p);
}

int main(void)
{
	RUN(test_read_records);
	RUN(test_bad_input);
	RUN(test_throughput_math);
	RUN(test_latency_math);
	RUN(test_filters_and_fit);
	UNIT_EXIT();
}
