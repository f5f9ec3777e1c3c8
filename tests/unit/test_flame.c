/* Flame tree building, differential values, escaping, and the SVG writer's
 * geometry. Also a small driver for tests/e2e/e2e_svg.sh:
 *   test_flame --svg IN.folded OUT.svg [--inverted] [--negate] [--palette P] [--title T] [--min-width PX]
 * (lines "stack COUNT", or "stack BEFORE AFTER" for a differential graph). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collapse/folded.h"
#include "render/flame.h"
#include "render/flame_js.h"
#include "render/palette.h"
#include "unit.h"
#include "util/escape.h"

static void add(struct flame_tree *t, const char *stack, uint64_t v, uint64_t before)
{
	const char *f[64];
	size_t l[64], n = 0;
	const char *s = stack;
	for (;;) {
		const char *e = strchr(s, ';');
		f[n] = s;
		l[n++] = e ? (size_t)(e - s) : strlen(s);
		if (!e)
			break;
		s = e + 1;
	}
	flame_tree_add(t, f, l, n, v, before);
}

/* Node reached by the path "a;b;c" from the root (0 if none). */
static uint32_t find(const struct flame_tree *t, const char *path)
{
	uint32_t cur = 0;
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *tok = strtok(buf, ";"); tok; tok = strtok(NULL, ";")) {
		uint32_t c;
		for (c = t->nodes.v[cur].first_child; c; c = t->nodes.v[c].next_sibling)
			if (!strcmp(interned(&t->names, t->nodes.v[c].name), tok))
				break;
		if (!c)
			return 0;
		cur = c;
	}
	return cur;
}

static void test_merge(void)
{
	struct flame_tree t;
	flame_tree_init(&t);
	add(&t, "main;run;hot_a", 60, 0);
	add(&t, "main;run;hot_b", 30, 0);
	add(&t, "main;run", 5, 0);
	add(&t, "main;init", 5, 0);
	add(&t, "main;run;hot_a", 10, 0);
	CHECK_INT(t.nodes.v[0].value, 110);
	CHECK_STR(interned(&t.names, t.nodes.v[0].name), "all");
	uint32_t run = find(&t, "main;run"), a = find(&t, "main;run;hot_a");
	CHECK(run && a);
	CHECK_INT(t.nodes.v[run].value, 105);
	CHECK_INT(t.nodes.v[a].value, 70);
	CHECK_INT(t.nodes.v[find(&t, "main")].value, 110);
	CHECK_INT(t.nodes.n, 6); /* all main run hot_a hot_b init */
	CHECK_INT(t.nodes.v[a].parent, run);
	flame_tree_free(&t);
}

static void test_reverse(void)
{
	struct flame_tree t;
	flame_tree_init(&t);
	t.reverse = true;
	add(&t, "main;a;leaf", 3, 0);
	add(&t, "main;b;leaf", 2, 0);
	uint32_t leaf = find(&t, "leaf");
	CHECK(leaf);
	CHECK_INT(t.nodes.v[leaf].value, 5);
	CHECK_INT(t.nodes.v[find(&t, "leaf;a;main")].value, 3);
	CHECK_INT(t.nodes.v[find(&t, "leaf;b")].value, 2);
	flame_tree_free(&t);
}

static void test_annotations(void)
{
	struct flame_tree t;
	flame_tree_init(&t);
	add(&t, "main;sys_read_[k];vfs_read_[k]", 4, 0);
	add(&t, "main;memcpy_[i]", 2, 0);
	add(&t, "main;jitted_[j]", 1, 0);
	add(&t, "main;memcpy", 1, 0);   /* same name, other kind: its own frame */
	add(&t, "main;odd_[x]", 1, 0);  /* unknown annotation stays in the name */
	add(&t, "main;_[k]", 1, 0);     /* only an annotation: empty name */
	uint32_t k = find(&t, "main;sys_read"), i = find(&t, "main;memcpy");
	CHECK(k && i);
	CHECK_INT(t.nodes.v[k].kind, FK_KERNEL);
	CHECK_INT(t.nodes.v[find(&t, "main;sys_read;vfs_read")].kind, FK_KERNEL);
	CHECK_INT(t.nodes.v[find(&t, "main;jitted")].kind, FK_JIT);
	CHECK(find(&t, "main;odd_[x]"));
	int inl = 0, normal = 0;
	for (uint32_t c = t.nodes.v[find(&t, "main")].first_child; c; c = t.nodes.v[c].next_sibling)
		if (!strcmp(interned(&t.names, t.nodes.v[c].name), "memcpy")) {
			if (t.nodes.v[c].kind == FK_INLINE)
				inl++;
			else if (t.nodes.v[c].kind == FK_NORMAL)
				normal++;
		}
	CHECK_INT(inl, 1);
	CHECK_INT(normal, 1);
	flame_tree_free(&t);
}

