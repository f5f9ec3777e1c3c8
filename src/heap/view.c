/* The heap view: a trace's stack trie symbolized per distinct address
 * (see view.h). */
#include "heap/view.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "binary/addrspace.h"
#include "binary/symbolizer.h"
#include "heap/heap_profile.h"
#include "profile/model.h"
#include "util/die.h"
#include "util/strbuf.h"

struct heap_view *heap_view_new(const struct heap_trace *t, const struct heap_analysis *a, bool no_inline)
{
	struct heap_view *v = xcalloc(1, sizeof(*v));
	v->t = t;
	v->a = a;
	v->sym = symbolizer_new();
	if (no_inline)
		symbolizer_set_inline(v->sym, false);
	v->sym_modules = xcalloc(t->modules.n + 1, sizeof(int));
	/* the program's one address space, its modules' segments in load
	 * order: a module re-loaded at the same place wins */
	v->as = addrspaces_new();
	for (size_t i = 0; i < t->modules.n; i++) {
		const struct heap_module *m = &t->modules.v[i];
		v->sym_modules[i] = -1;
		for (size_t j = 0; j < m->segs.n; j++) {
			uint64_t start = m->bias + m->segs.v[j].vaddr;
			struct as_map am = { start, start + m->segs.v[j].memsz, 0, (int64_t)m->bias, (uint32_t)i };
			addrspaces_mmap(v->as, 0, &am);
		}
	}
	v->node_loc = xcalloc(t->nodes.n + 1, sizeof(uint32_t));
	return v;
}

void heap_view_symbol_names(struct heap_view *v)
{
	symbolizer_set_symbol_names(v->sym, true);
}

void heap_view_free(struct heap_view *v)
{
	if (!v)
		return;
	symbolizer_free(v->sym);
	addrspaces_free(v->as);
	free(v->sym_modules);
	for (size_t i = 0; i < v->locs.n; i++)
		free(v->locs.v[i]);
	vec_free(&v->locs);
	u64map_free(&v->loc_index);
	free(v->node_loc);
	heap_builder_free(v->hb);
	free(v);
}

static const char *module_path(const struct heap_view *v, uint32_t m)
{
	const char *p = v->t->modules.v[m].path;
	if ((!p || !*p) && v->t->exe)
		return v->t->exe;
	return p && *p ? p : NULL;
}

int heap_view_module(const struct heap_view *v, uint64_t ip)
{
	const struct as_map *m = addrspaces_find(v->as, 0, ip);
	return m ? (int)m->module : -1;
}

/* The symbolizer's handle for trace module m, opened on first use (< 0:
 * none). */
static int sym_module(struct heap_view *v, int m)
{
	const struct heap_module *hm = &v->t->modules.v[m];
	const char *path = module_path(v, (uint32_t)m);
	if (v->sym_modules[m] < 0 && path)
		v->sym_modules[m] = symbolizer_module(v->sym, path, hm->build_id, hm->build_id_len);
	return v->sym_modules[m];
}

void heap_view_warn_stale(struct heap_view *v, FILE *out)
{
	/* the modules some stack passes through, symbolized or not yet */
	bool *used = xcalloc(v->t->modules.n + 1, sizeof(*used));
	for (size_t i = 0; i < v->t->nodes.n; i++) {
		uint64_t ip = v->t->nodes.v[i].ip;
		int m = heap_view_module(v, ip ? ip - 1 : 0);
		if (m >= 0)
			used[m] = true;
	}
	char msg[1024];
	for (size_t m = 0; m < v->t->modules.n; m++) {
		int h = used[m] ? sym_module(v, (int)m) : -1;
		if (h < 0 || symbolizer_module_stale(v->sym, h) == SYM_NOT_STALE)
			continue;
		size_t first = 0; /* a module loaded twice is named once */
		while (v->sym_modules[first] != h)
			first++;
		if (first != m)
			continue;
		symbolizer_stale_message(v->sym, h, "its frames show as bare addresses", msg, sizeof(msg));
		if (out)
			fprintf(out, "warning: %s\n", msg);
		else
			warn("%s", msg);
	}
	free(used);
}

