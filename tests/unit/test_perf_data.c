/* perf.data import: hand-built perf.data images (header, attrs, records,
 * feature sections) converted into sonde records and read back. */
#include <linux/perf_event.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "profile/format.h"
#include "profile/perf_data.h"
#include "unit.h"
#include "util/die.h"
#include "util/strbuf.h"

static char path[256];

/* ---- building perf.data images ---- */

static void put64(struct strbuf *b, uint64_t v) { sb_add(b, &v, 8); }
static void put32(struct strbuf *b, uint32_t v) { sb_add(b, &v, 4); }
static void put16(struct strbuf *b, uint16_t v) { sb_add(b, &v, 2); }
static void set64(struct strbuf *b, size_t off, uint64_t v) { memcpy(b->buf + off, &v, 8); }
static void pad8(struct strbuf *b)
{
	while (b->len % 8)
		sb_addc(b, 0);
}

/* starts a record; finish with rec_end */
static size_t rec_begin(struct strbuf *b, uint32_t type, uint16_t misc)
{
	size_t at = b->len;
	put32(b, type);
	put16(b, misc);
	put16(b, 0);
	return at;
}
static void rec_end(struct strbuf *b, size_t at)
{
	pad8(b);
	uint16_t sz = (uint16_t)(b->len - at);
	memcpy(b->buf + at + 6, &sz, 2);
}

#define ST_BASIC (PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_CPU | PERF_SAMPLE_PERIOD)
#define FLAG_SAMPLE_ID_ALL (1ull << 18)
#define FLAG_FREQ (1ull << 10)

struct attr_spec {
	uint32_t type, size;
	uint64_t config, sample_type, read_format, flags, branch_sample_type, regs_user;
	uint32_t stack_user;
};

static void put_attr(struct strbuf *b, const struct attr_spec *a, size_t bytes)
{
	unsigned char buf[136] = { 0 };
	memcpy(buf, &a->type, 4);
	uint32_t sz = a->size ? a->size : (uint32_t)bytes;
	memcpy(buf + 4, &sz, 4);
	memcpy(buf + 8, &a->config, 8);
	uint64_t freq = 999;
	memcpy(buf + 16, &freq, 8);
	memcpy(buf + 24, &a->sample_type, 8);
	memcpy(buf + 32, &a->read_format, 8);
	memcpy(buf + 40, &a->flags, 8);
	memcpy(buf + 72, &a->branch_sample_type, 8);
	memcpy(buf + 80, &a->regs_user, 8);
	memcpy(buf + 88, &a->stack_user, 4);
	sb_add(b, buf, bytes);
}

/* the sample_id trailer for ST_BASIC-like types: tid, time, [id], cpu */
static void put_trailer(struct strbuf *b, uint64_t st, uint32_t pid, uint32_t tid, uint64_t time, uint64_t id)
{
	if (st & PERF_SAMPLE_TID) {
		put32(b, pid);
		put32(b, tid);
	}
	if (st & PERF_SAMPLE_TIME)
		put64(b, time);
	if (st & PERF_SAMPLE_ID)
		put64(b, id);
	if (st & PERF_SAMPLE_CPU)
		put64(b, 0);
	if (st & PERF_SAMPLE_IDENTIFIER)
		put64(b, id);
}

static void put_comm(struct strbuf *b, uint64_t st, uint32_t pid, const char *name, bool exec, uint64_t time)
{
	size_t at = rec_begin(b, PERF_RECORD_COMM, exec ? PERF_RECORD_MISC_COMM_EXEC : 0);
	put32(b, pid);
	put32(b, pid);
	sb_add(b, name, strlen(name) + 1);
	pad8(b);
	put_trailer(b, st, pid, pid, time, 1);
	rec_end(b, at);
}

