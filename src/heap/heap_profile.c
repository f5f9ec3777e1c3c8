/* A heap trace as a profile model; see heap_profile.h. */
#include "heap/heap_profile.h"

#include <fcntl.h>
#include <inttypes.h>
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

struct builder {
	struct profile *p;
	struct heap_view *v;
	struct u64map modules; /* hash(path) -> module id + 1 */
	struct u64map frames;  /* hloc address -> (loc_first << 32 | loc_n) */
	uint32_t unknown_module;
};

static uint32_t module_of(struct builder *b, const char *path)
{
	if (!path)
		return b->unknown_module;
	uint64_t h = hash_bytes(path, strlen(path));
	for (;;) {
		bool fresh;
		uint64_t *slot = u64map_upsert(&b->modules, h, 0, &fresh);
		if (fresh) {
			*slot = profile_add_module(b->p, path, false) + 1;
			return (uint32_t)*slot - 1;
		}
		if (!strcmp(prof_str(b->p, b->p->modules.v[*slot - 1].path), path))
			return (uint32_t)*slot - 1;
		h = hash_u64(h + 1);
	}
}

/* The frame of one resolved address: its locations, innermost first, made
 * once per address. */
static struct prof_frame frame_of(struct builder *b, const struct hloc *l)
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
	f.loc_n = profile_add_sym_locs(p, l->sym, module_of(b, l->module), NULL);
	*slot = (uint64_t)f.loc_first << 32 | f.loc_n;
	return f;
}

/* One cost's stack as a resolved stack: leaf first, up to main. */
static uint32_t rstack_of(struct builder *b, uint32_t stack)
{
	struct profile *p = b->p;
	const struct hloc *locs[HEAP_MAX_DEPTH];
	size_t n = heap_view_stack_locs(b->v, stack, locs, HEAP_MAX_DEPTH);
	for (size_t j = 0; j < n; j++)
		if (locs[j]->stop) {
			n = j + 1;
			break;
		}
	struct prof_rstack rs = { (uint32_t)p->frames.n, (uint32_t)n, 0, false };
	for (size_t j = 0; j < n; j++) {
		struct prof_frame f = frame_of(b, locs[j]);
		vec_push(&p->frames, f);
	}
	uint32_t node = 0;
	for (uint32_t i = rs.frame_n; i-- > 0;) {
		const struct prof_frame *f = &p->frames.v[rs.frame_first + i];
		for (uint32_t j = f->loc_n; j-- > 0;)
			node = profile_node_child(p, node, p->frame_locs.v[f->loc_first + j]);
	}
	rs.node = node;
	vec_push(&p->rstacks, rs);
	return (uint32_t)p->rstacks.n - 1;
}

struct profile *heap_profile_build(struct heap_view *v)
{
	const struct heap_trace *t = v->t;
	const struct heap_analysis *a = v->a;
	struct builder b = { .p = profile_new(), .v = v };
	struct profile *p = b.p;
	b.unknown_module = profile_add_module(p, "[unknown]", false);
	static const char *const names[HW_COUNT][2] = {
		[HW_ALLOCATIONS] = { "allocations", "count" }, [HW_ALLOCATED] = { "allocated", "bytes" },
		[HW_TEMPORARY] = { "temporary", "count" },     [HW_PEAK] = { "peak", "bytes" },
		[HW_LEAKED] = { "leaked", "bytes" },
	};
	for (int w = 0; w < HW_COUNT; w++)
		profile_add_weight(p, names[w][0], names[w][1]);
	profile_add_meta(p, "event", "heap");
	const char *cmd = heap_trace_cmdline(t);
	if (cmd || t->exe)
		profile_add_meta(p, "cmdline", cmd ? cmd : t->exe);
	profile_add_meta(p, "start-time", "0");
	const char *exe = t->exe ? t->exe : "";
	const char *slash = strrchr(exe, '/');
	uint32_t comm = intern(&p->strs, slash ? slash + 1 : exe);
	for (size_t i = 0; i < a->costs.n; i++) {
		const struct heap_cost *c = &a->costs.v[i];
		struct prof_sample s = { 0 };
		s.pid = s.tid = (uint32_t)t->pid;
		s.comm = comm;
		s.rstack = rstack_of(&b, c->stack);
		int64_t val[HW_COUNT] = {
			[HW_ALLOCATIONS] = (int64_t)c->allocations, [HW_ALLOCATED] = (int64_t)c->bytes,
			[HW_TEMPORARY] = (int64_t)c->temporary,     [HW_PEAK] = c->peak,
			[HW_LEAKED] = c->leaked,
		};
		profile_add_sample(p, &s, val);
	}
	p->last_time = a->total_ms * 1000000;
	p->finished = true;
	u64map_free(&b.modules);
	u64map_free(&b.frames);
	return p;
}

struct profile *heap_view_model(struct heap_view *v)
{
	if (!v->model)
		v->model = heap_profile_build(v);
	return v->model;
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

struct profile *heap_profile_load(const char *path, bool no_inline)
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
