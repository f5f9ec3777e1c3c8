/* perf.data -> sonde record stream. Layout facts from the Linux tree's
 * tools/perf/Documentation/perf.data-file-format.txt and
 * include/uapi/linux/perf_event.h; see docs/perf-data.md. */
#include "profile/perf_data_int.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/perf_event.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "binary/procspace.h"
#include "collect/kparse.h"
#include "profile/format.h"
#include "util/die.h"
#include "util/hashmap.h"
#include "util/progress.h"
#include "util/strbuf.h"
#include "util/unaligned.h"
#include "util/vec.h"

/* ---- decoded sample ---- */

static int parse_sample(const unsigned char *rec, size_t size, const struct pattr *a, struct ksample *s)
{
	struct ksample_layout l = { a->sample_type, a->regs_user, a->read_format, a->branch_sample_type };
	return kparse_sample_layout(rec, size, &l, s);
}

/* ---- which attr a record belongs to ---- */

static uint32_t record_attr(const struct conv *c, const unsigned char *rec, size_t size, uint32_t type)
{
	if (c->attrs.n <= 1)
		return 0;
	uint64_t st = c->attrs.v[0].sample_type, id;
	if (type == PERF_RECORD_SAMPLE) {
		size_t pos;
		if (st & PERF_SAMPLE_IDENTIFIER)
			pos = 8;
		else if (st & PERF_SAMPLE_ID)
			pos = 8 + 8 * (size_t)(!!(st & PERF_SAMPLE_IP) + !!(st & PERF_SAMPLE_TID) +
					       !!(st & PERF_SAMPLE_TIME) + !!(st & PERF_SAMPLE_ADDR));
		else
			return 0;
		if (size < pos + 8)
			return 0;
		id = rd64(rec + pos);
	} else {
		if (!(c->attrs.v[0].flags & ATTR_SAMPLE_ID_ALL))
			return 0;
		size_t back;
		if (st & PERF_SAMPLE_IDENTIFIER)
			back = 8;
		else if (st & PERF_SAMPLE_ID)
			back = 8 * (size_t)(1 + !!(st & PERF_SAMPLE_STREAM_ID) + !!(st & PERF_SAMPLE_CPU));
		else
			return 0;
		if (size < 8 + back)
			return 0;
		id = rd64(rec + size - back);
	}
	const uint64_t *v = u64map_get(&c->id2attr, id);
	return v ? (uint32_t)*v : 0;
}

/* sample_type describing the sample_id trailer of non-sample records (0: none) */
static uint64_t trailer_type(const struct pattr *a)
{
	return (a->flags & ATTR_SAMPLE_ID_ALL) ? a->sample_type : 0;
}

static uint64_t record_time(const struct conv *c, const unsigned char *rec, size_t size, uint32_t type,
			    uint32_t ai)
{
	const struct pattr *a = &c->attrs.v[ai];
	if (type == PERF_RECORD_SAMPLE) {
		struct ksample s;
		return parse_sample(rec, size, a, &s) ? 0 : s.time;
	}
	if (type >= REC_HEADER_ATTR)
		return 0;
	struct kid id;
	return kparse_trailer(rec, size, trailer_type(a), &id) ? 0 : id.time;
}

/* ---- indexing the data section ---- */

static const unsigned char *rec_ptr(const struct conv *c, uint64_t off)
{
	return (off & OFF_DECOMP) ? c->dbuf + (off & ~OFF_DECOMP) : c->base + off;
}

static void index_record(struct conv *c, const unsigned char *rec, size_t size, uint64_t off)
{
	uint32_t type = rd32(rec);
	if (type >= REC_HEADER_ATTR || type == 0)
		return;
	c->st.records++;
	if (!c->attrs.n)
		return; /* pipe mode: no attr yet; cannot decode */
	uint32_t ai = record_attr(c, rec, size, type);
	struct idx e = { record_time(c, rec, size, type, ai), off, (uint32_t)c->recs.n, ai };
	vec_push(&c->recs, e);
}

