/* --diff OLD NEW: what grew and shrank between two builds, per function
 * (or per crate with --crates), the biggest change first. Functions are
 * matched by name without hash (legacy Rust names of one generic's copies
 * are alike: their bytes add up under the one name). */
#include "bloat/bloat_view.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "bloat/bloat_table.h"
#include "util/die.h"
#include "util/escape.h"
#include "util/hashmap.h"
#include "util/strbuf.h"

struct change {
	const char *name, *crate; /* in the set's interner */
	uint64_t old, new_;
};
typedef VEC(struct change) change_vec;

/* Rows by (name, crate): both interned, the pair's ids the key. */
struct change_set {
	struct interner strs;
	struct u64map index;
	change_vec v;
};

static struct change *find(struct change_set *s, const char *name, const char *crate)
{
	uint32_t n = intern(&s->strs, name), c = intern(&s->strs, crate);
	bool fresh;
	uint64_t *row = u64map_upsert(&s->index, (uint64_t)n << 32 | c, s->v.n, &fresh);
	if (fresh)
		vec_push(&s->v, ((struct change){ interned(&s->strs, n), interned(&s->strs, c), 0, 0 }));
	return &s->v.v[*row];
}

static void add_image(struct change_set *s, struct bloat_image *img, const struct bloat_opts *o, bool is_new)
{
	for (size_t i = 0; i < img->entries.n; i++) {
		const char *crate = bloat_crate(img, i);
		struct change *c = o->crates ? find(s, crate, "") : find(s, bloat_name(img, i, o->full_fn), crate);
		*(is_new ? &c->new_ : &c->old) += img->entries.v[i].size;
	}
}

static uint64_t magnitude(const struct change *c)
{
	return c->new_ > c->old ? c->new_ - c->old : c->old - c->new_;
}

static int by_change(const void *a, const void *b)
{
	const struct change *x = a, *y = b;
	uint64_t mx = magnitude(x), my = magnitude(y);
	if (mx != my)
		return mx > my ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* "+1.2KiB", "-300B", "0B" */
static void fmt_delta(uint64_t old, uint64_t new_, char *buf, size_t n)
{
	char sz[32];
	bloat_fmt_size(new_ > old ? new_ - old : old - new_, sz, sizeof(sz));
	snprintf(buf, n, "%s%s", new_ > old ? "+" : new_ < old ? "-" : "", sz);
}

static void row(struct bloat_table *t, uint64_t old, uint64_t new_, const char *crate, const char *name, bool with_crate)
{
	char o[32], nw[32], d[48];
	bloat_fmt_size(old, o, sizeof(o));
	bloat_fmt_size(new_, nw, sizeof(nw));
	fmt_delta(old, new_, d, sizeof(d));
	const char *cells[] = { o, nw, d, with_crate ? crate : name, name };
	bloat_table_row(t, cells);
}

static void json_side(struct strbuf *sb, const char *key, const struct bloat_image *img)
{
	sb_addf(sb, "\"%s\":{\"file-size\":%" PRIu64 ",\"text-section-size\":%" PRIu64 "}", key, img->file_size,
		img->chosen_size);
}

int bloat_view_diff(FILE *out, struct bloat_image *a, struct bloat_image *b, const struct bloat_opts *o)
{
	struct change_set s = { 0 };
	add_image(&s, a, o, false);
	add_image(&s, b, o, true);
	u64map_free(&s.index);
	size_t m = 0;
	for (size_t k = 0; k < s.v.n; k++)
		if (s.v.v[k].old != s.v.v[k].new_)
			s.v.v[m++] = s.v.v[k];
	if (m)
		qsort(s.v.v, m, sizeof(*s.v.v), by_change);
	size_t want = o->n && (size_t)o->n < m ? (size_t)o->n : m;
	int rc;
	if (o->format == BLOAT_JSON) {
		struct strbuf sb = STRBUF_INIT;
		sb_addc(&sb, '{');
		json_side(&sb, "old", a);
		sb_addc(&sb, ',');
		json_side(&sb, "new", b);
		sb_adds(&sb, o->crates ? ",\"crates\":[" : ",\"functions\":[");
		for (size_t k = 0; k < want; k++) {
			const struct change *c = &s.v.v[k];
			sb_adds(&sb, k ? ",{" : "{");
			if (!o->crates) {
				sb_adds(&sb, "\"crate\":");
				json_quote(&sb, c->crate, strlen(c->crate));
				sb_addc(&sb, ',');
			}
			sb_adds(&sb, "\"name\":");
			json_quote(&sb, c->name, strlen(c->name));
			sb_addf(&sb, ",\"old-size\":%" PRIu64 ",\"new-size\":%" PRIu64 ",\"change\":%" PRId64 "}", c->old,
				c->new_, (int64_t)(c->new_ - c->old));
		}
		rc = bloat_json_close(out, &sb);
	} else {
		struct bloat_table t;
		const char *h[] = { "Old", "New", "Change", "Crate", "Name" };
		bool with_crate = !o->crates;
		bloat_table_init(&t, h, with_crate ? 5 : 4);
		uint64_t ro = 0, rn = 0;
		for (size_t k = 0; k < m; k++) {
			const struct change *c = &s.v.v[k];
			if (k < want) {
				row(&t, c->old, c->new_, c->crate, c->name, with_crate);
			} else {
				ro += c->old;
				rn += c->new_;
			}
		}
		char text[256], fo[32], fn[32], fd[48];
		if (want < m) {
			snprintf(text, sizeof(text), "And %zu more changes. Use -n N to show more.", m - want);
			row(&t, ro, rn, "", text, with_crate);
		}
		bloat_fmt_size(a->file_size, fo, sizeof(fo));
		bloat_fmt_size(b->file_size, fn, sizeof(fn));
		fmt_delta(a->file_size, b->file_size, fd, sizeof(fd));
		snprintf(text, sizeof(text), "%s section%s size; the file: %s -> %s (%s)", b->chosen_label,
			 b->chosen_count == 1 ? "" : "s", fo, fn, fd);
		row(&t, a->chosen_size, b->chosen_size, "", text, with_crate);
		rc = bloat_table_print(out, &t, bloat_table_width(out, o->wide));
		bloat_table_free(&t);
		if (!m && !sonde_quiet)
			fprintf(out, "\nNo %s changed size.\n", o->crates ? "crate" : "function");
	}
	vec_free(&s.v);
	interner_free(&s.strs);
	return rc;
}
