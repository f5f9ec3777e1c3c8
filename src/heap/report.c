/* Heap report: symbolized stacks printed in heaptrack_print's layout. */
#include "heap/report.h"
#include "heap/view.h"

#include <inttypes.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "binary/symbolizer.h"
#include "collapse/folded.h"
#include "util/die.h"
#include "util/strbuf.h"


void heap_report_opts_init(struct heap_report_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->peak_limit = 10;
	o->sub_peak_limit = 5;
	o->merged = true;
	o->print_allocators = o->print_peaks = o->print_temporary = true;
	o->shorten_templates = true;
}

int heap_cost_type_parse(const char *s)
{
	if (!strcmp(s, "allocations"))
		return HC_ALLOCATIONS;
	if (!strcmp(s, "temporary"))
		return HC_TEMPORARY;
	if (!strcmp(s, "leaked"))
		return HC_LEAKED;
	if (!strcmp(s, "peak"))
		return HC_PEAK;
	return -1;
}

/* heaptrack's 1000-based scaling: the unit index (0: bytes) and *b scaled. */
static int scale_1000(int64_t bytes, double *b)
{
	int i = 0;
	*b = (double)bytes;
	while (i < 4 && (*b < 0 ? -*b : *b) > 1000.) {
		*b /= 1000.;
		i++;
	}
	return i;
}

void heap_format_bytes(char *buf, size_t n, int64_t bytes)
{
	static const char units[] = "BKMGT";
	double b;
	int i = scale_1000(bytes, &b);
	if (!i)
		snprintf(buf, n, "%" PRId64 "B", bytes);
	else
		snprintf(buf, n, "%.2f%c", b, units[i]);
}



/* heaptrack's template shortening: keep "<>" but drop what is inside. */
static void pretty(FILE *out, const char *fn, bool shorten)
{
	if (!shorten) {
		fputs(fn, out);
		return;
	}
	struct strbuf r = STRBUF_INIT;
	int depth = 0;
	for (const char *p = fn; *p; p++) {
		char c = *p;
		if ((c == '<' || c == '>') && r.len >= 8) {
			const char *cmp = "operator";
			if (r.buf[r.len - 1] == c)
				cmp = c == '<' ? "operator<" : "operator>";
			size_t cl = strlen(cmp);
			if (r.len >= cl && !memcmp(r.buf + r.len - cl, cmp, cl)) {
				sb_addc(&r, c);
				continue;
			}
		}
		if (c == '<') {
			if (++depth == 1)
				sb_addc(&r, c);
		} else if (c == '>') {
			--depth;
		}
		if (depth)
			continue;
		sb_addc(&r, c);
	}
	fputs(r.buf ? r.buf : "", out);
	sb_free(&r);
}

static bool g_shorten = true;

static void indent(FILE *out, size_t n)
{
	while (n--)
		fputs("  ", out);
}

static void print_ip(FILE *out, const struct hloc *l, size_t ind)
{
	indent(out, ind);
	const struct sym_frame *f0 = l->sym && l->sym->frames[0].func ? &l->sym->frames[0] : NULL;
	if (f0)
		pretty(out, f0->func, g_shorten);
	else
		fprintf(out, "0x%" PRIx64, l->ip);
	fputc('\n', out);
	indent(out, ind + 1);
	if (f0 && f0->file) {
		fprintf(out, "at %s:%u\n", f0->file, f0->line);
		indent(out, ind + 1);
	}
	fprintf(out, "in %s\n", l->module ? l->module : "??");
	if (!f0)
		return;
	for (uint32_t i = 1; i < l->sym->nr; i++) {
		const struct sym_frame *f = &l->sym->frames[i];
		indent(out, ind);
		pretty(out, f->func ? f->func : "??", g_shorten);
		fputc('\n', out);
		indent(out, ind + 1);
		fprintf(out, "at %s:%u\n", f->file ? f->file : "", f->line);
	}
}

