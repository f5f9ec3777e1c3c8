/* The coz plot page: the data as JSON inside <script> (names escaped for
 * it: they come from the profiled program's debug info), drawn by a small
 * script as SVG, no network. */
#include "coz/coz_html.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/escape.h"
#include "util/strbuf.h"

static const char style[] =
	"body{font:14px sans-serif;margin:1em 2em;color:#222}h1{font-size:1.3em}"
	"#controls{margin:1em 0;display:flex;gap:2em;align-items:center}"
	".chart{display:inline-block;margin:0 1em 1.5em 0;vertical-align:top}"
	".chart h2{font:bold 13px monospace;margin:0 0 .2em;max-width:360px;overflow-wrap:anywhere}"
	".chart p{margin:0;font-size:12px;color:#555}"
	"svg text{font:11px sans-serif;fill:#444}.axis{stroke:#999}.zero{stroke:#ccc;stroke-dasharray:3 3}"
	".band{fill:#4a7fd6;opacity:.18}.fit{stroke:#2358b5;stroke-width:2}.pt{fill:#d2462e}";

/* Draws the charts from COZ (below): the chosen point's series with enough
 * measurements, in the order given (ranked by slope). */
static const char script[] =
	"(function(){'use strict';\n"
	"var D=COZ,NS='http://www.w3.org/2000/svg',sel=document.getElementById('point'),\n"
	"mp=document.getElementById('minpts'),mv=document.getElementById('minval'),\n"
	"box=document.getElementById('charts');\n"
	"D.points.forEach(function(p,i){var o=document.createElement('option');o.value=i;\n"
	" o.textContent=p.name+' ('+p.kind+')';sel.appendChild(o);});\n"
	"function el(n,a){var e=document.createElementNS(NS,n);for(var k in a)e.setAttribute(k,a[k]);return e;}\n"
	"function pct(v){return (v*100).toFixed(1)+'%';}\n"
	"function chart(s){\n"
	" var W=360,H=220,L=48,R=10,T=10,B=34,w=W-L-R,h=H-T-B,lo=0,hi=0.05;\n"
	" s.m.forEach(function(q){lo=Math.min(lo,q[1]);hi=Math.max(hi,q[1]);});\n"
	" lo=Math.min(lo,s.slope-s.se);hi=Math.max(hi,s.slope+s.se);\n"
	" lo=Math.max(lo,-1);hi=Math.min(hi,2);\n"
	" function X(x){return L+x*w;}function Y(y){return T+(hi-y)/(hi-lo)*h;}\n"
	" var svg=el('svg',{width:W,height:H,viewBox:'0 0 '+W+' '+H});\n"
	" svg.appendChild(el('polygon',{'class':'band',points:X(0)+','+Y(0)+' '+X(1)+','+Y(s.slope+s.se)+' '+X(1)+','+Y(s.slope-s.se)}));\n"
	" svg.appendChild(el('line',{'class':'zero',x1:X(0),x2:X(1),y1:Y(0),y2:Y(0)}));\n"
	" svg.appendChild(el('line',{'class':'axis',x1:X(0),x2:X(1),y1:T+h,y2:T+h}));\n"
	" svg.appendChild(el('line',{'class':'axis',x1:X(0),x2:X(0),y1:T,y2:T+h}));\n"
	" svg.appendChild(el('line',{'class':'fit',x1:X(0),y1:Y(0),x2:X(1),y2:Y(s.slope)}));\n"
	" [0,0.25,0.5,0.75,1].forEach(function(x){var t=el('text',{x:X(x),y:T+h+14,'text-anchor':'middle'});\n"
	"  t.textContent=(x*100)+'%';svg.appendChild(t);});\n"
	" [lo,0,hi].forEach(function(y){var t=el('text',{x:L-4,y:Y(y)+4,'text-anchor':'end'});\n"
	"  t.textContent=pct(y);svg.appendChild(t);});\n"
	" var xl=el('text',{x:L+w/2,y:H-4,'text-anchor':'middle'});xl.textContent='line speedup';svg.appendChild(xl);\n"
	" s.m.forEach(function(q){var c=el('circle',{'class':'pt',cx:X(q[0]),cy:Y(q[1]),r:3.5});\n"
	"  var t=el('title');t.textContent='line '+pct(q[0])+' \\u2192 program '+pct(q[1]);c.appendChild(t);svg.appendChild(c);});\n"
	" var d=document.createElement('div');d.className='chart';\n"
	" var h2=document.createElement('h2');h2.textContent=D.lines[s.l];d.appendChild(h2);\n"
	" var p=document.createElement('p');p.textContent='slope '+s.slope.toFixed(3)+' \\u00b1 '+s.se.toFixed(3)+\n"
	"  ' \\u00b7 '+s.m.length+' points \\u00b7 at 25%: '+pct(s.slope*0.25);d.appendChild(p);\n"
	" d.appendChild(svg);return d;}\n"
	"function draw(){var p=+sel.value,n=+mp.value,k=0;mv.textContent=n;box.textContent='';\n"
	" D.series.forEach(function(s){if(s.p===p&&s.m.length>=n){box.appendChild(chart(s));k++;}});\n"
	" if(!k){var e=document.createElement('p');e.textContent='No line has '+n+\n"
	"  ' points or more for this progress point: lower Minimum points.';box.appendChild(e);}}\n"
	"sel.onchange=draw;mp.oninput=draw;draw();})();\n";

