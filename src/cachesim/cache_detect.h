/* The host's cache geometry, found as cachegrind finds it (valgrind's
 * m_cache.c and cg_arch.c): CPUID leaf 4 on Intel, 0x80000005/6 on AMD,
 * else cachegrind's x86 defaults; LL is the last level, tweaked so its
 * set count is a power of two. */
#ifndef SONDE_CACHESIM_CACHE_DETECT_H
#define SONDE_CACHESIM_CACHE_DETECT_H
#include "cachesim/cachesim.h"

/* The warnings cachegrind prints (without its "--PID-- " prefix), one
 * per line, into warn (may be empty). */
void cache_detect(struct cache_geom *i1, struct cache_geom *d1, struct cache_geom *ll, char *warn,
		  unsigned warn_len);

/* cachegrind's maybe_tweak_LLc: fewer sets (a power of two), more ways,
 * the same size near enough. Returns true when it changed g. */
bool cache_tweak_ll(struct cache_geom *g);

#endif
