/* The HTML report's charts over time: inline SVG with axes, grid, tick
 * labels in heaptrack's units, one or two lines, a legend and the peak
 * marked. The page's script adds a hover readout from data-* attributes. */
#include <math.h>
#include <string.h>

#include "heap/html.h"
#include "util/escape.h"

/* geometry, in viewBox units (the SVG scales to the page width) */
#define CW 1000.0
#define CH 210.0
#define ML 64.0 /* room for y labels */
#define MR 16.0
#define MT 26.0 /* legend */
#define MB 26.0 /* x labels */

size_t heap_decimate(const double *y, size_t n, size_t max, size_t *out)
{
	if (max < 4)
		max = 4;
	if (n <= max) {
		for (size_t i = 0; i < n; i++)
			out[i] = i;
		return n;
	}
	size_t k = 0, inner = n - 2, buckets = (max - 2) / 2;
	out[k++] = 0;
	for (size_t b = 0; b < buckets; b++) {
		size_t lo = 1 + inner * b / buckets, hi = 1 + inner * (b + 1) / buckets;
		if (lo >= hi)
			continue;
		size_t mn = lo, mx = lo;
		for (size_t i = lo + 1; i < hi; i++) {
			if (y[i] < y[mn])
				mn = i;
			if (y[i] > y[mx])
				mx = i;
		}
		if (mn == mx) {
			out[k++] = mn;
		} else {
			out[k++] = mn < mx ? mn : mx;
			out[k++] = mn < mx ? mx : mn;
		}
	}
	out[k++] = n - 1;
	return k;
}

double heap_nice_step(double range, int ticks)
{
	if (!(range > 0) || ticks < 1)
		return 1;
	double raw = range / ticks, mag = pow(10, floor(log10(raw))), f = raw / mag;
	double nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
	return nice * mag;
}

/* "20.00K" -> "20K", "1.50M" -> "1.5M" */
static void strip_zeros(char *s)
{
	char *dot = strchr(s, '.');
	if (!dot)
		return;
	char *e = dot + strspn(dot + 1, "0123456789") + 1; /* the unit */
	char *z = e;
	while (z > dot + 1 && z[-1] == '0')
		z--;
	if (z == dot + 1)
		z = dot;
	memmove(z, e, strlen(e) + 1);
}

void heap_tick_label(char *buf, size_t n, double v, enum heap_axis kind, double step)
{
	switch (kind) {
	case HAX_BYTES:
		heap_format_bytes(buf, n, (int64_t)llround(v));
		strip_zeros(buf);
		break;
	case HAX_COUNT: {
		static const char units[] = " kMGT";
		int i = 0;
		while (i < 4 && fabs(v) >= 1000) {
			v /= 1000;
			i++;
		}
		if (!i)
			snprintf(buf, n, "%.0f", v);
		else {
			snprintf(buf, n, "%.2f%c", v, units[i]);
			strip_zeros(buf);
		}
		break;
	}
	case HAX_MS:
		if (step >= 100) { /* seconds, with the decimals the step needs */
			int dec = step >= 1000 ? 0 : 1;
			snprintf(buf, n, "%.*fs", dec, v / 1000);
		} else {
			snprintf(buf, n, "%.0fms", v);
		}
		break;
	}
}