static void set_add(struct folded_set *s, const char *stack, uint64_t c)
{
	struct folded_entry e = { (char *)stack, strlen(stack), c };
	vec_push(&s->v, e);
	s->total += c;
}

static void test_diff(void)
{
	struct folded_set b = { 0 }, a = { 0 };
	set_add(&b, "main;f", 10);
	set_add(&b, "main;g", 30);
	set_add(&b, "main;gone", 10);
	set_add(&a, "main;f", 40);
	set_add(&a, "main;g", 20);
	set_add(&a, "main;new", 40);
	struct flame_tree t;
	flame_tree_init(&t);
	flame_tree_add_diff(&t, &b, &a, false);
	CHECK(t.diff);
	CHECK_INT(t.nodes.v[0].value, 100);
	CHECK_INT(t.nodes.v[0].before, 50);
	CHECK_INT(t.nodes.v[find(&t, "main;f")].before, 10);
	CHECK_INT(t.nodes.v[find(&t, "main;f")].value, 40);
	CHECK_INT(t.nodes.v[find(&t, "main;new")].before, 0);
	CHECK_INT(t.nodes.v[find(&t, "main;gone")].value, 0);
	CHECK_INT(t.nodes.v[find(&t, "main;gone")].before, 10);
	flame_tree_free(&t);

	/* -n: before counts scaled by 100/50 */
	flame_tree_init(&t);
	flame_tree_add_diff(&t, &b, &a, true);
	CHECK_INT(t.nodes.v[0].before, 100);
	CHECK_INT(t.nodes.v[find(&t, "main;f")].before, 20);
	CHECK_INT(t.nodes.v[find(&t, "main;g")].before, 60);
	CHECK_INT(t.nodes.v[find(&t, "main;gone")].before, 20);
	flame_tree_free(&t);

	struct rgb up = palette_diff(10, 40, false), down = palette_diff(60, 20, false);
	CHECK(up.r == 255 && up.b < 255);
	CHECK(down.b == 255 && down.r < 255);
	struct rgb neg = palette_diff(10, 40, true);
	CHECK(neg.b == 255 && neg.r < 255);
	struct rgb small = palette_diff(100, 110, false);
	CHECK(small.g > up.g); /* a smaller change is paler */
	vec_free(&a.v);
	vec_free(&b.v);
}

static char *escape(const char *s, size_t len)
{
	struct strbuf sb = STRBUF_INIT;
	xml_escape(&sb, s, len);
	return sb_detach(&sb);
}

static void test_escape(void)
{
	char *e = escape("<script>alert(1)</script>", 25);
	CHECK_STR(e, "&lt;script&gt;alert(1)&lt;/script&gt;");
	free(e);
	e = escape("a&b\"c'd]]>", 10);
	CHECK_STR(e, "a&amp;b&quot;c&#39;d]]&gt;");
	free(e);
	e = escape("x\001y\tz", 5);
	CHECK_STR(e, "x\\x01y\\x09z");
	free(e);
	e = escape("caf\xc3\xa9 \xff \xed\xa0\x80 \xe2\x82", 14);
	CHECK_STR(e, "caf\xc3\xa9 \xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd");
	free(e);
	e = escape("\xf0\x9f\x94\xa5", 4); /* 4-byte sequence kept */
	CHECK_STR(e, "\xf0\x9f\x94\xa5");
	free(e);
	CHECK(!strstr(flame_js, "]]>"));

	int dots;
	/* 12 px font: (100 - 6) / 7.08 = 13 chars */
	CHECK_INT(flame_fit_text("short", 5, 100, 12, &dots), 5);
	CHECK_INT(dots, 0);
	CHECK_INT(flame_fit_text("a_much_longer_function_name", 27, 100, 12, &dots), 11);
	CHECK_INT(dots, 1);
	CHECK_INT(flame_fit_text("anything", 8, 20, 12, &dots), 0);
	/* cut between UTF-8 characters */
	size_t k = flame_fit_text("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
				  "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9",
				  28, 100, 12, &dots);
	CHECK_INT(k, 22);
}