static uint32_t resolve_ip(struct heap_view *v, uint64_t raw_ip)
{
	uint64_t ip = raw_ip ? raw_ip - 1 : 0;
	bool ins;
	uint64_t *slot = u64map_upsert(&v->loc_index, ip, v->locs.n, &ins);
	if (!ins)
		return (uint32_t)*slot;
	struct hloc l = { 0 };
	l.ip = ip;
	int m = l.mod = heap_view_module(v, ip);
	if (m >= 0) {
		l.module = module_path(v, (uint32_t)m);
		if (sym_module(v, m) >= 0)
			l.sym = symbolizer_lookup(v->sym, v->sym_modules[m], ip - v->t->modules.v[m].bias);
	}
	if (l.sym && l.sym->frames[0].func) {
		const char *f = l.sym->frames[0].func;
		l.stop = !strcmp(f, "main") || !strcmp(f, "__libc_start_main") ||
			 !strcmp(f, "__static_initialization_and_destruction_0");
	}
	struct hloc *kept = xmalloc(sizeof(*kept));
	*kept = l;
	vec_push(&v->locs, kept);
	return (uint32_t)(v->locs.n - 1);
}

bool heap_view_func_entry(struct heap_view *v, uint64_t ip, const char **file, unsigned *line)
{
	uint64_t a = ip ? ip - 1 : 0;
	int m = heap_view_module(v, a);
	if (m < 0 || sym_module(v, m) < 0)
		return false;
	uint64_t vaddr = a - v->t->modules.v[m].bias;
	const struct sym_result *r = symbolizer_lookup(v->sym, v->sym_modules[m], vaddr);
	if (!r || !r->nr || !r->frames[0].func || r->sym_offset > vaddr)
		return false;
	r = symbolizer_lookup(v->sym, v->sym_modules[m], vaddr - r->sym_offset);
	if (!r || !r->nr || !r->frames[r->nr - 1].file)
		return false;
	*file = r->frames[r->nr - 1].file; /* the out-of-line function itself */
	*line = r->frames[r->nr - 1].line;
	return true;
}

long heap_view_node(const struct heap_view *v, uint64_t id)
{
	if (!id)
		return -1;
	uint64_t *slot = u64map_get(&v->t->node_index, id);
	if (!slot || *slot >= v->t->nodes.n)
		return -1;
	return (long)*slot;
}

const struct hloc *heap_view_loc(struct heap_view *v, long node)
{
	if (!v->node_loc[node])
		v->node_loc[node] = resolve_ip(v, v->t->nodes.v[node].ip) + 1;
	return v->locs.v[v->node_loc[node] - 1];
}

void heap_view_prefetch(struct heap_view *v, const _Atomic bool *stop)
{
	/* leaves and their callers first: the nodes near the root are shared */
	for (size_t i = v->t->nodes.n; i-- > 0;) {
		if (atomic_load_explicit(stop, memory_order_relaxed))
			return;
		heap_view_loc(v, (long)i);
	}
}

long heap_view_caller(const struct heap_view *v, long nd)
{
	uint64_t parent = v->t->nodes.v[nd].parent;
	return parent == v->t->nodes.v[nd].id ? -1 : heap_view_node(v, parent);
}

size_t heap_view_stack_locs(struct heap_view *v, uint64_t id, const struct hloc **out, size_t max)
{
	size_t n = 0;
	for (long nd = heap_view_node(v, id); nd >= 0 && n < max; nd = heap_view_caller(v, nd))
		out[n++] = heap_view_loc(v, nd);
	return n;
}

#define HEAP_MAX_DEPTH 512

struct prefetch {
	struct heap_view *view;
	_Atomic bool stop;
};

static void *prefetch_main(void *arg)
{
	struct prefetch *pf = arg;
	heap_view_prefetch(pf->view, &pf->stop);
	return NULL;
}

void heap_analyze_symbolizing(const struct heap_trace *t, struct heap_analysis *an, struct heap_view *view)
{
	struct prefetch pf = { view, false };
	pthread_t th;
	bool started = pthread_create(&th, NULL, prefetch_main, &pf) == 0;
	heap_analyze(t, an);
	if (started) {
		atomic_store(&pf.stop, true);
		pthread_join(th, NULL);
	}
}

/* ---- frames named from the symbol table alone ---- */

void heap_view_name_only(struct heap_view *v, uint64_t raw_ip, const char **func, const char **module)
{
	uint64_t ip = raw_ip ? raw_ip - 1 : 0;
	*func = *module = NULL;
	int m = heap_view_module(v, ip);
	if (m < 0)
		return;
	*module = module_path(v, (uint32_t)m);
	if (sym_module(v, m) >= 0) {
		const struct sym_result *r =
			symbolizer_lookup_name(v->sym, v->sym_modules[m], ip - v->t->modules.v[m].bias);
		if (r && r->nr)
			*func = r->frames[0].func;
	}
}