/* Indexes the complete records of the decompressed buffer not yet indexed. */
static void index_decompressed(struct conv *c)
{
	while (c->dlen - c->dparsed >= 8) {
		const unsigned char *r = c->dbuf + c->dparsed;
		uint16_t rs = rd16(r + 6);
		if (rs < 8) {
			pd_set_damage(c, "a compressed record holds a record of size %u", rs);
			c->dparsed = c->dlen;
			return;
		}
		if (rs > c->dlen - c->dparsed)
			return;
		index_record(c, r, rs, c->dparsed | OFF_DECOMP);
		c->dparsed += rs;
	}
}

static void decompress(struct conv *c, const unsigned char *p, size_t n)
{
	if (!c->zstd) {
		c->zstd = ZSTD_createDStream();
		if (!c->zstd || ZSTD_isError(ZSTD_initDStream(c->zstd))) {
			pd_set_damage(c, "cannot start zstd decompression");
			return;
		}
	}
	ZSTD_inBuffer in = { p, n, 0 };
	while (in.pos < in.size) {
		if (c->dcap - c->dlen < 65536) {
			c->dcap = c->dcap ? c->dcap * 2 : 1 << 20;
			c->dbuf = xrealloc(c->dbuf, c->dcap);
		}
		ZSTD_outBuffer out = { c->dbuf + c->dlen, c->dcap - c->dlen, 0 };
		size_t r = ZSTD_decompressStream(c->zstd, &out, &in);
		c->dlen += out.pos;
		if (ZSTD_isError(r)) {
			pd_set_damage(c, "compressed data does not decompress: %s", ZSTD_getErrorName(r));
			return;
		}
		if (out.pos == 0 && in.pos < in.size && r == 0)
			break;
	}
	index_decompressed(c);
}

/* Walks records in [off, end). Returns false on damage. */
static void scan_data(struct conv *c, uint64_t off, uint64_t end, bool unfinished)
{
	struct progress prog;
	progress_start(&prog, "reading perf.data", end - off, (c->flags & PD_PROGRESS) && !(c->flags & PD_QUIET));
	uint64_t start = off;
	while (off < end && !c->damaged) {
		if (end - off < 8) {
			pd_set_damage(c, "the data ends inside a record header at offset %" PRIu64, off);
			break;
		}
		const unsigned char *r = c->base + off;
		uint32_t type = rd32(r);
		uint16_t rs = rd16(r + 6);
		if (rs < 8) {
			if (unfinished && type == 0 && rs == 0)
				break; /* zero fill after the last record written */
			pd_set_damage(c, "record at offset %" PRIu64 " has a bad size (%u)", off, rs);
			break;
		}
		if (rs > end - off) {
			pd_set_damage(c, "the data ends inside a record at offset %" PRIu64, off);
			break;
		}
		uint64_t extra = 0;
		switch (type) {
		case REC_HEADER_ATTR:
			if (c->pipe && rs >= 8 + 8) {
				uint32_t asz = rd32(r + 8 + 4);
				if (asz < 64 || asz > rs - 8u) {
					pd_set_damage(c, "attribute record at offset %" PRIu64 " is malformed", off);
					break;
				}
				size_t nids = (rs - 8u - asz) / 8;
				pd_add_attr(c, r + 8, asz, r + 8 + asz, nids);
			}
			break;
		case REC_HEADER_TRACING_DATA:
			if (rs >= 12)
				extra = (rd32(r + 8) + 7ull) & ~7ull;
			break;
		case REC_AUXTRACE:
			if (rs >= 16)
				extra = rd64(r + 8);
			break;
		case REC_HEADER_BUILD_ID:
			pd_add_buildid_event(c, r, rs);
			break;
		case REC_HEADER_FEATURE:
			if (rs >= 16) {
				uint64_t feat = rd64(r + 8);
				if (feat < FEAT_BITS)
					pd_take_feature(c, (int)feat, r + 16, rs - 16u);
			}
			break;
		case REC_COMPRESSED:
			decompress(c, r + 8, rs - 8u);
			break;
		default:
			index_record(c, r, rs, off);
		}
		if (extra > end - off - rs) {
			pd_set_damage(c, "the data ends inside a record's payload at offset %" PRIu64, off);
			break;
		}
		off += rs + extra;
		progress_update(&prog, off - start);
	}
	if (c->dlen > c->dparsed && !c->damaged)
		pd_set_damage(c, "the compressed data ends inside a record");
	progress_done(&prog);
}

