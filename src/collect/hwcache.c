/* Hardware-cache events as perf spells them. The alias tables and the rules
 * (type-op-result with op and result in either order, op defaulting to read
 * and result to access, unknown trailing words ignored) follow perf's
 * evsel.c and parse-events.c, checked against `perf stat -vv -e NAME`. */
#include "collect/hwcache.h"

#include <linux/perf_event.h>
#include <stdio.h>
#include <string.h>

#define MAX_ALIASES 6

/* "branches" is perf's alias of the branch predictor too, but the name
 * "branches" means branch-instructions and "branches-loads" is refused, so
 * it is left out here. */
static const char *const cache_names[PERF_COUNT_HW_CACHE_MAX][MAX_ALIASES] = {
	{ "L1-dcache", "l1-d", "l1d", "L1-data" },
	{ "L1-icache", "l1-i", "l1i", "L1-instruction" },
	{ "LLC", "L2" },
	{ "dTLB", "d-tlb", "Data-TLB" },
	{ "iTLB", "i-tlb", "Instruction-TLB" },
	{ "branch", "bpu", "btb", "bpc" },
	{ "node" },
};

static const char *const op_names[PERF_COUNT_HW_CACHE_OP_MAX][MAX_ALIASES] = {
	{ "load", "loads", "read" },
	{ "store", "stores", "write" },
	{ "prefetch", "prefetches", "speculative-read", "speculative-load" },
};

static const char *const result_names[PERF_COUNT_HW_CACHE_RESULT_MAX][MAX_ALIASES] = {
	{ "refs", "Reference", "ops", "access" },
	{ "misses", "miss" },
};

#define OPS(r, w, p) ((r) | (w) << 1 | (p) << 2)
/* perf's evsel__hw_cache_stat: which ops each cache has */
static const unsigned cache_ops[PERF_COUNT_HW_CACHE_MAX] = {
	OPS(1, 1, 1), OPS(1, 0, 1), OPS(1, 1, 1), OPS(1, 1, 1), OPS(1, 0, 0), OPS(1, 0, 0), OPS(1, 1, 1),
};

bool hwcache_op_valid(unsigned cache, unsigned op)
{
	return cache < PERF_COUNT_HW_CACHE_MAX && op < PERF_COUNT_HW_CACHE_OP_MAX &&
	       (cache_ops[cache] >> op & 1);
}

/* The longest alias of any entry of table that s[0..n) starts with, ending
 * at n or a '-'. Returns the entry and sets *len, or -1. perf's lexer is
 * case-sensitive ("L1-DCACHE-LOADS" is refused), so this is too. */
static int match(const char *s, size_t n, const char *const (*table)[MAX_ALIASES], int entries,
		 size_t *len)
{
	int best = -1;
	size_t best_len = 0;
	for (int i = 0; i < entries; i++)
		for (int j = 0; j < MAX_ALIASES && table[i][j]; j++) {
			size_t l = strlen(table[i][j]);
			if (l > best_len && l <= n && !memcmp(s, table[i][j], l) && (l == n || s[l] == '-')) {
				best = i;
				best_len = l;
			}
		}
	*len = best_len;
	return best;
}

/* Returns 0, -1, or -2 with *bad_cache and *bad_op set for an op the cache
 * does not have. */
static int parse(const char *s, size_t n, uint64_t *config, int *bad_cache, int *bad_op)
{
	size_t len;
	int cache = match(s, n, cache_names, PERF_COUNT_HW_CACHE_MAX, &len);
	if (cache < 0)
		return -1;
	int op = -1, result = -1;
	/* at most two words after the cache, each an op or a result */
	for (int w = 0; w < 2 && len < n; w++) {
		s += len + 1;
		n -= len + 1;
		size_t ol, rl;
		int o = match(s, n, op_names, PERF_COUNT_HW_CACHE_OP_MAX, &ol);
		int r = match(s, n, result_names, PERF_COUNT_HW_CACHE_RESULT_MAX, &rl);
		if (o < 0 && r < 0)
			return -1;
		len = o >= 0 ? ol : rl;
		if (op < 0 && o >= 0) {
			if (!hwcache_op_valid((unsigned)cache, (unsigned)o)) {
				*bad_cache = cache;
				*bad_op = o;
				return -2;
			}
			op = o;
		} else if (result < 0 && r >= 0) {
			result = r;
		} /* else perf ignores the word ("L1-dcache-load-store" is a load) */
	}
	if (len < n)
		return -1;
	if (op < 0)
		op = PERF_COUNT_HW_CACHE_OP_READ;
	if (result < 0)
		result = PERF_COUNT_HW_CACHE_RESULT_ACCESS;
	*config = (uint64_t)cache | (uint64_t)op << 8 | (uint64_t)result << 16;
	return 0;
}

int hwcache_parse(const char *s, size_t n, uint64_t *config)
{
	int c, o;
	return parse(s, n, config, &c, &o) < 0 ? -1 : 0;
}

const char *hwcache_why_not(const char *s, size_t n, char *buf, size_t len)
{
	uint64_t config;
	int c, o;
	if (parse(s, n, &config, &c, &o) != -2)
		return NULL;
	char ops[64] = "";
	for (unsigned k = 0; k < PERF_COUNT_HW_CACHE_OP_MAX; k++)
		if (hwcache_op_valid((unsigned)c, k))
			snprintf(ops + strlen(ops), sizeof(ops) - strlen(ops), "%s%s", *ops ? ", " : "",
				 op_names[k][1]);
	snprintf(buf, len, "perf counts no %s on %s (only %s)", op_names[o][1], cache_names[c][0], ops);
	return buf;
}

const char *hwcache_name(uint64_t config, char *buf, size_t len)
{
	uint64_t cache = config & 0xff, op = config >> 8 & 0xff, result = config >> 16 & 0xff;
	if (config >> 24 || result >= PERF_COUNT_HW_CACHE_RESULT_MAX ||
	    !hwcache_op_valid((unsigned)cache, (unsigned)op))
		return NULL;
	/* perf's evsel__hw_cache_type_op_res_name: "L1-dcache-loads", "L1-dcache-load-misses" */
	if (result == PERF_COUNT_HW_CACHE_RESULT_ACCESS)
		snprintf(buf, len, "%s-%s", cache_names[cache][0], op_names[op][1]);
	else
		snprintf(buf, len, "%s-%s-%s", cache_names[cache][0], op_names[op][0],
			 result_names[result][0]);
	return buf;
}

int hwcache_all(uint64_t *configs, int max)
{
	int k = 0;
	for (unsigned c = 0; c < PERF_COUNT_HW_CACHE_MAX; c++)
		for (unsigned o = 0; o < PERF_COUNT_HW_CACHE_OP_MAX; o++)
			for (unsigned r = 0; r < PERF_COUNT_HW_CACHE_RESULT_MAX; r++)
				if (hwcache_op_valid(c, o) && k < max)
					configs[k++] = c | o << 8 | r << 16;
	return k;
}
