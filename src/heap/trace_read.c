/* The sonde heap trace reader: the whole (decompressed) trace is held in
 * memory; every complete chunk is checked record by record (stopping with
 * a warning at a truncated or corrupt one), definitions are applied, and
 * the chunks holding events are listed per thread as runs in sequence
 * order for replay (trace_replay.c). docs/heap-format.md. */
#include "heap/trace.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zstd.h>

#include "heap_protocol.h"
#include "binary/buildid_cache.h"
#include "util/die.h"

#define MAX_CHUNK_PAYLOAD (64u << 20)

static uint32_t get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* ---- the trace bytes: mmap'd so growing is a remap, not a copy, and
 * asked for huge pages (a large trace would otherwise spend its time in
 * page faults) ---- */

static void data_free(struct heap_trace *t)
{
	if (t->data)
		munmap(t->data, t->data_cap);
	t->data = NULL;
	t->data_n = t->data_cap = 0;
}

static void data_reserve(struct heap_trace *t, size_t more)
{
	if (t->data_cap - t->data_n >= more)
		return;
	size_t cap = t->data_cap ? t->data_cap : (size_t)1 << 21;
	while (cap - t->data_n < more) {
		if (cap > SIZE_MAX / 2)
			die("heap trace too large");
		cap *= 2;
	}
	void *m = t->data ? mremap(t->data, t->data_cap, cap, MREMAP_MAYMOVE)
			  : mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		die("out of memory reading the heap trace (%zu MiB)", cap >> 20);
	madvise(m, cap, MADV_HUGEPAGE);
	t->data = m;
	t->data_cap = cap;
}

void heap_trace_init(struct heap_trace *t)
{
	memset(t, 0, sizeof(*t));
	t->wait_status = -1;
	struct heap_info unknown = { 0 };
	vec_push(&t->infos, unknown);
}

void heap_trace_free(struct heap_trace *t)
{
	free(t->exe);
	free(t->cmdline);
	for (size_t i = 0; i < t->modules.n; i++) {
		free(t->modules.v[i].path);
		vec_free(&t->modules.v[i].segs);
	}
	vec_free(&t->modules);
	vec_free(&t->nodes);
	u64map_free(&t->node_index);
	for (size_t i = 0; i < t->threads.n; i++)
		free(t->threads.v[i].name);
	vec_free(&t->threads);
	vec_free(&t->infos);
	vec_free(&t->leaks);
	vec_free(&t->errors);
	for (size_t i = 0; i < t->runs.n; i++)
		vec_free(&t->runs.v[i].spans);
	data_free(t);
	vec_free(&t->runs);
	u64map_free(&t->thread_run);
	memset(t, 0, sizeof(*t));
}

const struct heap_info *heap_trace_info(const struct heap_trace *t, uint32_t info)
{
	return info < t->infos.n ? &t->infos.v[info] : &t->infos.v[0];
}

struct cur {
	const uint8_t *p;
	size_t n, off;
	bool bad;
};

static uint64_t rv(struct cur *c)
{
	uint64_t v = 0;
	if (c->bad)
		return 0;
	size_t k = heap_get_varint(c->p + c->off, c->n - c->off, &v);
	if (!k) {
		c->bad = true;
		return 0;
	}
	c->off += k;
	return v;
}

static uint8_t rbyte(struct cur *c)
{
	if (c->bad || c->off >= c->n) {
		c->bad = true;
		return 0;
	}
	return c->p[c->off++];
}

static char *rstr(struct cur *c)
{
	uint64_t len = rv(c);
	if (c->bad || len > c->n - c->off) {
		c->bad = true;
		return NULL;
	}
	char *s = xstrndup((const char *)c->p + c->off, (size_t)len);
	c->off += (size_t)len;
	return s;
}

static void damage(struct heap_trace *t, const char *what, uint64_t off)
{
	if (!t->damage[0])
		snprintf(t->damage, sizeof(t->damage), "%s at byte %llu", what, (unsigned long long)off);
}

/* Parses one chunk payload. Returns false on a malformed record (the
 * caller rolls back what this chunk added). */
