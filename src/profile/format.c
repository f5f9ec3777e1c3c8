/* sonde.data writer and reader; the layout is described in docs/format.md. */
#include "profile/format.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/die.h"
#include "util/hashmap.h"
#include "util/strbuf.h"
#include "util/vec.h"
#include "varint.h"

/* ---- varint encoding ---- */

static void put_u64(struct strbuf *b, uint64_t v)
{
	uint8_t tmp[10];
	sb_add(b, tmp, varint_put(tmp, v));
}

static uint64_t zigzag(int64_t v) { return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63); }
static int64_t unzigzag(uint64_t v) { return (int64_t)(v >> 1) ^ -(int64_t)(v & 1); }

static void put_bytes(struct strbuf *b, const void *p, size_t n)
{
	put_u64(b, n);
	sb_add(b, p, n);
}

static void put_str(struct strbuf *b, const char *s) { put_bytes(b, s ? s : "", s ? strlen(s) : 0); }

/* ---- writer ---- */

struct sd_writer {
	int fd;
	bool own_fd;
	int err;
	uint64_t bytes;
	struct strbuf out;     /* pending output */
	struct strbuf payload; /* record being built */
	struct u64map stacks; /* chain hash -> stack id */
	/* Interned chains, to tell a hash collision from a hit. */
	VEC(uint64_t) chain_words; /* per chain: header word, then frames */
	VEC(size_t) chain_at;      /* stack id -> index into chain_words */
	uint64_t prev_time;        /* samples store time deltas */
};

static int write_all(struct sd_writer *w, const void *p, size_t n)
{
	const char *c = p;
	while (n) {
		ssize_t k = write(w->fd, c, n);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		c += k;
		n -= (size_t)k;
	}
	return 0;
}

int sd_writer_flush(struct sd_writer *w)
{
	if (w->err) {
		errno = w->err;
		return -1;
	}
	if (w->out.len && write_all(w, w->out.buf, w->out.len) < 0) {
		w->err = errno ? errno : EIO;
		return -1;
	}
	sb_reset(&w->out);
	return 0;
}

/* Appends the record in w->payload to the output buffer. */
static int emit(struct sd_writer *w, enum sd_record_type type)
{
	if (w->err) {
		errno = w->err;
		return -1;
	}
	uint32_t hdr[2] = { (uint32_t)type, (uint32_t)w->payload.len };
	sb_add(&w->out, hdr, sizeof(hdr));
	sb_add(&w->out, w->payload.buf, w->payload.len);
	w->bytes += sizeof(hdr) + w->payload.len;
	sb_reset(&w->payload);
	if (w->out.len >= (1u << 16))
		return sd_writer_flush(w);
	return 0;
}

struct sd_writer *sd_writer_open(const char *path)
{
	if (!strcmp(path, "-"))
		return sd_writer_fdopen(STDOUT_FILENO, false);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	return fd < 0 ? NULL : sd_writer_fdopen(fd, true);
}

struct sd_writer *sd_writer_fdopen(int fd, bool own)
{
	struct sd_writer *w = xcalloc(1, sizeof(*w));
	w->fd = fd;
	w->own_fd = own;
	unsigned char hdr[SONDE_DATA_HEADER_SIZE] = { 0 };
	memcpy(hdr, SONDE_DATA_MAGIC, 8);
	uint16_t major = SONDE_DATA_MAJOR, minor = SONDE_DATA_MINOR;
	memcpy(hdr + 8, &major, 2);
	memcpy(hdr + 10, &minor, 2);
	/* bytes 12..15: flags, reserved (0) */
	sb_add(&w->out, hdr, sizeof(hdr));
	w->bytes = sizeof(hdr);
	return w;
}

uint64_t sd_writer_bytes(const struct sd_writer *w) { return w->bytes; }

int sd_write_meta(struct sd_writer *w, const char *key, const char *val)
{
	put_u64(&w->payload, 1);
	put_str(&w->payload, key);
	put_str(&w->payload, val);
	return emit(w, SD_META);
}

