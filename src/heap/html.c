/* The HTML heap report (sonde heap report --html, heaptrack_gui): one page,
 * no external resources. Layout, in order:
 *   summary            heaptrack_print's totals, the command line, threads
 *   charts over time   inline SVG (html_chart.c) from the analysis timeline
 *   flame graphs       one per cost, flame_svg.c's SVG base64-encoded in a
 *                      <script type="application/octet-stream">, shown in an
 *                      iframe (srcdoc) by the page's script
 *   call trees         top-down and bottom-up, as JSON data the page's
 *                      script turns into sortable, expandable tables
 * Strings from the trace are HTML-escaped in markup and JSON-escaped (no
 * < > & U+2028 U+2029) in the data script; the script only ever sets them
 * as textContent. */
#include "heap/html.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "render/flame.h"
#include "util/die.h"
#include "util/escape.h"
#include "util/outfile.h"
#include "util/hashmap.h"
#include "util/vec.h"

#define NCOST 4
#define MAX_CHART_POINTS 2000

static const char *const cost_id[NCOST] = { "allocations", "temporary", "peak", "leaked" };
static const char *const cost_title[NCOST] = { "Allocations", "Temporary allocations", "Peak consumption",
					       "Leaked" };
static const char *const cost_unit[NCOST] = { "allocations", "temporary allocations", "bytes", "bytes" };
static const char *const cost_empty[NCOST] = { "No allocations were recorded.", "No temporary allocations.",
					       "Nothing was allocated at the peak.", "No memory was leaked." };

static int64_t cost_val(const struct heap_cost *c, int i)
{
	switch (i) {
	case 0:
		return (int64_t)c->allocations;
	case 1:
		return (int64_t)c->temporary;
	case 2:
		return c->peak;
	default:
		return c->leaked;
	}
}

/* ---- escaping ---- */

static void esc(struct strbuf *sb, const char *s)
{
	xml_escapes(sb, s);
}

static void json_str(struct strbuf *sb, const char *s)
{
	if (s)
		json_quote_html(sb, s, strlen(s));
	else
		sb_adds(sb, "null");
}

void heap_base64(struct strbuf *sb, const void *data, size_t n)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *p = data;
	if (!n)
		return;
	sb_grow(sb, (n + 2) / 3 * 4 + 1);
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		char q[4] = { tab[(v >> 18) & 63], tab[(v >> 12) & 63], i + 1 < n ? tab[(v >> 6) & 63] : '=',
			      i + 2 < n ? tab[v & 63] : '=' };
		sb_add(sb, q, 4);
	}
}

/* ---- stacks into trees ---- */

struct tnode {
	uint32_t parent; /* index + 1; 0: a root */
	uint32_t func, file, module; /* string ids; UINT32_MAX: none */
	unsigned line;
	bool inlined;
	int64_t cost[NCOST];
};

struct tree {
	VEC(struct tnode) nodes;
	struct u64map child; /* (parent << 32 | frame key) -> node index */
};

struct frame_ids {
	uint32_t key, func, file, module;
	unsigned line;
	bool inlined;
};

struct builder {
	struct interner strs; /* what the page shows: names, files, modules */
	struct interner keys; /* what makes frames the same: function, module, inlined */
	struct tree td, bu;
	struct flame_tree flames[NCOST];
	int64_t totals[NCOST];
	VEC(struct frame_ids) ids;
	struct strbuf tmp, names;
	VEC(const char *) fptr;
	VEC(size_t) flen, foff;
};

static uint32_t sid(struct builder *b, const char *s)
{
	return s && *s ? intern(&b->strs, s) : UINT32_MAX;
}

