/* cg_annotate's report: the preamble, PROGRAM TOTALS and the
 * file:function table, as valgrind 3.19's Perl cg_annotate prints them
 * (its column widths, "." for counts never given, its thresholds). Where
 * Perl's order is its hash order (ties in the table), names decide. */
#include "cachegrind/cg_annotate.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cachegrind/cg_read.h"
#include "util/die.h"

const char cg_ann_fancy[] =
	"--------------------------------------------------------------------------------\n";

/* Perl's length of the number's decimal text, sign included. */
static int num_len(int64_t v)
{
	char b[24];
	return snprintf(b, sizeof(b), "%" PRId64, v);
}

void cg_ann_widths(const struct cg_ann *a, int *w)
{
	for (uint32_t i = 0; i < a->ne; i++)
		w[i] = (int)strlen(a->d->events[i]);
}

void cg_ann_widen(const struct cg_ann *a, int *w, const struct cg_line *cc)
{
	for (uint32_t i = 0; i < a->ne; i++) {
		if (cc->none >> i & 1)
			continue;
		int len = num_len(cg_count(cc, i));
		int width = len + (len - 1) / 3 + (a->o->show_percs ? 9 : 0);
		if (width > w[i])
			w[i] = width;
	}
}

static void commify(char *out, int64_t v)
{
	char b[24];
	int n = snprintf(b, sizeof(b), "%" PRId64, v), s = v < 0, k = 0;
	int digits = n - s;
	for (int i = 0; i < n; i++) {
		out[k++] = b[i];
		int left = n - 1 - i; /* digits after this one */
		if (i >= s && left > 0 && left % 3 == 0 && digits > 3)
			out[k++] = ',';
	}
	out[k] = 0;
}

/* c * 100 / s as Perl computes it: integer product unless it overflows. */
static double perc(int64_t c, int64_t s)
{
	if (s == 0)
		return 0;
	int64_t p;
	double num = __builtin_mul_overflow(c, 100, &p) ? (double)c * 100.0 : (double)p;
	return num / (double)s;
}

void cg_ann_print_cc(const struct cg_ann *a, const struct cg_line *cc, const int *w)
{
	for (uint32_t k = 0; k < a->nshow; k++) {
		uint32_t i = a->show[k];
		char text[80];
		bool none = cc->none >> i & 1;
		int64_t v = cg_count(cc, i);
		if (none)
			strcpy(text, ".");
		else
			commify(text, v);
		if (a->o->show_percs) {
			size_t n = strlen(text);
			if (!none && v != 0) {
				double p = perc(v, cg_count(&a->summary, i));
				snprintf(text + n, sizeof(text) - n, (-9.995 < p && p < 99.995) ? " (%5.2f%%)" : " (%5.1f%%)",
					 p);
			} else {
				strcpy(text + n, "         ");
			}
		}
		int pad = w[i] - (int)strlen(text);
		fprintf(a->out, "%*s%s ", pad > 0 ? pad : 0, "", text);
	}
}

void cg_ann_print_events(const struct cg_ann *a, const int *w)
{
	for (uint32_t k = 0; k < a->nshow; k++) {
		uint32_t i = a->show[k];
		const char *e = a->d->events[i];
		fprintf(a->out, "%s%*s ", e, w[i] - (int)strlen(e), "");
	}
}

/* The index of event `name` (len bytes), or -1. */
static int event_index(const struct cg_data *d, const char *name, size_t len)
{
	for (uint32_t i = 0; i < d->n_events; i++)
		if (strlen(d->events[i]) == len && !memcmp(d->events[i], name, len))
			return (int)i;
	return -1;
}

/* "A,B:1,C" -> indices (and the threshold texts after ':'); Perl's split
 * drops empty trailing fields. */