static int cmp_idx(const void *a, const void *b)
{
	const struct idx *x = a, *y = b;
	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* ---- writing ---- */

static void wr_check(struct conv *c, int rc)
{
	if (rc < 0)
		c->write_failed = true;
}

static const struct buildid *find_buildid(const struct conv *c, const char *name)
{
	for (size_t i = c->buildids.n; i-- > 0;)
		if (!strcmp(c->buildids.v[i].name, name))
			return &c->buildids.v[i];
	return NULL;
}

static void emit_mmap(struct conv *c, uint64_t time, uint32_t pid, uint32_t tid, uint64_t addr, uint64_t len,
		      uint64_t pgoff, uint32_t prot, uint32_t mflags, const uint8_t *bid, uint8_t bid_len,
		      const char *name, size_t name_len)
{
	if (pid == UINT32_MAX)
		return; /* the kernel and its modules: symbolized from kallsyms */
	char *fn = xstrndup(name, name_len);
	struct sd_mmap m = { .time = time, .pid = pid, .tid = tid, .start = addr, .len = len, .pgoff = pgoff,
			     .prot = prot, .flags = mflags, .filename = fn };
	if (bid_len) {
		m.build_id_len = bid_len > 20 ? 20 : bid_len;
		memcpy(m.build_id, bid, m.build_id_len);
	} else {
		const struct buildid *b = find_buildid(c, fn);
		if (b) {
			m.build_id_len = b->len;
			memcpy(m.build_id, b->id, b->len);
		}
	}
	wr_check(c, sd_write_mmap(c->w, &m));
	if (c->ps)
		procspaces_mmap(c->ps, pid, addr, len, pgoff, fn);
	free(fn);
}

static void emit_sample(struct conv *c, const unsigned char *rec, size_t size, const struct pattr *a)
{
	struct ksample s;
	if (parse_sample(rec, size, a, &s)) {
		pd_set_damage(c, "a sample record does not decode");
		return;
	}
	uint64_t frames[MAX_FRAMES];
	uint32_t nk = 0, n;
	bool truncated = false;
	/* the chain may be unaligned (compressed data): copy it */
	vec_reserve(&c->chain, s.nr + 1);
	if (s.nr)
		memcpy(c->chain.v, s.ips, s.nr * 8);
	n = split_callchain(c->chain.v, s.nr, s.ip, s.cpumode, frames, MAX_FRAMES, &nk);
	if (c->dwarf) {
		/* keep the kernel part; the user part comes from the stack copy */
		n = nk;
		if (s.regs_abi && s.nregs) {
			uint64_t regs[64];
			memcpy(regs, s.regs, (size_t)s.nregs * 8);
			size_t got = 0;
			if (c->ps)
				got = procspaces_unwind(c->ps, s.pid, regs, a->regs_user, s.stack, s.stack_dyn_size,
							frames + n, MAX_FRAMES - n, &truncated);
			if (got == 0) {
				/* no unwinder answer: at least the user ip */
				int ipreg = PERF_X86_IP;
				if (a->regs_user & (1ull << ipreg)) {
					uint32_t k = (uint32_t)__builtin_popcountll(a->regs_user & ((1ull << ipreg) - 1));
					frames[n] = regs[k];
					got = 1;
				}
			} else {
				c->st.unwound++;
			}
			n += (uint32_t)got;
		}
		if (n == 0) {
			frames[0] = s.ip;
			n = 1;
			nk = s.cpumode == PERF_RECORD_MISC_KERNEL;
		}
	}
	uint64_t sid = sd_intern_stack(c->w, frames, n, nk, truncated);
	if (sid == UINT64_MAX) {
		c->write_failed = true;
		return;
	}
	struct sd_sample o = { .time = s.time, .pid = s.pid, .tid = s.tid, .cpu = s.cpu,
			       .period = (a->sample_type & PERF_SAMPLE_PERIOD) ? s.period
			       : (a->flags & ATTR_FREQ)			   ? 1
										   : a->period,
			       .stack_id = sid, .cpumode = s.cpumode };
	wr_check(c, sd_write_sample(c->w, &o));
	c->st.samples++;
}

static void emit_record(struct conv *c, const unsigned char *rec, size_t size, uint32_t ai, uint64_t time)
{
	const struct pattr *a = &c->attrs.v[ai];
	uint64_t tt = trailer_type(a);
	uint32_t type = rd32(rec);
	uint16_t misc = rd16(rec + 4);
	switch (type) {
	case PERF_RECORD_SAMPLE:
		if (ai != c->chosen) {
			c->st.other_samples++;
			return;
		}
		emit_sample(c, rec, size, a);
		break;
	case PERF_RECORD_MMAP: {
		/* header, pid, tid, addr, len, pgoff, filename[], sample_id */
		size_t tr = kparse_trailer_size(tt);
		if (size < 40 + tr) {
			pd_set_damage(c, "an mmap record is too short");
			return;
		}
		if (misc & MISC_MMAP_DATA)
			return;
		const char *fn = (const char *)rec + 40;
		emit_mmap(c, time, rd32(rec + 8), rd32(rec + 12), rd64(rec + 16), rd64(rec + 24), rd64(rec + 32),
			  PROT_READ | PROT_EXEC, 0, NULL, 0, fn, strnlen(fn, size - 40 - tr));
		break;
	}
	case PERF_RECORD_MMAP2: {
		struct kmmap2 m;
		if (kparse_mmap2(rec, size, tt, &m)) {
			pd_set_damage(c, "an mmap2 record is too short");
			return;
		}
		if (!(m.prot & PROT_EXEC))
			return;
		emit_mmap(c, time, m.pid, m.tid, m.addr, m.len, m.pgoff, m.prot, m.flags, m.build_id, m.build_id_len,
			  m.filename, m.filename_len);
		break;
	}
	case PERF_RECORD_COMM: {
		struct kcomm k;
		if (kparse_comm(rec, size, tt, &k)) {
			pd_set_damage(c, "a comm record is too short");
			return;
		}
		char *name = xstrndup(k.comm, k.comm_len);
		struct sd_comm o = { time, k.pid, k.tid, k.exec, name };
		wr_check(c, sd_write_comm(c->w, &o));
		if (k.exec && c->ps)
			procspaces_exec(c->ps, k.pid);
		free(name);
		break;
	}
	case PERF_RECORD_FORK:
	case PERF_RECORD_EXIT: {
		struct ktask k;
		if (kparse_task(rec, size, &k)) {
			pd_set_damage(c, "a fork/exit record is too short");
			return;
		}
		struct sd_task o = { k.time, k.pid, k.ppid, k.tid, k.ptid };
		if (type == PERF_RECORD_FORK) {
			wr_check(c, sd_write_fork(c->w, &o));
			if (c->ps && k.pid != k.ppid)
				procspaces_fork(c->ps, k.ppid, k.pid);
		} else {
			wr_check(c, sd_write_exit(c->w, &o));
			if (c->ps && k.pid == k.tid)
				procspaces_exit(c->ps, k.pid);
		}
		break;
	}
	case PERF_RECORD_LOST:
	case PERF_RECORD_LOST_SAMPLES: {
		uint64_t lost;
		if (kparse_lost(rec, size, &lost))
			return;
		struct sd_lost o = { time, lost };
		c->st.lost += lost;
		wr_check(c, sd_write_lost(c->w, &o));
		break;
	}
	default:
		break;
	}
	if (time > c->last_time)
		c->last_time = time;
}

static void meta(struct conv *c, const char *k, const char *v)
{
	if (v)
		wr_check(c, sd_write_meta(c->w, k, v));
}

static void conv_free(struct conv *c)
{
	for (size_t i = 0; i < c->attrs.n; i++) {
		free(c->attrs.v[i].name);
		vec_free(&c->attrs.v[i].ids);
	}
	vec_free(&c->attrs);
	u64map_free(&c->id2attr);
	free(c->hostname);
	free(c->osrelease);
	free(c->arch);
	free(c->cmdline);
	free(c->version);
	free(c->nrcpus);
	for (size_t i = 0; i < c->desc_names.n; i++)
		free(c->desc_names.v[i]);
	vec_free(&c->desc_names);
	vec_free(&c->desc_first_id);
	for (size_t i = 0; i < c->buildids.n; i++)
		free(c->buildids.v[i].name);
	vec_free(&c->buildids);
	vec_free(&c->recs);
	vec_free(&c->chain);
	free(c->dbuf);
	if (c->zstd)
		ZSTD_freeDStream(c->zstd);
	if (c->ps)
		procspaces_free(c->ps);
}

int perf_data_convert_mem(const void *data, size_t len, struct sd_writer *w, unsigned flags,
			  struct perf_data_stats *stats, char *why, size_t why_len)
{
	struct conv c = { .base = data, .len = len, .w = w, .flags = flags };
	uint64_t doff = 0, dend = 0;
	bool unfinished = false;
	int ret = PD_FAIL;
	if (why && why_len)
		why[0] = 0;
	if (pd_read_header(&c, &doff, &dend, &unfinished, why, why_len) < 0)
		goto out;
	if (!c.pipe && !c.attrs.n) {
		pd_fail(why, why_len, "perf.data has no events");
		goto out;
	}
	scan_data(&c, doff, dend, unfinished);
	if (!c.attrs.n) {
		pd_fail(why, why_len, "perf.data has no event attributes (a pipe-mode file cut short?)");
		goto out;
	}
	pd_name_attrs(&c);
	/* the event whose samples we keep: the first one that is not a dummy */
	c.chosen = 0;
	for (uint32_t i = 0; i < c.attrs.n; i++)
		if (!attr_is_dummy(&c.attrs.v[i])) {
			c.chosen = i;
			break;
		}
	const struct pattr *a = &c.attrs.v[c.chosen];
	uint64_t dwarf_bits = PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER;
	c.dwarf = (a->sample_type & dwarf_bits) == dwarf_bits;
	c.st.dwarf = c.dwarf;
	if (c.dwarf && c.arch && strcmp(c.arch, "x86_64")) {
		pd_fail(why, why_len, "a --call-graph dwarf recording made on %s cannot be unwound (sonde unwinds x86_64)",
		     c.arch);
		goto out;
	}
	uint32_t real = 0;
	for (uint32_t i = 0; i < c.attrs.n; i++)
		real += !attr_is_dummy(&c.attrs.v[i]);
	c.st.nr_events = real;

	meta(&c, "event", a->name);
	char buf[64];
	snprintf(buf, sizeof(buf), "%" PRIu64, a->period);
	meta(&c, (a->flags & ATTR_FREQ) ? "freq" : "period", buf);
	meta(&c, "callgraph", c.dwarf ? "dwarf" : (a->sample_type & PERF_SAMPLE_CALLCHAIN) ? "fp" : "none");
	meta(&c, "cmdline", c.cmdline);
	meta(&c, "hostname", c.hostname);
	meta(&c, "kernel", c.osrelease);
	meta(&c, "arch", c.arch);
	meta(&c, "perf-version", c.version);
	meta(&c, "nr-cpus", c.nrcpus);
	meta(&c, "source", c.pipe ? "perf.data (pipe)" : "perf.data");
	if (real > 1) {
		struct strbuf sb = STRBUF_INIT;
		for (uint32_t i = 0; i < c.attrs.n; i++) {
			if (attr_is_dummy(&c.attrs.v[i]))
				continue;
			if (sb.len)
				sb_adds(&sb, ",");
			sb_adds(&sb, c.attrs.v[i].name);
		}
		meta(&c, "perf-events", sb.buf);
		sb_free(&sb);
	}

	/* Replay in time order (records of different CPUs interleave). */
	bool timed = true;
	for (size_t i = 0; i < c.attrs.n; i++)
		if (!(c.attrs.v[i].sample_type & PERF_SAMPLE_TIME) || !(c.attrs.v[i].flags & ATTR_SAMPLE_ID_ALL))
			timed = false;
	if (timed && c.recs.n > 1)
		qsort(c.recs.v, c.recs.n, sizeof(c.recs.v[0]), cmp_idx);
	if (c.dwarf)
		c.ps = procspaces_new();
	bool scan_damaged = c.damaged;
	c.damaged = false;
	char scan_damage[sizeof(c.damage)];
	memcpy(scan_damage, c.damage, sizeof(scan_damage));
	c.damage[0] = 0;
	struct progress prog;
	progress_start(&prog, c.dwarf ? "unwinding perf.data" : "converting perf.data", c.recs.n,
		       (flags & PD_PROGRESS) && !(flags & PD_QUIET));
	for (size_t i = 0; i < c.recs.n && !c.write_failed; i++) {
		const struct idx *e = &c.recs.v[i];
		const unsigned char *r = rec_ptr(&c, e->off);
		emit_record(&c, r, rd16(r + 6), e->attr, e->time);
		if ((i & 1023) == 0)
			progress_update(&prog, i);
	}
	progress_done(&prog);
	/* a record that would not decode is skipped, not fatal: report it */
	if (scan_damaged) {
		c.damaged = true;
		memcpy(c.damage, scan_damage, sizeof(c.damage));
	}
	struct sd_finish fin = { c.last_time, c.st.samples, c.st.lost, -1 };
	wr_check(&c, sd_write_finish(w, &fin));
	if (c.write_failed) {
		pd_fail(why, why_len, "cannot write the converted recording: %s", strerror(errno));
		goto out;
	}
	if (c.st.other_samples && !(flags & PD_QUIET))
		note("perf.data has %" PRIu32 " events; showing '%s' only (%" PRIu64 " samples of the others skipped)",
		     real, a->name, c.st.other_samples);
	if (c.damaged && c.short_note[0]) {
		pd_fail(why, why_len, "%s; %s", c.short_note, c.damage);
		ret = PD_DAMAGED;
	} else if (c.damaged) {
		pd_fail(why, why_len, "%s", c.damage);
		ret = PD_DAMAGED;
	} else if (c.short_note[0]) {
		pd_fail(why, why_len, "%s", c.short_note);
		ret = PD_DAMAGED;
	} else if (unfinished) {
		pd_fail(why, why_len, "perf did not finish writing it (no data size in the header)");
		ret = PD_DAMAGED;
	} else {
		ret = PD_OK;
	}
out:
	if (stats)
		*stats = c.st;
	conv_free(&c);
	return ret;
}

bool perf_data_sniff(const char *path)
{
	unsigned char m[8];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	bool yes = read(fd, m, 8) == 8 &&
		   (!memcmp(m, "PERFILE2", 8) || !memcmp(m, "2ELIFREP", 8) || !memcmp(m, "PERFFILE", 8));
	close(fd);
	return yes;
}

int perf_data_convert(const char *path, struct sd_writer *w, unsigned flags, char *why, size_t why_len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		pd_fail(why, why_len, "%s", strerror(errno));
		return PD_FAIL;
	}
	struct stat sb;
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		pd_fail(why, why_len, "not a regular file");
		close(fd);
		return PD_FAIL;
	}
	size_t len = (size_t)sb.st_size;
	void *map = NULL;
	if (len) {
		map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map == MAP_FAILED) {
			pd_fail(why, why_len, "cannot map it: %s", strerror(errno));
			close(fd);
			return PD_FAIL;
		}
	}
	close(fd);
	int rc = perf_data_convert_mem(map ? map : "", len, w, flags, NULL, why, why_len);
	if (map)
		munmap(map, len);
	return rc;
}

int perf_data_to_sonde(const char *path, unsigned flags, char *out, size_t out_len, bool *damaged, char *why,
		       size_t why_len)
{
	*damaged = false;
	int fd = memfd_create("sonde-perf-data", MFD_CLOEXEC);
	if (fd < 0) {
		pd_fail(why, why_len, "cannot create a memory file: %s", strerror(errno));
		return -1;
	}
	snprintf(out, out_len, "/proc/self/fd/%d", fd);
	struct sd_writer *w = sd_writer_open(out);
	if (!w) {
		pd_fail(why, why_len, "cannot open %s: %s", out, strerror(errno));
		close(fd);
		return -1;
	}
	int rc = perf_data_convert(path, w, flags, why, why_len);
	if (sd_writer_close(w) < 0 && rc != PD_FAIL) {
		pd_fail(why, why_len, "cannot write the converted recording: %s", strerror(errno));
		rc = PD_FAIL;
	}
	if (rc == PD_FAIL) {
		close(fd);
		return -1;
	}
	*damaged = rc == PD_DAMAGED;
	return fd;
}
