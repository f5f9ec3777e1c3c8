/* The records of heap_protocol.h as the runtime encodes them: varints,
 * strings, chunk headers, and the records both modes write (HR_INFO, the
 * free records). Inline: every hook encodes. */
#ifndef SONDE_RT_ENCODE_H
#define SONDE_RT_ENCODE_H
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "heap_protocol.h"
#include "varint.h"
#include "rt.h"


static inline size_t rt_put_str(uint8_t *p, const char *s, size_t len)
{
	size_t n = varint_put(p, len);
	memcpy(p + n, s, len);
	return n + len;
}

static inline void rt_put_u32le(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* A chunk's header at h (HEAP_CHUNK_HEADER bytes). */
static inline void rt_put_chunk_header(uint8_t *h, size_t payload, uint32_t index, uint32_t flags)
{
	rt_put_u32le(h, HEAP_CHUNK_MAGIC);
	rt_put_u32le(h + 4, (uint32_t)payload);
	rt_put_u32le(h + 8, index);
	rt_put_u32le(h + 12, flags);
}

/* The record of a free of a block allocated by kind's family. */
static inline uint8_t rt_free_rec(int kind)
{
	kind = HK_FREE_BASE(kind);
	return kind == HK_DELETE ? HR_DELETE : kind == HK_DELETE_ARRAY ? HR_DELETE_ARRAY : HR_FREE;
}

static inline uint8_t *rt_put_info_rec(uint8_t *p, uint32_t info, int kind, uint64_t size, uint32_t stack)
{
	*p++ = HR_INFO;
	p += varint_put(p, info);
	*p++ = (uint8_t)(kind & ~RT_KIND_THREAD_VECTOR);
	p += varint_put(p, rt_reported_size(kind, size));
	p += varint_put(p, stack);
	return p;
}

#endif
