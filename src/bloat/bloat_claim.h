/* Byte ranges that several owners may claim (sections, headers, segments
 * over one file or one address space): each byte goes to the first
 * claimant in array order, so the owners' shares add up to the union
 * exactly, whatever the overlaps of a hostile file. */
#ifndef SONDE_BLOAT_BLOAT_CLAIM_H
#define SONDE_BLOAT_BLOAT_CLAIM_H
#include <stddef.h>
#include <stdint.h>

struct bloat_claim {
	uint64_t start, end; /* [start, end); empty if end <= start */
	size_t owner;        /* index into the caller's share array */
};

/* Adds to share[owner] the bytes each claim wins; claims earlier in the
 * array win. Returns the size of the union. O(n log n). */
uint64_t bloat_claims_resolve(const struct bloat_claim *c, size_t n, uint64_t *share);

#endif
