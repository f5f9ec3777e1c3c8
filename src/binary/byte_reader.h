/* Bounds-checked little-endian reader for DWARF data (CFI, expressions):
 * reading past the end sets `err` and yields 0, so parsers check once. */
#ifndef SONDE_BINARY_BYTE_READER_H
#define SONDE_BINARY_BYTE_READER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rd {
	const uint8_t *p, *end;
	bool err;
};

/* An n-byte (n <= 8) little-endian unsigned value. */
static inline uint64_t rd_n(struct rd *r, size_t n)
{
	if (r->p > r->end || (size_t)(r->end - r->p) < n) {
		r->err = true;
		r->p = r->end;
		return 0;
	}
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)r->p[i] << (8 * i);
	r->p += n;
	return v;
}

static inline uint64_t rd_uleb(struct rd *r)
{
	uint64_t v = 0;
	unsigned shift = 0;
	for (;;) {
		if (r->p >= r->end) {
			r->err = true;
			return 0;
		}
		uint8_t b = *r->p++;
		if (shift < 64)
			v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
		if (!(b & 0x80))
			return v;
	}
}

static inline int64_t rd_sleb(struct rd *r)
{
	uint64_t v = 0;
	unsigned shift = 0;
	uint8_t b;
	do {
		if (r->p >= r->end) {
			r->err = true;
			return 0;
		}
		b = *r->p++;
		if (shift < 64)
			v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
	} while (b & 0x80);
	if (shift < 64 && (b & 0x40))
		v |= ~(uint64_t)0 << shift;
	return (int64_t)v;
}

/* Sign-extends the low `bytes` bytes of v. */
static inline int64_t sext(uint64_t v, unsigned bytes)
{
	unsigned sh = 64 - 8 * bytes;
	return (int64_t)(v << sh) >> sh;
}

#endif