int sd_write_mmap(struct sd_writer *w, const struct sd_mmap *m)
{
	struct strbuf *b = &w->payload;
	put_u64(b, m->time);
	put_u64(b, m->pid);
	put_u64(b, m->tid);
	put_u64(b, m->start);
	put_u64(b, m->len);
	put_u64(b, m->pgoff);
	put_u64(b, m->prot);
	put_u64(b, m->flags);
	put_bytes(b, m->build_id, m->build_id_len > 20 ? 20 : m->build_id_len);
	put_str(b, m->filename);
	return emit(w, SD_MMAP);
}

int sd_write_comm(struct sd_writer *w, const struct sd_comm *c)
{
	struct strbuf *b = &w->payload;
	put_u64(b, c->time);
	put_u64(b, c->pid);
	put_u64(b, c->tid);
	put_u64(b, c->exec);
	put_str(b, c->comm);
	return emit(w, SD_COMM);
}

static int write_task(struct sd_writer *w, const struct sd_task *t, enum sd_record_type type)
{
	struct strbuf *b = &w->payload;
	put_u64(b, t->time);
	put_u64(b, t->pid);
	put_u64(b, t->ppid);
	put_u64(b, t->tid);
	put_u64(b, t->ptid);
	return emit(w, type);
}

int sd_write_fork(struct sd_writer *w, const struct sd_task *t) { return write_task(w, t, SD_FORK); }
int sd_write_exit(struct sd_writer *w, const struct sd_task *t) { return write_task(w, t, SD_EXIT); }

static bool chain_equal(const struct sd_writer *w, uint64_t id, const uint64_t *frames, uint32_t nr,
			uint64_t head)
{
	const uint64_t *c = &w->chain_words.v[w->chain_at.v[id]];
	return c[0] == head && c[1] == nr && !memcmp(c + 2, frames, nr * sizeof(*frames));
}

uint64_t sd_intern_stack(struct sd_writer *w, const uint64_t *frames, uint32_t nr, uint32_t nr_kernel,
			 bool truncated)
{
	uint64_t head = ((uint64_t)nr_kernel << 1) | truncated;
	uint64_t h = hash_bytes(frames, nr * sizeof(*frames)) ^ hash_u64(head);
	for (;;) {
		bool fresh;
		uint64_t *slot = u64map_upsert(&w->stacks, h, w->chain_at.n, &fresh);
		if (!fresh) {
			if (chain_equal(w, *slot, frames, nr, head))
				return *slot;
			h = hash_u64(h + 1); /* collision: probe another key */
			continue;
		}
		break;
	}
	uint64_t id = w->chain_at.n;
	vec_push(&w->chain_at, w->chain_words.n);
	vec_reserve(&w->chain_words, w->chain_words.n + nr + 2);
	w->chain_words.v[w->chain_words.n++] = head;
	w->chain_words.v[w->chain_words.n++] = nr;
	memcpy(&w->chain_words.v[w->chain_words.n], frames, nr * sizeof(*frames));
	w->chain_words.n += nr;

	struct strbuf *b = &w->payload;
	put_u64(b, id);
	put_u64(b, head);
	put_u64(b, nr);
	/* Neighbouring frames are often close: store zigzag deltas. */
	uint64_t prev = 0;
	for (uint32_t i = 0; i < nr; i++) {
		put_u64(b, zigzag((int64_t)(frames[i] - prev)));
		prev = frames[i];
	}
	if (emit(w, SD_STACK) < 0)
		return UINT64_MAX;
	return id;
}

int sd_write_sample(struct sd_writer *w, const struct sd_sample *s)
{
	struct strbuf *b = &w->payload;
	put_u64(b, zigzag((int64_t)(s->time - w->prev_time)));
	w->prev_time = s->time;
	put_u64(b, s->pid);
	put_u64(b, s->tid);
	put_u64(b, s->cpu);
	put_u64(b, s->period);
	put_u64(b, s->stack_id);
	put_u64(b, s->cpumode);
	return emit(w, SD_SAMPLE);
}

