/* The SVG flamegraph writer: one self-contained file (markup, style and the
 * script of flame_js.c) in the classic layout. Frames are <g fg:x fg:w>
 * holding <title>, <rect> and <text>; fg:x/fg:w are the frame's first sample
 * and sample count, from which the script lays frames out again on zoom. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "render/flame.h"
#include "render/flame_js.h"
#include "render/palette.h"
#include "util/escape.h"
#include "util/strbuf.h"

#define FRAME_H 16
#define XPAD 10
#define CHAR_W 0.59 /* average glyph width / font size */

size_t flame_fit_text(const char *str, size_t len, double px, double fs, int *dots)
{
	const unsigned char *s = (const unsigned char *)str;
	double room = floor((px - 6) / (fs * CHAR_W));
	*dots = 0;
	if (room < 3)
		return 0;
	size_t chars = 0, cut = 0, keep = (size_t)room - 2;
	for (size_t i = 0; i < len;) {
		size_t n = s[i] < 0x80 ? 1 : xml_char_len(s + i, len - i);
		if (!n)
			n = 1;
		if (chars == keep)
			cut = i;
		chars++;
		i += n;
	}
	if (chars <= (size_t)room)
		return len;
	*dots = 1;
	return cut;
}

static void put_escaped(struct strbuf *sb, const char *s)
{
	xml_escape(sb, s, strlen(s));
}

/* 1234567 -> "1,234,567" */
static void put_count(struct strbuf *sb, uint64_t v)
{
	char d[32];
	int n = snprintf(d, sizeof(d), "%llu", (unsigned long long)v);
	for (int i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			sb_addc(sb, ',');
		sb_addc(sb, d[i]);
	}
}

struct item {
	uint32_t id, depth;
	uint64_t x; /* first sample */
	uint64_t w; /* samples wide: its value, within its parent's (counts that
		     * stopped at 2^64 - 1 would otherwise overlap their siblings) */
};

static int cmp_children(const void *a, const void *b, void *arg)
{
	const struct flame_tree *t = arg;
	const struct flame_node *na = &t->nodes.v[*(const uint32_t *)a], *nb = &t->nodes.v[*(const uint32_t *)b];
	int c = strcmp(interned(&t->names, na->name), interned(&t->names, nb->name));
	return c ? c : (int)na->kind - (int)nb->kind;
}

/* Pre-order walk with siblings alphabetical; collects the frames wide
 * enough to draw and counts the others. */
static void collect(const struct flame_tree *t, double scale, double min_px, void *items_vec, uint64_t *elided,
		    uint32_t *max_depth)
{
	VEC(struct item) *items = items_vec;
	VEC(struct item) stack = { 0 };
	VEC(uint32_t) kids = { 0 };
	struct item root = { 0, 0, 0, t->nodes.v[0].value };
	vec_push(&stack, root);
	*elided = 0;
	*max_depth = 0;
	while (stack.n) {
		struct item it = stack.v[--stack.n];
		const struct flame_node *n = &t->nodes.v[it.id];
		if (!n->value)
			continue;
		if (it.id && (double)it.w * scale < min_px) {
			/* this frame and everything under it */
			VEC(uint32_t) sub = { 0 };
			vec_push(&sub, it.id);
			while (sub.n) {
				uint32_t s = sub.v[--sub.n];
				if (t->nodes.v[s].value)
					(*elided)++;
				for (uint32_t c = t->nodes.v[s].first_child; c; c = t->nodes.v[c].next_sibling)
					vec_push(&sub, c);
			}
			vec_free(&sub);
			continue;
		}
		vec_push(items, it);
		if (it.depth > *max_depth)
			*max_depth = it.depth;
		kids.n = 0;
		for (uint32_t c = n->first_child; c; c = t->nodes.v[c].next_sibling)
			if (t->nodes.v[c].value)
				vec_push(&kids, c);
		if (!kids.n)
			continue;
		qsort_r(kids.v, kids.n, sizeof(*kids.v), cmp_children, (void *)t);
		/* x offsets in order, pushed in reverse so the first pops first */
		uint64_t x = it.x, end = it.x + it.w;
		size_t base = stack.n;
		vec_reserve(&stack, stack.n + kids.n);
		stack.n += kids.n;
		for (size_t i = 0; i < kids.n; i++) {
			uint64_t v = t->nodes.v[kids.v[i]].value, room = end - x;
			struct item c = { kids.v[i], it.depth + 1, x, v < room ? v : room };
			stack.v[base + kids.n - 1 - i] = c;
			x += c.w;
		}
	}
	vec_free(&stack);
	vec_free(&kids);
}

