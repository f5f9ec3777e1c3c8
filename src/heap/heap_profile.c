/* A heap trace as a profile model; see heap_profile.h. */
#include "heap/heap_profile.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "heap/analysis.h"
#include "heap/suppress.h"
#include "heap/trace.h"
#include "heap/view.h"
#include "profile/model.h"
#include "util/die.h"
#include "util/strbuf.h"

/* The view's model and what makes it: kept with the view, so the cost
 * samples (heap_view_model) and memcheck's stacks (heap_view_frames) share
 * one table of modules, locations and frames. */
struct heap_builder {
	struct profile *p;
	struct u64map modules; /* hash(path) -> module id + 1 */
	struct u64map frames;  /* hloc address -> (loc_first << 32 | loc_n) */
	struct u64map names;   /* raw ip -> the same, for frames named by symbol alone */
	struct u64map stacks;  /* (stack, past main by name, max) -> rstack + 1 */
	uint32_t unknown_module;
	bool costs; /* the analysis' costs are its samples */
};

static uint32_t module_of(struct heap_builder *b, const struct heap_view *v, const char *path, int tm);

static struct heap_builder *builder_of(struct heap_view *v)
{
	if (v->hb)
		return v->hb;
	struct heap_builder *b = v->hb = xcalloc(1, sizeof(*b));
	struct profile *p = b->p = profile_new();
	b->unknown_module = profile_add_module(p, "[unknown]", false); /* module 0 */
	static const char *const names[HW_COUNT][2] = {
		[HW_ALLOCATIONS] = { "allocations", "count" }, [HW_ALLOCATED] = { "allocated", "bytes" },
		[HW_TEMPORARY] = { "temporary", "count" },     [HW_PEAK] = { "peak", "bytes" },
		[HW_LEAKED] = { "leaked", "bytes" },
	};
	for (int w = 0; w < HW_COUNT; w++)
		profile_add_weight(p, names[w][0], names[w][1]);
	/* the executable (no path in the trace) is the first file module, as
	 * in a CPU recording: pprof's main binary */
	for (size_t m = 0; m < v->t->modules.n && v->t->exe; m++)
		if (!v->t->modules.v[m].path || !*v->t->modules.v[m].path) {
			module_of(b, v, v->t->exe, (int)m);
			break;
		}
	return b;
}

void heap_builder_free(struct heap_builder *b)
{
	if (!b)
		return;
	profile_free(b->p);
	u64map_free(&b->modules);
	u64map_free(&b->frames);
	u64map_free(&b->names);
	u64map_free(&b->stacks);
	free(b);
}

/* A model module as trace module tm (-1: none) describes it: its build-id
 * and where it was loaded (its segments' page-aligned span). */
static uint32_t add_module(struct heap_builder *b, const struct heap_view *v, const char *path, int tm)
{
	uint32_t id = profile_add_module(b->p, path, false);
	if (tm < 0)
		return id;
	const struct heap_module *hm = &v->t->modules.v[tm];
	struct prof_module *pm = &b->p->modules.v[id];
	pm->from_file = true; /* the view symbolizes it */
	size_t n = hm->build_id_len < sizeof(pm->build_id) ? hm->build_id_len : sizeof(pm->build_id);
	memcpy(pm->build_id, hm->build_id, n);
	pm->build_id_len = (uint8_t)n;
	uint64_t lo = UINT64_MAX, hi = 0;
	for (size_t i = 0; i < hm->segs.n; i++) {
		if (hm->segs.v[i].vaddr < lo)
			lo = hm->segs.v[i].vaddr;
		if (hm->segs.v[i].vaddr + hm->segs.v[i].memsz > hi)
			hi = hm->segs.v[i].vaddr + hm->segs.v[i].memsz;
	}
	if (hm->segs.n) { /* the first PT_LOAD maps from file offset 0 */
		pm->map_start = hm->bias + (lo & ~(uint64_t)0xfff);
		pm->map_len = hm->bias + hi - pm->map_start;
	}
	return id;
}

/* The model module of a path, made on first use from trace module tm. */
static uint32_t module_of(struct heap_builder *b, const struct heap_view *v, const char *path, int tm)
{
	if (!path)
		return b->unknown_module;
	uint64_t h = hash_bytes(path, strlen(path));
	for (;;) {
		bool fresh;
		uint64_t *slot = u64map_upsert(&b->modules, h, 0, &fresh);
		if (fresh) {
			*slot = add_module(b, v, path, tm) + 1;
			return (uint32_t)*slot - 1;
		}
		if (!strcmp(prof_str(b->p, b->p->modules.v[*slot - 1].path), path))
			return (uint32_t)*slot - 1;
		h = hash_u64(h + 1);
	}
}