static void print_backtrace(FILE *out, struct heap_view *v, uint64_t stack, size_t ind, bool skip_first)
{
	const struct hloc *locs[HEAP_MAX_DEPTH];
	size_t n = heap_view_stack_locs(v, stack, locs, HEAP_MAX_DEPTH);
	if (!n) {
		fputs("  ??", out);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (!(skip_first && i == 0))
			print_ip(out, locs[i], ind);
		if (locs[i]->stop)
			break;
	}
}

/* ---- the sections ---- */

struct merged {
	uint32_t key;       /* leaf location key */
	const struct hloc *leaf;
	struct heap_cost sum;
	VEC(const struct heap_cost *) traces;
	size_t first;
};

static int64_t cost_member(const struct heap_cost *c, enum heap_cost_type t)
{
	switch (t) {
	case HC_ALLOCATIONS:
		return (int64_t)c->allocations;
	case HC_TEMPORARY:
		return (int64_t)c->temporary;
	case HC_LEAKED:
		return c->leaked;
	case HC_PEAK:
		return c->peak;
	}
	return 0;
}

static enum heap_cost_type g_sort_by;

static int cmp_cost_ptr(const void *x, const void *y)
{
	const struct heap_cost *a = *(const struct heap_cost *const *)x, *b = *(const struct heap_cost *const *)y;
	int64_t va = llabs(cost_member(a, g_sort_by)), vb = llabs(cost_member(b, g_sort_by));
	if (va != vb)
		return va > vb ? -1 : 1;
	return a < b ? -1 : a > b;
}

static int cmp_merged(const void *x, const void *y)
{
	const struct merged *a = x, *b = y;
	int64_t va = llabs(cost_member(&a->sum, g_sort_by)), vb = llabs(cost_member(&b->sum, g_sort_by));
	if (va != vb)
		return va > vb ? -1 : 1;
	return a->first < b->first ? -1 : a->first > b->first;
}

static void label(FILE *out, const struct heap_cost *c, enum heap_cost_type t, bool sub)
{
	char b[32];
	const char *end = sub ? " from:\n" : " from\n";
	switch (t) {
	case HC_ALLOCATIONS:
		heap_format_bytes(b, sizeof(b), c->peak);
		if (sub)
			fprintf(out, "%" PRIu64 " calls with %s peak consumption from:\n", c->allocations, b);
		else
			fprintf(out, "%" PRIu64 " calls to allocation functions with %s peak consumption from\n",
				c->allocations, b);
		break;
	case HC_PEAK:
		heap_format_bytes(b, sizeof(b), c->peak);
		fprintf(out, "%s %s over %" PRIu64 " calls%s", b, sub ? "consumed" : "peak memory consumed",
			c->allocations, end);
		break;
	case HC_LEAKED:
		heap_format_bytes(b, sizeof(b), c->leaked);
		fprintf(out, "%s leaked over %" PRIu64 " calls%s", b, c->allocations, end);
		break;
	case HC_TEMPORARY:
		fprintf(out, "%" PRIu64 " temporary allocations of %" PRIu64 " allocations in total (%.2f%%)%s",
			c->temporary, c->allocations,
			c->allocations ? (double)((float)c->temporary * 100.f / (float)c->allocations) : 0.0, end);
		break;
	}
}

