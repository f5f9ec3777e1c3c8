/* Cache geometry: checks, parsing and descriptions as cachegrind words
 * them (cg_arch.c, cg_sim.c); the simulation itself is inline in
 * cachesim.h. */
#include "cachesim/cachesim.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

static int log2_exact(uint64_t x)
{
	if (x == 0 || (x & (x - 1)))
		return -1;
	return __builtin_ctzll(x);
}

const char *cache_geom_check(const struct cache_geom *g)
{
	if (g->line == 0 || g->assoc == 0 || g->size % ((uint64_t)g->line * g->assoc) != 0 ||
	    log2_exact(g->size / g->line / g->assoc) < 0)
		return "Cache set count is not a power of two.";
	if (log2_exact(g->line) < 0)
		return "Cache line size is not a power of two.";
	if (g->line < CACHE_MIN_LINE)
		return "Cache line size is too small.";
	if (g->size <= g->line)
		return "Cache size <= line size.";
	if (g->assoc > g->size / g->line)
		return "Cache associativity > (size / line size).";
	return NULL;
}

static bool parse_u32(const char *s, char **end, uint32_t *out)
{
	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	unsigned long long v = strtoull(s, end, 10);
	if (errno || v > INT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

const char *cache_geom_parse(const char *s, struct cache_geom *g)
{
	char *e;
	if (!parse_u32(s, &e, &g->size) || *e != ',' || !parse_u32(e + 1, &e, &g->assoc) || *e != ',' ||
	    !parse_u32(e + 1, &e, &g->line) || *e)
		return "expected SIZE,ASSOC,LINE_SIZE";
	return cache_geom_check(g);
}

void cache_geom_desc(const struct cache_geom *g, char *buf, unsigned n)
{
	if (g->assoc == 1)
		snprintf(buf, n, "%u B, %u B, direct-mapped", g->size, g->line);
	else
		snprintf(buf, n, "%u B, %u B, %u-way associative", g->size, g->line, g->assoc);
}

bool cache_init(struct cache *c, const struct cache_geom *g)
{
	uint64_t sets = g->size / g->line / g->assoc;
	c->assoc = g->assoc;
	c->sets_min_1 = (uint32_t)(sets - 1);
	c->line_bits = (uint32_t)log2_exact(g->line);
	/* calloc: a huge LL (hundreds of MB) costs only the pages touched */
	c->tags = calloc(sets * g->assoc, sizeof(*c->tags));
	return c->tags != NULL;
}

void cache_free(struct cache *c)
{
	free(c->tags);
	c->tags = NULL;
}
