/* sonde heap report --html / heaptrack_gui: one self-contained HTML page
 * (no external resources) with the summary, heap / allocations / temporary
 * allocations over time as inline SVG charts, a flame graph per cost and
 * sortable top-down and bottom-up call trees (docs/heap.md).
 *
 * Every string from the trace (symbols, paths, the command line, thread
 * names) is escaped for HTML text, or, in the page's JSON data, escaped so
 * that no "</script>" or "<!--" can appear. The flame graphs are the SVGs of
 * src/render/flame_svg.c, base64-encoded and shown in iframes (blob: URLs)
 * so their own script (zoom, search) runs unchanged. */
#ifndef SONDE_HEAP_HTML_H
#define SONDE_HEAP_HTML_H
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "heap/analysis.h"
#include "heap/report.h"
#include "heap/trace.h"
#include "util/strbuf.h"

/* Writes the page. trace_name: the trace file, shown on the page. Returns 0,
 * or -1 on a write error. */
int heap_html_write(FILE *out, struct heap_view *v, const struct heap_trace *t, const struct heap_analysis *a,
		    const char *trace_name);
/* The same into a file (created or truncated). Returns 0, or -1 with an
 * error printed. */
int heap_html_write_file(const char *path, struct heap_view *v, const struct heap_trace *t,
			 const struct heap_analysis *a, const char *trace_name);

/* ---- pieces shared with tests ---- */

/* Standard base64 (with padding). */
void heap_base64(struct strbuf *sb, const void *data, size_t n);

/* Picks at most max (>= 4) of n samples y[0..n) to draw: the first, the
 * last, and the minimum and maximum of each of (max - 2) / 2 buckets, so no
 * peak or dip is lost. Writes ascending indices to out (room for
 * min(n, max)); returns how many. */
size_t heap_decimate(const double *y, size_t n, size_t max, size_t *out);
/* A "nice" tick step (1, 2 or 5 times a power of ten) for about `ticks`
 * ticks over range. */
double heap_nice_step(double range, int ticks);

enum heap_axis { HAX_BYTES, HAX_COUNT, HAX_MS };
/* Tick label: bytes in heaptrack's 1000-based units without trailing zeros
 * ("20K", "1.5M"), counts as "750", "12k", "1.2M"; times as "250ms", "1.5s"
 * (step: the tick step, to choose the decimals). */
void heap_tick_label(char *buf, size_t n, double v, enum heap_axis kind, double step);

struct heap_chart_series {
	const char *label; /* legend text */
	const char *cls;   /* CSS class of the line: s0 (blue, filled), s1 (grey, dashed) ... */
	const double *y;
};

struct heap_chart {
	const char *id; /* element id of the <svg> */
	const double *x; /* ms, ascending */
	size_t n;
	struct heap_chart_series series[2];
	size_t nseries;
	enum heap_axis yaxis;
	double x_max; /* ms */
	bool peak;    /* mark (peak_x, peak_y) */
	double peak_x, peak_y;
};

/* Appends the chart as an inline <svg> (axes, grid, tick labels, lines,
 * legend, peak marker). Draws the points it is given: decimate first. */
void heap_chart_svg(struct strbuf *sb, const struct heap_chart *c);

/* The page's own script and style (src/heap/html_js.c). */
extern const char heap_html_js[];
extern const char heap_html_css[];

#endif