static void print_section(FILE *out, struct heap_view *v, const struct heap_report_opts *o, enum heap_cost_type t,
			  struct merged *mg, size_t nmg)
{
	const struct heap_analysis *a = v->a;
	g_sort_by = t;
	if (!o->merged) {
		const struct heap_cost **all = xmalloc((a->costs.n + 1) * sizeof(*all));
		for (size_t i = 0; i < a->costs.n; i++)
			all[i] = &a->costs.v[i];
		qsort(all, a->costs.n, sizeof(*all), cmp_cost_ptr);
		for (size_t i = 0; i < a->costs.n && i < o->peak_limit; i++) {
			if (!cost_member(all[i], t))
				break;
			label(out, all[i], t, false);
			print_backtrace(out, v, all[i]->stack, 1, false);
			fputc('\n', out);
		}
		fputc('\n', out);
		free(all);
		return;
	}
	qsort(mg, nmg, sizeof(*mg), cmp_merged);
	for (size_t i = 0; i < nmg && i < o->peak_limit; i++) {
		struct merged *m = &mg[i];
		if (!cost_member(&m->sum, t))
			break;
		label(out, &m->sum, t, false);
		if (!m->leaf) {
			fputs("0x0\n  in ??\n", out);
			continue;
		}
		print_ip(out, m->leaf, 0);
		qsort(m->traces.v, m->traces.n, sizeof(m->traces.v[0]), cmp_cost_ptr);
		int64_t handled = 0;
		for (size_t j = 0; j < m->traces.n && j < o->sub_peak_limit; j++) {
			const struct heap_cost *c = m->traces.v[j];
			if (!cost_member(c, t))
				break;
			label(out, c, t, true);
			handled += cost_member(c, t);
			print_backtrace(out, v, c->stack, 2, true);
		}
		if (m->traces.n > o->sub_peak_limit) {
			fputs("  and ", out);
			int64_t rest = cost_member(&m->sum, t) - handled;
			if (t == HC_ALLOCATIONS || t == HC_TEMPORARY) {
				fprintf(out, "%" PRId64, rest);
			} else {
				char b[32];
				heap_format_bytes(b, sizeof(b), rest);
				fputs(b, out);
			}
			fprintf(out, " from %zu other places\n", m->traces.n - o->sub_peak_limit);
		}
		fputc('\n', out);
	}
}

static struct merged *merge_costs(struct heap_view *v, size_t *nout)
{
	const struct heap_analysis *a = v->a;
	struct merged *mg = xcalloc(a->costs.n + 1, sizeof(*mg));
	size_t n = 0;
	struct u64map idx = { 0 };
	for (size_t i = 0; i < a->costs.n; i++) {
		const struct heap_cost *c = &a->costs.v[i];
		long nd = heap_view_node(v, c->stack);
		const struct hloc *leaf = nd >= 0 ? heap_view_loc(v, nd) : NULL;
		uint64_t key = leaf ? leaf->key : UINT32_MAX + (uint64_t)1;
		bool ins;
		uint64_t *slot = u64map_upsert(&idx, key, n, &ins);
		if (ins) {
			mg[n].key = leaf ? leaf->key : 0;
			mg[n].leaf = leaf;
			mg[n].first = i;
			n++;
		}
		struct merged *m = &mg[*slot];
		m->sum.allocations += c->allocations;
		m->sum.temporary += c->temporary;
		m->sum.leaked += c->leaked;
		m->sum.peak += c->peak;
		m->sum.bytes += c->bytes;
		vec_push(&m->traces, c);
	}
	u64map_free(&idx);
	*nout = n;
	return mg;
}

static void print_suppressed(FILE *out, const struct heap_view *v);

void heap_report_totals(FILE *out, struct heap_view *v, bool peak_time)
{
	const struct heap_analysis *a = v->a;
	double per_s = a->total_ms ? 1000. / (double)a->total_ms : 1.;
	char peak[32], rss[32], leaked[32];
	heap_format_bytes(peak, sizeof(peak), a->peak);
	heap_format_bytes(rss, sizeof(rss), (int64_t)a->peak_rss_kib * 1024);
	heap_format_bytes(leaked, sizeof(leaked), a->leaked);
	fprintf(out,
		"total runtime: %.2fs.\n"
		"calls to allocation functions: %" PRIu64 " (%" PRId64 "/s)\n"
		"temporary memory allocations: %" PRIu64 " (%" PRId64 "/s)\n"
		"peak heap memory consumption: %s\n",
		(double)a->total_ms / 1000., a->allocations, (int64_t)((double)a->allocations * per_s), a->temporary,
		(int64_t)((double)a->temporary * per_s), peak);
	if (peak_time && a->peak > 0)
		fprintf(out, "peak heap memory reached after: %.2fs\n", (double)a->peak_ms / 1000.);
	fprintf(out,
		"peak RSS (including heaptrack overhead): %s\n"
		"total memory leaked: %s\n",
		rss, leaked);
	print_suppressed(out, v);
}