static bool parse_sonde_payload(struct heap_trace *t, const uint8_t *p, size_t n)
{
	struct cur c = { p, n, 0, false };
	while (c.off < c.n && !c.bad) {
		uint8_t type = c.p[c.off++];
		if (type == HR_SONDE_SUMMARY) {
			uint64_t st = rv(&c), wall = rv(&c);
			if (c.bad)
				break;
			t->have_summary = true;
			t->wait_status = (int)(uint32_t)st;
			t->wall_ns = wall;
		} else if (type == HR_SONDE_COMMAND) {
			char *s = rstr(&c);
			if (c.bad)
				break;
			free(t->cmdline);
			t->cmdline = s;
		} else {
			c.bad = true;
		}
	}
	return !c.bad;
}

const char *heap_trace_cmdline(const struct heap_trace *t)
{
	return t->cmdline;
}

/* An HR_MODULE record's fields; version 3 added the build-id. */
static bool parse_module(struct cur *c, uint64_t version, struct heap_module *m)
{
	memset(m, 0, sizeof(*m));
	m->bias = rv(c);
	m->path = rstr(c);
	uint64_t nseg = rv(c);
	if (nseg > 64)
		c->bad = true;
	for (uint64_t i = 0; i < nseg && !c->bad; i++) {
		struct heap_segment sg;
		sg.vaddr = rv(c);
		sg.memsz = rv(c);
		sg.flags = rv(c);
		vec_push(&m->segs, sg);
	}
	if (version >= 3) {
		uint64_t len = rv(c);
		if (!c->bad && len <= c->n - c->off && len <= sizeof(m->build_id)) {
			memcpy(m->build_id, c->p + c->off, (size_t)len);
			m->build_id_len = (uint8_t)len;
			c->off += (size_t)len;
		} else {
			c->bad = true;
		}
	}
	if (c->bad) {
		free(m->path);
		vec_free(&m->segs);
		return false;
	}
	return true;
}

void heap_chunk_modules(const uint8_t *payload, size_t n, uint64_t *version, struct buildid_list *out)
{
	struct cur c = { payload, n, 0, false };
	while (c.off < n && !c.bad) {
		uint8_t type = rbyte(&c);
		if (type == HR_HELLO) {
			*version = rv(&c);
			for (int i = 0; i < 3; i++) /* pid, ppid, start time */
				rv(&c);
			free(rstr(&c));
		} else if (type == HR_MODULE) {
			struct heap_module m;
			if (!parse_module(&c, *version, &m))
				return;
			buildid_list_add(out, m.path, m.build_id, m.build_id_len);
			free(m.path);
			vec_free(&m.segs);
		} else {
			return; /* modules come in chunks of their own */
		}
	}
}

/* Info indexes are small (one per distinct kind, size and stack); a huge
 * one is damage, not a reason to allocate gigabytes. */
#define MAX_INFO (1u << 26)
#define MAX_INFO_GAP (1u << 20)