static void put_mmap2(struct strbuf *b, uint64_t st, uint32_t pid, uint64_t start, const char *fn, uint64_t time)
{
	size_t at = rec_begin(b, PERF_RECORD_MMAP2, PERF_RECORD_MISC_USER);
	put32(b, pid);
	put32(b, pid);
	put64(b, start);
	put64(b, 0x1000);
	put64(b, 0);
	for (int i = 0; i < 3; i++) /* maj, min, ino, ino_generation */
		put64(b, 0);
	put32(b, PROT_READ | PROT_EXEC);
	put32(b, MAP_PRIVATE);
	sb_add(b, fn, strlen(fn) + 1);
	pad8(b);
	put_trailer(b, st, pid, pid, time, 1);
	rec_end(b, at);
}

static void put_task(struct strbuf *b, uint32_t type, uint64_t st, uint32_t pid, uint32_t ppid, uint64_t time)
{
	size_t at = rec_begin(b, type, 0);
	put32(b, pid);
	put32(b, ppid);
	put32(b, pid);
	put32(b, ppid);
	put64(b, time);
	put_trailer(b, st, pid, pid, time, 1);
	rec_end(b, at);
}

/* a sample with ST_BASIC fields (+ IDENTIFIER/CALLCHAIN when in st) */
static void put_sample(struct strbuf *b, uint64_t st, uint64_t id, uint32_t pid, uint64_t time, uint64_t ip,
		       const uint64_t *chain, uint64_t nr, uint16_t cpumode)
{
	size_t at = rec_begin(b, PERF_RECORD_SAMPLE, cpumode);
	if (st & PERF_SAMPLE_IDENTIFIER)
		put64(b, id);
	put64(b, ip);
	put32(b, pid);
	put32(b, pid);
	put64(b, time);
	put64(b, 3); /* cpu */
	put64(b, 1000);
	if (st & PERF_SAMPLE_CALLCHAIN) {
		put64(b, nr);
		for (uint64_t i = 0; i < nr; i++)
			put64(b, chain[i]);
	}
	rec_end(b, at);
}

static void put_string(struct strbuf *b, const char *s)
{
	uint32_t n = (uint32_t)((strlen(s) + 1 + 7) & ~7u);
	put32(b, n);
	size_t at = b->len;
	sb_add(b, s, strlen(s));
	while (b->len < at + n)
		sb_addc(b, 0);
}

struct image {
	struct strbuf b;
	size_t data_off;
};

/* header + attrs (with ids) ; data follows. attr_bytes = perf_event_attr size */
static void image_begin(struct image *im, const struct attr_spec *attrs, int nattrs, size_t attr_bytes)
{
	struct strbuf *b = &im->b;
	memset(im, 0, sizeof(*im));
	sb_add(b, "PERFILE2", 8);
	put64(b, 104);
	put64(b, attr_bytes + 16);
	for (int i = 0; i < 10; i++) /* sections + feature bitmap: filled in later */
		put64(b, 0);
	/* ids: attr i has id 100+i */
	size_t ids_off = b->len;
	for (int i = 0; i < nattrs; i++)
		put64(b, 100 + (uint64_t)i);
	size_t attrs_off = b->len;
	for (int i = 0; i < nattrs; i++) {
		put_attr(b, &attrs[i], attr_bytes);
		put64(b, ids_off + 8 * (uint64_t)i);
		put64(b, 8);
	}
	set64(b, 24, attrs_off);
	set64(b, 32, b->len - attrs_off);
	pad8(b);
	im->data_off = b->len;
	set64(b, 40, im->data_off);
}

