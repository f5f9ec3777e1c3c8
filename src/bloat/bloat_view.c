/* The functions and crates views: cargo-bloat's tables and JSON. */
#include "bloat/bloat_view.h"

#include <inttypes.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "bloat/bloat_crate.h"
#include "bloat/bloat_table.h"
#include "util/die.h"
#include "util/escape.h"
#include "util/hashmap.h"
#include "util/strbuf.h"

void bloat_fmt_pct(uint64_t part, uint64_t whole, char *buf, size_t n)
{
	snprintf(buf, n, "%.1f%%", whole ? (double)part / (double)whole * 100.0 : 0.0);
}

static const struct bloat_image *sort_img;

/* Biggest first; among equal sizes the higher address first (cargo-bloat
 * walks its address-ordered list backwards). */
static int by_size(const void *a, const void *b)
{
	const struct bloat_entry *x = &sort_img->entries.v[*(const size_t *)a];
	const struct bloat_entry *y = &sort_img->entries.v[*(const size_t *)b];
	if (x->size != y->size)
		return x->size > y->size ? -1 : 1;
	return x->addr > y->addr ? -1 : x->addr < y->addr;
}

size_t *bloat_order_by_size(const struct bloat_image *img)
{
	size_t *order = xmalloc((img->entries.n + 1) * sizeof(*order));
	for (size_t i = 0; i < img->entries.n; i++)
		order[i] = i;
	sort_img = img;
	qsort(order, img->entries.n, sizeof(*order), by_size);
	return order;
}

/* --filter: a crate's name when some entry is of that crate, else a
 * regular expression over the names shown (POSIX extended). */
struct name_filter {
	const char *crate;
	regex_t re;
	bool have_re;
};

static bool filter_init(struct name_filter *f, struct bloat_image *img, const char *text)
{
	memset(f, 0, sizeof(*f));
	if (!text)
		return false;
	for (size_t i = 0; i < img->entries.n; i++)
		if (!strcmp(bloat_crate(img, i), text)) {
			f->crate = text;
			return true;
		}
	if (regcomp(&f->re, text, REG_EXTENDED | REG_NOSUB) != 0) {
		warn("the filter '%s' is neither a crate of this binary nor a valid regular expression; ignored", text);
		return false;
	}
	f->have_re = true;
	return true;
}

static bool filter_pass(struct name_filter *f, struct bloat_image *img, size_t i, bool full)
{
	if (f->crate)
		return !strcmp(bloat_crate(img, i), f->crate);
	if (f->have_re)
		return regexec(&f->re, bloat_name(img, i, full), 0, NULL, 0) == 0;
	return true;
}

static void filter_free(struct name_filter *f)
{
	if (f->have_re)
		regfree(&f->re);
}

/* File: the bytes in the file (.bss takes none); the section column: all. */
static void pct_cells(const struct bloat_image *img, uint64_t size, uint64_t file_bytes, char *file_pct, char *sec_pct,
		      size_t n)
{
	bloat_fmt_pct(file_bytes, img->file_size, file_pct, n);
	bloat_fmt_pct(size, img->chosen_size, sec_pct, n);
}

/* The header's section column, and the last row's words for the total. */
const char *bloat_section_column(const struct bloat_image *img)
{
	return img->chosen_count == 1 ? img->chosen_label : "Sects";
}

void bloat_total_row_text(const struct bloat_image *img, char *buf, size_t n)
{
	char fs[32];
	bloat_fmt_size(img->file_size, fs, sizeof(fs));
	snprintf(buf, n, "%s section%s size, the file size is %s", img->chosen_label, img->chosen_count == 1 ? "" : "s",
		 fs);
}

