/* Key compaction of a finished heap trace.
 *
 * While several threads have events at the same time, the runtime keys
 * every event with the clock (runtime/base/rt_key.h), so that replay
 * interleaves the threads as they really ran. Those keys are exact but
 * costly to store: a K record with a few noisy bytes per event. Replay only needs their order, and
 * that is known once the trace is complete. So `sonde heap` rewrites the
 * finished trace: it merges the runs as replay does, numbers each stretch
 * that one run contributes to the merged order, and writes every chunk
 * again with only those numbers as keys. The rewritten trace replays the
 * same events in the same order (ties included: every stretch has a key
 * of its own) and holds a K record only where threads take turns.
 *
 * The rewrite goes to a new file next to PATH and replaces PATH (a plain
 * file only) when it is complete and smaller; a damaged trace is left as
 * it is. */
#include "heap/trace.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "heap_protocol.h"
#include "util/die.h"
#include "util/progress.h"
#include "util/strbuf.h"

/* Where each run's keys change: pairs (events of the run since the last
 * change, new key - last key) as varints, in the run's order. */
struct run_keys {
	struct strbuf changes;
	uint64_t last_ord, last_key; /* pass 1: the run's last change */
	size_t rd;                   /* pass 2: read position in changes */
	uint64_t ord;                /* pass 2: events of the run seen so far */
	uint64_t next_ord, next_key; /* pass 2: the next change (next_ord UINT64_MAX: none) */
	uint64_t key;                /* pass 2: the key in force */
};

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

static void add_varint(struct strbuf *sb, uint64_t v)
{
	uint8_t b[10];
	sb_add(sb, b, varint_put(b, v));
}

/* Pass 1: the merged order, as stretches per run. Returns the number of
 * stretches, or 0 if an event chunk is damaged (nothing is rewritten). */
static uint64_t number_stretches(const struct heap_trace *t, struct run_keys *rk, bool progress)
{
	struct progress pr;
	progress_start(&pr, "ordering the heap trace's events", 0, progress);
	struct heap_iter it;
	struct heap_event ev;
	uint64_t key = 0, n = 0;
	uint32_t prev = UINT32_MAX;
	heap_iter_init(&it, t);
	while (heap_iter_next(&it, &ev)) {
		uint32_t r = heap_iter_run(&it);
		struct run_keys *k = &rk[r];
		if (r != prev) {
			key++;
			add_varint(&k->changes, k->ord - k->last_ord);
			add_varint(&k->changes, key - k->last_key);
			k->last_ord = k->ord;
			k->last_key = key;
			prev = r;
		}
		k->ord++;
		if (!(++n & 0xffff))
			progress_update(&pr, n);
	}
	progress_done(&pr);
	bool damaged = it.damaged != 0;
	heap_iter_free(&it);
	return damaged ? 0 : key;
}

static void next_change(struct run_keys *k)
{
	uint64_t dord, dkey;
	size_t a = heap_get_varint((const uint8_t *)k->changes.buf + k->rd, k->changes.len - k->rd, &dord);
	size_t b = a ? heap_get_varint((const uint8_t *)k->changes.buf + k->rd + a, k->changes.len - k->rd - a, &dkey) : 0;
	if (!b) {
		k->next_ord = UINT64_MAX;
		return;
	}
	k->rd += a + b;
	k->next_ord += dord;
	k->next_key += dkey;
}

/* Pass 2 for one chunk payload of run k: the same records without its K
 * records, with a K record wherever the new key moves. An event is at
 * least 2 bytes and gains at most an 11-byte K record, so the output is
 * under 7 times the input (the caller's buffer). Returns the end, or NULL
 * if a record does not decode (cannot happen after a clean pass 1, but
 * never trust). */
static uint8_t *rewrite_payload(const uint8_t *p, const uint8_t *end, struct run_keys *k, uint64_t version,
				uint8_t *o)
{
	uint64_t running = 0; /* every chunk's running key starts at zero */
	while (p < end) {
		const uint8_t *rec = p;
		uint8_t type = *p++;
		/* the bulk: an allocation or free() of an info below 2^14 */
		if ((type == HR_ALLOC || type == HR_FREE) && end - p >= 2 && (p[0] < 0x80 || p[1] < 0x80)) {
			p += p[0] < 0x80 ? 1 : 2;
		} else {
			int nf = heap_event_fields(type);
			if (nf < 0) {
				if (!heap_skip_def(&p, end, type, version))
					return NULL;
				memcpy(o, rec, (size_t)(p - rec));
				o += p - rec;
				continue;
			}
			for (int i = 0; i < nf; i++) {
				uint64_t x;
				size_t m = heap_get_varint(p, (size_t)(end - p), &x);
				if (!m)
					return NULL;
				p += m;
			}
			if (type == HR_KEY)
				continue;
		}
		if (k->ord++ == k->next_ord) {
			k->key = k->next_key;
			next_change(k);
		}
		if (k->key != running) {
			*o++ = HR_KEY;
			o += varint_put(o, k->key - running);
			running = k->key;
		}
		memcpy(o, rec, (size_t)(p - rec));
		o += p - rec;
	}
	return o;
}

