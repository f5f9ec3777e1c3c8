/* sonde stat's events: perf's names → type/config (the expected values are
 * what perf 6.1's `perf stat -vv -e NAME` puts in perf_event_attr), config →
 * perf's name, the fake counter source, and perf's derived metrics. */
#include <errno.h>
#include <linux/perf_event.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/stat_metric.h"
#include "collect/counter_source.h"
#include "collect/counters.h"
#include "collect/events.h"
#include "collect/hwcache.h"
#include "unit.h"

static const struct {
	const char *name;
	uint32_t type;
	uint64_t config;
} known[] = {
	{ "L1-dcache-loads", 3, 0x0 },
	{ "L1-dcache-load-misses", 3, 0x10000 },
	{ "L1-dcache-stores", 3, 0x100 },
	{ "L1-dcache-store-misses", 3, 0x10100 },
	{ "L1-dcache-prefetches", 3, 0x200 },
	{ "L1-dcache-prefetch-misses", 3, 0x10200 },
	{ "L1-icache-loads", 3, 0x1 },
	{ "L1-icache-load-misses", 3, 0x10001 },
	{ "LLC-loads", 3, 0x2 },
	{ "LLC-load-misses", 3, 0x10002 },
	{ "LLC-stores", 3, 0x102 },
	{ "LLC-store-misses", 3, 0x10102 },
	{ "dTLB-loads", 3, 0x3 },
	{ "dTLB-load-misses", 3, 0x10003 },
	{ "dTLB-store-misses", 3, 0x10103 },
	{ "iTLB-loads", 3, 0x4 },
	{ "iTLB-load-misses", 3, 0x10004 },
	{ "branch-loads", 3, 0x5 },
	{ "branch-load-misses", 3, 0x10005 },
	{ "node-loads", 3, 0x6 },
	{ "node-stores", 3, 0x106 },
	{ "node-prefetches", 3, 0x206 },
	/* perf's aliases and its lenient rules */
	{ "l1-d-loads", 3, 0x0 },
	{ "L1-data-load-miss", 3, 0x10000 },
	{ "l1d-loads", 3, 0x0 },
	{ "L1-dcache", 3, 0x0 },
	{ "L1-dcache-misses", 3, 0x10000 },
	{ "L1-dcache-Reference", 3, 0x0 },
	{ "L1-dcache-write-ops", 3, 0x100 },
	{ "L1-dcache-misses-store", 3, 0x10100 },
	{ "L1-dcache-loads-misses", 3, 0x10000 },
	{ "L1-dcache-load-store", 3, 0x0 },
	{ "L1-dcache-misses-misses", 3, 0x10000 },
	{ "L1-dcache-speculative-read", 3, 0x200 },
	{ "L1-dcache-prefetches-miss", 3, 0x10200 },
	{ "L1-dcache-load-ops", 3, 0x0 },
	{ "L1-dcache-refs-loads", 3, 0x0 },
	{ "L1-icache-misses", 3, 0x10001 },
	{ "L1-icache-speculative-load-misses", 3, 0x10201 },
	{ "l1i-loads", 3, 0x1 },
	{ "L1-instruction-prefetches", 3, 0x201 },
	{ "LLC-speculative-read-misses", 3, 0x10202 },
	{ "LLC-prefetch-miss", 3, 0x10202 },
	{ "L2-loads", 3, 0x2 },
	{ "Data-TLB-loads", 3, 0x3 },
	{ "dTLB-refs", 3, 0x3 },
	{ "d-tlb-write", 3, 0x103 },
	{ "Instruction-TLB-miss", 3, 0x10004 },
	{ "bpu-load-misses", 3, 0x10005 },
	{ "btb-loads", 3, 0x5 },
	{ "bpc-misses", 3, 0x10005 },
	{ "branch", 3, 0x5 },
	/* generic hardware, software, raw */
	{ "cycles", 0, 0 },
	{ "cpu-cycles", 0, 0 },
	{ "instructions", 0, 1 },
	{ "cache-references", 0, 2 },
	{ "cache-misses", 0, 3 },
	{ "branches", 0, 4 },
	{ "branch-instructions", 0, 4 },
	{ "branch-misses", 0, 5 },
	{ "bus-cycles", 0, 6 },
	{ "stalled-cycles-frontend", 0, 7 },
	{ "idle-cycles-frontend", 0, 7 },
	{ "stalled-cycles-backend", 0, 8 },
	{ "idle-cycles-backend", 0, 8 },
	{ "ref-cycles", 0, 9 },
	{ "alignment-faults", 1, 7 },
	{ "emulation-faults", 1, 8 },
	{ "dummy", 1, 9 },
	{ "bpf-output", 1, 10 },
	{ "cgroup-switches", 1, 11 },
	{ "r1a2", 4, 0x1a2 },
	{ "rFFFF", 4, 0xffff },
	{ "r0", 4, 0 },
	{ "r1234567890abcdef", 4, 0x1234567890abcdefull },
};