static void put_frame(struct strbuf *sb, const struct flame_tree *t, const struct flame_svg_opts *o,
		      enum palette pal, const struct item *it, double scale, double y, unsigned fs)
{
	const struct flame_node *n = &t->nodes.v[it->id];
	const char *name = interned(&t->names, n->name);
	size_t len = strlen(name);
	uint64_t total = t->nodes.v[0].value;
	double x = XPAD + (double)it->x * scale, w = (double)it->w * scale;

	sb_addf(sb, "<g fg:x=\"%llu\" fg:w=\"%llu\"><title>", (unsigned long long)it->x,
		(unsigned long long)it->w);
	xml_escape(sb, name, len);
	sb_adds(sb, " (");
	put_count(sb, n->value);
	sb_addf(sb, " %s, %.2f%%", o->countname, 100.0 * (double)n->value / (double)total);
	if (t->diff) {
		sb_adds(sb, "; before ");
		put_count(sb, n->before);
		if (n->before)
			sb_addf(sb, ", %+.2f%%", 100.0 * ((double)n->value - (double)n->before) / (double)n->before);
		else
			sb_adds(sb, ", new");
	}
	sb_adds(sb, ")</title>");

	struct rgb c = t->diff ? palette_diff(n->before, n->value, o->negate) : palette_color(pal, name, len, n->kind);
	sb_addf(sb, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" fill=\"rgb(%u,%u,%u)\" rx=\"2\"/>", x, y,
		w, FRAME_H - 1, c.r, c.g, c.b);
	sb_addf(sb, "<text x=\"%.1f\" y=\"%.1f\">", x + 3, y + FRAME_H - 4.5);
	int dots;
	size_t keep = flame_fit_text(name, len, w, fs, &dots);
	xml_escape(sb, name, keep);
	if (dots)
		sb_adds(sb, "..");
	sb_adds(sb, "</text></g>\n");
}

static const char style[] =
	"<style type=\"text/css\">\n"
	"text { font-family: Verdana, \"DejaVu Sans\", sans-serif; fill: #000; }\n"
	"#title { text-anchor: middle; }\n"
	"#subtitle { text-anchor: middle; fill: #444; }\n"
	"#search, #matched, #elided { text-anchor: end; }\n"
	"#elided { fill: #666; }\n"
	".fg-button { cursor: pointer; }\n"
	".fg-button:hover { text-decoration: underline; }\n"
	".fg-on { fill: rgb(190,0,190); }\n"
	".fg-hide { display: none; }\n"
	".fg-parent rect { opacity: 0.5; }\n"
	"#frames g { cursor: pointer; }\n"
	"#frames g:hover rect { stroke: #000; stroke-width: 0.5; }\n"
	"#frames text { pointer-events: none; }\n"
	"</style>\n";