/* ends the data section and appends feature sections */
static void image_end(struct image *im, bool features, const char *event_name)
{
	struct strbuf *b = &im->b;
	set64(b, 48, b->len - im->data_off);
	if (!features)
		return;
	/* bits: BUILD_ID(2) HOSTNAME(3) OSRELEASE(4) ARCH(6) CMDLINE(11) EVENT_DESC(12) */
	uint64_t bits = (1u << 2) | (1u << 3) | (1u << 4) | (1u << 6) | (1u << 11) | (1u << 12);
	set64(b, 72, bits);
	size_t table = b->len;
	for (int i = 0; i < 6; i++) {
		put64(b, 0);
		put64(b, 0);
	}
	size_t sec[6][2];
	int k = 0;
	/* BUILD_ID */
	sec[k][0] = b->len;
	size_t at = rec_begin(b, 67 /* HEADER_BUILD_ID */, PERF_RECORD_MISC_USER);
	put32(b, (uint32_t)-1);
	for (int i = 0; i < 20; i++)
		sb_addc(b, (char)(0xa0 + i));
	put32(b, 0);
	sb_add(b, "/bin/prog", 10);
	rec_end(b, at);
	sec[k][1] = b->len - sec[k][0];
	k++;
	const char *strs[] = { "testhost", "6.1.0-test", "x86_64" };
	for (int i = 0; i < 3; i++, k++) {
		sec[k][0] = b->len;
		put_string(b, strs[i]);
		sec[k][1] = b->len - sec[k][0];
	}
	/* CMDLINE */
	sec[k][0] = b->len;
	put32(b, 3);
	put_string(b, "perf");
	put_string(b, "record");
	put_string(b, "./prog");
	sec[k][1] = b->len - sec[k][0];
	k++;
	/* EVENT_DESC: one event */
	sec[k][0] = b->len;
	put32(b, 1);
	put32(b, 64);
	struct attr_spec a = { .sample_type = ST_BASIC };
	put_attr(b, &a, 64);
	put32(b, 1);
	put_string(b, event_name);
	put64(b, 100);
	sec[k][1] = b->len - sec[k][0];
	k++;
	for (int i = 0; i < k; i++) {
		set64(b, table + 16 * (size_t)i, sec[i][0]);
		set64(b, table + 16 * (size_t)i + 8, sec[i][1]);
	}
}

/* ---- reading back ---- */

struct got {
	char meta[1024];
	int mmaps, comms, forks, exits, samples, stacks, finish;
	uint64_t lost;
	char mmap_name[64];
	uint8_t mmap_bid_len, mmap_bid0;
	uint64_t sample_times[16];
	uint32_t sample_pids[16];
	uint64_t stack_frames[16][8];
	uint32_t stack_nr[16], stack_nk[16];
	uint64_t sample_stack[16];
	uint64_t order[64]; /* record types in order */
	int norder;
};

static int convert(struct image *im, size_t cut, struct got *g, struct perf_data_stats *st, char *why)
{
	memset(g, 0, sizeof(*g));
	struct sd_writer *w = sd_writer_open(path);
	int rc = perf_data_convert_mem(im->b.buf, cut ? cut : im->b.len, w, PD_QUIET, st, why, 256);
	sd_writer_close(w);
	if (rc == PD_FAIL)
		return rc;
	char rwhy[256];
	struct sd_reader *r = sd_reader_open(path, rwhy, sizeof(rwhy));
	if (!r)
		return -2;
	struct sd_record rec;
	while (sd_read(r, &rec) == SD_OK) {
		if (g->norder < 64)
			g->order[g->norder++] = rec.type;
		switch (rec.type) {
		case SD_META:
			for (size_t i = 0; i < rec.u.meta.n; i++) {
				size_t l = strlen(g->meta);
				snprintf(g->meta + l, sizeof(g->meta) - l, "%s=%s;", rec.u.meta.keys[i],
					 rec.u.meta.vals[i]);
			}
			break;
		case SD_MMAP:
			g->mmaps++;
			snprintf(g->mmap_name, sizeof(g->mmap_name), "%s", rec.u.mmap.filename);
			g->mmap_bid_len = rec.u.mmap.build_id_len;
			g->mmap_bid0 = rec.u.mmap.build_id[0];
			break;
		case SD_COMM:
			g->comms++;
			break;
		case SD_FORK:
			g->forks++;
			break;
		case SD_EXIT:
			g->exits++;
			break;
		case SD_STACK:
			if (g->stacks < 16) {
				g->stack_nr[g->stacks] = rec.u.stack.nr;
				g->stack_nk[g->stacks] = rec.u.stack.nr_kernel;
				for (uint32_t i = 0; i < rec.u.stack.nr && i < 8; i++)
					g->stack_frames[g->stacks][i] = rec.u.stack.frames[i];
			}
			g->stacks++;
			break;
		case SD_SAMPLE:
			if (g->samples < 16) {
				g->sample_times[g->samples] = rec.u.sample.time;
				g->sample_pids[g->samples] = rec.u.sample.pid;
				g->sample_stack[g->samples] = rec.u.sample.stack_id;
			}
			g->samples++;
			break;
		case SD_LOST:
			g->lost += rec.u.lost.lost;
			break;
		case SD_FINISH:
			g->finish++;
			break;
		default:
			break;
		}
	}
	sd_reader_close(r);
	return rc;
}

