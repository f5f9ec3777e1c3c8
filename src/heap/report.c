/* Heap report: the trace's model printed in heaptrack_print's layouts. */
#include "heap/report.h"
#include "heap/heap_profile.h"
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

static void print_ip(FILE *out, const struct profile *p, const struct prof_frame *f, size_t ind)
{
	indent(out, ind);
	bool known = heap_frame_known(p, f);
	const struct prof_loc *l0 = heap_loc(p, f, 0);
	if (known)
		pretty(out, prof_str(p, l0->func), g_shorten);
	else
		fprintf(out, "0x%" PRIx64, f->addr);
	fputc('\n', out);
	indent(out, ind + 1);
	if (known && l0->file) {
		fprintf(out, "at %s:%u\n", prof_str(p, l0->file), l0->line);
		indent(out, ind + 1);
	}
	const char *mod = heap_frame_module(p, f);
	fprintf(out, "in %s\n", mod ? mod : "??");
	if (!known)
		return;
	for (uint32_t i = 1; i < f->loc_n; i++) {
		const struct prof_loc *l = heap_loc(p, f, i);
		indent(out, ind);
		pretty(out, l->func ? prof_str(p, l->func) : "??", g_shorten);
		fputc('\n', out);
		indent(out, ind + 1);
		fprintf(out, "at %s:%u\n", prof_str(p, l->file), l->line);
	}
}

/* Sample i's stack (it ends at main). */
static void print_backtrace(FILE *out, const struct profile *p, size_t i, size_t ind, bool skip_first)
{
	size_t n;
	const struct prof_frame *fr = heap_frames(p, i, &n);
	if (!n) {
		fputs("  ??", out);
		return;
	}
	for (size_t j = skip_first; j < n; j++)
		print_ip(out, p, &fr[j], ind);
}

/* ---- the sections ---- */

/* The stacks of one allocation site (leaf frame), merged. */
struct merged {
	const struct prof_frame *leaf;
	int64_t sum[HW_COUNT];
	VEC(size_t) traces; /* samples */
	size_t first;
};

static const enum heap_weight cost_weight[] = {
	[HC_ALLOCATIONS] = HW_ALLOCATIONS, [HC_TEMPORARY] = HW_TEMPORARY,
	[HC_LEAKED] = HW_LEAKED,           [HC_PEAK] = HW_PEAK,
};

static const struct profile *g_prof;
static enum heap_cost_type g_sort_by;

static int64_t sample_cost(size_t i, enum heap_cost_type t)
{
	return prof_value_signed(g_prof, i, cost_weight[t]);
}

static int cmp_sample(const void *x, const void *y)
{
	size_t a = *(const size_t *)x, b = *(const size_t *)y;
	int64_t va = llabs(sample_cost(a, g_sort_by)), vb = llabs(sample_cost(b, g_sort_by));
	if (va != vb)
		return va > vb ? -1 : 1;
	return a < b ? -1 : a > b;
}

static int cmp_merged(const void *x, const void *y)
{
	const struct merged *a = x, *b = y;
	int64_t va = llabs(a->sum[cost_weight[g_sort_by]]), vb = llabs(b->sum[cost_weight[g_sort_by]]);
	if (va != vb)
		return va > vb ? -1 : 1;
	return a->first < b->first ? -1 : a->first > b->first;
}

