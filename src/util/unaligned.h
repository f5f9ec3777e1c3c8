/* Loads from possibly unaligned native-endian (x86-64: little-endian) bytes. */
#ifndef SONDE_UTIL_UNALIGNED_H
#define SONDE_UTIL_UNALIGNED_H
#include <stdint.h>
#include <string.h>

static inline uint64_t rd64(const unsigned char *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

static inline uint32_t rd32(const unsigned char *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

static inline uint16_t rd16(const unsigned char *p)
{
	uint16_t v;
	memcpy(&v, p, 2);
	return v;
}

#endif
