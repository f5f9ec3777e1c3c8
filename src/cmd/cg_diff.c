/* sonde cachegrind diff / cg_diff: file2 - file1 per function, written as
 * a cachegrind.out file (valgrind 3.19's cg_diff output: each function's
 * difference on line 0), for cg_annotate to report. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cachegrind/cg_read.h"
#include "cachegrind/cg_subst.h"
#include "cmd/cg_tools.h"
#include "cmd/cmds.h"
#include "util/die.h"
#include "util/options.h"

static const char *const diff_usage[] = { "[options] <cachegrind-out-file1> <cachegrind-out-file2>", NULL };

static const char diff_intro[] =
	"Writes file2 - file1, function by function, as a cachegrind.out file on\n"
	"stdout (valgrind 3.19's cg_diff).\n";

/* One function's totals in one of the files; length: Perl's array length
 * (the counts given up to the last one that was a number). */
struct dfn {
	char *file, *fn;
	int64_t c[CG_MAX_EVENTS];
	uint16_t none;
	uint32_t len, in; /* in: bit 0 file1, bit 1 file2 */
};

static int64_t sat_neg(int64_t v)
{
	return v == INT64_MIN ? INT64_MAX : -v;
}

static int dfn_cmp(const void *a, const void *b)
{
	const struct dfn *x = a, *y = b;
	int r = strcmp(x->file, y->file);
	return r ? r : strcmp(x->fn, y->fn);
}

struct dset {
	VEC(struct dfn) v;
	struct interner keys; /* "file\nfn" -> index in v */
};

static void add_file(struct dset *s, const struct cg_data *d, int which, const struct cg_subst *mf,
		     const struct cg_subst *mn)
{
	for (size_t f = 0; f < d->fns.n; f++) {
		const struct cg_fn *fn = &d->fns.v[f];
		const char *fl = interned(&d->strs, fn->file), *nm = interned(&d->strs, fn->name);
		char *file = mf->compiled ? cg_subst_apply(mf, fl) : xstrdup(fl);
		char *name = mn->compiled ? cg_subst_apply(mn, nm) : xstrdup(nm);
		char *key = xasprintf("%s\n%s", file, name);
		uint32_t id = intern(&s->keys, key);
		free(key);
		if (id == s->v.n) {
			struct dfn z = { .file = file, .fn = name, .none = UINT16_MAX };
			vec_push(&s->v, z);
		} else {
			free(file);
			free(name);
		}
		struct dfn *t = &s->v.v[id];
		t->in |= 1u << which;
		int64_t *c = which ? t->c : NULL, tmp[CG_MAX_EVENTS] = { 0 };
		if (!c)
			c = tmp;
		/* file1's counts are subtracted from file2's below */
		for (size_t j = 0; j < fn->lines.n; j++)
			for (uint32_t i = 0; i < d->n_events; i++) {
				const struct cg_line *l = &fn->lines.v[j];
				if (l->none >> i & 1)
					continue;
				int64_t v = (int64_t)l->c[i];
				if (which) {
					t->c[i] = cg_sat_add(t->c[i], v);
					t->none &= (uint16_t)~(1u << i);
					if (i + 1 > t->len)
						t->len = i + 1;
				} else {
					c[i] = cg_sat_add(c[i], v);
					if (i + 1 > t->len)
						t->len = i + 1;
				}
			}
		if (!which)
			for (uint32_t i = 0; i < d->n_events; i++) {
				t->c[i] = cg_sat_add(t->c[i], sat_neg(c[i]));
				t->none &= (uint16_t)~(1u << i); /* Perl's -= defines every count */
			}
	}
}

static int compile_mod(const struct opt_cmd *cmd, struct cg_subst *s, const char *expr)
{
	char err[512];
	if (expr && cg_subst_compile(s, expr, err, sizeof(err)) < 0)
		opt_usage_error(cmd, "%s", err);
	return 0;
}

int cmd_cg_diff(int argc, char **argv, const struct cmd_ctx *ctx)
{
	bool compat = ctx && ctx->compat;
	const char *modfl = NULL, *modfn = NULL;
	const struct opt opts[] = {
		OPT_STRING(0, "mod-filename", &modfl, "s/RE/REPL/",
			   "a search-and-replace applied to file names, e.g. 's/prog[0-9]/projN/'"),
		OPT_STRING(0, "mod-funcname", &modfn, "s/RE/REPL/", "the same for function names"),
		OPT_END(),
	};
	const struct opt_cmd cmd = { compat ? NULL : "cachegrind diff", .prog = compat ? "cg_diff" : NULL,
				     .usage = diff_usage, .intro = diff_intro, .usage_status = compat ? 255 : 0 };
	int n = opt_parse(&cmd, opts, argc, argv);
	if (n != 2)
		opt_usage_error(&cmd, "two cachegrind.out files are needed");
	struct cg_subst mf, mn;
	memset(&mf, 0, sizeof(mf));
	memset(&mn, 0, sizeof(mn));
	compile_mod(&cmd, &mf, modfl);
	compile_mod(&cmd, &mn, modfn);
	const char *prefix = compat ? "sonde cg_diff" : "sonde cachegrind diff";
	struct cg_data d[2];
	memset(d, 0, sizeof(d));
	char err[4096];
	int rc = 0;
	for (int k = 0; k < 2 && !rc; k++)
		if (cg_read_file(argv[k], &d[k], err, sizeof(err)) < 0) {
			fprintf(stderr, "%s: %s\n", prefix, err);
			rc = compat ? 255 : 1;
		}
	bool same = !rc && d[0].n_events == d[1].n_events;
	for (uint32_t i = 0; same && i < d[0].n_events; i++)
		same = !strcmp(d[0].events[i], d[1].events[i]);
	if (!rc && !same) {
		fprintf(stderr, "%s: events don't match, aborting\n", prefix);
		rc = compat ? 255 : 1;
	}
	if (!rc) {
		struct dset s = { 0 };
		add_file(&s, &d[1], 1, &mf, &mn);
		add_file(&s, &d[0], 0, &mf, &mn);
		qsort(s.v.v, s.v.n, sizeof(*s.v.v), dfn_cmp);
		printf("desc: Files compared:   %s; %s\ncmd:  %s; %s\nevents: ", argv[0], argv[1],
		       d[0].cmd ? d[0].cmd : "", d[1].cmd ? d[1].cmd : "");
		for (uint32_t i = 0; i < d[0].n_events; i++)
			printf(" %s", d[0].events[i]);
		putchar('\n');
		for (size_t f = 0; f < s.v.n; f++) {
			struct dfn *t = &s.v.v[f];
			printf("fl=%s\nfn=%s\n0", t->file, t->fn);
			for (uint32_t i = 0; i < t->len; i++)
				if (t->none >> i & 1)
					fputs(" ", stdout);
				else
					printf(" %" PRId64, t->c[i]);
			putchar('\n');
			free(t->file);
			free(t->fn);
		}
		fputs("summary:", stdout);
		for (uint32_t i = 0; i < d[0].n_events; i++)
			printf(" %" PRId64, cg_sat_add((int64_t)d[1].summary[i], sat_neg((int64_t)d[0].summary[i])));
		putchar('\n');
		vec_free(&s.v);
		interner_free(&s.keys);
		if (fflush(stdout) != 0) {
			fprintf(stderr, "%s: cannot write the output\n", prefix);
			rc = 1;
		}
	}
	cg_data_free(&d[0]);
	cg_data_free(&d[1]);
	cg_subst_free(&mf);
	cg_subst_free(&mn);
	return rc;
}
