/* The runtime's stream on its way to the trace file: complete chunks
 * only, the modules it announces noted for the build-id cache. */
#include "heap/record_pass.h"

#include <string.h>

#include "heap_protocol.h"
#include "heap/trace.h"
#include "util/die.h"

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int heap_pass_data(struct heap_passer *ps, struct heap_writer *w, const uint8_t *data, size_t n)
{
	if (ps->raw)
		return heap_writer_add(w, data, n);
	if (ps->n + n > ps->cap) {
		while (ps->n + n > ps->cap)
			ps->cap = ps->cap ? ps->cap * 2 : 1 << 16;
		ps->buf = xrealloc(ps->buf, ps->cap);
	}
	memcpy(ps->buf + ps->n, data, n);
	ps->n += n;
	size_t off = 0;
	while (ps->n - off >= HEAP_CHUNK_HEADER) {
		if (le32(ps->buf + off) != HEAP_CHUNK_MAGIC) {
			warn("heap runtime stream is out of step (bad chunk magic); storing the rest as is");
			ps->raw = true;
			break;
		}
		size_t len = HEAP_CHUNK_HEADER + (size_t)le32(ps->buf + off + 4);
		if (ps->n - off < len)
			break;
		if (le32(ps->buf + off + 8) == 0 && (le32(ps->buf + off + 12) & HEAP_CHUNK_DEFS)) {
			heap_chunk_modules(ps->buf + off + HEAP_CHUNK_HEADER, len - HEAP_CHUNK_HEADER, &ps->version,
					   &ps->modules);
			heap_end_facts_chunk(&ps->end, ps->buf + off + HEAP_CHUNK_HEADER, len - HEAP_CHUNK_HEADER);
		}
		ps->chunk_bytes += len;
		if (le32(ps->buf + off + 12) & HEAP_CHUNK_CLOCK)
			ps->clock_bytes += len;
		off += len;
	}
	int rc = 0;
	size_t upto = ps->raw ? ps->n : off;
	if (upto)
		rc = heap_writer_add(w, ps->buf, upto);
	memmove(ps->buf, ps->buf + upto, ps->n - upto);
	ps->n -= upto;
	return rc;
}