void heap_chart_svg(struct strbuf *sb, const struct heap_chart *c)
{
	double xmax = c->x_max > 0 ? c->x_max : 1, ymax = 0;
	for (size_t s = 0; s < c->nseries; s++)
		for (size_t i = 0; i < c->n; i++)
			if (c->series[s].y[i] > ymax)
				ymax = c->series[s].y[i];
	if (c->peak && c->peak_y > ymax)
		ymax = c->peak_y;
	double ystep = heap_nice_step(ymax, 4);
	if (ystep < 1)
		ystep = 1;
	double ytop = ymax > 0 ? ceil(ymax / ystep - 1e-9) * ystep : ystep;
	double xstep = heap_nice_step(xmax, 8);
	if (xstep < 1)
		xstep = 1;
	double pw = CW - ML - MR, ph = CH - MT - MB, base = CH - MB;
#define PX(v) (ML + (v) / xmax * pw)
#define PY(v) (base - (v) / ytop * ph)

	sb_addf(sb,
		"<svg class=\"chart\" id=\"%s\" viewBox=\"0 0 %.0f %.0f\" preserveAspectRatio=\"xMidYMid meet\" "
		"role=\"img\" data-xmax=\"%.3f\" data-ymax=\"%.3f\" data-left=\"%.0f\" data-top=\"%.0f\" "
		"data-width=\"%.0f\" data-height=\"%.0f\" data-axis=\"%s\">\n",
		c->id, CW, CH, xmax, ytop, ML, MT, pw, ph,
		c->yaxis == HAX_BYTES ? "bytes" : "count");
	/* grid and y labels */
	char lb[48];
	sb_adds(sb, "<g class=\"grid\">");
	int ny = (int)llround(ytop / ystep), nx = (int)floor(xmax / xstep + 1e-9);
	for (int i = 0; i <= ny; i++) {
		double y = i * ystep;
		sb_addf(sb, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", ML, PY(y), ML + pw, PY(y));
	}
	sb_adds(sb, "</g>\n<g class=\"ylabels\">");
	for (int i = 0; i <= ny; i++) {
		double y = i * ystep;
		heap_tick_label(lb, sizeof(lb), y, c->yaxis, ystep);
		sb_addf(sb, "<text x=\"%.1f\" y=\"%.1f\">%s</text>", ML - 6, PY(y) + 4, lb);
	}
	sb_adds(sb, "</g>\n<g class=\"xlabels\">");
	for (int i = 0; i <= nx; i++) {
		double x = i * xstep;
		heap_tick_label(lb, sizeof(lb), x, HAX_MS, xstep);
		sb_addf(sb, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/><text x=\"%.1f\" y=\"%.1f\">%s</text>",
			PX(x), base, PX(x), base + 4, PX(x), base + 17, lb);
	}
	sb_addf(sb, "</g>\n<path class=\"axis\" d=\"M%.1f %.1fV%.1fH%.1f\"/>\n", ML, MT - 4, base, ML + pw);

	/* the lines: series 0 filled down to the axis */
	for (size_t s = c->nseries; s-- > 0;) {
		const struct heap_chart_series *se = &c->series[s];
		if (!c->n)
			continue;
		if (s == 0) {
			sb_addf(sb, "<path class=\"area %s\" d=\"M%.1f %.1f", se->cls, PX(c->x[0]), base);
			for (size_t i = 0; i < c->n; i++)
				sb_addf(sb, "L%.1f %.1f", PX(c->x[i]), PY(se->y[i]));
			sb_addf(sb, "L%.1f %.1fZ\"/>\n", PX(c->x[c->n - 1]), base);
		}
		sb_addf(sb, "<polyline class=\"line %s\" points=\"", se->cls);
		for (size_t i = 0; i < c->n; i++)
			sb_addf(sb, "%s%.1f,%.1f", i ? " " : "", PX(c->x[i]), PY(se->y[i]));
		sb_adds(sb, "\"/>\n");
	}
	/* legend */
	double lx = ML + 4;
	sb_adds(sb, "<g class=\"legend\">");
	for (size_t s = 0; s < c->nseries; s++) {
		const struct heap_chart_series *se = &c->series[s];
		sb_addf(sb, "<line class=\"line %s\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", se->cls, lx,
			MT - 14, lx + 18, MT - 14);
		sb_addf(sb, "<text x=\"%.1f\" y=\"%.1f\">", lx + 23, MT - 10);
		xml_escape(sb, se->label, strlen(se->label));
		sb_adds(sb, "</text>");
		lx += 23 + 7.0 * (double)strlen(se->label) + 24;
	}
	sb_adds(sb, "</g>\n");
	if (c->peak) {
		double x = PX(c->peak_x), y = PY(c->peak_y);
		char b[32], tl[32];
		if (c->yaxis == HAX_BYTES)
			heap_format_bytes(b, sizeof(b), (int64_t)llround(c->peak_y));
		else
			snprintf(b, sizeof(b), "%.0f", c->peak_y);
		if (xmax >= 1000)
			snprintf(tl, sizeof(tl), "%.2fs", c->peak_x / 1000);
		else
			snprintf(tl, sizeof(tl), "%.0fms", c->peak_x);
		bool left = x > ML + pw * 0.6;
		double ty = y - 8 < MT + 10 ? MT + 10 : y - 8;
		sb_addf(sb, "<g class=\"peak\"><circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\"/>", x, y);
		sb_addf(sb, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">peak %s at %s</text></g>\n",
			left ? x - 8 : x + 8, ty, left ? "end" : "start", b, tl);
	}
	sb_addf(sb,
		"<g class=\"cursor\" visibility=\"hidden\"><line x1=\"0\" y1=\"%.1f\" x2=\"0\" y2=\"%.1f\"/></g>\n"
		"<rect class=\"hit\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>\n</svg>\n",
		MT, base, ML, MT, pw, ph);
#undef PX
#undef PY
}