/* The frame of one resolved address: its locations, innermost first, made
 * once per address. */
static struct prof_frame frame_of(struct heap_builder *b, const struct heap_view *v, const struct hloc *l)
{
	struct profile *p = b->p;
	struct prof_frame f = { l->ip, (uint32_t)p->frame_locs.n, 0 };
	bool fresh;
	uint64_t *slot = u64map_upsert(&b->frames, (uint64_t)(uintptr_t)l, 0, &fresh);
	if (!fresh) {
		f.loc_first = (uint32_t)(*slot >> 32);
		f.loc_n = (uint32_t)*slot;
		return f;
	}
	f.loc_n = profile_add_sym_locs(p, l->sym, module_of(b, v, l->module, l->mod), NULL);
	*slot = (uint64_t)f.loc_first << 32 | f.loc_n;
	return f;
}

/* The frame of a return address named by the symbol table alone. */
static struct prof_frame name_frame(struct heap_builder *b, struct heap_view *v, uint64_t raw_ip)
{
	struct profile *p = b->p;
	struct prof_frame f = { raw_ip ? raw_ip - 1 : 0, (uint32_t)p->frame_locs.n, 1 };
	bool fresh;
	uint64_t *slot = u64map_upsert(&b->names, raw_ip, 0, &fresh);
	if (!fresh) {
		f.loc_first = (uint32_t)*slot;
		return f;
	}
	const char *func, *mod;
	heap_view_name_only(v, raw_ip, &func, &mod);
	struct prof_loc l = { 0 };
	l.func = func ? intern(&p->strs, func) : intern(&p->strs, "[unknown]");
	l.module = module_of(b, v, mod, heap_view_module(v, raw_ip ? raw_ip - 1 : 0));
	l.unknown = !func;
	vec_push(&p->frame_locs, profile_intern_loc(p, &l));
	*slot = f.loc_first;
	return f;
}

/* Appends a resolved stack of the given frames, with its trie node. */
static uint32_t add_rstack(struct profile *p, uint32_t first, uint32_t n)
{
	struct prof_rstack rs = { first, n, 0, false };
	uint32_t node = 0;
	for (uint32_t i = n; i-- > 0;) {
		const struct prof_frame *f = &p->frames.v[first + i];
		for (uint32_t j = f->loc_n; j-- > 0;)
			node = profile_node_child(p, node, p->frame_locs.v[f->loc_first + j]);
	}
	rs.node = node;
	vec_push(&p->rstacks, rs);
	return (uint32_t)p->rstacks.n - 1;
}

/* One cost's stack as a resolved stack: leaf first, up to main (or whole,
 * v->full_stacks). */
static uint32_t rstack_of(struct heap_builder *b, struct heap_view *v, uint32_t stack)
{
	struct profile *p = b->p;
	const struct hloc *locs[HEAP_MAX_DEPTH];
	size_t n = heap_view_stack_locs(v, stack, locs, HEAP_MAX_DEPTH);
	for (size_t j = 0; j < n && !v->full_stacks; j++)
		if (locs[j]->stop) {
			n = j + 1;
			break;
		}
	uint32_t first = (uint32_t)p->frames.n;
	for (size_t j = 0; j < n; j++) {
		struct prof_frame f = frame_of(b, v, locs[j]);
		vec_push(&p->frames, f);
	}
	return add_rstack(p, first, (uint32_t)n);
}

struct profile *heap_view_model(struct heap_view *v)
{
	struct heap_builder *b = builder_of(v);
	if (b->costs)
		return b->p;
	b->costs = true;
	const struct heap_trace *t = v->t;
	const struct heap_analysis *a = v->a;
	struct profile *p = b->p;
	profile_add_meta(p, "event", "heap");
	const char *cmd = heap_trace_cmdline(t);
	if (cmd || t->exe)
		profile_add_meta(p, "command", cmd ? cmd : t->exe);
	profile_add_meta(p, "start-time", "0");
	char sum[256]; /* the totals, for outputs that keep notes (pprof's comments) */
	snprintf(sum, sizeof(sum),
		 "sonde heap: %" PRIu64 " calls to allocation functions, %" PRIu64 " temporary, peak %" PRId64
		 " B, leaked %" PRId64 " B",
		 a->allocations, a->temporary, a->peak, a->leaked);
	profile_add_meta(p, "summary", sum);
	const char *exe = t->exe ? t->exe : "";
	const char *slash = strrchr(exe, '/');
	uint32_t comm = intern(&p->strs, slash ? slash + 1 : exe);
	for (size_t i = 0; i < a->costs.n; i++) {
		const struct heap_cost *c = &a->costs.v[i];
		struct prof_sample s = { 0 };
		s.pid = s.tid = (uint32_t)t->pid;
		s.comm = comm;
		s.rstack = rstack_of(b, v, c->stack);
		int64_t val[HW_COUNT] = {
			[HW_ALLOCATIONS] = (int64_t)c->allocations, [HW_ALLOCATED] = (int64_t)c->bytes,
			[HW_TEMPORARY] = (int64_t)c->temporary,     [HW_PEAK] = c->peak,
			[HW_LEAKED] = c->leaked,
		};
		profile_add_sample(p, &s, val);
	}
	p->last_time = a->total_ms * 1000000;
	p->finished = true;
	return p;
}