static int write_compacted(const struct heap_trace *t, struct run_keys *rk, const char *tmp, int level, bool progress)
{
	struct progress pr;
	progress_start(&pr, "compacting the heap trace", t->data_n, progress);
	struct heap_writer *w = heap_writer_open(tmp, level);
	if (!w)
		return -1;
	for (size_t r = 0; r < t->runs.n; r++) {
		rk[r].ord = rk[r].key = 0;
		rk[r].next_ord = rk[r].next_key = 0;
		next_change(&rk[r]);
	}
	/* the chunks replay reads: every other one is copied as it is */
	struct u64map span_run = { 0 };
	for (size_t r = 0; r < t->runs.n; r++)
		for (size_t i = 0; i < t->runs.v[r].spans.n; i++)
			*u64map_upsert(&span_run, t->runs.v[r].spans.v[i].off, 0, NULL) = r;
	uint8_t *out = NULL;
	size_t out_cap = 0;
	int rc = 0;
	size_t off = HEAP_TRACE_HEADER;
	while (rc == 0 && off + HEAP_CHUNK_HEADER <= t->data_n) {
		const uint8_t *h = t->data + off;
		uint32_t size = get_u32(h + 4);
		if (get_u32(h) != HEAP_CHUNK_MAGIC || size > t->data_n - off - HEAP_CHUNK_HEADER)
			break; /* the reader stopped here too */
		const uint8_t *payload = h + HEAP_CHUNK_HEADER;
		uint64_t *run = u64map_get(&span_run, off + HEAP_CHUNK_HEADER);
		if (!run) {
			rc = heap_writer_add(w, h, HEAP_CHUNK_HEADER + size);
		} else {
			size_t need = HEAP_CHUNK_HEADER + (size_t)size * 7 + 64;
			if (need > out_cap) {
				free(out);
				out = xmalloc(out_cap = need);
			}
			memcpy(out, h, HEAP_CHUNK_HEADER);
			uint8_t *e = rewrite_payload(payload, payload + size, &rk[*run], t->version, out + HEAP_CHUNK_HEADER);
			if (!e) {
				rc = -1;
				break;
			}
			put_u32(out + 4, (uint32_t)(e - out - HEAP_CHUNK_HEADER));
			put_u32(out + 12, get_u32(h + 12) & ~HEAP_CHUNK_CLOCK); /* its keys are counters now */
			rc = heap_writer_add(w, out, (size_t)(e - out));
		}
		off += HEAP_CHUNK_HEADER + size;
		progress_update(&pr, off);
	}
	progress_done(&pr);
	u64map_free(&span_run);
	free(out);
	if (heap_writer_close(w) < 0)
		rc = -1;
	return rc;
}

static off_t file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? st.st_size : -1;
}

/* The rewrite in progress, removed if sonde is interrupted meanwhile
 * (the trace itself is still whole then). */
static char *volatile g_tmp;

static void drop_tmp_and_die(int sig)
{
	char *tmp = g_tmp;
	if (tmp)
		unlink(tmp);
	signal(sig, SIG_DFL);
	raise(sig);
}

int heap_trace_compact(const char *path, int level, bool progress)
{
	/* only a plain file is replaced: not a symlink's target, a pipe or a
	 * device the trace went to */
	struct stat st;
	if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return 0;
	struct heap_trace t;
	heap_trace_init(&t);
	if (heap_trace_read_file(&t, path, true) < 0 || t.truncated || t.corrupt || t.bad_header ||
	    t.data_n < HEAP_TRACE_HEADER || memcmp(t.data, HEAP_TRACE_MAGIC, 8)) {
		heap_trace_free(&t);
		return 0;
	}
	/* one program thread (and the timer's chunks): its keys barely move */
	if (t.runs.n <= 2) {
		heap_trace_free(&t);
		return 0;
	}
	struct run_keys *rk = xcalloc(t.runs.n, sizeof(*rk));
	uint64_t stretches = number_stretches(&t, rk, progress);
	char *tmp = xasprintf("%s.XXXXXX", path);
	int rc = 0, fd = -1;
	if (stretches && (fd = mkstemp(tmp)) < 0)
		rc = error("cannot create a file next to '%s' to compact it: %s", path, strerror(errno));
	if (fd >= 0) {
		struct sigaction sa = { 0 }, old_int, old_term, old_hup;
		sa.sa_handler = drop_tmp_and_die;
		sigemptyset(&sa.sa_mask);
		g_tmp = tmp;
		sigaction(SIGINT, &sa, &old_int);
		sigaction(SIGTERM, &sa, &old_term);
		sigaction(SIGHUP, &sa, &old_hup);
		fchmod(fd, st.st_mode & 07777);
		close(fd);
		rc = write_compacted(&t, rk, tmp, level, progress);
		off_t before = file_size(path), after = file_size(tmp);
		if (rc == 0 && after >= 0 && before >= 0 && after < before) {
			if (rename(tmp, path) < 0)
				rc = error("cannot replace '%s' with its compacted trace: %s", path, strerror(errno));
			else
				rc = 1;
		}
		if (rc != 1)
			unlink(tmp);
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGTERM, &old_term, NULL);
		sigaction(SIGHUP, &old_hup, NULL);
		g_tmp = NULL;
	}
	free(tmp);
	for (size_t r = 0; r < t.runs.n; r++)
		sb_free(&rk[r].changes);
	free(rk);
	heap_trace_free(&t);
	return rc;
}
