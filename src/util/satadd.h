/* Counts that may be summed past 2^64 (hostile or huge folded files,
 * perf periods near the limit): the sum sticks at UINT64_MAX instead of
 * wrapping to a small number, and *capped records that it happened, so
 * the caller can say its figures are lower bounds. */
#ifndef SONDE_UTIL_SATADD_H
#define SONDE_UTIL_SATADD_H
#include <stdbool.h>
#include <stdint.h>

static inline uint64_t sat_add(uint64_t a, uint64_t b, bool *capped)
{
	uint64_t s;
	if (__builtin_add_overflow(a, b, &s)) {
		*capped = true;
		return UINT64_MAX;
	}
	return s;
}

#endif