/* The line above a stack: c holds its costs by enum heap_weight. */
static void label(FILE *out, const int64_t *c, enum heap_cost_type t, bool sub)
{
	char b[32];
	const char *end = sub ? " from:\n" : " from\n";
	uint64_t calls = (uint64_t)c[HW_ALLOCATIONS], temporary = (uint64_t)c[HW_TEMPORARY];
	switch (t) {
	case HC_ALLOCATIONS:
		heap_format_bytes(b, sizeof(b), c[HW_PEAK]);
		if (sub)
			fprintf(out, "%" PRIu64 " calls with %s peak consumption from:\n", calls, b);
		else
			fprintf(out, "%" PRIu64 " calls to allocation functions with %s peak consumption from\n",
				calls, b);
		break;
	case HC_PEAK:
		heap_format_bytes(b, sizeof(b), c[HW_PEAK]);
		fprintf(out, "%s %s over %" PRIu64 " calls%s", b, sub ? "consumed" : "peak memory consumed", calls,
			end);
		break;
	case HC_LEAKED:
		heap_format_bytes(b, sizeof(b), c[HW_LEAKED]);
		fprintf(out, "%s leaked over %" PRIu64 " calls%s", b, calls, end);
		break;
	case HC_TEMPORARY:
		fprintf(out, "%" PRIu64 " temporary allocations of %" PRIu64 " allocations in total (%.2f%%)%s",
			temporary, calls, calls ? (double)((float)temporary * 100.f / (float)calls) : 0.0, end);
		break;
	}
}

static const int64_t *sample_costs(const struct profile *p, size_t i)
{
	return &p->values.v[i * p->weights.n];
}

