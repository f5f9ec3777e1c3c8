/* cg_annotate's auto- and user-annotated source files, as valgrind 3.19
 * prints them: counts beside the lines that have them, `context` lines
 * around, "-- line N ----" where lines are skipped, counts for lines past
 * the end with Perl's warning, and the files it could not open listed. */
#include "cachegrind/cg_annotate.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cachegrind/cg_read.h"
#include "util/die.h"
#include "util/strbuf.h"

static const char at_line[] = "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n";
static const char warn_line[] = "@@ WARNING @@ WARNING @@ WARNING @@ WARNING @@ WARNING @@ WARNING @@ WARNING @@\n";

static void warn_newer(FILE *out, const char *src, const char *data)
{
	fprintf(out, "%s%s%s@ Source file '%s' is more recent than input file '%s'.\n"
		     "@ Annotations may not be correct.\n%s\n",
		at_line, warn_line, at_line, src, data, at_line);
}

static void warn_past_end(FILE *out, bool newer, const char *src)
{
	fprintf(out, "%s%s%s@@\n@@ Information recorded about lines past the end of '%s'.\n@@\n"
		     "@@ Probable cause and solution:\n",
		at_line, warn_line, at_line, src);
	size_t n = strlen(src);
	if (newer)
		fprintf(out, "@@ cause:    '%s' has changed since information was gathered.\n"
			     "@@           If so, a warning will have already been issued about this.\n"
			     "@@ solution: Recompile program and rerun under \"valgrind --cachesim=yes\" to \n"
			     "@@           gather new information.\n",
			src);
	else if (n >= 2 && !strcmp(src + n - 2, ".h"))
		fputs("@@ cause:    bug in the Valgrind's debug info reader that screws up with .h\n"
		      "@@           files sometimes\n"
		      "@@ solution: none, sorry\n",
		      out);
	else
		fputs("@@ cause:    not sure, sorry\n", out);
	fprintf(out, "@@\n%s", at_line);
}

static int line_cmp(const void *a, const void *b)
{
	uint32_t x = ((const struct cg_line *)a)->line, y = ((const struct cg_line *)b)->line;
	return x < y ? -1 : x > y;
}

/* A source file read as Perl's <FH> does: `no` is $., the last line read. */
struct src {
	FILE *f;
	uint64_t no;
	struct strbuf last; /* the last line read, '\n' kept */
	bool have;          /* last holds a line (not EOF) */
};

static bool src_next(struct src *s)
{
	s->last.len = 0;
	int c;
	while ((c = getc_unlocked(s->f)) != EOF) {
		sb_addc(&s->last, (char)c);
		if (c == '\n')
			break;
	}
	s->have = s->last.len > 0;
	if (s->have)
		s->no++;
	return s->have;
}

/* Perl's truth of the last line: false at EOF and for a last "0" without '\n'. */
static bool src_true(const struct src *s)
{
	return s->have && !(s->last.len == 1 && s->last.buf[0] == '0');
}

/* The annotated lines of one file; adds the lines printed into *printed. */
static void annotate_lines(const struct cg_ann *a, struct src *s, const struct cg_line *lines, size_t n,
			   const int *w, struct cg_line *printed, size_t *next)
{
	FILE *out = a->out;
	int64_t ctx = a->o->context;
	size_t i = *next;
	struct cg_line empty = { .none = UINT16_MAX };
	while (i < n) {
		/* one range: the lines within 2 * context of each other */
		int64_t low = (int64_t)lines[i].line - ctx;
		size_t j = i;
		while (j + 1 < n && (int64_t)lines[j].line + 2 * ctx >= (int64_t)lines[j + 1].line)
			j++;
		int64_t high = (int64_t)lines[j].line + ctx;
		if (low < 1)
			low = 1;
		while ((int64_t)s->no < low - 1 && src_next(s))
			;
		if (low != 1)
			fprintf(out, "-- line %lld ----------------------------------------\n", (long long)low);
		s->have = false;
		/* Perl's loop condition is the line itself: a last "0" ends it unprinted */
		while ((int64_t)s->no < high && src_next(s) && src_true(s)) {
			if (i < n && s->no == lines[i].line) {
				cg_ann_print_cc(a, &lines[i], w);
				cg_line_add(printed, &lines[i], a->ne);
				i++;
			} else {
				cg_ann_print_cc(a, &empty, w);
			}
			fputc(' ', out);
			fwrite(s->last.buf, 1, s->last.len, out);
		}
		if (!src_true(s))
			break;
		fprintf(out, "-- line %lld ----------------------------------------\n", (long long)high);
		i = j + 1 > i ? j + 1 : i;
	}
	*next = i;
}