static int event_list(const struct cg_data *d, const char *list, const char *what, uint32_t *idx, uint32_t *n,
		      char thr[][32], bool *any_thr, char *err, size_t errlen)
{
	*n = 0;
	for (const char *p = list; *p;) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		const char *colon = thr ? memchr(p, ':', len) : NULL;
		size_t name_len = colon ? (size_t)(colon - p) : len;
		if (*n == CG_MAX_EVENTS) {
			snprintf(err, errlen, "--%s: too many events", what);
			return -1;
		}
		if (thr) {
			thr[*n][0] = 0;
			if (colon) {
				size_t tl = len - name_len - 1;
				if (tl && p[len - 1] == '%')
					tl--;
				snprintf(thr[*n], 32, "%.*s", (int)tl, colon + 1);
				*any_thr = true;
			}
		}
		int i = event_index(d, p, name_len);
		if (i < 0) {
			snprintf(err, errlen, "--%s event `%.*s' did not appear in input", what, (int)name_len, p);
			return -1;
		}
		idx[(*n)++] = (uint32_t)i;
		p += len + (e != NULL);
	}
	return 0;
}

bool cg_ann_sort_ok(const char *sort)
{
	for (const char *p = sort; *p;) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		const char *colon = memchr(p, ':', len);
		if (colon) {
			char t[32];
			snprintf(t, sizeof(t), "%.*s", (int)(len - (size_t)(colon + 1 - p)), colon + 1);
			char *end;
			double v = strtod(t, &end);
			if (end == t || (*end && strcmp(end, "%")) || !(v >= 0 && v <= 100))
				return false;
		}
		p += len + (e != NULL);
	}
	return true;
}

struct fn_total {
	const char *name; /* "file:function" */
	uint32_t file;
	struct cg_line cc;
};

static const struct cg_ann *sort_ann;

/* Perl's mycmp: larger absolute counts first, "." as -1; then names. */
static int fn_cmp(const void *pa, const void *pb)
{
	const struct fn_total *x = pa, *y = pb;
	for (uint32_t k = 0; k < sort_ann->nsort; k++) {
		uint32_t i = sort_ann->sort[k];
		int64_t a = (x->cc.none >> i & 1) ? -1 : cg_count(&x->cc, i);
		int64_t b = (y->cc.none >> i & 1) ? -1 : cg_count(&y->cc, i);
		uint64_t ua = a < 0 ? 0 - (uint64_t)a : (uint64_t)a, ub = b < 0 ? 0 - (uint64_t)b : (uint64_t)b;
		if (ua != ub)
			return ua < ub ? 1 : -1;
	}
	return strcmp(x->name, y->name);
}

static void print_preamble(const struct cg_ann *a, char thr[][32])
{
	const struct cg_data *d = a->d;
	const struct cg_ann_opts *o = a->o;
	FILE *out = a->out;
	fputs(cg_ann_fancy, out);
	for (size_t i = 0; i < d->desc.n; i++)
		fprintf(out, "%s\n", d->desc.v[i]);
	fprintf(out, "Command:          %s\n", d->cmd ? d->cmd : "");
	fprintf(out, "Data file:        %s\n", o->data_file);
	fputs("Events recorded: ", out);
	for (uint32_t i = 0; i < d->n_events; i++)
		fprintf(out, " %s", d->events[i]);
	fputs("\nEvents shown:    ", out);
	for (uint32_t k = 0; k < a->nshow; k++)
		fprintf(out, " %s", d->events[a->show[k]]);
	fputs("\nEvent sort order:", out);
	for (uint32_t k = 0; k < a->nsort; k++)
		fprintf(out, " %s", d->events[a->sort[k]]);
	fputs("\nThresholds:      ", out);
	for (uint32_t k = 0; k < a->nsort; k++)
		fprintf(out, " %s", thr[k]);
	fprintf(out, "\nInclude dirs:     %s\n", o->n_include ? o->include[0] : "");
	for (size_t i = 1; i < o->n_include; i++)
		fprintf(out, "                  %s\n", o->include[i]);
	fprintf(out, "User annotated:   %s\n", o->n_user ? o->user_files[0] : "");
	for (size_t i = 1; i < o->n_user; i++)
		fprintf(out, "                  %s\n", o->user_files[i]);
	fprintf(out, "Auto-annotation:  %s\n\n", o->auto_annotate ? "on" : "off");
}