int sd_write_lost(struct sd_writer *w, const struct sd_lost *l)
{
	put_u64(&w->payload, l->time);
	put_u64(&w->payload, l->lost);
	return emit(w, SD_LOST);
}

int sd_write_finish(struct sd_writer *w, const struct sd_finish *f)
{
	struct strbuf *b = &w->payload;
	put_u64(b, f->time);
	put_u64(b, f->samples);
	put_u64(b, f->lost);
	put_u64(b, zigzag(f->exit_status));
	return emit(w, SD_FINISH);
}

int sd_write_user_stack(struct sd_writer *w, const struct sd_user_stack *u)
{
	struct strbuf *b = &w->payload;
	put_u64(b, u->regs_mask);
	put_u64(b, u->nregs);
	for (uint32_t i = 0; i < u->nregs; i++)
		put_u64(b, u->regs[i]);
	put_bytes(b, u->data, u->len);
	return emit(w, SD_USER_STACK);
}

int sd_writer_close(struct sd_writer *w)
{
	int rc = sd_writer_flush(w);
	int err = rc < 0 ? errno : 0;
	if (w->own_fd && close(w->fd) < 0 && !err)
		err = errno, rc = -1;
	sb_free(&w->out);
	sb_free(&w->payload);
	u64map_free(&w->stacks);
	vec_free(&w->chain_words);
	vec_free(&w->chain_at);
	free(w);
	errno = err;
	return rc;
}

/* ---- reader ---- */

struct sd_reader {
	const unsigned char *data;
	size_t len, pos;
	void *map; /* mmap'd file, or NULL for memory input */
	size_t map_len;
	unsigned minor;
	uint64_t prev_time;
	/* storage for borrowed fields of the current record */
	VEC(uint64_t) frames;
	struct strbuf s1;
	VEC(char *) meta_keys;
	VEC(char *) meta_vals;
};

struct cursor {
	const unsigned char *p, *end;
	bool bad;
};

static uint64_t get_u64(struct cursor *c)
{
	uint64_t v = 0;
	for (unsigned shift = 0; shift < 64; shift += 7) {
		if (c->p >= c->end) {
			c->bad = true;
			return 0;
		}
		unsigned char b = *c->p++;
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return v;
	}
	c->bad = true;
	return 0;
}

static uint32_t get_u32(struct cursor *c)
{
	uint64_t v = get_u64(c);
	if (v > UINT32_MAX)
		c->bad = true;
	return (uint32_t)v;
}

/* Returns a pointer to n raw bytes inside the record, or NULL. */
static const unsigned char *get_bytes(struct cursor *c, size_t *n)
{
	uint64_t len = get_u64(c);
	if (c->bad || len > (uint64_t)(c->end - c->p)) {
		c->bad = true;
		return NULL;
	}
	const unsigned char *p = c->p;
	c->p += len;
	*n = (size_t)len;
	return p;
}

/* Copies a string field into sb (NUL-terminated) and returns it. */
static const char *get_str(struct cursor *c, struct strbuf *sb)
{
	size_t n = 0;
	const unsigned char *p = get_bytes(c, &n);
	sb_reset(sb);
	if (p)
		sb_add(sb, p, n);
	else
		sb_add(sb, "", 0);
	return sb->buf;
}

static struct sd_reader *reader_init(const void *data, size_t len, char *why, size_t why_len)
{
	if (len < SONDE_DATA_HEADER_SIZE) {
		snprintf(why, why_len, len ? "file too short to be a sonde recording (%zu bytes)"
					   : "file is empty (the recording produced no data)",
			 len);
		return NULL;
	}
	if (memcmp(data, SONDE_DATA_MAGIC, 8)) {
		if (!memcmp(data, "PERFILE2", 8))
			snprintf(why, why_len, "this is a Linux perf.data file, not a sonde recording");
		else
			snprintf(why, why_len, "not a sonde recording (bad magic)");
		return NULL;
	}
	uint16_t major, minor;
	memcpy(&major, (const char *)data + 8, 2);
	memcpy(&minor, (const char *)data + 10, 2);
	if (major != SONDE_DATA_MAJOR) {
		snprintf(why, why_len,
			 "recording uses format version %u.%u but this sonde reads version %u; %s", major,
			 minor, SONDE_DATA_MAJOR,
			 major > SONDE_DATA_MAJOR ? "upgrade sonde to read it" : "it is too old to read");
		return NULL;
	}
	struct sd_reader *r = xcalloc(1, sizeof(*r));
	r->data = data;
	r->len = len;
	r->pos = SONDE_DATA_HEADER_SIZE;
	r->minor = minor;
	return r;
}

