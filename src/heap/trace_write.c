/* The sonde heap trace writer (zstd streaming) and the varint helpers
 * both sides share. docs/heap-format.md. */
#include "heap/trace.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "heap_protocol.h"
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


static void put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* ------------------------------------------------------------------ writer */

/* Flushed (decodable up to there) after this much input at the latest:
 * a disk that fills up, or a sonde that is killed, loses at most this
 * much of the recording (the recorder also flushes every 200 ms). The
 * runtime's chunks are 64 KB, and a cut chunk is lost anyway, so a
 * finer flush would cost compression for nothing. */
#define FLUSH_EVERY ((size_t)64 << 10)

struct heap_writer {
	FILE *f;
	char *path;
	ZSTD_CCtx *cctx;
	uint8_t *out;
	size_t out_cap;
	int failed;
	uint64_t in, since_flush; /* bytes added; since the last flush */
	uint64_t kept;            /* bytes added up to the last flush that reached the file */
};

/* The first write error: says what the file keeps. */
static int write_failed(struct heap_writer *w, int e)
{
	w->failed = 1;
	if (e == ENOSPC || e == EDQUOT || e == EFBIG)
		return error("cannot write '%s': %s; the trace keeps the recording's first %llu KB, readable up to "
			     "there", w->path, strerror(e), (unsigned long long)(w->kept >> 10));
	return error("cannot write '%s': %s", w->path, strerror(e));
}

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
		if (out.pos && fwrite(w->out, 1, out.pos, w->f) != out.pos)
			return write_failed(w, errno);
		if (mode == ZSTD_e_continue ? in.pos == in.size : rem == 0)
			break;
	}
	return 0;
}

struct heap_writer *heap_writer_open(const char *path, int level)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0) {
		error("cannot create '%s': %s", path, strerror(errno));
		return NULL;
	}
	return heap_writer_open_fd(fd, path, level);
}

struct heap_writer *heap_writer_open_fd(int fd, const char *path, int level)
{
	FILE *f = fdopen(fd, "wb");
	if (!f) {
		error("cannot write '%s': %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	struct heap_writer *w = xcalloc(1, sizeof(*w));
	w->f = f;
	w->path = xstrdup(path);
	w->cctx = ZSTD_createCCtx();
	ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_compressionLevel, level);
	/* Allocation patterns repeat with long periods (a loop over a window of
	 * blocks): long-distance matching over a 16 MiB window halves the file
	 * for little time; readers need no special setting up to 2^27. */
	ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_enableLongDistanceMatching, 1);
	ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_windowLog, 24);
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
	if (hw_stream(w, data, n, ZSTD_e_continue) < 0)
		return -1;
	w->in += n;
	w->since_flush += n;
	return w->since_flush >= FLUSH_EVERY ? heap_writer_flush(w) : 0;
}

int heap_writer_flush(struct heap_writer *w)
{
	if (hw_stream(w, NULL, 0, ZSTD_e_flush) < 0)
		return -1;
	if (fflush(w->f))
		return write_failed(w, errno);
	w->kept = w->in;
	w->since_flush = 0;
	return 0;
}

int heap_writer_summary(struct heap_writer *w, int wait_status, uint64_t wall_ns)
{
	uint8_t buf[HEAP_CHUNK_HEADER + 32];
	size_t n = HEAP_CHUNK_HEADER;
	buf[n++] = HR_SONDE_SUMMARY;
	n += varint_put(buf + n, (uint32_t)wait_status);
	n += varint_put(buf + n, wall_ns);
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
	n += varint_put(buf + n, len);
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
	if (fclose(w->f) && !w->failed)
		rc = write_failed(w, errno);
	if (w->failed)
		rc = -1;
	ZSTD_freeCCtx(w->cctx);
	free(w->out);
	free(w->path);
	free(w);
	return rc;
}

