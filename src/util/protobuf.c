/* Protocol-buffers writer (see protobuf.h). */
#include "util/protobuf.h"

#include <stdlib.h>
#include <string.h>

#include "util/die.h"
#include "varint.h"

void pb_free(struct pb *b)
{
	free(b->buf);
	b->buf = NULL;
	b->n = b->cap = 0;
}

static void pb_reserve(struct pb *b, size_t extra)
{
	if (b->n + extra <= b->cap)
		return;
	size_t cap = b->cap ? b->cap * 2 : 256;
	while (cap < b->n + extra)
		cap *= 2;
	b->buf = xrealloc(b->buf, cap);
	b->cap = cap;
}

void pb_raw(struct pb *b, const void *data, size_t n)
{
	if (!n)
		return;
	pb_reserve(b, n);
	memcpy(b->buf + b->n, data, n);
	b->n += n;
}

size_t pb_varint_len(uint64_t v)
{
	size_t n = 1;
	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}


void pb_varint(struct pb *b, uint64_t v)
{
	pb_reserve(b, 10);
	b->n += varint_put(b->buf + b->n, v);
}

void pb_tag(struct pb *b, uint32_t field, enum pb_wire wire)
{
	pb_varint(b, ((uint64_t)field << 3) | wire);
}

void pb_uint(struct pb *b, uint32_t field, uint64_t v)
{
	if (!v)
		return;
	pb_tag(b, field, PB_VARINT);
	pb_varint(b, v);
}

void pb_int(struct pb *b, uint32_t field, int64_t v)
{
	pb_uint(b, field, (uint64_t)v);
}

void pb_bool(struct pb *b, uint32_t field, int v)
{
	pb_uint(b, field, v ? 1 : 0);
}

void pb_bytes(struct pb *b, uint32_t field, const void *data, size_t n)
{
	pb_tag(b, field, PB_LEN);
	pb_varint(b, n);
	pb_raw(b, data, n);
}

size_t pb_begin(struct pb *b)
{
	return b->n;
}

void pb_end(struct pb *b, uint32_t field, size_t mark)
{
	uint8_t head[20];
	size_t len = b->n - mark;
	size_t h = varint_put(head, ((uint64_t)field << 3) | PB_LEN);
	h += varint_put(head + h, len);
	pb_reserve(b, h);
	/* the body was written first: shift it to make room for its header */
	memmove(b->buf + mark + h, b->buf + mark, len);
	memcpy(b->buf + mark, head, h);
	b->n += h;
}

void pb_packed_u64(struct pb *b, uint32_t field, const uint64_t *v, size_t n)
{
	if (!n)
		return;
	size_t len = 0;
	for (size_t i = 0; i < n; i++)
		len += pb_varint_len(v[i]);
	pb_tag(b, field, PB_LEN);
	pb_varint(b, len);
	pb_reserve(b, len);
	for (size_t i = 0; i < n; i++)
		b->n += varint_put(b->buf + b->n, v[i]);
}

void pb_packed_i64(struct pb *b, uint32_t field, const int64_t *v, size_t n)
{
	/* int64 and uint64 share the varint encoding (and may alias in C) */
	pb_packed_u64(b, field, (const uint64_t *)v, n);
}