static void tree_add(struct tree *t, const struct frame_ids *ids, size_t n, bool reverse, const int64_t *val)
{
	uint32_t cur = 0;
	for (size_t k = 0; k < n; k++) {
		const struct frame_ids *f = &ids[reverse ? n - 1 - k : k];
		bool ins;
		uint64_t *slot = u64map_upsert(&t->child, (uint64_t)cur << 32 | f->key, t->nodes.n, &ins);
		size_t idx = (size_t)*slot;
		if (ins) {
			struct tnode nd = { cur, f->func, f->file, f->module, f->line, f->inlined, { 0 } };
			vec_push(&t->nodes, nd);
		} else {
			struct tnode *nd = &t->nodes.v[idx];
			if (nd->file != f->file)
				nd->file = UINT32_MAX, nd->line = 0;
			else if (nd->line != f->line)
				nd->line = 0;
		}
		for (int c = 0; c < NCOST; c++)
			if (val[c] > 0)
				t->nodes.v[idx].cost[c] += val[c];
		cur = (uint32_t)idx + 1;
	}
}

static void on_stack(void *ctx, const struct heap_cost *c, const struct heap_frame *frames, size_t n)
{
	struct builder *b = ctx;
	int64_t val[NCOST];
	for (int i = 0; i < NCOST; i++) {
		val[i] = cost_val(c, i);
		if (val[i] > 0)
			b->totals[i] += val[i];
	}
	static const struct heap_frame unknown = { "[unknown]", NULL, NULL, 0, false, 0 };
	if (!n) {
		frames = &unknown;
		n = 1;
	}
	b->ids.n = 0;
	b->names.len = 0;
	b->foff.n = 0;
	for (size_t i = 0; i < n; i++) {
		const struct heap_frame *f = &frames[i];
		char addr[32];
		const char *func = f->func;
		if (!func) {
			snprintf(addr, sizeof(addr), "0x%" PRIx64, f->ip);
			func = addr;
		}
		struct frame_ids id = { 0, sid(b, func), sid(b, f->file), sid(b, f->module), f->line, f->inlined };
		sb_reset(&b->tmp);
		sb_addf(&b->tmp, "%s%c%s%c%d", func, 0x1f, f->module ? f->module : "", 0x1f, f->inlined);
		id.key = intern_n(&b->keys, b->tmp.buf, b->tmp.len);
		vec_push(&b->ids, id);
		/* the flame graphs' frame names: inlined ones annotated _[i] */
		vec_push(&b->foff, b->names.len);
		sb_adds(&b->names, func);
		if (f->inlined)
			sb_adds(&b->names, "_[i]");
	}
	tree_add(&b->td, b->ids.v, n, false, val);
	tree_add(&b->bu, b->ids.v, n, true, val);
	b->fptr.n = b->flen.n = 0;
	for (size_t i = 0; i < n; i++) {
		size_t end = i + 1 < n ? b->foff.v[i + 1] : b->names.len;
		vec_push(&b->fptr, b->names.buf + b->foff.v[i]);
		vec_push(&b->flen, end - b->foff.v[i]);
	}
	for (int i = 0; i < NCOST; i++)
		if (val[i] > 0)
			flame_tree_add(&b->flames[i], b->fptr.v, b->flen.v, n, (uint64_t)val[i], 0);
}

static void builder_free(struct builder *b)
{
	interner_free(&b->strs);
	interner_free(&b->keys);
	vec_free(&b->td.nodes);
	u64map_free(&b->td.child);
	vec_free(&b->bu.nodes);
	u64map_free(&b->bu.child);
	for (int i = 0; i < NCOST; i++)
		flame_tree_free(&b->flames[i]);
	vec_free(&b->ids);
	sb_free(&b->tmp);
	sb_free(&b->names);
	vec_free(&b->fptr);
	vec_free(&b->flen);
	vec_free(&b->foff);
}

/* ---- JSON data ---- */

static void json_id(struct strbuf *sb, uint32_t id)
{
	if (id == UINT32_MAX)
		sb_adds(sb, "-1");
	else
		sb_addf(sb, "%" PRIu32, id);
}