/* names perf refuses ("event syntax error") */
static const char *const refused[] = {
	"branches-loads",   "l1-dcache-loads",    "L1-DCACHE-LOADS", "L1-dcache-LOADS",
	"L1-icache-stores", "iTLB-stores",        "branch-stores",   "L1-dcache-load-misses-load",
	"R1a2",             "r12345678901234567", "r",               "rxyz",
	"L1-dcache-",       "L1-dcache-lo",       "LLC-loadsx",
	"dTLB-loads:x",
};

static void test_perf_names(void)
{
	struct event_spec e;
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if (event_parse(known[i].name, &e) < 0) {
			printf("FAIL %s: '%s' refused\n", unit_current_, known[i].name);
			unit_current_failed_ = 1;
			return;
		}
		if (e.type != known[i].type || e.config != known[i].config) {
			printf("FAIL %s: '%s' gave type %u config %#llx, perf: %u %#llx\n", unit_current_,
			       known[i].name, e.type, (unsigned long long)e.config, known[i].type,
			       (unsigned long long)known[i].config);
			unit_current_failed_ = 1;
			return;
		}
		CHECK_STR(e.name, known[i].name);
	}
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		if (event_parse(refused[i], &e) == 0) {
			printf("FAIL %s: '%s' accepted (perf refuses it)\n", unit_current_, refused[i]);
			unit_current_failed_ = 1;
			return;
		}
}

/* Every cache event perf can list parses back from its canonical name. */
static void test_cache_round_trip(void)
{
	uint64_t cfg[64];
	int n = hwcache_all(cfg, 64);
	CHECK_INT(n, 2 * (3 + 2 + 3 + 3 + 1 + 1 + 3)); /* perf's evsel__hw_cache_stat */
	char buf[64];
	struct event_spec e;
	for (int i = 0; i < n; i++) {
		const char *name = event_canonical_name(PERF_TYPE_HW_CACHE, cfg[i], buf, sizeof(buf));
		CHECK(name);
		CHECK_INT(event_parse(name, &e), 0);
		CHECK_INT(e.type, PERF_TYPE_HW_CACHE);
		CHECK_INT(e.config, cfg[i]);
		CHECK(event_is_hardware(&e));
	}
	CHECK_STR(event_canonical_name(PERF_TYPE_HW_CACHE, 0x10000, buf, sizeof(buf)), "L1-dcache-load-misses");
	CHECK_STR(event_canonical_name(PERF_TYPE_HW_CACHE, 0x2, buf, sizeof(buf)), "LLC-loads");
	CHECK_STR(event_canonical_name(PERF_TYPE_HW_CACHE, 0x206, buf, sizeof(buf)), "node-prefetches");
	CHECK(!event_canonical_name(PERF_TYPE_HW_CACHE, 0x101, buf, sizeof(buf))); /* L1-icache store */
	CHECK(!event_canonical_name(PERF_TYPE_HW_CACHE, 0x20000, buf, sizeof(buf)));
	CHECK(!event_canonical_name(PERF_TYPE_HW_CACHE, 0x7, buf, sizeof(buf)));
	CHECK_STR(event_canonical_name(PERF_TYPE_RAW, 0x1a2, buf, sizeof(buf)), "r1a2");
	/* generic events: perf's evsel__hw_names / evsel__sw_names */
	static const char *const hw[] = { "cycles",     "instructions",           "cache-references",
					  "cache-misses", "branches",             "branch-misses",
					  "bus-cycles", "stalled-cycles-frontend", "stalled-cycles-backend",
					  "ref-cycles" };
	for (unsigned i = 0; i < sizeof(hw) / sizeof(hw[0]); i++) {
		CHECK_STR(event_canonical_name(PERF_TYPE_HARDWARE, i, buf, sizeof(buf)), hw[i]);
		CHECK_INT(event_parse(hw[i], &e), 0);
		CHECK_INT(e.config, i);
		CHECK(event_is_hardware(&e));
	}
	CHECK_STR(event_canonical_name(PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES, buf, sizeof(buf)),
		  "context-switches");
	CHECK(event_parse("cs", &e) == 0 && !event_is_hardware(&e));
}

static void test_modifiers(void)
{
	struct event_spec e;
	char buf[64];
	CHECK_INT(event_parse("L1-dcache-load-misses:u", &e), 0);
	CHECK(e.exclude_kernel && !e.exclude_user && e.modifier);
	CHECK_INT(e.config, 0x10000);
	CHECK_STR(event_display(&e, buf, sizeof(buf)), "L1-dcache-load-misses:u");
	CHECK_INT(event_parse("r1a2:k", &e), 0);
	CHECK(e.exclude_user && !e.exclude_kernel && e.type == PERF_TYPE_RAW);
	CHECK_INT(event_parse("LLC-loads:uk", &e), 0);
	CHECK(!e.exclude_user && !e.exclude_kernel && e.modifier);
}

/* a refused cache op says which ops that cache has */
static void test_why_unknown(void)
{
	char buf[128];
	CHECK_STR(event_why_unknown("L1-icache-stores", buf, sizeof(buf)),
		  "perf counts no stores on L1-icache (only loads, prefetches)");
	CHECK_STR(event_why_unknown("iTLB-prefetch-misses:u", buf, sizeof(buf)),
		  "perf counts no prefetches on iTLB (only loads)");
	CHECK(!event_why_unknown("L1-dcache-lo", buf, sizeof(buf)));
	CHECK(!event_why_unknown("nonsense", buf, sizeof(buf)));
}

