/* Cachegrind's cache and branch-predictor models (valgrind 3.19's
 * cg_sim.c and cg_branchpred.c rules), libc only: the qemu plugin
 * (plugin/) links them, and so do sonde and its unit tests.
 *
 * A cache is set-associative with LRU replacement, its tags kept in MRU
 * order per set; the tag is the whole block number and the set comes by
 * bit selection; write-allocate, so reads and writes are simulated alike.
 * An access straddling two lines is one access, a miss if either line
 * misses (both lines are still touched). LL is consulted only on an L1
 * miss, with the same address and size. */
#ifndef SONDE_CACHESIM_CACHESIM_H
#define SONDE_CACHESIM_CACHESIM_H
#include <stdbool.h>
#include <stdint.h>

/* Cachegrind's smallest line and its cap on one data access's size. */
#define CACHE_MIN_LINE 16

struct cache_geom {
	uint32_t size, assoc, line; /* bytes, ways, bytes */
};

struct cache {
	uint32_t assoc, sets_min_1, line_bits;
	uint64_t *tags; /* sets * assoc, each set most recently used first */
};

/* NULL when g is usable, else why not (cachegrind's messages, no newline). */
const char *cache_geom_check(const struct cache_geom *g);
/* "SIZE,ASSOC,LINE" -> g; NULL, or why it is refused. */
const char *cache_geom_parse(const char *s, struct cache_geom *g);
/* cachegrind's description: "32768 B, 64 B, 8-way associative" or
 * "..., direct-mapped". */
void cache_geom_desc(const struct cache_geom *g, char *buf, unsigned n);

/* Allocates the tags (zeroed, as cachegrind's: block 0 looks cached).
 * g must pass cache_geom_check. Returns false when out of memory. */
bool cache_init(struct cache *c, const struct cache_geom *g);
void cache_free(struct cache *c);

/* One reference to (set, tag): true on a miss; the tag becomes MRU. */
static inline bool cache_setref_is_miss(struct cache *c, uint64_t set_no, uint64_t tag)
{
	uint64_t *set = &c->tags[set_no * c->assoc];
	if (set[0] == tag)
		return false;
	for (uint32_t i = 1; i < c->assoc; i++) {
		if (set[i] == tag) {
			for (uint32_t j = i; j > 0; j--)
				set[j] = set[j - 1];
			set[0] = tag;
			return false;
		}
	}
	for (uint32_t j = c->assoc - 1; j > 0; j--)
		set[j] = set[j - 1];
	set[0] = tag;
	return true;
}

/* One access of size bytes at a (size <= the line size, so at most two
 * lines): a straddling access touches both lines and misses if either
 * does. */
static inline bool cache_ref_is_miss(struct cache *c, uint64_t a, uint32_t size)
{
	uint64_t b1 = a >> c->line_bits, b2 = (a + size - 1) >> c->line_bits;
	if (b1 == b2)
		return cache_setref_is_miss(c, b1 & c->sets_min_1, b1);
	bool m1 = cache_setref_is_miss(c, b1 & c->sets_min_1, b1);
	bool m2 = cache_setref_is_miss(c, b2 & c->sets_min_1, b2);
	return m1 || m2;
}

/* Asks the host for the first line of a's set's tags ahead of a
 * reference to it (all its lines measured slower). */
static inline void cache_prefetch(const struct cache *c, uint64_t a)
{
	__builtin_prefetch(&c->tags[((a >> c->line_bits) & c->sets_min_1) * c->assoc]);
}

/* An L1 reference, then LL on its miss: bumps *m1 and *mL. */
static inline void cache_ref2(struct cache *l1, struct cache *ll, uint64_t a, uint32_t size, uint64_t *m1,
			      uint64_t *mL)
{
	if (cache_ref_is_miss(l1, a, size)) {
		(*m1)++;
		if (cache_ref_is_miss(ll, a, size))
			(*mL)++;
	}
}

/* Branch prediction: conditional branches by 2^14 two-bit saturating
 * counters indexed by 7 bits of global history over 7 bits of the
 * branch's address; indirect branches by a 512-entry table of last
 * targets indexed by the address's low 9 bits. Returns 1 on a
 * mispredict. Returns are not modelled (cachegrind assumes a return
 * stack that always predicts right). */
struct branchpred {
	uint64_t history;
	uint8_t counters[1 << 14];
	uint64_t btac[1 << 9];
};

static inline unsigned branch_cond(struct branchpred *b, uint64_t insn, bool taken)
{
	unsigned idx = (unsigned)((b->history & 0x7f) << 7 | (insn & 0x7f));
	bool predicted = b->counters[idx] >= 2;
	b->history = b->history << 1 | (taken ? 1 : 0);
	if (taken) {
		if (b->counters[idx] < 3)
			b->counters[idx]++;
	} else if (b->counters[idx] > 0) {
		b->counters[idx]--;
	}
	return predicted != taken;
}

static inline unsigned branch_indirect(struct branchpred *b, uint64_t insn, uint64_t target)
{
	unsigned idx = insn & 0x1ff;
	unsigned miss = b->btac[idx] != target;
	b->btac[idx] = target;
	return miss;
}

#endif