/* [[parent, func, file, line, module, inlined, alloc, temp, peak, leaked], ...] */
static void json_tree(struct strbuf *sb, const struct tree *t)
{
	sb_addc(sb, '[');
	for (size_t i = 0; i < t->nodes.n; i++) {
		const struct tnode *n = &t->nodes.v[i];
		sb_addf(sb, "%s\n[%ld,", i ? "," : "", (long)n->parent - 1);
		json_id(sb, n->func);
		sb_addc(sb, ',');
		json_id(sb, n->file);
		sb_addf(sb, ",%u,", n->line);
		json_id(sb, n->module);
		sb_addf(sb, ",%d", n->inlined);
		for (int c = 0; c < NCOST; c++)
			sb_addf(sb, ",%" PRId64, n->cost[c]);
		sb_addc(sb, ']');
	}
	sb_addc(sb, ']');
}

static void json_nums(struct strbuf *sb, const double *v, const size_t *idx, size_t n)
{
	sb_addc(sb, '[');
	for (size_t i = 0; i < n; i++)
		sb_addf(sb, "%s%.0f", i ? "," : "", v[idx ? idx[i] : i]);
	sb_addc(sb, ']');
}

/* ---- the charts ---- */

struct series {
	VEC(double) ms, heap, rss, alloc, temp;
};

static void series_push(struct series *s, double ms, double heap, double rss, double alloc, double temp)
{
	vec_push(&s->ms, ms);
	vec_push(&s->heap, heap);
	vec_push(&s->rss, rss);
	vec_push(&s->alloc, alloc);
	vec_push(&s->temp, temp);
}

/* The timeline from 0 to the end (the final state at the total runtime).
 * With with_peak, the global peak is put in at its time: samples are every
 * ~10 ms and would miss it; the other values there are the next sample's
 * (RSS) or the previous one's (cumulative counts). */
static void build_series(struct series *s, const struct heap_analysis *a, bool with_peak)
{
	bool peak_done = !with_peak || a->peak <= 0;
	const struct heap_time_point *tl = a->timeline.v;
	size_t n = a->timeline.n;
	double rss = n ? (double)tl[0].rss_kib * 1024 : (double)a->peak_rss_kib * 1024, alloc = 0, temp = 0;
	if (!n || tl[0].ms > 0)
		series_push(s, 0, 0, rss, 0, 0);
	for (size_t i = 0; i < n; i++) {
		const struct heap_time_point *p = &tl[i];
		if (!peak_done && p->ms >= a->peak_ms) {
			series_push(s, (double)a->peak_ms, (double)a->peak, (double)p->rss_kib * 1024, alloc, temp);
			peak_done = true;
		}
		rss = (double)p->rss_kib * 1024;
		alloc = (double)p->allocations;
		temp = (double)p->temporary;
		series_push(s, (double)p->ms, p->heap > 0 ? (double)p->heap : 0, rss, alloc, temp);
	}
	double end = (double)a->total_ms;
	if (end < s->ms.v[s->ms.n - 1])
		end = s->ms.v[s->ms.n - 1];
	if (!peak_done)
		series_push(s, a->peak_ms < end ? (double)a->peak_ms : end, (double)a->peak, rss, alloc, temp);
	series_push(s, end, a->leaked > 0 ? (double)a->leaked : 0, rss, (double)a->allocations, (double)a->temporary);
}

static void series_free(struct series *s)
{
	vec_free(&s->ms);
	vec_free(&s->heap);
	vec_free(&s->rss);
	vec_free(&s->alloc);
	vec_free(&s->temp);
}

/* Union of two ascending index lists into out; returns the count. */
static size_t merge_idx(const size_t *a, size_t na, const size_t *b, size_t nb, size_t *out)
{
	size_t i = 0, j = 0, k = 0;
	while (i < na || j < nb) {
		size_t v = j >= nb || (i < na && a[i] <= b[j]) ? a[i] : b[j];
		if (i < na && a[i] == v)
			i++;
		if (j < nb && b[j] == v)
			j++;
		out[k++] = v;
	}
	return k;
}

struct chart_out {
	size_t n;
	double *x, *y0, *y1;
};