#define KADDR 0xffffffff81001234ull

static void build_basic(struct image *im, size_t *cut_at)
{
	uint64_t st = ST_BASIC | PERF_SAMPLE_CALLCHAIN;
	struct attr_spec a = { .type = PERF_TYPE_SOFTWARE, .config = PERF_COUNT_SW_CPU_CLOCK, .sample_type = st,
			       .flags = FLAG_SAMPLE_ID_ALL | FLAG_FREQ };
	image_begin(im, &a, 1, 128);
	struct strbuf *b = &im->b;
	put_comm(b, st, 42, "prog", true, 10);
	put_mmap2(b, st, 42, 0x400000, "/bin/prog", 11);
	/* a user record of unknown type, skipped by size */
	size_t at = rec_begin(b, 99, 0);
	put64(b, 0xdead);
	rec_end(b, at);
	uint64_t chain1[] = { (uint64_t)PERF_CONTEXT_KERNEL, KADDR, (uint64_t)PERF_CONTEXT_USER, 0x400100, 0x400200 };
	uint64_t chain2[] = { (uint64_t)PERF_CONTEXT_USER, 0x400110, 0x400200 };
	/* out of time order across "CPUs": 30 is written before 20 */
	put_sample(b, st, 100, 42, 30, KADDR, chain1, 5, PERF_RECORD_MISC_KERNEL);
	at = rec_begin(b, 68 /* FINISHED_ROUND */, 0);
	rec_end(b, at);
	put_sample(b, st, 100, 42, 20, 0x400110, chain2, 3, PERF_RECORD_MISC_USER);
	put_task(b, PERF_RECORD_FORK, st, 43, 42, 40);
	if (cut_at)
		*cut_at = b->len + 5; /* inside the next record */
	put_task(b, PERF_RECORD_EXIT, st, 43, 42, 50);
	at = rec_begin(b, PERF_RECORD_LOST, 0);
	put64(b, 100);
	put64(b, 7);
	put_trailer(b, st, 0, 0, 60, 100);
	rec_end(b, at);
	image_end(im, true, "my-clock");
}

static void test_basic(void)
{
	struct image im;
	build_basic(&im, NULL);
	struct got g;
	struct perf_data_stats st;
	char why[256] = "";
	int rc = convert(&im, 0, &g, &st, why);
	sb_free(&im.b);
	CHECK_INT(rc, PD_OK);
	CHECK(strstr(g.meta, "event=my-clock;"));
	CHECK(strstr(g.meta, "hostname=testhost;"));
	CHECK(strstr(g.meta, "kernel=6.1.0-test;"));
	CHECK(strstr(g.meta, "cmdline=perf record ./prog;"));
	CHECK(strstr(g.meta, "callgraph=fp;"));
	CHECK(strstr(g.meta, "freq=999;"));
	CHECK(strstr(g.meta, "source=perf.data;"));
	CHECK_INT(g.mmaps, 1);
	CHECK_STR(g.mmap_name, "/bin/prog");
	CHECK_INT(g.mmap_bid_len, 20); /* from the BUILD_ID feature section */
	CHECK_INT(g.mmap_bid0, 0xa0);
	CHECK_INT(g.comms, 1);
	CHECK_INT(g.forks, 1);
	CHECK_INT(g.exits, 1);
	CHECK_INT(g.lost, 7);
	CHECK_INT(g.finish, 1);
	CHECK_INT(g.samples, 2);
	/* sorted by time: the t=20 user sample first */
	CHECK_INT(g.sample_times[0], 20);
	CHECK_INT(g.sample_times[1], 30);
	CHECK_INT(g.sample_pids[0], 42);
	CHECK_INT(g.stacks, 2);
	/* first stack written is the t=20 one: user only */
	CHECK_INT(g.stack_nr[0], 2);
	CHECK_INT(g.stack_nk[0], 0);
	CHECK(g.stack_frames[0][0] == 0x400110);
	/* the kernel one: kernel frame, then user frames, markers dropped */
	CHECK_INT(g.stack_nr[1], 3);
	CHECK_INT(g.stack_nk[1], 1);
	CHECK(g.stack_frames[1][0] == KADDR);
	CHECK(g.stack_frames[1][1] == 0x400100);
	CHECK_INT(st.samples, 2);
	CHECK_INT(st.nr_events, 1);
	CHECK(!st.dwarf);
}