/* Width attribute of the rect following the first "<title>NAME (". */
static double rect_width(const char *svg, const char *name)
{
	char key[256];
	snprintf(key, sizeof(key), "<title>%s (", name);
	const char *p = strstr(svg, key);
	if (!p)
		return -1;
	p = strstr(p, "<rect ");
	const char *w = p ? strstr(p, " width=\"") : NULL;
	return w ? atof(w + 8) : -1;
}

static char *render(const struct flame_tree *t, const struct flame_svg_opts *o)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f || flame_svg_write(f, t, o) != 0)
		return NULL;
	fclose(f);
	return buf;
}

static void test_svg(void)
{
	struct flame_tree t;
	flame_tree_init(&t);
	add(&t, "main;run;hot_a", 60, 0);
	add(&t, "main;run;hot_b", 30, 0);
	add(&t, "main;init", 9, 0);
	add(&t, "main;<script>alert(1)</script>", 1, 0);
	add(&t, "main;tiny;child", 1, 0); /* 1/101 of 1180 px: drawn */
	for (int i = 0; i < 5; i++) {
		char s[64];
		snprintf(s, sizeof(s), "main;init;speck%d;deeper", i);
		add(&t, s, 0, 0);
	}
	struct flame_svg_opts o = { .title = "T <&>", .min_width = 0.1 };
	char *svg = render(&t, &o);
	CHECK(svg);
	double wm = rect_width(svg, "main"), wa = rect_width(svg, "hot_a"), wb = rect_width(svg, "hot_b");
	CHECK(wm > 1100 && wm <= 1180.05);
	CHECK(wa / wm > 60.0 / 101 - 0.001 && wa / wm < 60.0 / 101 + 0.001);
	CHECK(wb / wm > 30.0 / 101 - 0.001 && wb / wm < 30.0 / 101 + 0.001);
	CHECK(strstr(svg, "<title>hot_a (60 samples, 59.41%)</title>"));
	CHECK(strstr(svg, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	CHECK(!strstr(svg, "<script>alert"));
	CHECK(strstr(svg, ">T &lt;&amp;&gt;</text>"));
	CHECK(!strstr(svg, "id=\"elided\""));
	/* siblings alphabetical: hot_a left of hot_b, init left of run */
	CHECK(strstr(svg, "<title>hot_a") < strstr(svg, "<title>hot_b"));
	CHECK(strstr(svg, "<title>init") < strstr(svg, "<title>run"));
	/* exactly one CDATA end, the script's own */
	const char *c = strstr(svg, "]]>");
	CHECK(c && !strstr(c + 3, "]]>"));
	free(svg);

	/* min_width: frames under 20 px (tiny, its child, the 1-sample script
	 * frame) go; a note says so */
	o.min_width = 20;
	svg = render(&t, &o);
	CHECK(svg);
	CHECK(rect_width(svg, "tiny") < 0);
	CHECK(strstr(svg, "3 frames narrower than 20 px not drawn"));
	CHECK(rect_width(svg, "main") == wm); /* their samples stay in the parent */
	free(svg);

	/* inverted: the root at the top */
	o.min_width = 0;
	o.inverted = true;
	o.title = NULL;
	svg = render(&t, &o);
	CHECK(svg && strstr(svg, ">Icicle Graph</text>"));
	const char *r = strstr(svg, "<title>all (");
	const char *h = strstr(svg, "<title>hot_a (");
	CHECK(r && h);
	double ry = atof(strstr(r, " y=\"") + 4), hy = atof(strstr(h, " y=\"") + 4);
	CHECK(ry < hy);
	free(svg);
	flame_tree_free(&t);
}

static void test_palette(void)
{
	struct rgb a = palette_color(PAL_HOT, "foo", 3, FK_NORMAL), b = palette_color(PAL_HOT, "foo", 3, FK_NORMAL);
	CHECK(a.r == b.r && a.g == b.g && a.b == b.b);
	CHECK(a.r >= 205);
	struct rgb k = palette_color(PAL_MEM, "foo", 3, FK_KERNEL);
	CHECK(k.r > 200 && k.b < 40); /* orange */
	struct rgb kh = palette_color(PAL_HOT, "foo", 3, FK_KERNEL);
	CHECK(kh.b > kh.r); /* steel blue among warm colours */
	struct rgb i = palette_color(PAL_HOT, "foo", 3, FK_INLINE);
	CHECK(i.b > a.b && i.g >= a.g);
	struct rgb user = palette_color(PAL_RUST, "mycrate::work", 13, FK_NORMAL);
	struct rgb std = palette_color(PAL_RUST, "core::ptr::drop_in_place", 24, FK_NORMAL);
	CHECK(std.b >= 110 && user.b <= 50);
	CHECK_INT(palette_from_name("cpp"), PAL_C);
	CHECK_INT(palette_from_name(NULL), PAL_HOT);
	CHECK_INT(palette_from_name("nope"), -1);
}

static void test_empty(void)
{
	struct flame_tree t;
	flame_tree_init(&t);
	struct flame_svg_opts o = { 0 };
	char *svg = render(&t, &o);
	CHECK(svg && strstr(svg, "No stacks to show"));
	free(svg);
	flame_tree_free(&t);
}

/* ---- driver for e2e_svg.sh ---- */
static int drive(int argc, char **argv)
{
	struct flame_svg_opts o = { 0 };
	struct flame_tree t;
	flame_tree_init(&t);
	for (int i = 4; i < argc; i++) {
		if (!strcmp(argv[i], "--inverted"))
			o.inverted = true;
		else if (!strcmp(argv[i], "--negate"))
			o.negate = true;
		else if (!strcmp(argv[i], "--reverse"))
			t.reverse = true;
		else if (!strcmp(argv[i], "--palette") && i + 1 < argc)
			o.palette = argv[++i];
		else if (!strcmp(argv[i], "--title") && i + 1 < argc)
			o.title = argv[++i];
		else if (!strcmp(argv[i], "--min-width") && i + 1 < argc)
			o.min_width = atof(argv[++i]);
	}
	FILE *in = fopen(argv[2], "r");
	if (!in) {
		perror(argv[2]);
		return 2;
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	while ((n = getline(&line, &cap, in)) > 0) {
		while (n && (line[n - 1] == '\n' || line[n - 1] == ' '))
			line[--n] = 0;
		char *sp = strrchr(line, ' ');
		if (!sp)
			continue;
		uint64_t v = strtoull(sp + 1, NULL, 10), before = 0;
		*sp = 0;
		char *sp2 = strrchr(line, ' ');
		if (sp2 && sp2[1] >= '0' && sp2[1] <= '9' && strspn(sp2 + 1, "0123456789") == strlen(sp2 + 1)) {
			before = strtoull(sp2 + 1, NULL, 10);
			*sp2 = 0;
			t.diff = true;
		}
		add(&t, line, v, before);
	}
	free(line);
	fclose(in);
	FILE *out = fopen(argv[3], "w");
	int rc = out && flame_svg_write(out, &t, &o) == 0 && fclose(out) == 0 ? 0 : 1;
	flame_tree_free(&t);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc >= 4 && !strcmp(argv[1], "--svg"))
		return drive(argc, argv);
	RUN(test_merge);
	RUN(test_reverse);
	RUN(test_annotations);
	RUN(test_diff);
	RUN(test_escape);
	RUN(test_svg);
	RUN(test_palette);
	RUN(test_empty);
	UNIT_EXIT();
}
