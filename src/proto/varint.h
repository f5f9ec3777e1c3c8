/* The unsigned LEB128 varint every sonde format writes: the runtime's heap
 * stream, heap traces, sonde.data and pprof's protobuf. Header-only so the
 * runtime (libc only) and sonde include the same code. */
#ifndef SONDE_PROTO_VARINT_H
#define SONDE_PROTO_VARINT_H
#include <stddef.h>
#include <stdint.h>

/* Writes v at p (room for 10 bytes); returns how many bytes it took. */
static inline size_t varint_put(uint8_t *p, uint64_t v)
{
	size_t n = 0;
	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

#endif