/* Function totals, one per (file, function). */
static struct fn_total *fn_totals(const struct cg_data *d)
{
	struct fn_total *t = xcalloc(d->fns.n ? d->fns.n : 1, sizeof(*t));
	for (size_t f = 0; f < d->fns.n; f++) {
		const struct cg_fn *fn = &d->fns.v[f];
		t[f].name = xasprintf("%s:%s", interned(&d->strs, fn->file), interned(&d->strs, fn->name));
		t[f].file = fn->file;
		t[f].cc.none = (uint16_t)((1u << d->n_events) - 1);
		for (size_t j = 0; j < fn->lines.n; j++)
			cg_line_add(&t[f].cc, &fn->lines.v[j], d->n_events);
	}
	return t;
}

/* The file part of "file:function" as Perl's s/:.+$// leaves it. */
static char *file_of(const char *full)
{
	const char *c = full;
	while ((c = strchr(c, ':')) && !c[1])
		c++;
	return c ? xstrndup(full, (size_t)(c - full)) : xstrdup(full);
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Prints the table; returns the files of the rows printed (sorted, unique). */
static const char **print_table(const struct cg_ann *a, double *thr, size_t *n_files)
{
	const struct cg_data *d = a->d;
	struct fn_total *t = fn_totals(d);
	size_t n = d->fns.n;
	int sw[CG_MAX_EVENTS], fw[CG_MAX_EVENTS];
	cg_ann_widths(a, sw);
	cg_ann_widen(a, sw, &a->summary);
	for (uint32_t i = 0; i < a->ne; i++) /* a "." summary count is text Perl measures */
		if ((a->summary.none >> i & 1) && 1 + (a->o->show_percs ? 9 : 0) > sw[i])
			sw[i] = 1 + (a->o->show_percs ? 9 : 0);
	cg_ann_widths(a, fw);
	for (size_t f = 0; f < n; f++)
		cg_ann_widen(a, fw, &t[f].cc);
	FILE *out = a->out;
	fputs(cg_ann_fancy, out);
	cg_ann_print_events(a, sw);
	fprintf(out, "\n%s", cg_ann_fancy);
	cg_ann_print_cc(a, &a->summary, sw);
	fputs(" PROGRAM TOTALS\n\n", out);
	fputs(cg_ann_fancy, out);
	cg_ann_print_events(a, fw);
	fprintf(out, " file:function\n%s", cg_ann_fancy);
	sort_ann = a;
	qsort(t, n, sizeof(*t), fn_cmp);
	const char **files = xcalloc(n + 1, sizeof(*files));
	size_t nf = 0;
	for (size_t f = 0; f < n; f++) {
		bool over = false;
		for (uint32_t k = 0; k < a->nsort; k++) {
			uint32_t i = a->sort[k];
			over |= fabs(perc(cg_count(&t[f].cc, i), cg_count(&a->summary, i))) >= thr[k];
		}
		if (!over)
			break;
		cg_ann_print_cc(a, &t[f].cc, fw);
		fprintf(out, " %s\n", t[f].name);
		files[nf++] = file_of(t[f].name);
	}
	fputc('\n', out);
	qsort(files, nf, sizeof(*files), str_cmp);
	size_t u = 0;
	for (size_t i = 0; i < nf; i++) {
		if (u && !strcmp(files[u - 1], files[i]))
			free((void *)files[i]);
		else
			files[u++] = files[i];
	}
	*n_files = u;
	for (size_t f = 0; f < n; f++)
		free((void *)t[f].name);
	free(t);
	return files;
}

/* Every file's line counts, all its functions' lines added up. */
static struct cg_ann_file *file_lines(const struct cg_data *d, size_t *n_out)
{
	struct u64map fidx = { 0 }, lidx = { 0 };
	VEC(struct cg_ann_file) files = { 0 };
	for (size_t f = 0; f < d->fns.n; f++) {
		const struct cg_fn *fn = &d->fns.v[f];
		bool fresh;
		uint64_t *fi = u64map_upsert(&fidx, fn->file, files.n, &fresh);
		if (fresh) {
			struct cg_ann_file nf = { .name = fn->file };
			vec_push(&files, nf);
		}
		struct cg_ann_file *af = &files.v[*fi];
		for (size_t j = 0; j < fn->lines.n; j++) {
			const struct cg_line *l = &fn->lines.v[j];
			uint64_t *li = u64map_upsert(&lidx, (uint64_t)fn->file << 32 | l->line, af->lines.n, &fresh);
			if (fresh) {
				struct cg_line z = { .line = l->line, .none = (uint16_t)((1u << d->n_events) - 1) };
				vec_push(&af->lines, z);
			}
			cg_line_add(&af->lines.v[*li], l, d->n_events);
		}
	}
	u64map_free(&fidx);
	u64map_free(&lidx);
	*n_out = files.n;
	return files.v;
}

int cg_annotate_print(FILE *out, const struct cg_data *d, const struct cg_ann_opts *o, char *err, size_t errlen)
{
	struct cg_ann a = { .out = out, .d = d, .o = o, .ne = d->n_events };
	char thr[CG_MAX_EVENTS][32];
	bool any_thr = false;
	if (o->show) {
		if (event_list(d, o->show, "show", a.show, &a.nshow, NULL, NULL, err, errlen) < 0)
			return -1;
	}
	if (!o->show || !a.nshow)
		for (a.nshow = 0; a.nshow < a.ne; a.nshow++)
			a.show[a.nshow] = a.nshow;
	if (o->sort) {
		if (event_list(d, o->sort, "sort", a.sort, &a.nsort, thr, &any_thr, err, errlen) < 0)
			return -1;
	}
	if (!o->sort || !a.nsort)
		for (a.nsort = 0; a.nsort < a.ne; a.nsort++)
			a.sort[a.nsort] = a.nsort;
	double thv[CG_MAX_EVENTS];
	for (uint32_t k = 0; k < a.nsort; k++) {
		if (!any_thr)
			snprintf(thr[k], sizeof(thr[k]), "%s", k ? "100" : o->threshold);
		else if (!thr[k][0])
			strcpy(thr[k], "0");
		thv[k] = strtod(thr[k], NULL);
	}
	for (uint32_t i = 0; i < a.ne; i++)
		a.summary.c[i] = d->summary[i];
	a.summary.none = d->summary_none;
	print_preamble(&a, thr);
	size_t n_tf, n_files = 0;
	const char **tf = print_table(&a, thv, &n_tf);
	/* the files to annotate: those named, and with --auto those of the rows shown but "???" */
	const char **want = xcalloc(n_tf + o->n_user + 1, sizeof(*want));
	bool *user = xcalloc(n_tf + o->n_user + 1, sizeof(*user));
	size_t nw = 0;
	for (size_t i = 0; i < o->n_user; i++)
		want[nw++] = o->user_files[i];
	for (size_t i = 0; o->auto_annotate && i < n_tf; i++)
		if (strcmp(tf[i], "???"))
			want[nw++] = tf[i];
	qsort(want, nw, sizeof(*want), str_cmp);
	size_t u = 0;
	for (size_t i = 0; i < nw; i++) {
		if (u && !strcmp(want[u - 1], want[i]))
			continue;
		want[u] = want[i];
		user[u] = false;
		for (size_t k = 0; k < o->n_user; k++)
			user[u] |= !strcmp(o->user_files[k], want[i]);
		u++;
	}
	struct cg_ann_file *files = u ? file_lines(d, &n_files) : NULL;
	int rc = cg_ann_sources(&a, files, n_files, want, user, u, err, errlen);
	for (size_t i = 0; i < n_files; i++)
		vec_free(&files[i].lines);
	free(files);
	for (size_t i = 0; i < n_tf; i++)
		free((void *)tf[i]);
	free(tf);
	free(want);
	free(user);
	return rc;
}
