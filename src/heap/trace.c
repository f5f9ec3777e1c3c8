/* The sonde heap trace: writer (zstd streaming) and reader (chunk parser
 * that stops cleanly at the last complete chunk). docs/heap-format.md. */
#include "heap/trace.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "../runtime/heap_protocol.h"
#include "util/die.h"

#define MAX_CHUNK_PAYLOAD (64u << 20)

size_t heap_get_varint(const uint8_t *p, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n && i < 10; i++) {
		uint64_t b = p[i] & 0x7f;
		if (i == 9 && b > 1)
			return 0;
		v |= b << (7 * i);
		if (!(p[i] & 0x80)) {
			*out = v;
			return i + 1;
		}
	}
	return 0;
}

size_t heap_put_varint(uint8_t *p, uint64_t v)
{
	size_t i = 0;
	while (v >= 0x80) {
		p[i++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[i++] = (uint8_t)v;
	return i;
}

static uint32_t get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* ------------------------------------------------------------------ writer */

struct heap_writer {
	FILE *f;
	char *path;
	ZSTD_CCtx *cctx;
	uint8_t *out;
	size_t out_cap;
	int failed;
};

static int hw_stream(struct heap_writer *w, const void *data, size_t n, ZSTD_EndDirective mode)
{
	if (w->failed)
		return -1;
	ZSTD_inBuffer in = { data, n, 0 };
	for (;;) {
		ZSTD_outBuffer out = { w->out, w->out_cap, 0 };
		size_t rem = ZSTD_compressStream2(w->cctx, &out, &in, mode);
		if (ZSTD_isError(rem)) {
			w->failed = 1;
			return error("cannot compress heap trace: %s", ZSTD_getErrorName(rem));
		}
		if (out.pos && fwrite(w->out, 1, out.pos, w->f) != out.pos) {
			w->failed = 1;
			return error("cannot write '%s': %s", w->path, strerror(errno));
		}
		if (mode == ZSTD_e_continue ? in.pos == in.size : rem == 0)
			break;
	}
	return 0;
}

struct heap_writer *heap_writer_open(const char *path, int level)
{
	FILE *f = fopen(path, "wb");
	if (!f) {
		error("cannot create '%s': %s", path, strerror(errno));
		return NULL;
	}
	struct heap_writer *w = xcalloc(1, sizeof(*w));
	w->f = f;
	w->path = xstrdup(path);
	w->cctx = ZSTD_createCCtx();
	ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_compressionLevel, level);
	w->out_cap = ZSTD_CStreamOutSize();
	w->out = xmalloc(w->out_cap);
	uint8_t hdr[HEAP_TRACE_HEADER];
	memcpy(hdr, HEAP_TRACE_MAGIC, 8);
	put_u32(hdr + 8, HEAP_TRACE_VERSION);
	put_u32(hdr + 12, 0);
	if (hw_stream(w, hdr, sizeof(hdr), ZSTD_e_continue) < 0) {
		heap_writer_close(w);
		return NULL;
	}
	return w;
}

int heap_writer_add(struct heap_writer *w, const void *data, size_t n)
{
	return hw_stream(w, data, n, ZSTD_e_continue);
}

int heap_writer_flush(struct heap_writer *w)
{
	if (hw_stream(w, NULL, 0, ZSTD_e_flush) < 0)
		return -1;
	if (fflush(w->f)) {
		w->failed = 1;
		return error("cannot write '%s': %s", w->path, strerror(errno));
	}
	return 0;
}

int heap_writer_summary(struct heap_writer *w, int wait_status, uint64_t wall_ns)
{
	uint8_t buf[HEAP_CHUNK_HEADER + 32];
	size_t n = HEAP_CHUNK_HEADER;
	buf[n++] = HR_SONDE_SUMMARY;
	n += heap_put_varint(buf + n, (uint32_t)wait_status);
	n += heap_put_varint(buf + n, wall_ns);
	put_u32(buf, HEAP_CHUNK_MAGIC);
	put_u32(buf + 4, (uint32_t)(n - HEAP_CHUNK_HEADER));
	put_u32(buf + 8, HEAP_SONDE_THREAD);
	put_u32(buf + 12, 0);
	return heap_writer_add(w, buf, n);
}

int heap_writer_command(struct heap_writer *w, const char *cmdline)
{
	size_t len = strlen(cmdline);
	uint8_t *buf = xmalloc(HEAP_CHUNK_HEADER + 16 + len);
	size_t n = HEAP_CHUNK_HEADER;
	buf[n++] = HR_SONDE_COMMAND;
	n += heap_put_varint(buf + n, len);
	memcpy(buf + n, cmdline, len);
	n += len;
	put_u32(buf, HEAP_CHUNK_MAGIC);
	put_u32(buf + 4, (uint32_t)(n - HEAP_CHUNK_HEADER));
	put_u32(buf + 8, HEAP_SONDE_THREAD);
	put_u32(buf + 12, 0);
	int rc = heap_writer_add(w, buf, n);
	free(buf);
	return rc;
}

int heap_writer_close(struct heap_writer *w)
{
	if (!w)
		return 0;
	int rc = hw_stream(w, NULL, 0, ZSTD_e_end);
	if (fclose(w->f) && !w->failed) {
		error("cannot write '%s': %s", w->path, strerror(errno));
		rc = -1;
	}
	if (w->failed)
		rc = -1;
	ZSTD_freeCCtx(w->cctx);
	free(w->out);
	free(w->path);
	free(w);
	return rc;
}

/* ------------------------------------------------------------------ reader */

void heap_trace_init(struct heap_trace *t)
{
	memset(t, 0, sizeof(*t));
	t->wait_status = -1;
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
	vec_free(&t->events);
	memset(t, 0, sizeof(*t));
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

static bool parse_payload(struct heap_trace *t, const uint8_t *p, size_t n, uint32_t thread)
{
	struct cur c = { p, n, 0, false };
	if (thread == HEAP_SONDE_THREAD)
		return parse_sonde_payload(t, p, n);
	uint64_t seq = 0;
	while (c.off < c.n && !c.bad) {
		uint8_t type = c.p[c.off++];
		struct heap_event ev = { 0 };
		switch (type) {
		case HR_HELLO: {
			uint64_t ver = rv(&c), pid = rv(&c), ppid = rv(&c), start = rv(&c);
			char *exe = rstr(&c);
			if (c.bad)
				break;
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
			continue;
		}
		case HR_MODULE: {
			struct heap_module m = { 0 };
			m.bias = rv(&c);
			m.path = rstr(&c);
			uint64_t nseg = rv(&c);
			if (nseg > 64)
				c.bad = true;
			for (uint64_t i = 0; i < nseg && !c.bad; i++) {
				struct heap_segment s;
				s.vaddr = rv(&c);
				s.memsz = rv(&c);
				s.flags = rv(&c);
				vec_push(&m.segs, s);
			}
			if (c.bad) {
				free(m.path);
				vec_free(&m.segs);
				break;
			}
			vec_push(&t->modules, m);
			continue;
		}
		case HR_STACK: {
			struct heap_stack_node nd;
			nd.id = rv(&c);
			nd.parent = rv(&c);
			nd.ip = rv(&c);
			if (c.bad)
				break;
			bool ins;
			uint64_t *slot = u64map_upsert(&t->node_index, nd.id, t->nodes.n, &ins);
			if (ins)
				vec_push(&t->nodes, nd);
			else
				t->nodes.v[*slot] = nd;
			continue;
		}
		case HR_THREAD: {
			struct heap_thread th;
			th.index = (uint32_t)rv(&c);
			th.tid = (uint32_t)rv(&c);
			th.name = rstr(&c);
			if (c.bad) {
				free(th.name);
				break;
			}
			vec_push(&t->threads, th);
			continue;
		}
		case HR_ALLOC:
		case HR_FREE:
		case HR_REALLOC:
		case HR_TIME:
		case HR_FORK:
		case HR_EXIT:
			break;
		default:
			c.bad = true;
			continue;
		}
		if (c.bad)
			break;
		/* events: seq delta first */
		seq += rv(&c);
		ev.seq = seq;
		switch (type) {
		case HR_ALLOC:
			ev.type = HEV_ALLOC;
			ev.kind = (uint8_t)rv(&c);
			ev.size = rv(&c);
			ev.ptr = rv(&c);
			ev.stack = (uint32_t)rv(&c);
			break;
		case HR_FREE:
			ev.type = HEV_FREE;
			ev.kind = (uint8_t)rv(&c);
			ev.ptr = rv(&c);
			ev.stack = (uint32_t)rv(&c);
			break;
		case HR_REALLOC:
			ev.type = HEV_REALLOC;
			ev.kind = HK_REALLOC;
			ev.ptr2 = rv(&c);
			ev.ptr = rv(&c);
			ev.size = rv(&c);
			ev.stack = (uint32_t)rv(&c);
			break;
		case HR_TIME:
			ev.type = HEV_TIME;
			ev.ptr = rv(&c);
			ev.ptr2 = rv(&c);
			break;
		case HR_FORK:
			ev.type = HEV_FORK;
			ev.ptr = rv(&c);
			break;
		case HR_EXIT:
			ev.type = HEV_EXIT;
			ev.ptr = rv(&c);  /* how */
			ev.size = rv(&c); /* signal */
			ev.ptr2 = rv(&c); /* peak RSS KiB */
			break;
		}
		if (c.bad)
			break;
		if (ev.type == HEV_EXIT) {
			t->have_exit = true;
			t->exit_how = ev.ptr;
			t->exit_signal = ev.size;
			t->exit_peak_rss_kib = ev.ptr2;
		}
		vec_push(&t->events, ev);
	}
	return !c.bad;
}

size_t heap_trace_parse_chunks(struct heap_trace *t, const uint8_t *buf, size_t n)
{
	size_t off = 0;
	while (off < n) {
		if (n - off < HEAP_CHUNK_HEADER) {
			t->truncated = true;
			damage(t, "trace ends inside a chunk header", t->bytes + off);
			break;
		}
		uint32_t magic = get_u32(buf + off), size = get_u32(buf + off + 4);
		uint32_t thread = get_u32(buf + off + 8);
		if (magic != HEAP_CHUNK_MAGIC || size > MAX_CHUNK_PAYLOAD) {
			t->corrupt = true;
			damage(t, "bad chunk header", t->bytes + off);
			break;
		}
		if (n - off - HEAP_CHUNK_HEADER < size) {
			t->truncated = true;
			damage(t, "trace ends inside a chunk", t->bytes + off);
			break;
		}
		size_t ev_mark = t->events.n, nd_mark = t->nodes.n;
		if (!parse_payload(t, buf + off + HEAP_CHUNK_HEADER, size, thread)) {
			/* drop what this chunk added to the event and node lists */
			t->events.n = ev_mark;
			for (size_t i = nd_mark; i < t->nodes.n; i++) {
				uint64_t *slot = u64map_get(&t->node_index, t->nodes.v[i].id);
				if (slot && *slot >= nd_mark)
					*slot = UINT64_MAX;
			}
			t->nodes.n = nd_mark;
			t->corrupt = true;
			damage(t, "malformed record in chunk", t->bytes + off);
			break;
		}
		t->chunks++;
		off += HEAP_CHUNK_HEADER + size;
	}
	return off;
}

void heap_trace_parse(struct heap_trace *t, const uint8_t *buf, size_t n, bool expect_header)
{
	if (n >= 8 && !memcmp(buf, HEAP_TRACE_MAGIC, 8)) {
		if (n < HEAP_TRACE_HEADER) {
			t->truncated = true;
			damage(t, "trace ends inside the file header", 0);
			return;
		}
		uint32_t ver = get_u32(buf + 8);
		if (ver != HEAP_TRACE_VERSION) {
			t->bad_header = true;
			snprintf(t->damage, sizeof(t->damage), "unsupported heap trace version %u", ver);
			return;
		}
		buf += HEAP_TRACE_HEADER;
		n -= HEAP_TRACE_HEADER;
		t->bytes = HEAP_TRACE_HEADER;
	} else if (expect_header) {
		t->bad_header = true;
		snprintf(t->damage, sizeof(t->damage), "not a sonde heap trace (no SONDEHP1 header)");
		return;
	}
	heap_trace_parse_chunks(t, buf, n);
	t->bytes += n;
}

static int cmp_event(const void *a, const void *b)
{
	const struct heap_event *x = a, *y = b;
	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return 0;
}

void heap_trace_finish(struct heap_trace *t)
{
	/* Chunks of different threads interleave; within a chunk events are in
	 * order. Sort only if needed (mergesort-like stability is not needed:
	 * sequence numbers are unique). */
	bool sorted = true;
	for (size_t i = 1; i < t->events.n; i++)
		if (t->events.v[i].seq < t->events.v[i - 1].seq) {
			sorted = false;
			break;
		}
	if (!sorted)
		qsort(t->events.v, t->events.n, sizeof(t->events.v[0]), cmp_event);
}

/* Reads and decompresses the whole file into memory. */
static int slurp_decompress(const char *path, uint8_t **out, size_t *out_n, bool *zst_truncated, char *why, size_t whylen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, whylen, "%s", strerror(errno));
		return -1;
	}
	size_t cap = 1 << 16, n = 0;
	uint8_t *raw = xmalloc(cap);
	for (;;) {
		if (n == cap)
			raw = xrealloc(raw, cap *= 2);
		ssize_t k = read(fd, raw + n, cap - n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			snprintf(why, whylen, "%s", strerror(errno));
			close(fd);
			free(raw);
			return -1;
		}
		if (k == 0)
			break;
		n += (size_t)k;
	}
	close(fd);
	*zst_truncated = false;
	if (n < 4 || get_u32(raw) != 0xFD2FB528u) {
		/* not zstd: a raw (uncompressed) trace */
		*out = raw;
		*out_n = n;
		return 0;
	}
	ZSTD_DCtx *d = ZSTD_createDCtx();
	size_t dcap = n * 4 + (1 << 16), dn = 0;
	uint8_t *dec = xmalloc(dcap);
	ZSTD_inBuffer in = { raw, n, 0 };
	size_t last = 0;
	while (in.pos < in.size) {
		if (dcap - dn < (1 << 16))
			dec = xrealloc(dec, dcap *= 2);
		ZSTD_outBuffer ob = { dec + dn, dcap - dn, 0 };
		last = ZSTD_decompressStream(d, &ob, &in);
		dn += ob.pos;
		if (ZSTD_isError(last)) {
			*zst_truncated = true;
			break;
		}
		if (ob.pos == 0 && in.pos == in.size)
			break;
	}
	/* flush whatever is still buffered inside the decoder */
	for (int i = 0; i < 64 && !ZSTD_isError(last) && last != 0; i++) {
		if (dcap - dn < (1 << 16))
			dec = xrealloc(dec, dcap *= 2);
		ZSTD_outBuffer ob = { dec + dn, dcap - dn, 0 };
		last = ZSTD_decompressStream(d, &ob, &in);
		if (!ZSTD_isError(last))
			dn += ob.pos;
		if (ob.pos == 0)
			break;
	}
	if (!ZSTD_isError(last) && last != 0)
		*zst_truncated = true;
	ZSTD_freeDCtx(d);
	free(raw);
	*out = dec;
	*out_n = dn;
	return 0;
}

int heap_trace_read_file(struct heap_trace *t, const char *path, bool quiet)
{
	uint8_t *buf;
	size_t n;
	bool ztrunc;
	char why[256];
	if (slurp_decompress(path, &buf, &n, &ztrunc, why, sizeof(why)) < 0)
		return error("cannot open '%s': %s", path, why);
	heap_trace_parse(t, buf, n, true);
	free(buf);
	if (t->bad_header)
		return error("cannot read '%s': %s", path, t->damage);
	heap_trace_finish(t);
	if (ztrunc && !t->truncated && !t->corrupt) {
		t->truncated = true;
		damage(t, "compressed stream is cut short", t->bytes);
	}
	if (!quiet && (t->truncated || t->corrupt))
		warn("'%s' is damaged (%s); using the %llu complete chunks before it", path, t->damage,
		     (unsigned long long)t->chunks);
	return 0;
}