/* Adds a row of either layout: File, section, Size, [crate], name. */
static void add_row(struct bloat_table *t, const struct bloat_opts *o, const struct bloat_image *img, uint64_t size,
		    uint64_t file_bytes, const char *crate, const char *name, bool with_crate)
{
	char fp[16], sp[16], sz[32];
	pct_cells(img, size, file_bytes, fp, sp, sizeof(fp));
	bloat_fmt_size(size, sz, sizeof(sz));
	const char *cells[5];
	size_t k = 0;
	if (!o->no_relative_size) {
		cells[k++] = fp;
		cells[k++] = sp;
	}
	cells[k++] = sz;
	if (with_crate)
		cells[k++] = crate;
	cells[k++] = name;
	bloat_table_row(t, cells);
}

static void init_table(struct bloat_table *t, const struct bloat_opts *o, const struct bloat_image *img, bool with_name)
{
	const char *h[5];
	size_t k = 0;
	if (!o->no_relative_size) {
		h[k++] = "File";
		h[k++] = bloat_section_column(img);
	}
	h[k++] = "Size";
	h[k++] = "Crate";
	if (with_name)
		h[k++] = "Name";
	bloat_table_init(t, h, k);
}

void bloat_json_open(struct strbuf *sb, const struct bloat_image *img, const char *list)
{
	sb_addf(sb, "{\"file-size\":%" PRIu64 ",\"text-section-size\":%" PRIu64 ",\"%s\":[", img->file_size,
		img->chosen_size, list);
}

int bloat_json_close(FILE *out, struct strbuf *sb)
{
	sb_adds(sb, "]}\n");
	fwrite(sb->buf, 1, sb->len, out);
	sb_free(sb);
	return ferror(out) ? -1 : 0;
}

static int print_json_functions(FILE *out, struct bloat_image *img, const size_t *shown, size_t nshown, bool full)
{
	struct strbuf sb = STRBUF_INIT;
	bloat_json_open(&sb, img, "functions");
	for (size_t k = 0; k < nshown; k++) {
		size_t i = shown[k];
		sb_adds(&sb, k ? ",{" : "{");
		const char *crate = bloat_crate(img, i);
		if (strcmp(crate, BLOAT_UNKNOWN)) {
			sb_adds(&sb, "\"crate\":");
			json_quote(&sb, crate, strlen(crate));
			sb_addc(&sb, ',');
		}
		const char *name = bloat_name(img, i, full);
		sb_adds(&sb, "\"name\":");
		json_quote(&sb, name, strlen(name));
		sb_addf(&sb, ",\"size\":%" PRIu64 "}", img->entries.v[i].size);
	}
	return bloat_json_close(out, &sb);
}

int bloat_view_functions(FILE *out, struct bloat_image *img, const struct bloat_opts *o)
{
	size_t *order = bloat_order_by_size(img);
	struct name_filter f;
	bool filtered = filter_init(&f, img, o->filter);
	size_t want = o->n ? (size_t)o->n : img->entries.n;
	VEC(size_t) shown = { 0 };
	size_t passed = 0;
	uint64_t rest = 0, shown_bytes = 0, rest_file = 0, shown_file = 0;
	for (size_t k = 0; k < img->entries.n; k++) {
		size_t i = order[k];
		if (!filter_pass(&f, img, i, o->full_fn))
			continue;
		passed++;
		if (shown.n < want) {
			vec_push(&shown, i);
			shown_bytes += img->entries.v[i].size;
			shown_file += bloat_file_bytes(img, i);
		} else {
			rest += img->entries.v[i].size;
			rest_file += bloat_file_bytes(img, i);
		}
	}
	int rc = 0;
	if (o->format == BLOAT_JSON) {
		rc = print_json_functions(out, img, shown.v, shown.n, o->full_fn);
	} else {
		struct bloat_table t;
		init_table(&t, o, img, true);
		for (size_t k = 0; k < shown.n; k++)
			add_row(&t, o, img, img->entries.v[shown.v[k]].size, bloat_file_bytes(img, shown.v[k]),
				bloat_crate(img, shown.v[k]),
				bloat_name(img, shown.v[k], o->full_fn), true);
		char text[256], fs[32];
		snprintf(text, sizeof(text), "And %zu smaller methods. Use -n N to show more.",
			 (filtered ? passed : img->entries.n) - shown.n);
		add_row(&t, o, img, rest, rest_file, "", text, true);
		if (filtered) {
			bloat_fmt_size(img->file_size, fs, sizeof(fs));
			snprintf(text, sizeof(text), "filtered data size, the file size is %s", fs);
			add_row(&t, o, img, shown_bytes + rest, shown_file + rest_file, "", text, true);
		} else {
			bloat_total_row_text(img, text, sizeof(text));
			add_row(&t, o, img, img->chosen_size, img->chosen_file_size, "", text, true);
		}
		rc = bloat_table_print(out, &t, bloat_table_width(out, o->wide));
		bloat_table_free(&t);
	}
	filter_free(&f);
	vec_free(&shown);
	free(order);
	return rc;
}