int flame_svg_write(FILE *out, const struct flame_tree *t, const struct flame_svg_opts *o)
{
	struct flame_svg_opts d = *o;
	if (!d.width)
		d.width = 1200;
	if (d.min_width <= 0)
		d.min_width = 0.1;
	if (!d.countname)
		d.countname = "samples";
	if (!d.title)
		d.title = d.inverted ? "Icicle Graph" : "Flame Graph";
	int pal = palette_from_name(d.palette);
	if (pal < 0)
		pal = PAL_HOT;

	const unsigned fs = 12, W = d.width;
	uint64_t total = t->nodes.v[0].value;
	double scale = total ? (double)(W - 2 * XPAD) / (double)total : 0;
	VEC(struct item) items = { 0 };
	uint64_t elided = 0;
	uint32_t max_depth = 0;
	if (total)
		collect(t, scale, d.min_width, &items, &elided, &max_depth);

	unsigned ypad1 = fs * 3 + (d.subtitle ? fs * 2 : 0), ypad2 = fs * 2 + 10;
	unsigned H = ypad1 + (max_depth + 1) * FRAME_H + ypad2;
	if (!total)
		H = ypad1 + ypad2 + 2 * FRAME_H;

	struct strbuf sb = STRBUF_INIT;
	sb_adds(&sb, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n");
	sb_addf(&sb,
		"<svg version=\"1.1\" width=\"100%%\" height=\"%u\" viewBox=\"0 0 %u %u\" "
		"preserveAspectRatio=\"xMinYMin meet\" xmlns=\"http://www.w3.org/2000/svg\" "
		"xmlns:fg=\"http://sonde.invalid/flamegraph\">\n",
		H, W, H);
	sb_adds(&sb, "<!-- Flame graph written by sonde: click a frame to zoom, Ctrl-F to search, Escape to reset. -->\n");
	sb_adds(&sb, style);
	sb_adds(&sb, "<defs><linearGradient id=\"fg-bg\" x1=\"0\" y1=\"0\" x2=\"0\" y2=\"1\">"
		     "<stop stop-color=\"#eeeeee\" offset=\"5%\"/><stop stop-color=\"#eeeeb0\" offset=\"95%\"/>"
		     "</linearGradient></defs>\n");
	sb_addf(&sb, "<rect x=\"0\" y=\"0\" width=\"%u\" height=\"%u\" fill=\"url(#fg-bg)\"/>\n", W, H);
	sb_addf(&sb, "<text id=\"title\" x=\"%.1f\" y=\"%u\" font-size=\"%u\">", W / 2.0, fs * 2, fs + 5);
	put_escaped(&sb, d.title);
	sb_adds(&sb, "</text>\n");
	if (d.subtitle) {
		sb_addf(&sb, "<text id=\"subtitle\" x=\"%.1f\" y=\"%u\" font-size=\"%u\">", W / 2.0, fs * 4, fs);
		put_escaped(&sb, d.subtitle);
		sb_adds(&sb, "</text>\n");
	}
	sb_addf(&sb, "<text id=\"unzoom\" class=\"fg-hide\" x=\"%u\" y=\"%u\" font-size=\"%u\">Reset Zoom</text>\n",
		XPAD, fs * 2, fs);
	sb_addf(&sb, "<text id=\"search\" class=\"fg-button\" x=\"%u\" y=\"%u\" font-size=\"%u\">Search</text>\n",
		W - XPAD, fs * 2, fs);
	if (elided)
		sb_addf(&sb,
			"<text id=\"elided\" x=\"%u\" y=\"%u\" font-size=\"%u\">%llu frame%s narrower than %g px "
			"not drawn</text>\n",
			W - XPAD, fs * 2 + fs + 2, fs - 2, (unsigned long long)elided, elided == 1 ? "" : "s",
			d.min_width);
	if (!total)
		sb_addf(&sb, "<text x=\"%.1f\" y=\"%u\" font-size=\"%u\" text-anchor=\"middle\">No stacks to show</text>\n",
			W / 2.0, ypad1 + FRAME_H, fs);
	sb_addf(&sb, "<text id=\"details\" x=\"%u\" y=\"%u\" font-size=\"%u\"> </text>\n", XPAD, H - fs, fs);
	sb_addf(&sb, "<text id=\"matched\" x=\"%u\" y=\"%u\" font-size=\"%u\"></text>\n", W - XPAD, H - fs, fs);
	sb_addf(&sb, "<g id=\"frames\" font-size=\"%u\" fg:total=\"%llu\" fg:width=\"%u\" fg:pad=\"%u\" fg:fs=\"%u\" "
		     "fg:inv=\"%d\">\n",
		fs, (unsigned long long)total, W, XPAD, fs, d.inverted ? 1 : 0);

	int rc = 0;
	for (size_t i = 0; i < items.n; i++) {
		const struct item *it = &items.v[i];
		double y = d.inverted ? ypad1 + (double)it->depth * FRAME_H
				      : (double)H - ypad2 - (double)(it->depth + 1) * FRAME_H;
		put_frame(&sb, t, &d, (enum palette)pal, it, scale, y, fs);
		if (sb.len > (1 << 20)) {
			if (fwrite(sb.buf, 1, sb.len, out) != sb.len)
				rc = -1;
			sb_reset(&sb);
		}
	}
	sb_adds(&sb, "</g>\n<script type=\"text/ecmascript\"><![CDATA[\n");
	sb_adds(&sb, flame_js);
	sb_adds(&sb, "]]></script>\n</svg>\n");
	if (fwrite(sb.buf, 1, sb.len, out) != sb.len)
		rc = -1;
	sb_free(&sb);
	vec_free(&items);
	if (fflush(out) != 0 || ferror(out))
		rc = -1;
	return rc;
}