static void pick(struct chart_out *o, const struct series *s, const double *y0, const double *y1, const size_t *idx,
		 size_t n)
{
	o->n = n;
	o->x = xmalloc((n + 1) * sizeof(double));
	o->y0 = xmalloc((n + 1) * sizeof(double));
	o->y1 = xmalloc((n + 1) * sizeof(double));
	for (size_t i = 0; i < n; i++) {
		o->x[i] = s->ms.v[idx[i]];
		o->y0[i] = y0[idx[i]];
		o->y1[i] = y1 ? y1[idx[i]] : 0;
	}
}

static void chart_out_free(struct chart_out *o)
{
	free(o->x);
	free(o->y0);
	free(o->y1);
}

static void chart_json(struct strbuf *sb, const char *name, const struct chart_out *o, bool two, bool last)
{
	sb_addf(sb, "\"%s\":{\"x\":", name);
	json_nums(sb, o->x, NULL, o->n);
	sb_adds(sb, ",\"y\":[");
	json_nums(sb, o->y0, NULL, o->n);
	if (two) {
		sb_addc(sb, ',');
		json_nums(sb, o->y1, NULL, o->n);
	}
	sb_addf(sb, "]}%s\n", last ? "" : ",");
}

/* ---- the page ---- */

static void stat_row(struct strbuf *sb, const char *label, const char *value_html, const char *note_html)
{
	sb_adds(sb, "<tr><th>");
	sb_adds(sb, label);
	sb_adds(sb, "</th><td>");
	sb_adds(sb, value_html);
	if (note_html && *note_html) {
		sb_adds(sb, " <span class=\"note\">");
		sb_adds(sb, note_html);
		sb_adds(sb, "</span>");
	}
	sb_adds(sb, "</td></tr>\n");
}

static void fmt_count(char *buf, size_t n, uint64_t v)
{
	char d[32];
	int len = snprintf(d, sizeof(d), "%" PRIu64, v);
	size_t k = 0;
	for (int i = 0; i < len && k + 2 < n; i++) {
		if (i && (len - i) % 3 == 0)
			buf[k++] = ',';
		buf[k++] = d[i];
	}
	buf[k] = 0;
}

/* seconds when the run is a second or longer (as the charts' axis) */
static void fmt_time(char *buf, size_t n, uint64_t ms, uint64_t total_ms)
{
	if (total_ms >= 1000)
		snprintf(buf, n, "%.2fs", (double)ms / 1000);
	else
		snprintf(buf, n, "%" PRIu64 "ms", ms);
}