static void test_truncated(void)
{
	struct image im;
	size_t cut;
	build_basic(&im, &cut);
	struct got g;
	char why[256] = "";
	int rc = convert(&im, cut, &g, NULL, why);
	sb_free(&im.b);
	CHECK_INT(rc, PD_DAMAGED);
	CHECK(strstr(why, "truncated"));
	CHECK_INT(g.samples, 2); /* everything before the cut */
	CHECK_INT(g.forks, 1);
	CHECK_INT(g.exits, 0);
}

static void test_not_perf(void)
{
	struct image im;
	build_basic(&im, NULL);
	struct got g;
	char why[256] = "";
	/* big-endian magic */
	memcpy(im.b.buf, "2ELIFREP", 8);
	CHECK_INT(convert(&im, 0, &g, NULL, why), PD_FAIL);
	CHECK(strstr(why, "big-endian"));
	memcpy(im.b.buf, "SONDEDAT", 8);
	CHECK_INT(convert(&im, 0, &g, NULL, why), PD_FAIL);
	CHECK(strstr(why, "not a perf.data"));
	memcpy(im.b.buf, "PERFILE2", 8);
	CHECK_INT(convert(&im, 60, &g, NULL, why), PD_FAIL);
	CHECK(strstr(why, "truncated"));
	sb_free(&im.b);
}

/* Two events, samples told apart by PERF_SAMPLE_IDENTIFIER: only the first kept. */
static void test_two_events(void)
{
	uint64_t st = ST_BASIC | PERF_SAMPLE_IDENTIFIER;
	struct attr_spec a[2] = {
		{ .type = PERF_TYPE_SOFTWARE, .config = PERF_COUNT_SW_TASK_CLOCK, .sample_type = st,
		  .flags = FLAG_SAMPLE_ID_ALL },
		{ .type = PERF_TYPE_SOFTWARE, .config = PERF_COUNT_SW_PAGE_FAULTS, .sample_type = st,
		  .flags = FLAG_SAMPLE_ID_ALL | (1ull << 5) },
	};
	struct image im;
	image_begin(&im, a, 2, 120);
	put_comm(&im.b, st, 7, "x", false, 1);
	put_sample(&im.b, st, 101, 7, 5, 0x1000, NULL, 0, PERF_RECORD_MISC_USER);
	put_sample(&im.b, st, 100, 7, 6, 0x2000, NULL, 0, PERF_RECORD_MISC_USER);
	put_sample(&im.b, st, 101, 7, 7, 0x3000, NULL, 0, PERF_RECORD_MISC_USER);
	image_end(&im, false, NULL);
	struct got g;
	struct perf_data_stats s;
	char why[256] = "";
	int rc = convert(&im, 0, &g, &s, why);
	sb_free(&im.b);
	CHECK_INT(rc, PD_OK);
	CHECK_INT(g.samples, 1);
	CHECK_INT(g.sample_times[0], 6);
	CHECK_INT(s.other_samples, 2);
	CHECK_INT(s.nr_events, 2);
	/* no EVENT_DESC: names from type/config; exclude_kernel gives ":u" */
	CHECK(strstr(g.meta, "event=task-clock;"));
	CHECK(strstr(g.meta, "perf-events=task-clock,page-faults:u;"));
	CHECK(strstr(g.meta, "period=999;"));
	CHECK(strstr(g.meta, "callgraph=none;"));
}