static bool parse_def(struct heap_trace *t, struct cur *c, uint8_t type)
{
	switch (type) {
	case HR_HELLO: {
		uint64_t ver = rv(c), pid = rv(c), ppid = rv(c), start = rv(c);
		char *exe = rstr(c);
		if (c->bad)
			return false;
		if (!t->have_hello) {
			t->have_hello = true;
			t->version = ver;
			t->pid = pid;
			t->ppid = ppid;
			t->start_ns = start;
			t->exe = exe;
		} else {
			free(exe);
		}
		return true;
	}
	case HR_MODULE: {
		struct heap_module m;
		if (!parse_module(c, t->version, &m))
			return false;
		vec_push(&t->modules, m);
		return true;
	}
	case HR_STACK: {
		struct heap_stack_node nd;
		nd.id = rv(c);
		nd.parent = rv(c);
		nd.ip = rv(c);
		if (c->bad)
			return false;
		bool ins;
		uint64_t *slot = u64map_upsert(&t->node_index, nd.id, t->nodes.n, &ins);
		if (ins)
			vec_push(&t->nodes, nd);
		else
			t->nodes.v[*slot] = nd;
		return true;
	}
	case HR_THREAD: {
		struct heap_thread th;
		th.index = (uint32_t)rv(c);
		th.tid = (uint32_t)rv(c);
		th.name = rstr(c);
		if (c->bad) {
			free(th.name);
			return false;
		}
		vec_push(&t->threads, th);
		return true;
	}
	case HR_INFO: {
		uint64_t idx = rv(c);
		uint8_t kind = rbyte(c);
		uint64_t size = rv(c), stack = rv(c);
		/* threads define infos out of order (a thread's definitions wait in
		 * its buffer), but never far beyond the count defined so far */
		if (c->bad || idx == 0 || idx >= MAX_INFO || idx > t->infos_defined + MAX_INFO_GAP || stack > UINT32_MAX)
			return false;
		struct heap_info zero = { 0 };
		while (t->infos.n <= idx)
			vec_push(&t->infos, zero);
		if (!t->infos.v[idx].defined)
			t->infos_defined++;
		t->infos.v[idx] = (struct heap_info){ size, (uint32_t)stack, kind, true };
		return true;
	}
	case HR_ERROR: {
		struct heap_error_rec e;
		e.kind = rbyte(c);
		e.how = rbyte(c);
		uint64_t where = rv(c);
		e.addr = rv(c);
		uint64_t info = rv(c), fs = rv(c);
		e.size = rv(c);
		e.block = rv(c);
		uint64_t free_how = rv(c), thread = rv(c), name_len = rv(c);
		if (free_how > 0xff || thread > UINT32_MAX || c->bad || name_len > c->n - c->off)
			return false;
		e.free_how = (uint8_t)free_how;
		e.thread = (uint32_t)thread;
		size_t keep = name_len < sizeof(e.thread_name) ? (size_t)name_len : sizeof(e.thread_name) - 1;
		memcpy(e.thread_name, c->p + c->off, keep);
		e.thread_name[keep] = 0;
		c->off += (size_t)name_len;
		e.order = rv(c);
		if (c->bad || e.kind > HE_LAST || where > UINT32_MAX || info >= MAX_INFO || fs > UINT32_MAX)
			return false;
		e.where = (uint32_t)where;
		e.info = (uint32_t)info;
		e.free_stack = (uint32_t)fs;
		vec_push(&t->errors, e);
		return true;
	}
	case HR_FATAL: {
		struct heap_fatal_rec f = { 0 };
		uint64_t signo = rv(c), code = rv(c);
		f.addr = rv(c);
		uint64_t where = rv(c);
		f.flags = rbyte(c);
		f.grow_to = rv(c);
		f.stack_limit = rv(c);
		uint64_t thread = rv(c);
		char *name = rstr(c);
		if (c->bad || !name || signo >= 65 || where > UINT32_MAX || thread > UINT32_MAX || code > UINT32_MAX) {
			free(name);
			return false;
		}
		f.signo = (int)signo;
		f.code = (int)((uint32_t)(code >> 1) ^ -(uint32_t)(code & 1)); /* zigzag */
		f.where = (uint32_t)where;
		f.thread = (uint32_t)thread;
		size_t keep = strlen(name) < sizeof(f.thread_name) ? strlen(name) : sizeof(f.thread_name) - 1;
		memcpy(f.thread_name, name, keep);
		free(name);
		t->fatal = f;
		t->have_fatal = true;
		return true;
	}
	case HR_MC_TOTALS: {
		uint64_t v[5];
		for (int i = 0; i < 5; i++)
			v[i] = rv(c);
		if (c->bad)
			return false;
		t->have_mc_totals = true;
		t->mc_allocs = v[0];
		t->mc_frees = v[1];
		t->mc_bytes = v[2];
		t->mc_live_blocks = v[3];
		t->mc_live_bytes = v[4];
		return true;
	}
	case HR_LOST: {
		const uint8_t *q = c->p + c->off;
		struct heap_lost_rec l;
		if (c->bad || !heap_lost_decode(&q, c->p + c->n, &l))
			return false;
		c->off = (size_t)(q - c->p);
		if (!t->have_lost) { /* the first says when */
			t->have_lost = true;
			t->lost = l;
		}
		return true;
	}
	case HR_LEAK: {
		uint8_t state = rbyte(c);
		uint64_t info = rv(c), indirect = rv(c);
		unsigned heur = state >> HL_HEUR_SHIFT;
		if (c->bad || (state & ~(HL_STATE_MASK | 0xf0)) || heur >= HLH_COUNT || info >= MAX_INFO)
			return false;
		struct heap_leak l = { (uint32_t)info, state & HL_STATE_MASK, indirect, (uint8_t)heur };
		vec_push(&t->leaks, l);
		return true;
	}
	default:
		return false;
	}
}