static void summary(struct strbuf *sb, const struct heap_trace *t, const struct heap_analysis *a,
		    const char *trace_name)
{
	char v[96], w[160], b1[32], b2[32];
	double per_s = a->total_ms ? 1000. / (double)a->total_ms : 1.;
	sb_adds(sb, "<section id=\"summary\"><h2>Summary</h2>\n<div class=\"cols\"><table class=\"stats\">\n");
	snprintf(v, sizeof(v), "%.2fs", (double)a->total_ms / 1000.);
	stat_row(sb, "total runtime", v, NULL);
	fmt_count(v, sizeof(v), a->allocations);
	fmt_count(b1, sizeof(b1), (uint64_t)((double)a->allocations * per_s));
	snprintf(w, sizeof(w), "%s/s", b1);
	stat_row(sb, "calls to allocation functions", v, w);
	fmt_count(v, sizeof(v), a->temporary);
	fmt_count(b1, sizeof(b1), (uint64_t)((double)a->temporary * per_s));
	snprintf(w, sizeof(w), "%.2f%% of the calls, %s/s",
		 a->allocations ? 100. * (double)a->temporary / (double)a->allocations : 0., b1);
	stat_row(sb, "temporary allocations", v, w);
	heap_format_bytes(v, sizeof(v), a->peak);
	fmt_time(b1, sizeof(b1), a->peak_ms, a->total_ms);
	snprintf(w, sizeof(w), "after %s", b1);
	stat_row(sb, "peak heap memory consumption", v, a->peak > 0 ? w : NULL);
	heap_format_bytes(v, sizeof(v), (int64_t)a->peak_rss_kib * 1024);
	stat_row(sb, "peak RSS (including sonde's overhead)", v, NULL);
	heap_format_bytes(v, sizeof(v), a->leaked);
	fmt_count(b2, sizeof(b2), a->leaked_blocks);
	snprintf(w, sizeof(w), "in %s block%s", b2, a->leaked_blocks == 1 ? "" : "s");
	stat_row(sb, "total memory leaked", v, a->leaked_blocks ? w : NULL);
	sb_adds(sb, "</table>\n<table class=\"stats meta\">\n");

	struct strbuf h = STRBUF_INIT;
	const char *cmd = heap_trace_cmdline(t);
	if (cmd || t->exe) {
		sb_adds(&h, "<code>");
		esc(&h, cmd ? cmd : t->exe);
		sb_adds(&h, "</code>");
		stat_row(sb, "command", h.buf, NULL);
	}
	if (t->exe && cmd) {
		sb_reset(&h);
		sb_adds(&h, "<code>");
		esc(&h, t->exe);
		sb_adds(&h, "</code>");
		stat_row(sb, "executable", h.buf, NULL);
	}
	if (t->have_hello) {
		snprintf(v, sizeof(v), "%" PRIu64, t->pid);
		stat_row(sb, "process id", v, NULL);
	}
	if (t->have_summary) {
		int st = t->wait_status;
		if (WIFEXITED(st))
			snprintf(v, sizeof(v), "exited with status %d", WEXITSTATUS(st));
		else if (WIFSIGNALED(st))
			snprintf(v, sizeof(v), "killed by signal %d (%s)", WTERMSIG(st), strsignal(WTERMSIG(st)));
		else
			snprintf(v, sizeof(v), "wait status 0x%x", st);
		sb_reset(&h);
		esc(&h, v);
		stat_row(sb, "end", h.buf, NULL);
	}
	if (t->threads.n) {
		/* one entry per thread id: the last name it had */
		struct u64map last = { 0 };
		for (size_t i = 0; i < t->threads.n; i++)
			*u64map_upsert(&last, t->threads.v[i].tid, i, NULL) = i;
		size_t shown = 0, total = last.n;
		sb_reset(&h);
		for (size_t i = 0; i < t->threads.n; i++) {
			const struct heap_thread *th = &t->threads.v[i];
			if (*u64map_get(&last, th->tid) != i || shown == 12)
				continue;
			if (shown++)
				sb_adds(&h, ", ");
			sb_adds(&h, "<span class=\"thread\">");
			if (th->name && *th->name)
				esc(&h, th->name);
			else
				sb_adds(&h, "?");
			sb_addf(&h, "</span> (%" PRIu32 ")", th->tid);
		}
		if (shown < total)
			sb_addf(&h, " and %zu more", total - shown);
		stat_row(sb, total == 1 ? "thread" : "threads", h.buf, NULL);
		u64map_free(&last);
	}
	sb_reset(&h);
	sb_adds(&h, "<code>");
	esc(&h, trace_name ? trace_name : "");
	sb_adds(&h, "</code>");
	stat_row(sb, "trace", h.buf, NULL);
	sb_free(&h);
	sb_adds(sb, "</table></div>\n");
	if (t->truncated || t->corrupt) {
		sb_adds(sb, "<p class=\"warn\">The trace is damaged (");
		esc(sb, t->damage);
		sb_adds(sb, "); the numbers cover what was recorded before it.</p>\n");
	}
	sb_adds(sb, "</section>\n");
}