/* READ (group), RAW and BRANCH_STACK (hw_idx) before REGS_USER + STACK_USER:
 * the registers must be found at the right place (the user ip becomes the
 * user frame, whatever the unwinder manages). */
static void test_skip_fields_dwarf(void)
{
	uint64_t st = PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_READ |
		      PERF_SAMPLE_CALLCHAIN | PERF_SAMPLE_RAW | PERF_SAMPLE_BRANCH_STACK | PERF_SAMPLE_REGS_USER |
		      PERF_SAMPLE_STACK_USER;
	uint64_t mask = (1ull << 6) | (1ull << 7) | (1ull << 8); /* bp, sp, ip */
	struct attr_spec a = { .type = PERF_TYPE_SOFTWARE, .config = 0, .sample_type = st,
			       .read_format = PERF_FORMAT_GROUP | PERF_FORMAT_ID | PERF_FORMAT_TOTAL_TIME_ENABLED,
			       .flags = FLAG_SAMPLE_ID_ALL, .branch_sample_type = 1ull << 17, .regs_user = mask,
			       .stack_user = 64 };
	struct image im;
	image_begin(&im, &a, 1, 128);
	struct strbuf *b = &im.b;
	put_comm(b, st, 9, "d", true, 1);
	size_t at = rec_begin(b, PERF_RECORD_SAMPLE, PERF_RECORD_MISC_KERNEL);
	put64(b, KADDR);
	put32(b, 9);
	put32(b, 9);
	put64(b, 50);
	/* READ: nr=2, time_enabled, {value, id} x 2 */
	put64(b, 2);
	put64(b, 12345);
	for (int i = 0; i < 4; i++)
		put64(b, 0x55);
	/* CALLCHAIN: kernel part only (exclude_callchain_user) */
	put64(b, 2);
	put64(b, (uint64_t)PERF_CONTEXT_KERNEL);
	put64(b, KADDR);
	/* RAW: u32 size + data (12 bytes: 4 + 12 = 16, aligned) */
	put32(b, 12);
	for (int i = 0; i < 12; i++)
		sb_addc(b, 'r');
	/* BRANCH_STACK: nr=1, hw_idx, 1 x 24 bytes */
	put64(b, 1);
	put64(b, 0);
	for (int i = 0; i < 3; i++)
		put64(b, 0x77);
	/* REGS_USER: abi=2 (64-bit), bp, sp, ip */
	put64(b, 2);
	put64(b, 0x7ffd0000);
	put64(b, 0x7ffd0000);
	put64(b, 0x401234);
	/* STACK_USER: size 64, data, dyn_size 32 */
	put64(b, 64);
	for (int i = 0; i < 8; i++)
		put64(b, 0);
	put64(b, 32);
	rec_end(b, at);
	/* a kernel thread: abi 0 and no registers; stack size 0 and no dyn_size */
	at = rec_begin(b, PERF_RECORD_SAMPLE, PERF_RECORD_MISC_KERNEL);
	put64(b, KADDR + 8);
	put32(b, 0);
	put32(b, 0);
	put64(b, 60);
	put64(b, 1); /* READ: nr 1, time_enabled, {value, id} */
	put64(b, 0);
	put64(b, 0);
	put64(b, 0);
	put64(b, 0); /* callchain nr 0 */
	put32(b, 4);
	put32(b, 0);
	put64(b, 0);
	put64(b, 0); /* branch nr 0, hw_idx */
	put64(b, 0); /* abi none */
	put64(b, 0); /* stack size 0 */
	rec_end(b, at);
	image_end(&im, false, NULL);
	struct got g;
	struct perf_data_stats s;
	char why[256] = "";
	int rc = convert(&im, 0, &g, &s, why);
	sb_free(&im.b);
	CHECK_INT(rc, PD_OK);
	CHECK(s.dwarf);
	CHECK(strstr(g.meta, "callgraph=dwarf;"));
	CHECK_INT(g.samples, 2);
	CHECK(g.stack_nr[0] >= 2);
	CHECK_INT(g.stack_nk[0], 1);
	CHECK(g.stack_frames[0][0] == KADDR);
	CHECK(g.stack_frames[0][1] == 0x401234);
	CHECK_INT(g.stack_nr[1], 1);
	CHECK_INT(g.stack_nk[1], 1);
	CHECK(g.stack_frames[1][0] == KADDR + 8);
}