struct profile *heap_profile_build(struct heap_view *v)
{
	struct profile *p = heap_view_model(v);
	v->hb->p = NULL; /* the caller's now */
	heap_builder_free(v->hb);
	v->hb = NULL;
	return p;
}

/* ---- memcheck's stacks, in the same table ---- */

/* A trace stack as memcheck shows it, at most max frames once inlined
 * ones are expanded: innermost first, not stopping at main; with
 * names_past_main the callers of main are named by symbol alone. */
static const struct prof_rstack *view_rstack(struct heap_view *v, uint32_t stack, bool names_past_main, size_t max)
{
	struct heap_builder *b = builder_of(v);
	struct profile *p = b->p;
	uint64_t key = (uint64_t)stack << 32 | (uint64_t)names_past_main << 31 | (max & 0x7fffffff);
	bool fresh;
	uint64_t *slot = u64map_upsert(&b->stacks, key, 0, &fresh);
	if (!fresh)
		return &p->rstacks.v[*slot - 1];
	uint32_t first = (uint32_t)p->frames.n;
	size_t k = 0, depth = 0;
	bool past_main = false;
	for (long nd = heap_view_node(v, stack); nd >= 0 && k < max && depth++ < HEAP_MAX_DEPTH;
	     nd = heap_view_caller(v, nd)) {
		struct prof_frame f;
		if (past_main) {
			f = name_frame(b, v, v->t->nodes.v[nd].ip);
		} else {
			const struct hloc *l = heap_view_loc(v, nd);
			f = frame_of(b, v, l);
			const char *outer = l->sym && l->sym->nr ? l->sym->frames[l->sym->nr - 1].func : NULL;
			past_main = names_past_main && outer && !strcmp(outer, "main");
		}
		vec_push(&p->frames, f);
		k += f.loc_n;
	}
	uint32_t r = add_rstack(p, first, (uint32_t)(p->frames.n - first));
	*slot = r + 1;
	return &p->rstacks.v[r];
}

/* The rstack's frames as heap_frame lines, innermost first, at most max. */
static size_t frame_lines(const struct profile *p, const struct prof_rstack *rs, struct heap_frame *out, size_t max)
{
	size_t k = 0;
	for (uint32_t j = 0; j < rs->frame_n && k < max; j++) {
		const struct prof_frame *f = &p->frames.v[rs->frame_first + j];
		const char *mod = heap_frame_module(p, f);
		if (!heap_frame_known(p, f)) {
			out[k++] = (struct heap_frame){ NULL, NULL, mod, 0, false, f->addr };
			continue;
		}
		for (uint32_t i = 0; i < f->loc_n && k < max; i++) {
			const struct prof_loc *l = heap_loc(p, f, i);
			const char *func = heap_str(p, l->func);
			out[k++] = (struct heap_frame){ func ? func : "??", heap_str(p, l->file), mod, l->line,
						       i + 1 < f->loc_n, f->addr };
		}
	}
	return k;
}

size_t heap_view_frames(struct heap_view *v, uint32_t stack, struct heap_frame *out, size_t max)
{
	const struct prof_rstack *rs = view_rstack(v, stack, false, max);
	return frame_lines(v->hb->p, rs, out, max);
}

size_t heap_view_frames_to_main(struct heap_view *v, uint32_t stack, struct heap_frame *out, size_t max)
{
	const struct prof_rstack *rs = view_rstack(v, stack, true, max);
	return frame_lines(v->hb->p, rs, out, max);
}

const char *heap_frame_module(const struct profile *p, const struct prof_frame *f)
{
	uint32_t m = heap_loc(p, f, 0)->module;
	return m ? prof_str(p, p->modules.v[m].path) : NULL;
}