static void charts(struct strbuf *sb, struct strbuf *json, const struct heap_analysis *a)
{
	struct series s = { 0 }, sc = { 0 };
	build_series(&s, a, true);
	build_series(&sc, a, false);
	size_t n = s.ms.n, m = sc.ms.n;
	size_t *i0 = xmalloc((n + 1) * sizeof(size_t)), *i1 = xmalloc((n + 1) * sizeof(size_t));
	size_t *iu = xmalloc((2 * n + 2) * sizeof(size_t));
	double xmax = s.ms.v[n - 1];

	sb_adds(sb, "<section id=\"charts\"><h2>Over time</h2>\n");
	/* heap and RSS: both lines' peaks kept */
	size_t n0 = heap_decimate(s.heap.v, n, MAX_CHART_POINTS / 2, i0);
	size_t n1 = heap_decimate(s.rss.v, n, MAX_CHART_POINTS / 2, i1);
	size_t nu = merge_idx(i0, n0, i1, n1, iu);
	struct chart_out o;
	pick(&o, &s, s.heap.v, s.rss.v, iu, nu);
	/* RSS only when it doesn't flatten the heap line (a small heap under
	 * the runtime's and libraries' pages) */
	bool rss = a->peak > 0 && (double)a->peak_rss_kib * 1024 <= 3.0 * (double)a->peak;
	struct heap_chart c = { "chart-heap", o.x, o.n,
				{ { "heap memory", "s0", o.y0 }, { "RSS (with sonde's overhead)", "s1", o.y1 } },
				rss ? 2 : 1, HAX_BYTES, xmax, a->peak > 0, (double)a->peak_ms, (double)a->peak };
	sb_adds(sb, "<figure><figcaption>Heap memory consumption</figcaption>\n");
	heap_chart_svg(sb, &c);
	sb_adds(sb, "</figure>\n");
	sb_adds(json, "\"charts\":{\n");
	chart_json(json, "chart-heap", &o, rss, false);
	chart_out_free(&o);

	static const char *const ids[2] = { "chart-allocations", "chart-temporary" };
	static const char *const captions[2] = { "Allocations", "Temporary allocations" };
	static const char *const labels[2] = { "calls to allocation functions (cumulative)",
						"temporary allocations (cumulative)" };
	for (int k = 0; k < 2; k++) {
		const double *y = k ? sc.temp.v : sc.alloc.v;
		n0 = heap_decimate(y, m, MAX_CHART_POINTS, i0);
		pick(&o, &sc, y, NULL, i0, n0);
		struct heap_chart cc = { ids[k], o.x, o.n, { { labels[k], k ? "s3" : "s2", o.y0 } }, 1, HAX_COUNT,
					 xmax, false, 0, 0 };
		sb_addf(sb, "<figure><figcaption>%s</figcaption>\n", captions[k]);
		heap_chart_svg(sb, &cc);
		sb_adds(sb, "</figure>\n");
		chart_json(json, ids[k], &o, false, k == 1);
		chart_out_free(&o);
	}
	sb_adds(json, "},\n");
	sb_adds(sb, "</section>\n");
	free(i0);
	free(i1);
	free(iu);
	series_free(&s);
	series_free(&sc);
}

/* The flame graph SVG of one cost, base64 in sb; *h / *w: its size. */
static int flame_b64(struct strbuf *sb, const struct flame_tree *ft, int cost, unsigned *w, unsigned *h)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return -1;
	struct flame_svg_opts o = { 0 };
	o.title = cost_title[cost];
	o.countname = cost_unit[cost];
	o.palette = "mem";
	int rc = flame_svg_write(f, ft, &o);
	if (fclose(f) || rc < 0) {
		free(buf);
		return -1;
	}
	*w = 1200;
	*h = 400;
	const char *vb = strstr(buf, "viewBox=\"0 0 ");
	if (vb)
		sscanf(vb, "viewBox=\"0 0 %u %u", w, h);
	/* Shown in an iframe (about:srcdoc), where the graph's URL state
	 * (history / location.hash) cannot work: keep the state in the page. */
	static const char marker[] = "<script type=\"text/ecmascript\">";
	static const char shim[] = "<script type=\"text/ecmascript\"><![CDATA[\n"
				   "history.replaceState = function () {};\n"
				   "]]></script>\n";
	char *at = strstr(buf, marker);
	if (at) {
		struct strbuf all = STRBUF_INIT;
		sb_add(&all, buf, (size_t)(at - buf));
		sb_adds(&all, shim);
		sb_add(&all, at, len - (size_t)(at - buf));
		heap_base64(sb, all.buf, all.len);
		sb_free(&all);
	} else {
		heap_base64(sb, buf, len);
	}
	free(buf);
	return 0;
}