/* ---- leak suppressions ---- */

/* The first suppression matching a location: its module, then each frame's
 * function and file, the real frame before the inlined ones (heaptrack's order). */
static long loc_suppression(const struct hloc *l, const struct heap_suppressions *s)
{
	long m = supp_find(s, l->module);
	for (uint32_t i = 0; m < 0 && l->sym && i < l->sym->nr; i++) {
		m = supp_find(s, l->sym->frames[i].func);
		if (m < 0)
			m = supp_find(s, l->sym->frames[i].file);
	}
	return m;
}

/* A stack's suppression: the outermost matching frame's, all the way to the
 * root (not only up to main), as heaptrack credits it. memo: per node,
 * -2 = not yet. */
static long node_suppression(struct heap_view *v, long nd, long *memo, const struct heap_suppressions *s)
{
	VEC(long) path = { 0 };
	long m = -1;
	/* walk up to a known node or the root, then resolve top-down */
	while (nd >= 0 && memo[nd] == -2 && path.n < 4 * HEAP_MAX_DEPTH) {
		vec_push(&path, nd);
		nd = heap_view_caller(v, nd);
	}
	if (nd >= 0 && memo[nd] != -2)
		m = memo[nd];
	for (size_t i = path.n; i-- > 0;) {
		if (m < 0)
			m = loc_suppression(heap_view_loc(v, path.v[i]), s);
		memo[path.v[i]] = m;
	}
	vec_free(&path);
	return m;
}

void heap_report_suppress(struct heap_view *v, struct heap_analysis *a, struct heap_suppressions *s, bool print_stats)
{
	v->supp = s;
	v->print_supp = print_stats;
	v->supp_leaked = 0;
	if (!s || !s->v.n || a != v->a)
		return;
	long *memo = xmalloc((v->t->nodes.n + 1) * sizeof(*memo));
	for (size_t i = 0; i < v->t->nodes.n; i++)
		memo[i] = -2;
	for (size_t i = 0; i < a->costs.n; i++) {
		struct heap_cost *c = &a->costs.v[i];
		if (!c->leaked && !print_stats)
			continue; /* nothing to move: don't symbolize its whole stack */
		long nd = heap_view_node(v, c->stack);
		long m = nd >= 0 ? node_suppression(v, nd, memo, s) : -1;
		if (m < 0)
			continue;
		s->v.v[m].matches++;
		s->v.v[m].leaked += c->leaked;
		v->supp_leaked += c->leaked;
		a->leaked -= c->leaked;
		c->leaked = 0;
	}
	free(memo);
}

/* heaptrack_print's wide byte column: "%15dB", or 2 decimals and "KB", "MB"... */
static void wide_bytes(FILE *out, int64_t bytes)
{
	static const char *const units[] = { "B", "KB", "MB", "GB", "TB" };
	double b;
	int i = scale_1000(bytes, &b);
	if (!i)
		fprintf(out, "%15" PRId64 "B", bytes);
	else
		fprintf(out, "%14.2f%s", b, units[i]);
}

static void print_suppressed(FILE *out, const struct heap_view *v)
{
	if (!v->supp_leaked)
		return;
	char b[32];
	heap_format_bytes(b, sizeof(b), v->supp_leaked);
	fprintf(out, "suppressed leaks: %s\n", b);
	if (!v->print_supp || !v->supp)
		return;
	fprintf(out, "Suppressions used:\n%16s %16s pattern\n", "matches", "leaked");
	for (size_t i = 0; i < v->supp->v.n; i++) {
		const struct heap_suppression *x = &v->supp->v.v[i];
		if (!x->matches)
			continue;
		fprintf(out, "%16" PRIu64 " ", x->matches);
		wide_bytes(out, x->leaked);
		fprintf(out, " %s\n", x->pattern);
	}
}