/* ---- crates ---- */

static int by_crate_size(const void *a, const void *b)
{
	const struct crate_sum *x = a, *y = b;
	if (x->size != y->size)
		return x->size > y->size ? -1 : 1;
	return strcmp(x->name, y->name);
}

struct crate_sum *bloat_crate_sums(struct bloat_image *img, size_t *count)
{
	struct interner names = { 0 }; /* a crate's id is its row */
	VEC(struct crate_sum) sums = { 0 };
	for (size_t i = 0; i < img->entries.n; i++) {
		const char *c = bloat_crate(img, i);
		uint32_t k = intern(&names, c);
		if (k == sums.n)
			vec_push(&sums, ((struct crate_sum){ c, 0, 0 }));
		sums.v[k].size += img->entries.v[i].size;
		sums.v[k].file_size += bloat_file_bytes(img, i);
	}
	interner_free(&names);
	if (sums.n)
		qsort(sums.v, sums.n, sizeof(*sums.v), by_crate_size);
	*count = sums.n;
	return sums.v;
}

int bloat_view_crates(FILE *out, struct bloat_image *img, const struct bloat_opts *o)
{
	size_t n;
	struct crate_sum *sums = bloat_crate_sums(img, &n);
	size_t want = o->n && (size_t)o->n < n ? (size_t)o->n : n;
	int rc = 0;
	if (o->format == BLOAT_JSON) {
		struct strbuf sb = STRBUF_INIT;
		bloat_json_open(&sb, img, "crates");
		for (size_t k = 0; k < want; k++) {
			sb_adds(&sb, k ? ",{\"name\":" : "{\"name\":");
			json_quote(&sb, sums[k].name, strlen(sums[k].name));
			sb_addf(&sb, ",\"size\":%" PRIu64 "}", sums[k].size);
		}
		rc = bloat_json_close(out, &sb);
	} else {
		struct bloat_table t;
		init_table(&t, o, img, false);
		uint64_t rest = 0, rest_file = 0;
		for (size_t k = 0; k < n; k++) {
			if (k < want) {
				add_row(&t, o, img, sums[k].size, sums[k].file_size, NULL, sums[k].name, false);
			} else {
				rest += sums[k].size;
				rest_file += sums[k].file_size;
			}
		}
		char text[256];
		if (want < n) {
			snprintf(text, sizeof(text), "And %zu more crates. Use -n N to show more.", n - want);
			add_row(&t, o, img, rest, rest_file, NULL, text, false);
		}
		bloat_total_row_text(img, text, sizeof(text));
		add_row(&t, o, img, img->chosen_size, img->chosen_file_size, NULL, text, false);
		rc = bloat_table_print(out, &t, bloat_table_width(out, o->wide));
		bloat_table_free(&t);
		if (o->cargo_bloat) {
			/* word for word: scripts cut this line off the output */
			fprintf(out, "\nNote: numbers above are a result of guesswork. They are not 100%% correct and never will be.\n");
		} else if (!sonde_quiet) {
			fprintf(out, "\nNote: crates from symbol paths, then from the DWARF unit holding the code%s; "
				     "the rows add up to the section.\n",
				bloat_crates_have_dwarf(img->crates) ? "" : " (this binary has none)");
		}
	}
	free(sums);
	return rc;
}
