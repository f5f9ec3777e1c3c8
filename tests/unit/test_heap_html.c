/* The HTML heap report: escaping (HTML text, JSON inside <script>), base64,
 * chart decimation and ticks, and a whole page from a synthetic trace with
 * hostile strings. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heap/analysis.h"
#include "heap/html.h"
#include "heap/report.h"
#include "heap/trace.h"
#include "unit.h"
#include "util/escape.h"
#include "util/strbuf.h"

static char *json_of(const char *s, size_t n)
{
	struct strbuf sb = STRBUF_INIT;
	json_quote_html(&sb, s, n);
	return sb_detach(&sb);
}

static char *html_of(const char *s)
{
	struct strbuf sb = STRBUF_INIT;
	xml_escape(&sb, s, strlen(s));
	return sb_detach(&sb);
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

#define CHECK_JSON(in, want)                          \
	do {                                          \
		char *got_ = json_of(in, sizeof(in) - 1); \
		int ok_ = !strcmp(got_, want);        \
		if (!ok_)                             \
			printf("  got %s\n", got_);   \
		free(got_);                           \
		CHECK(ok_);                           \
	} while (0)

static void json_escapes_script_breakers(void)
{
	CHECK_JSON("</script><script>alert(1)</script>",
		   "\"\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e\"");
	CHECK_JSON("<!-- x -->", "\"\\u003c!-- x --\\u003e\"");
	CHECK_JSON("a&b'c", "\"a\\u0026b\\u0027c\"");
	CHECK_JSON("std::vector<int, std::allocator<int> >",
		   "\"std::vector\\u003cint, std::allocator\\u003cint\\u003e \\u003e\"");
}

static void json_escapes_quotes_controls_and_separators(void)
{
	CHECK_JSON("say \"hi\" \\ bye", "\"say \\\"hi\\\" \\\\ bye\"");
	CHECK_JSON("a\nb\tc\x01\x1f\x7f", "\"a\\nb\\tc\\u0001\\u001f\\u007f\"");
	/* U+2028 / U+2029 end a line in older JavaScript */
	CHECK_JSON("x\xe2\x80\xa8y\xe2\x80\xa9z", "\"x\\u2028y\\u2029z\"");
	/* other UTF-8 passes through; invalid bytes become U+FFFD */
	CHECK_JSON("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\xa5", "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\xa5\"");
	CHECK_JSON("bad\xff\xc3(\xed\xa0\x80!", "\"bad\\ufffd\\ufffd(\\ufffd\\ufffd\\ufffd!\"");
	CHECK_JSON("nul\0in", "\"nul\\u0000in\"");
}

static void html_escape(void)
{
	char *s = html_of("<img src=x onerror=\"alert(1)\">&'");
	CHECK_STR(s, "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;&#39;");
	free(s);
	s = html_of("</script>");
	CHECK(!strchr(s, '<') && !strchr(s, '>'));
	free(s);
}