static void flames(struct strbuf *sb, struct strbuf *blobs, struct builder *b)
{
	sb_adds(sb, "<section id=\"flame\"><h2>Flame graphs</h2>\n<div class=\"tabs\" role=\"tablist\">");
	for (int i = 0; i < NCOST; i++)
		sb_addf(sb, "<button type=\"button\" role=\"tab\" data-flame=\"%s\" aria-selected=\"%s\">%s</button>",
			cost_id[i], i ? "false" : "true", cost_title[i]);
	sb_adds(sb, "</div>\n");
	for (int i = 0; i < NCOST; i++) {
		char v[32];
		sb_addf(sb, "<div class=\"flame-panel\" id=\"flame-%s\"%s>", cost_id[i], i ? " hidden" : "");
		if (b->totals[i] <= 0) {
			sb_addf(sb, "<p class=\"empty\">%s</p></div>\n", cost_empty[i]);
			continue;
		}
		unsigned w, h;
		size_t mark = blobs->len;
		sb_addf(blobs, "<script type=\"application/octet-stream\" id=\"svg-%s\">", cost_id[i]);
		if (flame_b64(blobs, &b->flames[i], i, &w, &h) < 0) {
			blobs->len = mark;
			blobs->buf[mark] = 0;
			sb_adds(sb, "<p class=\"empty\">Could not write this flame graph.</p></div>\n");
			continue;
		}
		sb_adds(blobs, "</script>\n");
		if (i >= 2)
			heap_format_bytes(v, sizeof(v), b->totals[i]);
		else
			fmt_count(v, sizeof(v), (uint64_t)b->totals[i]);
		sb_addf(sb,
			"<p class=\"hint\">%s %s in all. Click a frame to zoom in, click the bottom frame or press "
			"Escape to zoom out, Ctrl-F to search.</p>"
			"<div class=\"flame\"><iframe data-svg=\"svg-%s\" title=\"%s flame graph\" scrolling=\"no\" "
			"style=\"aspect-ratio: %u / %u\"></iframe></div></div>\n",
			v, cost_unit[i], cost_id[i], cost_title[i], w, h + 3);
	}
	sb_adds(sb, "</section>\n");
}

static void trees(struct strbuf *sb)
{
	static const char *const views[2][3] = {
		{ "topdown", "Top-down", "callers first: from main down to the allocating functions" },
		{ "bottomup", "Bottom-up", "allocation sites first: the functions that called the allocator, then their callers" },
	};
	sb_adds(sb, "<section id=\"trees\"><h2>Call trees</h2>\n<div class=\"tabs\" role=\"tablist\">");
	for (int i = 0; i < 2; i++)
		sb_addf(sb, "<button type=\"button\" role=\"tab\" data-tree=\"%s\" aria-selected=\"%s\">%s</button>",
			views[i][0], i ? "false" : "true", views[i][1]);
	sb_adds(sb, "</div>\n");
	for (int i = 0; i < 2; i++) {
		sb_addf(sb,
			"<div class=\"tree-panel\" id=\"panel-%s\"%s><p class=\"hint\">%s %s. Click a row to expand "
			"it, a column header to sort.</p>\n"
			"<table class=\"tree\" id=\"tree-%s\"><thead><tr>"
			"<th data-col=\"name\" class=\"name\">Function</th><th data-col=\"loc\">Location</th>",
			views[i][0], i ? " hidden" : "", views[i][1], views[i][2], views[i][0]);
		for (int c = 0; c < NCOST; c++)
			sb_addf(sb, "<th data-col=\"%d\" class=\"num\">%s</th>", c,
				c == 0 ? "Allocations" : c == 1 ? "Temporary" : c == 2 ? "Peak" : "Leaked");
		sb_adds(sb, "</tr></thead><tbody></tbody></table></div>\n");
	}
	sb_adds(sb, "</section>\n");
}

