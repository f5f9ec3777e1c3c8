/* Cache geometry from CPUID, as valgrind 3.19 reads it. */
#include "cachesim/cache_detect.h"

#include <stdio.h>
#include <string.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

struct found {
	struct cache_geom g;
	int level, kind; /* kind: 1 data, 2 instruction, 3 unified */
};

static void wprintf_(char *warn, unsigned len, const char *line)
{
	size_t at = strlen(warn);
	if (at < len)
		snprintf(warn + at, len - at, "%s\n", line);
}

#if defined(__x86_64__) || defined(__i386__)
static int intel_leaf4(struct found *f, int max)
{
	int n = 0;
	for (unsigned sub = 0; n < max; sub++) {
		unsigned a, b, c, d;
		__cpuid_count(4, sub, a, b, c, d);
		if ((a & 0x1f) == 0)
			break;
		uint32_t assoc = ((b >> 22) & 0x3ff) + 1, parts = ((b >> 12) & 0x3ff) + 1;
		uint32_t line = (b & 0x7ff) + 1, sets = c + 1;
		/* valgrind keeps sizes in KB, rounding down */
		uint64_t kb = (uint64_t)assoc * parts * line * sets / 1024;
		f[n++] = (struct found){ { (uint32_t)(kb * 1024), assoc, line }, (int)((a >> 5) & 7), (int)(a & 0x1f) };
	}
	return n;
}

static uint32_t amd_l23_assoc(uint32_t bits)
{
	static const uint32_t map[16] = { 1, 1, 2, 1, 4, 1, 8, 1, 16, 1, 32, 48, 64, 96, 128, 1 };
	return map[bits & 0xf];
}

static int amd_ext(struct found *f)
{
	unsigned ext, a, b, c, d, l2, l3;
	__cpuid(0x80000000, ext, b, c, d);
	if (!(ext & 0x80000000) || ext < 0x80000006)
		return 0;
	__cpuid(0x80000005, a, b, c, d);
	f[0] = (struct found){ { (c >> 24) * 1024, (c >> 16) & 0xff, c & 0xff }, 1, 1 };
	f[1] = (struct found){ { (d >> 24) * 1024, (d >> 16) & 0xff, d & 0xff }, 1, 2 };
	__cpuid(0x80000006, a, b, l2, l3);
	f[2] = (struct found){ { (l2 >> 16) * 1024, amd_l23_assoc(l2 >> 12), l2 & 0xff }, 2, 3 };
	if (((l3 >> 18) & 0x3fff) == 0)
		return 3;
	f[3] = (struct found){ { ((l3 >> 18) & 0x3fff) * 512 * 1024, amd_l23_assoc(l3 >> 12), l3 & 0xff }, 3, 3 };
	return 4;
}

static int cpu_caches(struct found *f, int max)
{
	unsigned maxleaf, b, c, d;
	__cpuid(0, maxleaf, b, c, d);
	char vendor[13];
	memcpy(vendor, &b, 4);
	memcpy(vendor + 4, &d, 4);
	memcpy(vendor + 8, &c, 4);
	vendor[12] = 0;
	if (!strcmp(vendor, "GenuineIntel") && maxleaf >= 4)
		return intel_leaf4(f, max);
	if (!strcmp(vendor, "AuthenticAMD") || !strcmp(vendor, "HygonGenuine"))
		return amd_ext(f);
	return 0;
}
#else
static int cpu_caches(struct found *f, int max)
{
	(void)f;
	(void)max;
	return 0;
}
#endif

static const struct found *locate(const struct found *f, int n, int kind, int level)
{
	for (int i = 0; i < n; i++)
		if (f[i].kind == kind && f[i].level == level)
			return &f[i];
	return NULL;
}

bool cache_tweak_ll(struct cache_geom *g)
{
	if (!g->size || !g->assoc || !g->line)
		return false;
	uint32_t sets = g->size / (g->assoc * g->line);
	if (sets == 0)
		return false;
	uint32_t assoc = g->assoc;
	if (sets & (sets - 1)) {
		uint32_t p2 = 1;
		while (p2 * 2 <= sets)
			p2 *= 2;
		double factor = (double)sets / (double)p2;
		assoc = (uint32_t)(0.5 + factor * (double)g->assoc);
		sets = p2;
	}
	uint32_t size = g->line * assoc * sets;
	if (size == g->size && assoc == g->assoc)
		return false;
	g->size = size;
	g->assoc = assoc;
	return true;
}

/* 12345678 -> "12,345,678", as valgrind's %'u */
static void commas(uint64_t v, char *out)
{
	char tmp[32];
	int n = snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)v), o = 0;
	for (int i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = tmp[i];
	}
	out[o] = 0;
}

void cache_detect(struct cache_geom *i1, struct cache_geom *d1, struct cache_geom *ll, char *warn,
		  unsigned warn_len)
{
	struct found f[16];
	int n = cpu_caches(f, 16), levels = 0;
	char line[160], a[32];
	if (warn_len)
		warn[0] = 0;
	for (int i = 0; i < n; i++)
		if (f[i].level > levels)
			levels = f[i].level;
	const struct found *fi = locate(f, n, 2, 1), *fd = locate(f, n, 1, 1), *fl = locate(f, n, 3, levels);
	if (n > 0 && !fl)
		wprintf_(warn, warn_len, "warning: L2 cache not installed, ignore LL results.");
	if (fl && levels > 2) {
		snprintf(line, sizeof(line), "warning: L%d cache found, using its data for the LL simulation.", levels);
		wprintf_(warn, warn_len, line);
	}
	if (fi && fd && fl) {
		*i1 = fi->g;
		*d1 = fd->g;
		*ll = fl->g;
	} else {
		*i1 = (struct cache_geom){ 65536, 2, 64 };
		*d1 = (struct cache_geom){ 65536, 2, 64 };
		*ll = (struct cache_geom){ 262144, 8, 64 };
	}
	struct cache_geom old = *ll;
	if (cache_tweak_ll(ll)) {
		commas(old.size, a);
		snprintf(line, sizeof(line), "warning: specified LL cache: line_size %u  assoc %u  total_size %s", old.line,
			 old.assoc, a);
		wprintf_(warn, warn_len, line);
		commas(ll->size, a);
		snprintf(line, sizeof(line), "warning: simulated LL cache: line_size %u  assoc %u  total_size %s", ll->line,
			 ll->assoc, a);
		wprintf_(warn, warn_len, line);
	}
}