struct sd_reader *sd_reader_open_mem(const void *data, size_t len, char *why, size_t why_len)
{
	return reader_init(data, len, why, why_len);
}

struct sd_reader *sd_reader_open(const char *path, char *why, size_t why_len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, why_len, "%s", strerror(errno));
		return NULL;
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(why, why_len, "%s", S_ISDIR(st.st_mode) ? "is a directory" : "not a regular file");
		close(fd);
		return NULL;
	}
	size_t len = (size_t)st.st_size;
	void *map = NULL;
	if (len) {
		map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map == MAP_FAILED) {
			snprintf(why, why_len, "cannot map file: %s", strerror(errno));
			close(fd);
			return NULL;
		}
	}
	close(fd);
	struct sd_reader *r = reader_init(map ? map : "", len, why, why_len);
	if (!r) {
		if (map)
			munmap(map, len);
		return NULL;
	}
	r->map = map;
	r->map_len = len;
	return r;
}

unsigned sd_reader_minor(const struct sd_reader *r) { return r->minor; }
uint64_t sd_reader_offset(const struct sd_reader *r) { return r->pos; }

static void free_meta(struct sd_reader *r)
{
	for (size_t i = 0; i < r->meta_keys.n; i++) {
		free(r->meta_keys.v[i]);
		free(r->meta_vals.v[i]);
	}
	r->meta_keys.n = r->meta_vals.n = 0;
}

