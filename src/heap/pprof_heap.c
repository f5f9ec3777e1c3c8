/* Heap trace -> pprof (see pprof_heap.h). */
#include "heap/pprof_heap.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "render/pprof.h"
#include "util/die.h"
#include "util/hashmap.h"
#include "util/vec.h"

#define MAX_FRAMES 1024

struct ctx {
	struct pprof *pp;
	const struct heap_trace *t;
	uint64_t *mapping;      /* per trace module: pprof id, 0 = not yet */
	struct u64map ip_module; /* ip -> trace module + 1 (0: none) */
};

/* The trace module holding ip; the one loaded last wins, as the report's
 * look-up decides; -1 for none. */
static long module_of(struct ctx *c, uint64_t ip)
{
	bool fresh;
	uint64_t *slot = u64map_upsert(&c->ip_module, ip, 0, &fresh);
	if (!fresh)
		return (long)*slot - 1;
	for (size_t m = c->t->modules.n; m-- > 0;) {
		const struct heap_module *hm = &c->t->modules.v[m];
		for (size_t s = 0; s < hm->segs.n; s++) {
			uint64_t lo = hm->bias + hm->segs.v[s].vaddr;
			if (ip >= lo && ip - lo < hm->segs.v[s].memsz) {
				*slot = m + 1;
				return (long)m;
			}
		}
	}
	return -1;
}

static uint64_t mapping_of(struct ctx *c, long m)
{
	if (m < 0)
		return 0;
	if (c->mapping[m])
		return c->mapping[m];
	const struct heap_module *hm = &c->t->modules.v[m];
	uint64_t lo = UINT64_MAX, hi = 0;
	for (size_t s = 0; s < hm->segs.n; s++) {
		if (hm->segs.v[s].vaddr < lo)
			lo = hm->segs.v[s].vaddr;
		if (hm->segs.v[s].vaddr + hm->segs.v[s].memsz > hi)
			hi = hm->segs.v[s].vaddr + hm->segs.v[s].memsz;
	}
	char hex[41];
	/* the first PT_LOAD maps from file offset 0, page-aligned */
	struct pprof_mapping pm = {
		.start = hm->segs.n ? hm->bias + (lo & ~(uint64_t)0xfff) : 0,
		.limit = hm->segs.n ? hm->bias + hi : 0,
		.file = hm->path && *hm->path ? hm->path : c->t->exe,
		.build_id = pprof_hex(hex, hm->build_id, hm->build_id_len),
		.has_functions = true, .has_filenames = true, .has_line_numbers = true, .has_inline_frames = true,
	};
	return c->mapping[m] = pprof_mapping(c->pp, &pm);
}

/* Frames innermost first -> location ids leaf first: a location is a run
 * of inlined frames closed by the frame they were inlined into. */
static size_t locations(struct ctx *c, const struct heap_frame *f, size_t n, uint64_t *out)
{
	struct pprof_line lines[64];
	size_t k = 0, nl = 0;
	char name[32];
	for (size_t i = 0; i < n; i++) {
		const char *fn = f[i].func;
		if (!fn) {
			snprintf(name, sizeof(name), "0x%" PRIx64, f[i].ip); /* as the folded stacks name it */
			fn = name;
		}
		if (nl < 64) {
			lines[nl].function = pprof_function(c->pp, fn, fn, f[i].file, 0);
			lines[nl++].line = f[i].line;
		}
		if (f[i].inlined && i + 1 < n && f[i + 1].ip == f[i].ip)
			continue;
		out[k++] = pprof_location(c->pp, mapping_of(c, module_of(c, f[i].ip)), f[i].ip, lines, nl);
		nl = 0;
	}
	return k;
}

static void add_comments(struct pprof *pp, const struct heap_trace *t, const struct heap_analysis *a)
{
	char buf[512];
	const char *cmd = heap_trace_cmdline(t);
	snprintf(buf, sizeof(buf), "command: %s", cmd ? cmd : t->exe ? t->exe : "?");
	pprof_comment(pp, buf);
	snprintf(buf, sizeof(buf), "sonde heap: %" PRIu64 " calls to allocation functions, %" PRIu64
		 " temporary, peak %" PRId64 " B, leaked %" PRId64 " B", a->allocations, a->temporary, a->peak, a->leaked);
	pprof_comment(pp, buf);
}

struct pprof *pprof_from_heap(struct heap_view *v, const struct heap_trace *t, const struct heap_analysis *a)
{
	struct ctx c = { pprof_new(), t, xcalloc(t->modules.n + 1, sizeof(uint64_t)), { 0 } };
	pprof_sample_type(c.pp, "allocations", "count");
	pprof_sample_type(c.pp, "allocated", "bytes");
	pprof_sample_type(c.pp, "temporary", "count");
	pprof_sample_type(c.pp, "peak", "bytes");
	pprof_sample_type(c.pp, "leaked", "bytes");
	pprof_default_sample_type(c.pp, "allocations");
	pprof_time(c.pp, 0, (int64_t)a->total_ms * 1000000);
	add_comments(c.pp, t, a);
	struct heap_frame *frames = xmalloc(MAX_FRAMES * sizeof(*frames));
	uint64_t *locs = xmalloc(MAX_FRAMES * sizeof(*locs));
	for (size_t i = 0; i < a->costs.n; i++) {
		const struct heap_cost *hc = &a->costs.v[i];
		size_t n = heap_view_frames(v, hc->stack, frames, MAX_FRAMES);
		size_t nl = locations(&c, frames, n, locs);
		int64_t values[5] = { (int64_t)hc->allocations, (int64_t)hc->bytes, (int64_t)hc->temporary, hc->peak,
				      hc->leaked };
		pprof_sample(c.pp, locs, nl, values, NULL, 0);
	}
	/* the executable (its module path is empty in the trace) is the main binary */
	for (size_t m = 0; m < t->modules.n; m++)
		if ((!t->modules.v[m].path || !*t->modules.v[m].path) && c.mapping[m]) {
			pprof_main_mapping(c.pp, c.mapping[m]);
			break;
		}
	free(frames);
	free(locs);
	free(c.mapping);
	u64map_free(&c.ip_module);
	return c.pp;
}