int heap_html_write(FILE *out, struct heap_view *v, const struct heap_trace *t, const struct heap_analysis *a,
		    const char *trace_name)
{
	struct builder b;
	memset(&b, 0, sizeof(b));
	for (int i = 0; i < NCOST; i++)
		flame_tree_init(&b.flames[i]);
	heap_report_each_stack(v, on_stack, &b);

	struct strbuf sb = STRBUF_INIT, json = STRBUF_INIT, blobs = STRBUF_INIT;
	const char *cmd = heap_trace_cmdline(t);
	if (!cmd)
		cmd = t->exe;
	sb_adds(&sb, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
		     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		     "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
		     "script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:\">\n"
		     "<meta name=\"generator\" content=\"sonde " SONDE_VERSION "\">\n<title>");
	sb_adds(&sb, "Heap profile");
	if (cmd) {
		sb_adds(&sb, " \xe2\x80\x94 ");
		esc(&sb, cmd);
	}
	sb_adds(&sb, "</title>\n<style>\n");
	sb_adds(&sb, heap_html_css);
	sb_adds(&sb, "</style></head>\n<body>\n<header><h1>Heap profile</h1>");
	if (cmd) {
		sb_adds(&sb, "<p class=\"cmd\"><code>");
		esc(&sb, cmd);
		sb_adds(&sb, "</code></p>");
	}
	sb_adds(&sb, "\n<nav><a href=\"#summary\">Summary</a><a href=\"#charts\">Over time</a>"
		     "<a href=\"#flame\">Flame graphs</a><a href=\"#trees\">Call trees</a></nav></header>\n<main>\n"
		     "<noscript><p class=\"warn\">The flame graphs and call trees need JavaScript.</p></noscript>\n");
	summary(&sb, t, a, trace_name);

	sb_adds(&json, "{\n");
	charts(&sb, &json, a);
	flames(&sb, &blobs, &b);
	trees(&sb);
	sb_adds(&sb, "</main>\n<footer>Written by sonde " SONDE_VERSION " (<code>sonde heap report --html</code>).</footer>\n");

	sb_adds(&json, "\"costs\":[");
	for (int i = 0; i < NCOST; i++)
		sb_addf(&json, "%s\"%s\"", i ? "," : "", cost_id[i]);
	sb_adds(&json, "],\n\"totals\":[");
	for (int i = 0; i < NCOST; i++)
		sb_addf(&json, "%s%" PRId64, i ? "," : "", b.totals[i]);
	sb_adds(&json, "],\n\"strings\":[");
	for (size_t i = 0; i < b.strs.n; i++) {
		if (i)
			sb_adds(&json, i % 8 ? "," : ",\n");
		json_str(&json, interned(&b.strs, (uint32_t)i));
	}
	sb_adds(&json, "],\n\"topdown\":");
	json_tree(&json, &b.td);
	sb_adds(&json, ",\n\"bottomup\":");
	json_tree(&json, &b.bu);
	sb_adds(&json, "\n}");

	int rc = 0;
	if (fwrite(sb.buf, 1, sb.len, out) != sb.len)
		rc = -1;
	fputs("<script type=\"application/json\" id=\"sonde-data\">", out);
	if (fwrite(json.buf, 1, json.len, out) != json.len)
		rc = -1;
	fputs("</script>\n", out);
	if (blobs.len && fwrite(blobs.buf, 1, blobs.len, out) != blobs.len)
		rc = -1;
	fputs("<script>\n", out);
	fputs(heap_html_js, out);
	fputs("</script>\n</body></html>\n", out);
	if (fflush(out) || ferror(out))
		rc = -1;
	sb_free(&sb);
	sb_free(&json);
	sb_free(&blobs);
	builder_free(&b);
	return rc;
}

int heap_html_write_file(const char *path, struct heap_view *v, const struct heap_trace *t,
			 const struct heap_analysis *a, const char *trace_name)
{
	struct outfile of;
	FILE *f = outfile_fopen(&of, path);
	if (!f)
		return error("cannot create '%s': %s", path, strerror(errno));
	errno = 0;
	int rc = heap_html_write(f, v, t, a, trace_name);
	if (outfile_fclose(&of, f, rc == 0) < 0)
		return error("cannot write '%s': %s", path, strerror(errno ? errno : EIO));
	return 0;
}