/* The run of a thread: its chunks in the order it wrote them (one
 * thread's chunks never overtake each other in the stream). */
static struct heap_run *run_of(struct heap_trace *t, uint32_t thread)
{
	bool ins;
	uint64_t *slot = u64map_upsert(&t->thread_run, thread, t->runs.n, &ins);
	if (ins) {
		struct heap_run nr = { 0 };
		nr.thread = thread;
		vec_push(&t->runs, nr);
	}
	return &t->runs.v[*slot];
}

/* Decodes an event record after its type byte: the sequence delta d and
 * up to three fields. False when malformed. */
int heap_event_fields(uint8_t type)
{
	switch (type) {
	case HR_KEY: return 1;
	case HR_ALLOC: return 1;
	case HR_FREE: return 1;
	case HR_DELETE: return 1;
	case HR_DELETE_ARRAY: return 1;
	case HR_REALLOC: return 2;
	case HR_TIME: return 2;
	case HR_FORK: return 1;
	case HR_EXIT: return 3;
	default: return -1;
	}
}

/* An event record (or HR_KEY) in a chunk that also holds definitions,
 * checked. */
static bool parse_event(struct heap_trace *t, struct cur *c, uint8_t type)
{
	uint64_t f[3] = { 0, 0, 0 };
	int nf = heap_event_fields(type);
	if (nf < 0)
		return false;
	for (int i = 0; i < nf; i++)
		f[i] = rv(c);
	if (c->bad)
		return false;
	bool block = type == HR_ALLOC || type == HR_FREE || type == HR_DELETE || type == HR_DELETE_ARRAY ||
		     type == HR_REALLOC;
	if (block && (f[0] >= MAX_INFO || f[1] >= MAX_INFO))
		return false;
	if (type == HR_TIME && f[0] > t->last_time_ms)
		t->last_time_ms = f[0];
	if (type == HR_EXIT) {
		t->have_exit = true;
		t->exit_how = f[0];
		t->exit_signal = f[1];
		t->exit_peak_rss_kib = f[2];
	}
	return true;
}

static inline bool is_event(uint8_t type)
{
	return heap_event_fields(type) >= 0;
}

/* A chunk (payload at off in t->data). One that holds definitions is
 * checked record by record and its definitions applied; one of events
 * only (the bulk of a trace) is left for the replay, which decodes it
 * with bounds checks. Chunks with events join their thread's run. */
static bool parse_payload(struct heap_trace *t, uint64_t off, size_t n, uint32_t thread, uint32_t flags)
{
	const uint8_t *p = t->data + off;
	if (thread == HEAP_SONDE_THREAD)
		return parse_sonde_payload(t, p, n);
	bool events = !(flags & HEAP_CHUNK_DEFS);
	if (!events) {
		struct cur c = { p, n, 0, false };
		while (c.off < c.n) {
			uint8_t type = c.p[c.off++];
			bool ok;
			if (is_event(type)) {
				ok = parse_event(t, &c, type);
				events = true;
			} else {
				ok = parse_def(t, &c, type);
			}
			if (!ok || c.bad)
				return false;
		}
	}
	if (events && n) {
		struct heap_span sp = { off, (uint32_t)n };
		vec_push(&run_of(t, thread)->spans, sp);
	}
	return true;
}

/* What a chunk may change before it turns out malformed, to undo it
 * (runs only get a chunk once all of it checked out; infos it defined
 * stay: without events that name them they are inert). */
struct chunk_mark {
	size_t nodes;
};

static void undo_chunk(struct heap_trace *t, const struct chunk_mark *m)
{
	for (size_t i = m->nodes; i < t->nodes.n; i++) {
		uint64_t *slot = u64map_get(&t->node_index, t->nodes.v[i].id);
		if (slot && *slot >= m->nodes)
			*slot = UINT64_MAX;
	}
	t->nodes.n = m->nodes;
}

/* Parses the chunks in t->data from off on; returns the offset after the
 * last complete chunk. */