static const char *debuggee(const struct heap_trace *t);

void heap_report_print(FILE *out, struct heap_view *v, const struct heap_report_opts *o)
{
	g_shorten = o->shorten_templates;
	fprintf(out, "reading file \"%s\" - please wait, this might take some time...\n", o->label ? o->label : "");
	const char *cmd = debuggee(v->t);
	if (cmd)
		fprintf(out, "Debuggee command was: %s\n", cmd);
	if (o->stale_warnings)
		heap_view_warn_stale(v, out);
	fputs("finished reading file, now analyzing data:\n\n", out);
	size_t nmg = 0;
	struct merged *mg = merge_costs(v, &nmg);
	if (o->print_allocators) {
		fputs("MOST CALLS TO ALLOCATION FUNCTIONS\n", out);
		print_section(out, v, o, HC_ALLOCATIONS, mg, nmg);
		fputc('\n', out);
	}
	if (o->print_peaks) {
		fputs("PEAK MEMORY CONSUMERS\n", out);
		print_section(out, v, o, HC_PEAK, mg, nmg);
		fputc('\n', out);
	}
	if (o->print_leaks) {
		fputs("MEMORY LEAKS\n", out);
		print_section(out, v, o, HC_LEAKED, mg, nmg);
		fputc('\n', out);
	}
	if (o->print_temporary) {
		fputs("MOST TEMPORARY ALLOCATIONS\n", out);
		print_section(out, v, o, HC_TEMPORARY, mg, nmg);
		fputc('\n', out);
	}
	for (size_t i = 0; i < nmg; i++)
		vec_free(&mg[i].traces);
	free(mg);
	heap_report_totals(out, v, o->peak_time);
}

/* The command line sonde recorded, else the executable. */
static const char *debuggee(const struct heap_trace *t)
{
	const char *c = heap_trace_cmdline(t);
	return c ? c : t->exe;
}

/* ---- folded stacks ---- */

static void add_frame_names(struct strbuf *sb, const struct hloc *l, bool annotate)
{
	/* outermost first: the real function, then what was inlined into it */
	if (!l->sym || !l->sym->frames[0].func) {
		if (sb->len)
			sb_addc(sb, ';');
		sb_addf(sb, "0x%" PRIx64, l->ip);
		return;
	}
	for (uint32_t i = l->sym->nr; i-- > 0;) {
		if (sb->len)
			sb_addc(sb, ';');
		const char *f = l->sym->frames[i].func ? l->sym->frames[i].func : "??";
		for (const char *p = f; *p; p++)
			sb_addc(sb, *p == ';' ? ':' : *p);
		if (annotate && i > 0)
			sb_adds(sb, "_[i]");
	}
}

void heap_report_folded(FILE *out, struct heap_view *v, enum heap_cost_type cost)
{
	struct folded_set fs;
	folded_init(&fs);
	const struct hloc *locs[HEAP_MAX_DEPTH];
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < v->a->costs.n; i++) {
		const struct heap_cost *c = &v->a->costs.v[i];
		int64_t val = cost_member(c, cost);
		if (val <= 0)
			continue;
		size_t n = heap_view_stack_locs(v, c->stack, locs, HEAP_MAX_DEPTH);
		size_t top = n;
		for (size_t j = 0; j < n; j++)
			if (locs[j]->stop) {
				top = j + 1;
				break;
			}
		sb_reset(&sb);
		if (!n)
			sb_adds(&sb, "[unknown]");
		for (size_t j = top; j-- > 0;)
			add_frame_names(&sb, locs[j], true);
		folded_add(&fs, sb.buf, sb.len, (uint64_t)val);
	}
	sb_free(&sb);
	folded_sort(&fs);
	folded_write(out, &fs);
	folded_free(&fs);
}

static void ht_file(FILE *out, const char *file)
{
	const char *b = strrchr(file, '/');
	fprintf(out, " (%s)", b ? b + 1 : file);
}

