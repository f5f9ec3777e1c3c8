/* Memcheck mode: redzones with canaries around blocks, the freed pattern
 * (layout in mc_redzone.h). */
#include <string.h>

#include "mc_guard.h"
#include "mc_redzone.h"
#include "mc_redzone_layout.h"
#include "mc_slab.h"
#include "rt.h"

static uint32_t check_of(const void *p, uint64_t size, uint32_t front)
{
	uint64_t h = (uint64_t)(uintptr_t)p ^ size * 0x9e3779b97f4a7c15ull ^ (uint64_t)front << 40;
	h ^= h >> 31;
	h *= 0xbf58476d1ce4e5b9ull;
	return (uint32_t)(h >> 32) ^ 0x5a5a5a5au;
}

/* Whether p is a guarded block (mc_guard.c); slots never are, and most
 * blocks are slots: their check is a compare. */
static inline bool guarded(const void *p)
{
	return !mc_slab_owns((uint64_t)(uintptr_t)p) && mc_guard_owns(p);
}

static inline struct header *header_of(const void *p)
{
	return (struct header *)((uintptr_t)p - MIN_FRONT);
}

/* A guarded block's padding: from its end to the guard page, the next
 * 16-byte boundary (mc_guard.c aligns it). */
static inline const uint8_t *guard_pad_end(const uint8_t *p, size_t n)
{
	return (const uint8_t *)(((uintptr_t)(p + n) + 15) & ~(uintptr_t)15);
}

static void *guarded_alloc(size_t n)
{
	uint8_t *p = mc_guard_alloc(n, MIN_FRONT);
	if (!p)
		return NULL;
	struct header *h = header_of(p);
	h->size = n;
	h->front = GUARDED | MIN_FRONT;
	h->check = check_of(p, n, h->front);
	memset(p - FRONT_CANARY, MC_CANARY, FRONT_CANARY);
	memset(p + n, MC_CANARY, (size_t)(guard_pad_end(p, n) - (p + n)));
	return p; /* the guard page follows its padding: no tail */
}

void *mc_rz_alloc(size_t n, size_t align)
{
	size_t front = MIN_FRONT;
	if (align > 16)
		front = (MIN_FRONT + align - 1) & ~(align - 1);
	if (n > (size_t)1 << 60 || front > (size_t)1 << 40)
		return NULL;
	/* guarded blocks are aligned as malloc's (mc_guard.c): an alignment
	 * asked for beyond that gets redzones */
	if (align <= mc_guard_align(n) && mc_guard_wanted()) {
		void *g = guarded_alloc(n);
		if (g)
			return g;
	}
	size_t total = front + tail_end(n);
	uint8_t *base = NULL;
	if (align <= 16)
		base = mc_slab_alloc(total);
	if (!base)
		base = align > 16 ? rt_real.memalign(align, total) : rt_real.malloc(total);
	if (!base)
		return NULL;
	uint8_t *p = base + front;
	struct header *h = header_of(p);
	h->size = n;
	h->front = (uint32_t)front;
	h->check = check_of(p, n, (uint32_t)front);
	memset(p - FRONT_CANARY, MC_CANARY, FRONT_CANARY);
	memset(p + n, MC_CANARY, tail_end(n) - n);
	return p;
}

static bool header_ok(const void *p, size_t n)
{
	const struct header *h = header_of(p);
	return h->size == n && h->check == check_of(p, n, h->front) && (h->front & ~GUARDED) >= MIN_FRONT;
}

void mc_rz_release(void *p, size_t n)
{
	if (mc_slab_owns((uint64_t)(uintptr_t)p)) /* its base is known even with a broken header */
		mc_slab_free((uint8_t *)p - MIN_FRONT);
	else if (mc_guard_owns(p)) /* its pages may be inaccessible: no header read */
		mc_guard_release(p, n);
	else if (header_ok(p, n) && !(header_of(p)->front & GUARDED))
		rt_real.free((uint8_t *)p - header_of(p)->front);
}