static size_t parse_chunks(struct heap_trace *t, size_t off)
{
	size_t n = t->data_n;
	while (off < n) {
		if (n - off < HEAP_CHUNK_HEADER)
			break;
		const uint8_t *h = t->data + off;
		uint32_t magic = get_u32(h), size = get_u32(h + 4), thread = get_u32(h + 8), flags = get_u32(h + 12);
		if (magic != HEAP_CHUNK_MAGIC || size > MAX_CHUNK_PAYLOAD) {
			t->corrupt = true;
			damage(t, "bad chunk header", off);
			return off;
		}
		if (n - off - HEAP_CHUNK_HEADER < size)
			break;
		struct chunk_mark m = { t->nodes.n };
		if (!parse_payload(t, off + HEAP_CHUNK_HEADER, size, thread, flags)) {
			undo_chunk(t, &m);
			t->corrupt = true;
			damage(t, "malformed record in chunk", off);
			return off;
		}
		t->chunks++;
		off += HEAP_CHUNK_HEADER + size;
	}
	return off;
}

/* Checks the file header; returns its size, 0 when absent (and allowed),
 * or -1 (flags set) when the bytes are not a trace this reader reads. */
static long parse_header(struct heap_trace *t, const uint8_t *buf, size_t n, bool expect_header)
{
	if (n >= 8 && !memcmp(buf, HEAP_TRACE_MAGIC, 8)) {
		if (n < HEAP_TRACE_HEADER) {
			t->truncated = true;
			damage(t, "trace ends inside the file header", 0);
			return -1;
		}
		uint32_t ver = get_u32(buf + 8);
		if (ver < HEAP_TRACE_VERSION_MIN || ver > HEAP_TRACE_VERSION) {
			t->bad_header = true;
			if (ver < HEAP_TRACE_VERSION_MIN)
				snprintf(t->damage, sizeof(t->damage),
					 "heap trace version %u was written by an older sonde; record it again", ver);
			else
				snprintf(t->damage, sizeof(t->damage),
					 "heap trace version %u is newer than this sonde reads (%u); update sonde", ver,
					 HEAP_TRACE_VERSION);
			return -1;
		}
		return HEAP_TRACE_HEADER;
	}
	if (expect_header) {
		t->bad_header = true;
		snprintf(t->damage, sizeof(t->damage), "not a sonde heap trace (no SONDEHP1 header)");
		return -1;
	}
	return 0;
}

/* Parses the bytes now in t->data. */
static void parse_data(struct heap_trace *t, bool expect_header)
{
	long h = parse_header(t, t->data, t->data_n, expect_header);
	if (h < 0)
		return;
	size_t end = parse_chunks(t, (size_t)h);
	t->bytes = t->data_n;
	size_t left = t->data_n - end;
	if (!left || t->corrupt)
		return;
	t->truncated = true;
	damage(t, left < HEAP_CHUNK_HEADER ? "trace ends inside a chunk header" : "trace ends inside a chunk", end);
}

void heap_trace_parse(struct heap_trace *t, const uint8_t *buf, size_t n, bool expect_header)
{
	data_reserve(t, n + 1);
	if (n)
		memcpy(t->data + t->data_n, buf, n);
	t->data_n += n;
	parse_data(t, expect_header);
}

/* Whether the bytes read so far can still be a trace: the file header,
 * then chunk headers (magic, a plausible size) up to the last complete
 * chunk (*off: where the walk goes on next time). Reading stops at the
 * first thing that is not, so /dev/zero or a zstd bomb is refused in
 * bounded memory; the parse then says where the damage is. */
static bool still_a_trace(const struct heap_trace *t, size_t *off)
{
	size_t n = t->data_n;
	if (*off == 0) {
		size_t m = n < 8 ? n : 8;
		if (memcmp(t->data, HEAP_TRACE_MAGIC, m))
			return false;
		if (n < HEAP_TRACE_HEADER)
			return true;
		*off = HEAP_TRACE_HEADER;
	}
	while (n - *off >= HEAP_CHUNK_HEADER) {
		const uint8_t *h = t->data + *off;
		uint32_t size = get_u32(h + 4);
		if (get_u32(h) != HEAP_CHUNK_MAGIC || size > MAX_CHUNK_PAYLOAD)
			return false;
		if (n - *off - HEAP_CHUNK_HEADER < size)
			break;
		*off += HEAP_CHUNK_HEADER + size;
	}
	return true;
}