static bool decode(struct sd_reader *r, struct cursor *c, struct sd_record *rec)
{
	memset(&rec->u, 0, sizeof(rec->u));
	switch (rec->type) {
	case SD_META: {
		free_meta(r);
		uint64_t n = get_u64(c);
		if (n > (uint64_t)(c->end - c->p))
			return false;
		for (uint64_t i = 0; i < n && !c->bad; i++) {
			vec_push(&r->meta_keys, xstrdup(get_str(c, &r->s1)));
			vec_push(&r->meta_vals, xstrdup(get_str(c, &r->s1)));
		}
		rec->u.meta.n = r->meta_keys.n;
		rec->u.meta.keys = r->meta_keys.v;
		rec->u.meta.vals = r->meta_vals.v;
		break;
	}
	case SD_MMAP: {
		struct sd_mmap *m = &rec->u.mmap;
		m->time = get_u64(c);
		m->pid = get_u32(c);
		m->tid = get_u32(c);
		m->start = get_u64(c);
		m->len = get_u64(c);
		m->pgoff = get_u64(c);
		m->prot = get_u32(c);
		m->flags = get_u32(c);
		size_t n = 0;
		const unsigned char *bid = get_bytes(c, &n);
		if (bid && n <= 20) {
			memcpy(m->build_id, bid, n);
			m->build_id_len = (uint8_t)n;
		} else {
			c->bad = true;
		}
		m->filename = get_str(c, &r->s1);
		break;
	}
	case SD_COMM:
		rec->u.comm.time = get_u64(c);
		rec->u.comm.pid = get_u32(c);
		rec->u.comm.tid = get_u32(c);
		rec->u.comm.exec = get_u64(c) != 0;
		rec->u.comm.comm = get_str(c, &r->s1);
		break;
	case SD_FORK:
	case SD_EXIT:
		rec->u.task.time = get_u64(c);
		rec->u.task.pid = get_u32(c);
		rec->u.task.ppid = get_u32(c);
		rec->u.task.tid = get_u32(c);
		rec->u.task.ptid = get_u32(c);
		break;
	case SD_STACK: {
		struct sd_stack *s = &rec->u.stack;
		s->id = get_u64(c);
		uint64_t head = get_u64(c);
		uint64_t nr = get_u64(c);
		/* each frame takes at least one byte */
		if (c->bad || nr > (uint64_t)(c->end - c->p) || (head >> 1) > nr)
			return false;
		s->nr = (uint32_t)nr;
		s->nr_kernel = (uint32_t)(head >> 1);
		s->truncated = head & 1;
		r->frames.n = 0;
		vec_reserve(&r->frames, nr);
		uint64_t prev = 0;
		for (uint64_t i = 0; i < nr; i++) {
			prev += (uint64_t)unzigzag(get_u64(c));
			r->frames.v[i] = prev;
		}
		r->frames.n = nr;
		s->frames = r->frames.v;
		break;
	}
	case SD_SAMPLE: {
		struct sd_sample *s = &rec->u.sample;
		uint64_t t = r->prev_time + (uint64_t)unzigzag(get_u64(c));
		s->time = t;
		s->pid = get_u32(c);
		s->tid = get_u32(c);
		s->cpu = get_u32(c);
		s->period = get_u64(c);
		s->stack_id = get_u64(c);
		s->cpumode = (uint8_t)get_u64(c);
		if (!c->bad)
			r->prev_time = t;
		break;
	}
	case SD_LOST:
		rec->u.lost.time = get_u64(c);
		rec->u.lost.lost = get_u64(c);
		break;
	case SD_FINISH:
		rec->u.finish.time = get_u64(c);
		rec->u.finish.samples = get_u64(c);
		rec->u.finish.lost = get_u64(c);
		rec->u.finish.exit_status = (int32_t)unzigzag(get_u64(c));
		break;
	case SD_USER_STACK: {
		struct sd_user_stack *u = &rec->u.ustack;
		u->regs_mask = get_u64(c);
		uint64_t n = get_u64(c);
		if (c->bad || n > 64)
			return false;
		u->nregs = (uint32_t)n;
		r->frames.n = 0;
		vec_reserve(&r->frames, n);
		for (uint64_t i = 0; i < n; i++)
			r->frames.v[i] = get_u64(c);
		u->regs = r->frames.v;
		u->data = get_bytes(c, &u->len);
		break;
	}
	default:
		return true;
	}
	return !c->bad;
}

enum sd_read_status sd_read(struct sd_reader *r, struct sd_record *rec)
{
	for (;;) {
		if (r->pos == r->len)
			return SD_END;
		if (r->len - r->pos < 8)
			return SD_TRUNCATED;
		uint32_t hdr[2];
		memcpy(hdr, r->data + r->pos, 8);
		if (hdr[1] > SONDE_MAX_RECORD)
			return SD_CORRUPT;
		if (r->len - r->pos - 8 < hdr[1])
			return SD_TRUNCATED;
		struct cursor c = { r->data + r->pos + 8, r->data + r->pos + 8 + hdr[1], false };
		rec->type = (enum sd_record_type)hdr[0];
		if (hdr[0] == 0)
			return SD_CORRUPT;
		if (!decode(r, &c, rec))
			return SD_CORRUPT;
		r->pos += 8 + (size_t)hdr[1];
		if (hdr[0] > SD_LAST_TYPE)
			continue; /* a newer minor version's record: skip it */
		return SD_OK;
	}
}

void sd_reader_close(struct sd_reader *r)
{
	if (!r)
		return;
	if (r->map)
		munmap(r->map, r->map_len);
	free_meta(r);
	vec_free(&r->meta_keys);
	vec_free(&r->meta_vals);
	vec_free(&r->frames);
	sb_free(&r->s1);
	free(r);
}

bool sd_is_perf_data(const char *path)
{
	char magic[8];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	bool yes = read(fd, magic, 8) == 8 && !memcmp(magic, "PERFILE2", 8);
	close(fd);
	return yes;
}