/* The damaged bytes of [lo, hi) that should all be byte b. */
static bool scan(const uint8_t *lo, const uint8_t *hi, uint8_t b, struct mc_damage *d)
{
	const uint8_t *first = NULL, *last = NULL;
	uint64_t word = 0x0101010101010101ull * b;
	const uint8_t *q = lo;
	while (q < hi && ((uintptr_t)q & 7)) {
		if (*q != b) {
			if (!first)
				first = q;
			last = q;
		}
		q++;
	}
	for (; q + 8 <= hi; q += 8) {
		uint64_t w;
		memcpy(&w, q, 8);
		if (w == word)
			continue;
		for (int i = 0; i < 8; i++)
			if (q[i] != b) {
				if (!first)
					first = q + i;
				last = q + i;
			}
	}
	for (; q < hi; q++)
		if (*q != b) {
			if (!first)
				first = q;
			last = q;
		}
	if (!first) {
		d->addr = d->len = 0;
		return false;
	}
	d->addr = (uint64_t)(uintptr_t)first;
	d->len = (uint64_t)(last - first) + 1;
	return true;
}

/* Whether [lo, hi) (at least 8 bytes) is all byte b: word compares, the
 * last word overlapping. */
static inline bool all_byte(const uint8_t *lo, const uint8_t *hi, uint8_t b)
{
	uint64_t word = 0x0101010101010101ull * b, w, acc = 0;
	for (; lo + 8 < hi; lo += 8) {
		memcpy(&w, lo, 8);
		acc |= w ^ word;
	}
	memcpy(&w, hi - 8, 8);
	return !(acc | (w ^ word));
}

bool mc_rz_check(const void *p, size_t n, struct mc_damage *before, struct mc_damage *after)
{
	const uint8_t *b = p;
	bool is_guarded = guarded(p);
	if (RT_LIKELY(!is_guarded && all_byte(b - FRONT_CANARY, b, MC_CANARY) && header_ok(p, n) &&
		      all_byte(b + n, b + tail_end(n), MC_CANARY))) {
		before->addr = before->len = after->addr = after->len = 0;
		return false;
	}
	bool bad = scan(b - FRONT_CANARY, b, MC_CANARY, before);
	if (!header_ok(p, n)) {
		/* the write reached the header: report from its start */
		uint64_t end = bad ? before->addr + before->len : (uint64_t)(uintptr_t)b - FRONT_CANARY;
		before->addr = (uint64_t)(uintptr_t)header_of(p);
		before->len = end - before->addr;
		bad = true;
	}
	/* a guarded block's tail is its padding: the guard page faults beyond */
	if (scan(b + n, is_guarded ? guard_pad_end(b, n) : b + tail_end(n), MC_CANARY, after))
		bad = true;
	return bad;
}

bool mc_rz_fill_freed(void *p, size_t n)
{
	if (guarded(p))
		return mc_guard_protect(p, n); /* any later access faults instead */
	if (n <= FILL_WHOLE) {
		memset(p, MC_FREED, n);
	} else {
		memset(p, MC_FREED, FILL_HEAD);
		memset((uint8_t *)p + n - FILL_END, MC_FREED, FILL_END);
	}
	return false;
}

/* The freed pattern, for memcmp: the C library's vector compare is many
 * times faster than a word loop, and most blocks are intact. */
static uint8_t g_freed_pattern[FILL_WHOLE];

bool mc_rz_freed_intact(const void *p, size_t n, struct mc_damage *d)
{
	if (guarded(p))
		return true;
	if (!g_freed_pattern[0])
		memset(g_freed_pattern, MC_FREED, sizeof g_freed_pattern);
	const uint8_t *b = p;
	if (n <= FILL_WHOLE)
		return memcmp(b, g_freed_pattern, n) == 0 || !scan(b, b + n, MC_FREED, d);
	if (memcmp(b, g_freed_pattern, FILL_HEAD) && scan(b, b + FILL_HEAD, MC_FREED, d))
		return false;
	return memcmp(b + n - FILL_END, g_freed_pattern, FILL_END) == 0 || !scan(b + n - FILL_END, b + n, MC_FREED, d);
}