/* Reads path into t->data, decompressing a zstd file; *zst_truncated
 * when the compressed stream ends early or is damaged. */
static int load_file(struct heap_trace *t, const char *path, bool *zst_truncated, char *why, size_t whylen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, whylen, "%s", strerror(errno));
		return -1;
	}
	/* address space only until touched: few remaps for big traces */
	data_reserve(t, (size_t)64 << 20);
	ZSTD_DCtx *d = NULL;
	size_t in_cap = ZSTD_DStreamInSize();
	uint8_t *in = xmalloc(in_cap);
	bool first = true;
	size_t last = 0, walked = 0, checked = 0;
	int rc = 0;
	*zst_truncated = false;
	bool stop = false;
	for (;;) {
		ssize_t k = read(fd, in, in_cap);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			snprintf(why, whylen, "%s", strerror(errno));
			rc = -1;
			break;
		}
		if (k == 0)
			break;
		if (first) {
			first = false;
			if (k >= 4 && get_u32(in) == 0xFD2FB528u)
				d = ZSTD_createDCtx();
		}
		if (!d) { /* a raw trace */
			data_reserve(t, (size_t)k);
			memcpy(t->data + t->data_n, in, (size_t)k);
			t->data_n += (size_t)k;
			if (t->data_n - checked >= ((size_t)1 << 20) || !checked) {
				checked = t->data_n;
				if (!still_a_trace(t, &walked))
					break;
			}
			continue;
		}
		ZSTD_inBuffer ib = { in, (size_t)k, 0 };
		while (ib.pos < ib.size) {
			data_reserve(t, 1 << 20);
			/* a megabyte at a time, so the check below keeps up */
			ZSTD_outBuffer ob = { t->data + t->data_n, 1 << 20, 0 };
			last = ZSTD_decompressStream(d, &ob, &ib);
			if (ZSTD_isError(last)) {
				*zst_truncated = true;
				break;
			}
			t->data_n += ob.pos;
			if (t->data_n - checked >= ((size_t)1 << 20) || !checked) {
				checked = t->data_n;
				if ((stop = !still_a_trace(t, &walked)))
					break;
			}
		}
		if (*zst_truncated || stop)
			break;
	}
	/* what the decoder still holds */
	for (int i = 0; d && !stop && !*zst_truncated && last != 0 && i < 1024; i++) {
		data_reserve(t, 1 << 20);
		ZSTD_inBuffer ib = { in, 0, 0 };
		ZSTD_outBuffer ob = { t->data + t->data_n, t->data_cap - t->data_n, 0 };
		last = ZSTD_decompressStream(d, &ob, &ib);
		if (ZSTD_isError(last))
			break;
		t->data_n += ob.pos;
		if (!ob.pos)
			break;
	}
	if (d && !stop && (ZSTD_isError(last) || last != 0))
		*zst_truncated = true;
	if (d)
		ZSTD_freeDCtx(d);
	free(in);
	close(fd);
	return rc;
}

int heap_trace_read_file(struct heap_trace *t, const char *path, bool quiet)
{
	bool ztrunc;
	char why[256];
	if (load_file(t, path, &ztrunc, why, sizeof(why)) < 0)
		return error("cannot open '%s': %s", path, why);
	if (!t->data_n && ztrunc) {
		t->truncated = true;
		return error("cannot read '%s': the compressed trace is cut short before its first complete block", path);
	}
	if (!t->data_n)
		return error("cannot read '%s': the file is empty (the traced program may not have started)", path);
	parse_data(t, true);
	if (t->bad_header)
		return error("cannot read '%s': %s", path, t->damage);
	if (ztrunc && !t->truncated && !t->corrupt) {
		t->truncated = true;
		damage(t, "compressed stream is cut short", t->bytes);
	}
	if (!quiet && (t->truncated || t->corrupt))
		warn("'%s' is damaged (%s); using the %llu complete chunks before it", path, t->damage,
		     (unsigned long long)t->chunks);
	return 0;
}