/* The first of the include dirs where `name` opens; *shown is how the
 * header names it ("dir/ + name"). */
static FILE *open_in_dirs(const struct cg_ann_opts *o, const char *name, char **opened, char **shown)
{
	FILE *f = fopen(name, "re");
	if (f) {
		*opened = xstrdup(name);
		*shown = xstrdup(name);
		return f;
	}
	for (size_t i = 0; i < o->n_include; i++) {
		char *p = xasprintf("%s%s", o->include[i], name);
		if ((f = fopen(p, "re"))) {
			*opened = p;
			*shown = xasprintf("%s + %s", o->include[i], name);
			return f;
		}
		free(p);
	}
	return NULL;
}

static struct cg_ann_file *find_file(const struct cg_ann *a, struct cg_ann_file *files, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(interned(&a->d->strs, files[i].name), name))
			return &files[i];
	return NULL;
}

/* One file's section; false when it has no counts (nothing annotated). */
static bool annotate_file(const struct cg_ann *a, FILE *f, const char *opened, const char *name,
			  struct cg_ann_file *cf, struct cg_line *printed)
{
	FILE *out = a->out;
	if (!cf) {
		fprintf(out, "  No information has been collected for %s\n\n", name);
		return false;
	}
	qsort(cf->lines.v, cf->lines.n, sizeof(*cf->lines.v), line_cmp);
	struct stat ss, ds;
	bool newer = stat(opened, &ss) == 0 && stat(a->o->data_file, &ds) == 0 && ss.st_mtime > ds.st_mtime;
	if (newer)
		warn_newer(out, name, a->o->data_file);
	int w[CG_MAX_EVENTS];
	cg_ann_widths(a, w);
	for (size_t i = 0; i < cf->lines.n; i++)
		cg_ann_widen(a, w, &cf->lines.v[i]);
	cg_ann_print_events(a, w);
	fputs("\n\n", out);
	const struct cg_line *lines = cf->lines.v, *zero = NULL;
	size_t n = cf->lines.n;
	if (n && lines[0].line == 0) { /* counts without a line: reported after the source */
		zero = &lines[0];
		lines++;
		n--;
	}
	struct src s = { .f = f };
	size_t next = 0;
	annotate_lines(a, &s, lines, n, w, printed, &next);
	sb_free(&s.last);
	if (next < n) {
		for (size_t i = next; i < n; i++) {
			cg_ann_print_cc(a, &lines[i], w);
			fprintf(out, " <bogus line %u>\n", lines[i].line);
		}
		fputc('\n', out);
		warn_past_end(out, newer, name);
	}
	fputc('\n', out);
	if (zero) {
		cg_ann_print_cc(a, zero, w);
		fprintf(out, " <counts for unidentified lines in %s>\n\n", name);
	}
	return true;
}

int cg_ann_sources(const struct cg_ann *a, struct cg_ann_file *files, size_t n_files, const char **want,
		   const bool *user, size_t n_want, char *err, size_t errlen)
{
	FILE *out = a->out;
	struct cg_line printed = { .none = UINT16_MAX };
	const char **unfound = xcalloc(n_want + 1, sizeof(*unfound));
	size_t n_unfound = 0;
	bool did = false;
	for (size_t k = 0; k < n_want; k++) {
		char *opened, *shown;
		FILE *f = open_in_dirs(a->o, want[k], &opened, &shown);
		if (!f) {
			if (user[k]) {
				snprintf(err, errlen, "File %s not opened in any of the include dirs", want[k]);
				free(unfound);
				return -1;
			}
			unfound[n_unfound++] = want[k];
			continue;
		}
		fprintf(out, "%s-- %s-annotated source: %s\n%s", cg_ann_fancy, user[k] ? "User" : "Auto", shown,
			cg_ann_fancy);
		did |= annotate_file(a, f, opened, want[k], find_file(a, files, n_files, want[k]), &printed);
		fclose(f);
		free(opened);
		free(shown);
	}
	if (n_unfound) {
		fprintf(out, "%sThe following files chosen for auto-annotation could not be found:\n%s", cg_ann_fancy,
			cg_ann_fancy);
		for (size_t i = 0; i < n_unfound; i++)
			fprintf(out, "  %s\n", unfound[i]);
		fputc('\n', out);
	}
	free(unfound);
	if (did) {
		int w[CG_MAX_EVENTS];
		cg_ann_widths(a, w);
		cg_ann_widen(a, w, &printed);
		fputs(cg_ann_fancy, out);
		cg_ann_print_events(a, w);
		fprintf(out, "\n%s", cg_ann_fancy);
		cg_ann_print_cc(a, &printed, w);
		fputs(" events annotated\n\n", out);
	}
	return 0;
}