/* Pipe mode: a 16-byte header, attributes and features as records. */
static void test_pipe(void)
{
	uint64_t st = ST_BASIC;
	struct image im;
	memset(&im, 0, sizeof(im));
	struct strbuf *b = &im.b;
	sb_add(b, "PERFILE2", 8);
	put64(b, 16);
	size_t at = rec_begin(b, 64 /* HEADER_ATTR */, 0);
	struct attr_spec a = { .type = PERF_TYPE_SOFTWARE, .config = 0, .sample_type = st,
			       .flags = FLAG_SAMPLE_ID_ALL | FLAG_FREQ };
	put_attr(b, &a, 112);
	put64(b, 100);
	rec_end(b, at);
	at = rec_begin(b, 80 /* HEADER_FEATURE */, 0);
	put64(b, 3); /* HOSTNAME */
	put_string(b, "pipehost");
	rec_end(b, at);
	put_comm(b, st, 5, "p", true, 1);
	put_sample(b, st, 100, 5, 2, 0x1234, NULL, 0, PERF_RECORD_MISC_USER);
	/* tracing data: the payload follows the record */
	at = rec_begin(b, 66, 0);
	put32(b, 5);
	put32(b, 0);
	rec_end(b, at);
	put64(b, 0);
	put_sample(b, st, 100, 5, 3, 0x1235, NULL, 0, PERF_RECORD_MISC_USER);
	struct got g;
	struct perf_data_stats s;
	char why[256] = "";
	int rc = convert(&im, 0, &g, &s, why);
	sb_free(&im.b);
	CHECK_INT(rc, PD_OK);
	CHECK(s.pipe);
	CHECK_INT(g.samples, 2);
	CHECK(strstr(g.meta, "hostname=pipehost;"));
	CHECK(strstr(g.meta, "event=cpu-clock;"));
}

/* An old, 64-byte perf_event_attr (PERF_ATTR_SIZE_VER0) still decodes. */
static void test_small_attr(void)
{
	uint64_t st = ST_BASIC;
	struct attr_spec a = { .type = PERF_TYPE_HARDWARE, .config = 1, .sample_type = st, .flags = 0 };
	struct image im;
	image_begin(&im, &a, 1, 64);
	put_comm(&im.b, 0, 5, "old", false, 0);
	put_sample(&im.b, st, 0, 5, 2, 0x1234, NULL, 0, PERF_RECORD_MISC_USER);
	image_end(&im, false, NULL);
	struct got g;
	char why[256] = "";
	int rc = convert(&im, 0, &g, NULL, why);
	sb_free(&im.b);
	CHECK_INT(rc, PD_OK);
	CHECK_INT(g.samples, 1);
	CHECK_INT(g.comms, 1);
	CHECK(strstr(g.meta, "event=instructions;"));
}

/* A header whose data size was never written (perf killed): read to EOF. */
static void test_unfinished(void)
{
	struct image im;
	build_basic(&im, NULL);
	set64(&im.b, 48, 0);
	struct got g;
	char why[256] = "";
	int rc = convert(&im, 0, &g, NULL, why);
	sb_free(&im.b);
	CHECK(rc == PD_DAMAGED);
	CHECK_INT(g.samples, 2);
}

int main(void)
{
	snprintf(path, sizeof(path), "/tmp/sonde-test-perf-data-%d.data", (int)getpid());
	RUN(test_basic);
	RUN(test_truncated);
	RUN(test_not_perf);
	RUN(test_two_events);
	RUN(test_skip_fields_dwarf);
	RUN(test_pipe);
	RUN(test_small_attr);
	RUN(test_unfinished);
	unlink(path);
	UNIT_EXIT();
}