void heap_report_folded_heaptrack(FILE *out, struct heap_view *v, enum heap_cost_type cost)
{
	const struct hloc *locs[HEAP_MAX_DEPTH];
	for (size_t i = 0; i < v->a->costs.n; i++) {
		const struct heap_cost *c = &v->a->costs.v[i];
		size_t n = heap_view_stack_locs(v, c->stack, locs, HEAP_MAX_DEPTH);
		if (!n)
			fputs("??", out);
		size_t top = n;
		for (size_t j = 0; j < n; j++)
			if (locs[j]->stop) {
				top = j + 1;
				break;
			}
		for (size_t j = top; j-- > 0;) {
			const struct hloc *l = locs[j];
			if (!l->sym || !l->sym->frames[0].func) {
				fprintf(out, "0x%" PRIx64 ";", l->ip);
				continue;
			}
			for (uint32_t k = 0; k < l->sym->nr; k++) {
				pretty(out, l->sym->frames[k].func ? l->sym->frames[k].func : "", g_shorten);
				if (l->sym->frames[k].file)
					ht_file(out, l->sym->frames[k].file);
				fputc(';', out);
			}
		}
		fprintf(out, " %" PRId64 "\n", cost_member(c, cost));
	}
}

void heap_report_histogram(FILE *out, const struct heap_analysis *a)
{
	for (size_t i = 0; i < a->sizes.n; i++)
		fprintf(out, "%" PRIu64 "\t%" PRIu64 "\n", a->sizes.v[i].size, a->sizes.v[i].count);
}

/* ---- massif ---- */

struct mnode {
	const struct heap_cost *c;
	const struct hloc **locs;
	size_t n;
};

static void massif_name(FILE *out, const struct hloc *l)
{
	fprintf(out, " 0x%" PRIX64 ": ", l->ip);
	const struct sym_frame *f = l->sym && l->sym->frames[0].func ? &l->sym->frames[l->sym->nr - 1] : NULL;
	if (f)
		fputs(f->func, out);
	else
		fputs("???", out);
	if (f && l->sym->frames[0].file)
		fprintf(out, " (%s:%u)\n", l->sym->frames[0].file, l->sym->frames[0].line);
	else
		fprintf(out, " (%s)\n", l->module ? l->module : "???");
}

/* Writes the bottom-up tree of `items` (all sharing frames [0, depth)). */
static void massif_tree(FILE *out, struct mnode **items, size_t n, size_t depth, int64_t total, int64_t threshold,
			double thr_pct, const struct hloc *here)
{
	/* group by frame at `depth` */
	struct grp {
		const struct hloc *l;
		int64_t sum;
		size_t first, count;
	};
	struct grp *g = xcalloc(n + 1, sizeof(*g));
	size_t ng = 0;
	struct mnode **sorted = xmalloc((n + 1) * sizeof(*sorted));
	bool stop = here && here->stop;
	if (!stop) {
		for (size_t i = 0; i < n; i++) {
			if (items[i]->n <= depth || items[i]->c->peak <= 0)
				continue;
			const struct hloc *l = items[i]->locs[depth];
			size_t k;
			for (k = 0; k < ng; k++)
				if (g[k].l->key == l->key)
					break;
			if (k == ng) {
				g[ng].l = l;
				ng++;
			}
			g[k].sum += items[i]->c->peak;
			g[k].count++;
		}
	}
	/* sort groups by size desc */
	for (size_t i = 1; i < ng; i++)
		for (size_t j = i; j > 0 && g[j].sum > g[j - 1].sum; j--) {
			struct grp tmp = g[j];
			g[j] = g[j - 1];
			g[j - 1] = tmp;
		}
	size_t shown = 0, skipped = 0;
	int64_t skipped_sum = 0;
	for (size_t i = 0; i < ng; i++) {
		if (g[i].sum >= threshold && g[i].sum > 0)
			shown++;
		else {
			skipped++;
			skipped_sum += g[i].sum;
		}
	}
	for (size_t i = 0; i < depth; i++)
		fputc(' ', out);
	fprintf(out, "n%zu: %" PRId64, shown + (skipped ? 1 : 0), total);
	if (!here)
		fputs(" (heap allocation functions) malloc/new/new[], --alloc-fns, etc.\n", out);
	else
		massif_name(out, here);
	for (size_t i = 0; i < ng; i++) {
		if (!(g[i].sum >= threshold && g[i].sum > 0))
			continue;
		size_t m = 0;
		for (size_t j = 0; j < n; j++)
			if (items[j]->n > depth && items[j]->c->peak > 0 && items[j]->locs[depth]->key == g[i].l->key)
				sorted[m++] = items[j];
		massif_tree(out, sorted, m, depth + 1, g[i].sum, threshold, thr_pct, g[i].l);
	}
	if (skipped) {
		for (size_t i = 0; i <= depth; i++)
			fputc(' ', out);
		fprintf(out, "n0: %" PRId64 " in %zu place%s, all below massif's threshold (%.2f%%)\n", skipped_sum,
			skipped, skipped == 1 ? "" : "s", thr_pct);
	}
	free(sorted);
	free(g);
}