uint32_t heap_frame_key(struct heap_keys *k, const struct profile *p, const struct prof_frame *f)
{
	bool fresh;
	uint64_t *slot = u64map_upsert(&k->memo, f->loc_first, 0, &fresh);
	if (!fresh)
		return (uint32_t)*slot;
	const char *mod = heap_frame_module(p, f);
	struct strbuf key = STRBUF_INIT;
	sb_adds(&key, mod ? mod : "??");
	if (heap_frame_known(p, f)) {
		for (uint32_t i = 0; i < f->loc_n; i++) {
			const struct prof_loc *l = heap_loc(p, f, i);
			sb_addf(&key, "|%s|%s|%u", prof_str(p, l->func), prof_str(p, l->file), l->line);
		}
	} else {
		sb_addf(&key, "|0x%" PRIx64, f->addr);
	}
	*slot = intern_n(&k->keys, key.buf, key.len);
	sb_free(&key);
	return (uint32_t)*slot;
}

void heap_keys_free(struct heap_keys *k)
{
	interner_free(&k->keys);
	u64map_free(&k->memo);
}

void heap_model_each_stack(const struct profile *p, heap_stack_fn fn, void *ctx)
{
	VEC(struct heap_frame) out = { 0 };
	for (size_t i = 0; i < p->samples.n; i++) {
		size_t n;
		const struct prof_frame *fr = heap_frames(p, i, &n);
		out.n = 0;
		for (size_t j = n; j-- > 0;) {
			const struct prof_frame *f = &fr[j];
			const char *mod = heap_frame_module(p, f);
			if (!heap_frame_known(p, f)) {
				struct heap_frame hf = { NULL, NULL, mod, 0, false, f->addr };
				vec_push(&out, hf);
				continue;
			}
			/* outermost first: the real function, then what was inlined into it */
			for (uint32_t k = f->loc_n; k-- > 0;) {
				const struct prof_loc *l = heap_loc(p, f, k);
				const char *func = heap_str(p, l->func);
				struct heap_frame hf = { func ? func : "??", heap_str(p, l->file), mod, l->line, k > 0, f->addr };
				vec_push(&out, hf);
			}
		}
		fn(ctx, &p->values.v[i * p->weights.n], out.v, out.n);
	}
	vec_free(&out);
}

bool heap_trace_sniff(const char *path)
{
	static const uint8_t zstd_magic[4] = { 0x28, 0xb5, 0x2f, 0xfd };
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	uint8_t in[16384], out[HEAP_TRACE_HEADER];
	ssize_t n = read(fd, in, sizeof(in));
	bool yes = n >= 8 && !memcmp(in, HEAP_TRACE_MAGIC, 8);
	if (!yes && n >= 4 && !memcmp(in, zstd_magic, 4)) {
		/* the stream's first bytes: a zstd block (up to 128 KiB) comes whole */
		ZSTD_DStream *z = ZSTD_createDStream();
		ZSTD_outBuffer ob = { out, sizeof(out), 0 };
		for (size_t total = 0; n > 0 && ob.pos < 8 && total < (1u << 20); total += (size_t)n) {
			ZSTD_inBuffer ib = { in, (size_t)n, 0 };
			while (ib.pos < ib.size && ob.pos < 8)
				if (ZSTD_isError(ZSTD_decompressStream(z, &ob, &ib)))
					goto done;
			if (ob.pos < 8)
				n = read(fd, in, sizeof(in));
		}
done:
		ZSTD_freeDStream(z);
		yes = ob.pos >= 8 && !memcmp(out, HEAP_TRACE_MAGIC, 8);
	}
	close(fd);
	return yes;
}

struct profile *heap_profile_load(const char *path, bool no_inline, bool full_stacks)
{
	struct heap_trace t;
	heap_trace_init(&t);
	if (heap_trace_read_file(&t, path, false) < 0) {
		heap_trace_free(&t);
		return NULL;
	}
	struct heap_suppressions supp = { 0 };
	supp_add_builtin(&supp);
	supp_add_embedded(&supp, t.exe);
	struct heap_analysis an;
	struct heap_view *view = heap_view_new(&t, &an, no_inline);
	view->full_stacks = full_stacks;
	heap_analyze_symbolizing(&t, &an, view);
	heap_report_suppress(view, &an, &supp, false);
	heap_view_warn_stale(view, NULL);
	struct profile *p = heap_profile_build(view);
	heap_view_free(view);
	supp_free(&supp);
	heap_analysis_free(&an);
	heap_trace_free(&t);
	return p;
}