static char fake_path[] = "/tmp/sonde-fake-XXXXXX";

static void test_fake_source(void)
{
	int fd = mkstemp(fake_path);
	CHECK(fd >= 0);
	static const char text[] = "# fake counts\n"
				   "pmu no\n"
				   "L1-dcache-loads 1000000\n"
				   "l1d-load-miss 12345 2000000 1000000\n"
				   "LLC-loads 0 1000 0\n"
				   "dTLB-loads unsupported\n"
				   "iTLB-loads error 13\n";
	CHECK(write(fd, text, sizeof(text) - 1) == (ssize_t)sizeof(text) - 1);
	close(fd);
	setenv(COUNTER_FAKE_ENV, fake_path, 1);
	const struct counter_source *src = counter_source();
	CHECK(src != &counter_source_perf);
	CHECK(!src->has_pmu());

	const char *names[] = { "L1-dcache-loads", "L1-dcache-load-misses", "LLC-loads", "dTLB-loads" };
	struct counter c[4];
	memset(c, 0, sizeof(c));
	for (int i = 0; i < 4; i++)
		CHECK_INT(event_parse(names[i], &c[i].ev), 0);
	CHECK_INT(counters_open(c, 4, getpid()), 0);
	CHECK(c[0].fd >= 0 && c[1].fd >= 0 && c[2].fd >= 0);
	CHECK_INT(c[3].state, COUNTER_UNSUPPORTED);
	counters_read_close(c, 4);
	CHECK_INT(c[0].state, COUNTER_OK);
	CHECK(c[0].value == 1000000.0);
	CHECK_INT(c[1].state, COUNTER_OK);
	CHECK(c[1].value == 24690.0); /* scaled by enabled / running, as perf does */
	CHECK_INT(c[1].running, 1000000);
	CHECK_INT(c[2].state, COUNTER_NOT_COUNTED);

	struct perf_event_attr a;
	struct event_spec e;
	event_parse("iTLB-loads", &e);
	event_attr_init(&a, &e);
	errno = 0;
	CHECK_INT(src->open(&a, 0), -1);
	CHECK_INT(errno, 13);
	unlink(fake_path);
}

static void test_bad_fake_file(void)
{
	char path[] = "/tmp/sonde-fake-XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	CHECK(write(fd, "no-such-event 5\n", 16) == 16);
	close(fd);
	CHECK(counter_fake_load(path) == NULL);
	unlink(path);
	CHECK(counter_fake_load("/nonexistent/fake") == NULL);
}

static struct stat_ev mk(const char *name, double v)
{
	struct stat_ev e;
	memset(&e, 0, sizeof(e));
	event_parse(name, &e.c.ev);
	stats_add(&e.st, v);
	return e;
}

/* perf's stat-shadow.c ratios: which pairs, which formats, blank without the total */
static void test_metrics(void)
{
	struct stat_ev evs[] = { mk("L1-dcache-load-misses", 2469), mk("L1-dcache-loads", 100000),
				 mk("cache-misses", 500),           mk("cache-references", 20000),
				 mk("stalled-cycles-backend", 0),   mk("cycles", 1000),
				 mk("LLC-load-misses", 5),          mk("task-clock", 1e6),
				 mk("iTLB-load-misses", 7) };
	int n = sizeof(evs) / sizeof(evs[0]);
	struct metric m = stat_metric(evs, n, &evs[0], 1e6);
	CHECK(m.have);
	CHECK_STR(m.val, "   2.47%");
	CHECK_STR(m.unit, "of all L1-dcache accesses");
	m = stat_metric(evs, n, &evs[2], 1e6);
	CHECK_STR(m.val, "   2.500 %");
	CHECK_STR(m.unit, "of all cache refs");
	m = stat_metric(evs, n, &evs[4], 1e6);
	CHECK(!m.have); /* perf prints no 0% idle */
	m = stat_metric(evs, n, &evs[6], 1e6);
	CHECK(!m.have); /* no LLC-loads: blank, not a rate */
	m = stat_metric(evs, n, &evs[1], 1e6);
	CHECK(m.have);
	CHECK_STR(m.unit, "M/sec"); /* 100000 in 1 ms */
	evs[8].c.ev.config = 0x4; /* iTLB-loads now, beside... */
	evs[6] = mk("iTLB-load-misses", 7);
	m = stat_metric(evs, n, &evs[6], 1e6);
	CHECK(m.have);
	CHECK_STR(m.unit, "of all iTLB cache accesses");
	evs[1].not_counted = true;
	m = stat_metric(evs, n, &evs[0], 1e6);
	CHECK(!m.have);
}

int main(void)
{
	RUN(test_perf_names);
	RUN(test_cache_round_trip);
	RUN(test_modifiers);
	RUN(test_why_unknown);
	RUN(test_fake_source);
	RUN(test_bad_fake_file);
	RUN(test_metrics);
	UNIT_EXIT();
}