int heap_report_massif(FILE *out, struct heap_view *v, const char *cmd, double threshold_pct)
{
	const struct heap_analysis *a = v->a;
	fprintf(out, "desc: sonde heap\ncmd: %s\ntime_unit: ms\n", cmd ? cmd : "");
	size_t snap = 0;
	bool peak_done = false;
	uint64_t prev_ms = 0;
	for (size_t i = 0; i <= a->timeline.n; i++) {
		uint64_t ms;
		int64_t heap;
		bool is_peak = false;
		if (i < a->timeline.n) {
			ms = a->timeline.v[i].ms;
			heap = a->timeline.v[i].heap;
		} else {
			ms = a->total_ms;
			heap = a->leaked + v->supp_leaked; /* suppressed leaks are still on the heap */
		}
		if (!peak_done && a->peak > 0 && (i == a->timeline.n || ms > a->peak_ms)) {
			/* the peak snapshot, in time order */
			fprintf(out, "#-----------\nsnapshot=%zu\n#-----------\ntime=%" PRIu64
				     "\nmem_heap_B=%" PRId64 "\nmem_heap_extra_B=0\nmem_stacks_B=0\nheap_tree=peak\n",
				snap++, a->peak_ms < prev_ms ? prev_ms : a->peak_ms, a->peak);
			struct mnode **items = xmalloc((a->costs.n + 1) * sizeof(*items));
			struct mnode *nodes = xmalloc((a->costs.n + 1) * sizeof(*nodes));
			for (size_t k = 0; k < a->costs.n; k++) {
				nodes[k].c = &a->costs.v[k];
				const struct hloc *tmp[HEAP_MAX_DEPTH];
				nodes[k].n = heap_view_stack_locs(v, a->costs.v[k].stack, tmp, HEAP_MAX_DEPTH);
				nodes[k].locs = xmalloc((nodes[k].n + 1) * sizeof(*tmp));
				memcpy(nodes[k].locs, tmp, nodes[k].n * sizeof(*tmp));
				items[k] = &nodes[k];
			}
			int64_t thr = (int64_t)((double)a->peak * threshold_pct * 0.01);
			massif_tree(out, items, a->costs.n, 0, a->peak, thr, threshold_pct, NULL);
			for (size_t k = 0; k < a->costs.n; k++)
				free(nodes[k].locs);
			free(items);
			free(nodes);
			peak_done = true;
			is_peak = true;
		}
		(void)is_peak;
		fprintf(out, "#-----------\nsnapshot=%zu\n#-----------\ntime=%" PRIu64 "\nmem_heap_B=%" PRId64
			     "\nmem_heap_extra_B=0\nmem_stacks_B=0\nheap_tree=empty\n",
			snap++, ms < prev_ms ? prev_ms : ms, heap < 0 ? 0 : heap);
		if (ms > prev_ms)
			prev_ms = ms;
	}
	return ferror(out) ? -1 : 0;
}

