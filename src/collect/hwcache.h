/* perf's hardware-cache event names (PERF_TYPE_HW_CACHE): parsed and named
 * as perf's tools/perf/util/evsel.c tables spell them. */
#ifndef SONDE_COLLECT_HWCACHE_H
#define SONDE_COLLECT_HWCACHE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Parses the n bytes at s ("L1-dcache-load-misses", "l1d-loads", "LLC",
 * "dTLB-misses-store"...) into config = cache | op << 8 | result << 16.
 * Returns 0, or -1 when it is no cache event perf would accept. */
int hwcache_parse(const char *s, size_t n, uint64_t *config);
/* Why a name of a cache with an op it lacks is refused ("perf counts no
 * stores on L1-icache (only loads, prefetches)"); NULL for other names. */
const char *hwcache_why_not(const char *s, size_t n, char *buf, size_t len);
/* perf's canonical name of config ("L1-dcache-loads", "LLC-load-misses"),
 * or NULL for a config perf has no name for. */
const char *hwcache_name(uint64_t config, char *buf, size_t len);
/* Does perf count op on this cache at all (no "L1-icache-stores")? */
bool hwcache_op_valid(unsigned cache, unsigned op);
/* The configs of every name `perf list hw cache` can show, in its order;
 * returns how many (at most max). */
int hwcache_all(uint64_t *configs, int max);

#endif
