/* sonde cachegrind merge / cg_merge: cachegrind.out files added up, line
 * by line, into one (valgrind 3.19's cg_merge output: functions sorted by
 * file then name, lines in order). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cachegrind/cg_read.h"
#include "cmd/cg_tools.h"
#include "cmd/cmds.h"
#include "util/die.h"
#include "util/options.h"

static const char *const merge_usage[] = { "[-o outfile] [files-to-merge]", NULL };

static const char merge_intro[] = "Merges cachegrind.out files into one (valgrind's cg_merge).\n";

/* One merged line: its (file, function) and line; counts added up. */
struct mline {
	const char *file, *fn;
	uint32_t line;
	int64_t c[CG_MAX_EVENTS];
};

static int mline_cmp(const void *a, const void *b)
{
	const struct mline *x = a, *y = b;
	int r = strcmp(x->file, y->file);
	if (!r)
		r = strcmp(x->fn, y->fn);
	return r ? r : (x->line > y->line) - (x->line < y->line);
}

struct merged {
	struct interner names;  /* the files' and functions' names */
	struct u64map index;    /* file << 40 | fn << 20 ... see key() */
	struct u64map fn_index; /* file << 32 | fn -> dense function id */
	VEC(struct mline) v;
	int64_t summary[CG_MAX_EVENTS];
};

static void merge_in(struct merged *m, const struct cg_data *d)
{
	for (size_t f = 0; f < d->fns.n; f++) {
		const struct cg_fn *fn = &d->fns.v[f];
		uint32_t fl = intern(&m->names, interned(&d->strs, fn->file));
		uint32_t nm = intern(&m->names, interned(&d->strs, fn->name));
		uint64_t fid = *u64map_upsert(&m->fn_index, (uint64_t)fl << 32 | nm, m->fn_index.n, NULL);
		for (size_t j = 0; j < fn->lines.n; j++) {
			const struct cg_line *l = &fn->lines.v[j];
			bool fresh;
			uint64_t *slot = u64map_upsert(&m->index, fid << 32 | l->line, m->v.n, &fresh);
			if (fresh) {
				struct mline z = { interned(&m->names, fl), interned(&m->names, nm), l->line, { 0 } };
				vec_push(&m->v, z);
			}
			struct mline *ml = &m->v.v[*slot];
			for (uint32_t i = 0; i < d->n_events; i++) {
				ml->c[i] = cg_sat_add(ml->c[i], cg_count(l, i));
				m->summary[i] = cg_sat_add(m->summary[i], cg_count(l, i));
			}
		}
	}
}

static int write_merged(FILE *out, struct merged *m, const struct cg_data *first)
{
	qsort(m->v.v, m->v.n, sizeof(*m->v.v), mline_cmp);
	for (size_t i = 0; i < first->desc.n; i++)
		fprintf(out, "desc: %s\n", first->desc.v[i]);
	fprintf(out, "cmd: %s\n%s\n", first->cmd ? first->cmd : "", first->events_line);
	for (size_t k = 0; k < m->v.n; k++) {
		const struct mline *l = &m->v.v[k];
		if (!k || l->file != m->v.v[k - 1].file || l->fn != m->v.v[k - 1].fn)
			fprintf(out, "fl=%s\nfn=%s\n", l->file, l->fn);
		fprintf(out, "%u   ", l->line);
		for (uint32_t i = 0; i < first->n_events; i++)
			fprintf(out, "%" PRId64 " ", l->c[i]);
		fputc('\n', out);
	}
	fputs("summary:", out);
	for (uint32_t i = 0; i < first->n_events; i++)
		fprintf(out, " %" PRId64, m->summary[i]);
	fputc('\n', out);
	return fflush(out);
}

int cmd_cg_merge(int argc, char **argv, const struct cmd_ctx *ctx)
{
	bool compat = ctx && ctx->compat;
	const char *outname = NULL;
	const struct opt opts[] = {
		OPT_STRING('o', NULL, &outname, "outfile", "write the merged file there [stdout]"),
		OPT_END(),
	};
	/* cg_merge (a C program) exits 1 on a usage error */
	const struct opt_cmd cmd = { compat ? NULL : "cachegrind merge", .prog = compat ? "cg_merge" : NULL,
				     .usage = merge_usage, .intro = merge_intro, .usage_status = compat ? 1 : 0 };
	if (argc < 2)
		opt_usage_error(&cmd, "no files to merge");
	const char *me = argv[0]; /* cg_merge's progress lines name it as run */
	int n = opt_parse(&cmd, opts, argc, argv);
	const char *prefix = compat ? "sonde cg_merge" : "sonde cachegrind merge";
	struct merged m;
	memset(&m, 0, sizeof(m));
	struct cg_data first = { 0 };
	char err[4096];
	int rc = 0;
	for (int k = 0; k < n && !rc; k++) {
		if (compat)
			fprintf(stderr, "%s: parsing %s\n", me, argv[k]);
		struct cg_data d = { 0 };
		if (cg_read_file(argv[k], &d, err, sizeof(err)) < 0) {
			fprintf(stderr, "%s: %s\n", prefix, err);
			rc = 1;
		} else {
			if (k && compat)
				fprintf(stderr, "%s: merging %s\n", me, argv[k]);
			if (k && strcmp(d.events_line, first.events_line)) {
				fprintf(stderr, "%s: %s: \"events:\" line of most recent file does not match those "
						"previously processed\n", prefix, argv[k]);
				rc = 1;
			} else {
				merge_in(&m, &d);
			}
		}
		if (!k && !rc)
			first = d;
		else
			cg_data_free(&d);
	}
	if (!rc && n) {
		if (compat)
			fprintf(stderr, "%s: writing %s\n", me, outname ? outname : "(stdout)");
		FILE *out = outname ? fopen(outname, "w") : stdout;
		if (!out) {
			fprintf(stderr, "%s: can't create output file %s\n", prefix, outname);
			rc = 1;
		} else {
			if (write_merged(out, &m, &first) != 0 || ferror(out)) {
				fprintf(stderr, "%s: error writing output file %s\n", prefix, outname ? outname : "(stdout)");
				rc = 1;
			}
			if (out != stdout)
				fclose(out);
		}
	}
	cg_data_free(&first);
	vec_free(&m.v);
	u64map_free(&m.index);
	u64map_free(&m.fn_index);
	interner_free(&m.names);
	return rc;
}