static void print_section(FILE *out, const struct profile *p, const struct heap_report_opts *o,
			  enum heap_cost_type t, struct merged *mg, size_t nmg)
{
	g_prof = p;
	g_sort_by = t;
	if (!o->merged) {
		size_t *all = xmalloc((p->samples.n + 1) * sizeof(*all));
		for (size_t i = 0; i < p->samples.n; i++)
			all[i] = i;
		qsort(all, p->samples.n, sizeof(*all), cmp_sample);
		for (size_t i = 0; i < p->samples.n && i < o->peak_limit; i++) {
			if (!sample_cost(all[i], t))
				break;
			label(out, sample_costs(p, all[i]), t, false);
			print_backtrace(out, p, all[i], 1, false);
			fputc('\n', out);
		}
		fputc('\n', out);
		free(all);
		return;
	}
	qsort(mg, nmg, sizeof(*mg), cmp_merged);
	for (size_t i = 0; i < nmg && i < o->peak_limit; i++) {
		struct merged *m = &mg[i];
		if (!m->sum[cost_weight[t]])
			break;
		label(out, m->sum, t, false);
		if (!m->leaf) {
			fputs("0x0\n  in ??\n", out);
			continue;
		}
		print_ip(out, p, m->leaf, 0);
		qsort(m->traces.v, m->traces.n, sizeof(m->traces.v[0]), cmp_sample);
		int64_t handled = 0;
		for (size_t j = 0; j < m->traces.n && j < o->sub_peak_limit; j++) {
			size_t s = m->traces.v[j];
			if (!sample_cost(s, t))
				break;
			label(out, sample_costs(p, s), t, true);
			handled += sample_cost(s, t);
			print_backtrace(out, p, s, 2, true);
		}
		if (m->traces.n > o->sub_peak_limit) {
			fputs("  and ", out);
			int64_t rest = m->sum[cost_weight[t]] - handled;
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

/* The samples grouped by their leaf frame, heaptrack's way (by location,
 * not address). */
static struct merged *merge_costs(const struct profile *p, size_t *nout)
{
	struct merged *mg = xcalloc(p->samples.n + 1, sizeof(*mg));
	size_t n = 0;
	struct u64map idx = { 0 };
	struct heap_keys keys = { 0 };
	for (size_t i = 0; i < p->samples.n; i++) {
		size_t nf;
		const struct prof_frame *fr = heap_frames(p, i, &nf);
		const struct prof_frame *leaf = nf ? fr : NULL;
		uint64_t key = leaf ? heap_frame_key(&keys, p, leaf) : UINT32_MAX + (uint64_t)1;
		bool ins;
		uint64_t *slot = u64map_upsert(&idx, key, n, &ins);
		if (ins) {
			mg[n].leaf = leaf;
			mg[n].first = i;
			n++;
		}
		struct merged *m = &mg[*slot];
		for (int w = 0; w < HW_COUNT; w++)
			m->sum[w] += sample_costs(p, i)[w];
		vec_push(&m->traces, i);
	}
	u64map_free(&idx);
	heap_keys_free(&keys);
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
	const struct profile *p = heap_view_model(v);
	size_t nmg = 0;
	struct merged *mg = merge_costs(p, &nmg);
	if (o->print_allocators) {
		fputs("MOST CALLS TO ALLOCATION FUNCTIONS\n", out);
		print_section(out, p, o, HC_ALLOCATIONS, mg, nmg);
		fputc('\n', out);
	}
	if (o->print_peaks) {
		fputs("PEAK MEMORY CONSUMERS\n", out);
		print_section(out, p, o, HC_PEAK, mg, nmg);
		fputc('\n', out);
	}
	if (o->print_leaks) {
		fputs("MEMORY LEAKS\n", out);
		print_section(out, p, o, HC_LEAKED, mg, nmg);
		fputc('\n', out);
	}
	if (o->print_temporary) {
		fputs("MOST TEMPORARY ALLOCATIONS\n", out);
		print_section(out, p, o, HC_TEMPORARY, mg, nmg);
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

static void add_frame_names(struct strbuf *sb, const struct profile *p, const struct prof_frame *f, bool annotate)
{
	/* outermost first: the real function, then what was inlined into it */
	if (!heap_frame_known(p, f)) {
		if (sb->len)
			sb_addc(sb, ';');
		sb_addf(sb, "0x%" PRIx64, f->addr);
		return;
	}
	for (uint32_t i = f->loc_n; i-- > 0;) {
		if (sb->len)
			sb_addc(sb, ';');
		const char *fn = heap_str(p, heap_loc(p, f, i)->func);
		for (const char *c = fn ? fn : "??"; *c; c++)
			sb_addc(sb, *c == ';' ? ':' : *c);
		if (annotate && i > 0)
			sb_adds(sb, "_[i]");
	}
}

void heap_report_folded(FILE *out, struct heap_view *v, enum heap_cost_type cost)
{
	const struct profile *p = heap_view_model(v);
	struct folded_set fs;
	folded_init(&fs);
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < p->samples.n; i++) {
		int64_t val = prof_value_signed(p, i, cost_weight[cost]);
		if (val <= 0)
			continue;
		size_t n;
		const struct prof_frame *fr = heap_frames(p, i, &n);
		sb_reset(&sb);
		if (!n)
			sb_adds(&sb, "[unknown]");
		for (size_t j = n; j-- > 0;)
			add_frame_names(&sb, p, &fr[j], true);
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
	const struct profile *p = heap_view_model(v);
	for (size_t i = 0; i < p->samples.n; i++) {
		size_t n;
		const struct prof_frame *fr = heap_frames(p, i, &n);
		if (!n)
			fputs("??", out);
		for (size_t j = n; j-- > 0;) {
			const struct prof_frame *f = &fr[j];
			if (!heap_frame_known(p, f)) {
				fprintf(out, "0x%" PRIx64 ";", f->addr);
				continue;
			}
			for (uint32_t k = 0; k < f->loc_n; k++) {
				const struct prof_loc *l = heap_loc(p, f, k);
				pretty(out, prof_str(p, l->func), g_shorten);
				if (l->file)
					ht_file(out, prof_str(p, l->file));
				fputc(';', out);
			}
		}
		fprintf(out, " %" PRId64 "\n", prof_value_signed(p, i, cost_weight[cost]));
	}
}

void heap_report_histogram(FILE *out, const struct heap_analysis *a)
{
	for (size_t i = 0; i < a->sizes.n; i++)
		fprintf(out, "%" PRIu64 "\t%" PRIu64 "\n", a->sizes.v[i].size, a->sizes.v[i].count);
}