static void base64(void)
{
	static const char *const in[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
	static const char *const want[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };
	for (size_t i = 0; i < 7; i++) {
		struct strbuf sb = STRBUF_INIT;
		heap_base64(&sb, in[i], strlen(in[i]));
		CHECK_STR(sb.buf ? sb.buf : "", want[i]);
		sb_free(&sb);
	}
	unsigned char bin[3] = { 0xfb, 0xff, 0x00 };
	struct strbuf sb = STRBUF_INIT;
	heap_base64(&sb, bin, 3);
	CHECK_STR(sb.buf, "+/8A");
	sb_free(&sb);
}

static void decimate_small_is_identity(void)
{
	double y[5] = { 1, 5, 2, 4, 3 };
	size_t idx[5];
	CHECK_INT(heap_decimate(y, 5, 2000, idx), 5);
	for (size_t i = 0; i < 5; i++)
		CHECK_INT(idx[i], i);
	CHECK_INT(heap_decimate(y, 0, 2000, idx), 0);
}

static void decimate_keeps_extremes(void)
{
	size_t n = 100000, max = 2000;
	double *y = malloc(n * sizeof(double));
	size_t *idx = malloc(max * sizeof(size_t));
	for (size_t i = 0; i < n; i++)
		y[i] = 1000 + (double)(i % 97);
	y[54321] = 1e9;  /* a one-sample peak */
	y[77777] = -5;   /* and dip */
	y[0] = 7;
	y[n - 1] = 9;
	size_t k = heap_decimate(y, n, max, idx);
	CHECK(k <= max && k > max / 2);
	CHECK_INT(idx[0], 0);
	CHECK_INT(idx[k - 1], n - 1);
	int peak = 0, dip = 0;
	for (size_t i = 0; i < k; i++) {
		if (i)
			CHECK(idx[i] > idx[i - 1]);
		peak |= idx[i] == 54321;
		dip |= idx[i] == 77777;
	}
	CHECK(peak && dip);
	free(y);
	free(idx);
}

static void ticks(void)
{
	char b[32];
	CHECK(heap_nice_step(18092816, 4) == 5e6);
	CHECK(heap_nice_step(1000, 8) == 200);
	CHECK(heap_nice_step(0, 4) == 1);
	heap_tick_label(b, sizeof(b), 20000, HAX_BYTES, 5000);
	CHECK_STR(b, "20K");
	heap_tick_label(b, sizeof(b), 1500000, HAX_BYTES, 500000);
	CHECK_STR(b, "1.5M");
	heap_tick_label(b, sizeof(b), 0, HAX_BYTES, 1);
	CHECK_STR(b, "0B");
	heap_tick_label(b, sizeof(b), 750, HAX_BYTES, 250);
	CHECK_STR(b, "750B");
	heap_tick_label(b, sizeof(b), 12000, HAX_COUNT, 2000);
	CHECK_STR(b, "12k");
	heap_tick_label(b, sizeof(b), 2500000, HAX_COUNT, 500000);
	CHECK_STR(b, "2.5M");
	heap_tick_label(b, sizeof(b), 40, HAX_COUNT, 10);
	CHECK_STR(b, "40");
	heap_tick_label(b, sizeof(b), 1500, HAX_MS, 500);
	CHECK_STR(b, "1.5s");
	heap_tick_label(b, sizeof(b), 4000, HAX_MS, 1000);
	CHECK_STR(b, "4s");
	heap_tick_label(b, sizeof(b), 50, HAX_MS, 10);
	CHECK_STR(b, "50ms");
}

static void chart_svg(void)
{
	size_t n = 300;
	double x[300], y[300];
	for (size_t i = 0; i < n; i++) {
		x[i] = (double)i * 10;
		y[i] = (double)(i % 50) * 1000;
	}
	struct heap_chart c = { "chart-test", x, n, { { "heap <memory>", "s0", y } }, 1, HAX_BYTES, 2990, true,
				1230, 49000 };
	struct strbuf sb = STRBUF_INIT;
	heap_chart_svg(&sb, &c);
	CHECK(sb.buf && !strncmp(sb.buf, "<svg class=\"chart\" id=\"chart-test\"", 34));
	CHECK_INT(count(sb.buf, "<svg"), 1);
	CHECK_INT(count(sb.buf, "</svg>"), 1);
	CHECK(strstr(sb.buf, ">heap &lt;memory&gt;</text>"));
	CHECK(strstr(sb.buf, ">peak 49.00K at 1.23s</text>"));
	CHECK(strstr(sb.buf, ">20K</text>") && strstr(sb.buf, ">60K</text>")); /* y axis in nice steps */
	CHECK(strstr(sb.buf, ">2.5s</text>")); /* x ticks every 0.5 s */
	const char *pl = strstr(sb.buf, "<polyline class=\"line s0\" points=\"");
	CHECK(pl);
	const char *end = strchr(pl + 35, '"');
	size_t pts = 1;
	for (const char *p = pl + 35; p < end; p++)
		pts += *p == ' ';
	CHECK_INT(pts, n);
	sb_free(&sb);
}

static void script_and_style_are_inert(void)
{
	CHECK(!strstr(heap_html_js, "</script") && !strstr(heap_html_js, "</SCRIPT") && !strstr(heap_html_js, "<!--"));
	CHECK(!strstr(heap_html_css, "</style") && !strstr(heap_html_css, "<"));
	CHECK(strstr(heap_html_js, "textContent"));
	CHECK(!strstr(heap_html_js, "innerHTML") && !strstr(heap_html_js, "eval(") &&
	      !strstr(heap_html_js, "document.write"));
}

/* A page from a trace that has no stacks but a hostile command line,
 * executable and thread name, and a long timeline. */
static void page_escapes_trace_strings(void)
{
	struct heap_trace t;
	heap_trace_init(&t);
	t.cmdline = strdup("./app '</script><script>alert(1)</script>' \xe2\x80\xa8 <!--");
	t.exe = strdup("/tmp/<b>bold</b>&amp;");
	struct heap_thread th = { 0, 42, strdup("<i>t</i>&\"'") };
	vec_push(&t.threads, th);
	t.have_hello = true;
	t.pid = 42;

	struct heap_analysis a;
	memset(&a, 0, sizeof(a));
	for (uint64_t i = 1; i <= 6000; i++) {
		struct heap_time_point p = { i * 10, (int64_t)((i % 100) * 1000), 4096, i * 3, i };
		vec_push(&a.timeline, p);
	}
	a.total_ms = 60005;
	a.peak = 99000;
	a.peak_ms = 990;
	a.allocations = 18000;
	a.temporary = 6000;
	a.peak_rss_kib = 4096;

	struct heap_view *v = heap_view_new(&t, &a, false);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	CHECK(f);
	int rc = heap_html_write(f, v, &t, &a, "trace<x>.zst");
	fclose(f);
	heap_view_free(v);
	vec_free(&a.timeline);
	heap_trace_free(&t);
	CHECK_INT(rc, 0);
	CHECK(!strncmp(buf, "<!DOCTYPE html>", 15));
	CHECK_INT(count(buf, "</html>"), 1);
	/* no markup from the trace: every <script opens one of the page's own */
	CHECK(!strstr(buf, "<script>alert") && !strstr(buf, "<b>bold") && !strstr(buf, "<i>t</i>"));
	CHECK(!strstr(buf, "trace<x>"));
	CHECK_INT(count(buf, "<script"), count(buf, "</script>"));
	CHECK_INT(count(buf, "<script"), 2); /* data + the page script: no flame graphs without stacks */
	CHECK_INT(count(buf, "<!--"), 0);
	CHECK(strstr(buf, "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"));
	CHECK(strstr(buf, "&lt;i&gt;t&lt;/i&gt;&amp;&quot;&#39;</span> (42)"));
	/* the charts' data is decimated */
	const char *d = strstr(buf, "\"chart-allocations\":{\"x\":[");
	CHECK(d);
	size_t commas = 0;
	for (const char *p = d + 26; *p && *p != ']'; p++)
		commas += *p == ',';
	CHECK(commas + 1 <= 2000 && commas + 1 > 1000);
	free(buf);
}

int main(void)
{
	RUN(json_escapes_script_breakers);
	RUN(json_escapes_quotes_controls_and_separators);
	RUN(html_escape);
	RUN(base64);
	RUN(decimate_small_is_identity);
	RUN(decimate_keeps_extremes);
	RUN(ticks);
	RUN(chart_svg);
	RUN(script_and_style_are_inert);
	RUN(page_escapes_trace_strings);
	UNIT_EXIT();
}