static void json_str(struct strbuf *sb, const char *s)
{
	json_quote_html(sb, s, strlen(s));
}

/* COZ = {lines, points: [{name, kind}], series: [{l, p, slope, se, m: [[x, y]]}]} */
static void data(struct strbuf *sb, const struct coz_profile *p, const struct coz_result *r)
{
	sb_adds(sb, "var COZ={\"lines\":[");
	for (size_t i = 0; i < p->lines.n; i++) {
		if (i)
			sb_addc(sb, ',');
		json_str(sb, interned(&p->lines, i));
	}
	sb_adds(sb, "],\"points\":[");
	bool *latency = xcalloc(p->points.n + 1, sizeof(*latency));
	for (size_t k = 0; k < r->s.n; k++)
		latency[r->s.v[k].point] |= r->s.v[k].kind == COZ_LATENCY;
	for (size_t i = 0; i < p->points.n; i++) {
		sb_adds(sb, i ? ",{\"name\":" : "{\"name\":");
		json_str(sb, interned(&p->points, i));
		sb_addf(sb, ",\"kind\":\"%s\"}", latency[i] ? "latency" : "throughput");
	}
	free(latency);
	sb_adds(sb, "],\"series\":[");
	for (size_t k = 0; k < r->s.n; k++) {
		const struct coz_series *s = &r->s.v[k];
		sb_addf(sb, "%s{\"l\":%u,\"p\":%u,\"slope\":%.9g,\"se\":%.9g,\"m\":[", k ? "," : "", s->line,
			s->point, s->slope, s->se);
		for (size_t i = 0; i < s->m.n; i++)
			sb_addf(sb, "%s[%.2f,%.9g]", i ? "," : "", s->m.v[i].speedup, s->m.v[i].progress);
		sb_adds(sb, "]}");
	}
	sb_adds(sb, "]};\n");
}

int coz_write_html(FILE *out, const char *title, const struct coz_profile *p, const struct coz_result *r,
		   size_t min_points)
{
	struct strbuf sb = STRBUF_INIT;
	sb_adds(&sb, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>coz plot: ");
	xml_escapes(&sb, title);
	sb_addf(&sb, "</title>\n<style>%s</style></head><body>\n<h1>Causal profile: ", style);
	xml_escapes(&sb, title);
	sb_addf(&sb, "</h1>\n<p>%zu experiments in %zu run%s. Each chart: the program's speedup (at the "
		"progress point) against the line's virtual speedup, one dot per speedup tried; the line is "
		"a least-squares fit through the origin, the shaded band its slope &#177; one standard error. "
		"Lines ranked by slope.</p>\n",
		p->experiments, p->runs, p->runs == 1 ? "" : "s");
	sb_addf(&sb, "<div id=\"controls\"><label>Progress point <select id=\"point\"></select></label>"
		"<label>Minimum points <input type=\"range\" id=\"minpts\" min=\"0\" max=\"21\" value=\"%zu\"> "
		"<span id=\"minval\"></span></label></div>\n<div id=\"charts\"></div>\n"
		"<noscript>The charts need JavaScript; `sonde coz plot --text` prints them as a table.</noscript>\n"
		"<script>\n",
		min_points > 21 ? 21 : min_points);
	data(&sb, p, r);
	sb_addf(&sb, "</script>\n<script>\n%s</script>\n</body></html>\n", script);
	fwrite(sb.buf, 1, sb.len, out);
	sb_free(&sb);
	return ferror(out);
}

/* A name as one terminal-safe cell: control bytes shown as '?'. */
static void cell(FILE *out, const char *s, int width)
{
	int n = 0;
	for (; *s; s++, n++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, out);
	for (; n < width; n++)
		fputc(' ', out);
}

size_t coz_write_text(FILE *out, const char *title, const struct coz_profile *p, const struct coz_result *r,
		      size_t min_points)
{
	int wl = 4, wp = 14;
	for (size_t k = 0; k < r->s.n; k++) {
		const struct coz_series *s = &r->s.v[k];
		if (!coz_enough(s, min_points))
			continue;
		int a = (int)strlen(interned(&p->lines, s->line)), b = (int)strlen(interned(&p->points, s->point));
		wl = a > wl ? (a > 60 ? 60 : a) : wl;
		wp = b > wp ? (b > 30 ? 30 : b) : wp;
	}
	fputs("# causal profile ", out);
	cell(out, title, 0);
	fprintf(out, ": %zu experiments, %zu run%s; program speedup predicted for a line speedup of 10/25/50%%\n",
		p->experiments, p->runs, p->runs == 1 ? "" : "s");
	fprintf(out, "%-*s  %-*s  %6s  %7s  %6s  %7s  %7s  %7s\n", wl, "line", wp, "progress point", "points",
		"slope", "+-se", "at 10%", "at 25%", "at 50%");
	size_t rows = 0;
	for (size_t k = 0; k < r->s.n; k++) {
		const struct coz_series *s = &r->s.v[k];
		if (!coz_enough(s, min_points))
			continue;
		cell(out, interned(&p->lines, s->line), wl);
		fputs("  ", out);
		cell(out, interned(&p->points, s->point), wp);
		fprintf(out, "  %6zu  %7.3f  %6.3f  %+6.1f%%  %+6.1f%%  %+6.1f%%\n", s->m.n, s->slope, s->se,
			s->slope * 10, s->slope * 25, s->slope * 50);
		rows++;
	}
	return rows;
}
