/* sonde cachegrind annotate / cg_annotate: valgrind 3.19's cg_annotate
 * report of a cachegrind.out file (3.19's or 3.21+'s form). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cachegrind/cg_annotate.h"
#include "cachegrind/cg_read.h"
#include "cmd/cg_tools.h"
#include "cmd/cmds.h"
#include "util/die.h"
#include "util/options.h"

static const char *const ann_usage[] = { "[options] cachegrind-out-file [source-files...]", NULL };

static const char ann_intro[] =
	"Prints the counts of a cachegrind.out file per function and beside the\n"
	"source lines, as valgrind 3.19's cg_annotate does (and reads 3.21+'s files).\n";

struct ann_args {
	struct cg_ann_opts o;
	const char *inc[256];
	size_t n_inc;
	char threshold[32]; /* --threshold's digits */
};

/* Perl's ([\d.]+)%? within 0..20; the report prints the digits back. */
static int threshold_cb(struct opt_parser *p, const struct opt *o, const char *arg)
{
	struct ann_args *a = o->value;
	size_t n = strspn(arg, "0123456789.");
	if (!n || n >= sizeof(a->threshold) || (arg[n] && strcmp(arg + n, "%")))
		return -1;
	char *end;
	double v = strtod(arg, &end);
	if (end == arg || !(v >= 0 && v <= 20))
		return -1;
	memcpy(a->threshold, arg, n);
	a->threshold[n] = 0;
	a->o.threshold = a->threshold;
	return 0;
}

static int include_cb(struct opt_parser *p, const struct opt *o, const char *arg)
{
	struct ann_args *a = o->value;
	if (arg[0] == '=') /* -I=dir, which Perl's cg_annotate takes */
		arg++;
	size_t n = strlen(arg);
	if (n && arg[n - 1] == '/')
		n--;
	if (a->n_inc == sizeof(a->inc) / sizeof(a->inc[0]))
		return -1;
	a->inc[a->n_inc++] = xasprintf("%.*s/", (int)n, arg);
	return 0;
}

static int version_cb(struct opt_parser *p, const struct opt *o, const char *arg)
{
	printf("cg_annotate-3.19.0 (sonde %s)\n", SONDE_VERSION);
	exit(0);
}

static const char *const yes_no[] = { "no", "yes", NULL };

/* Perl's "File X not found in any of:  dir/ ..." (the first dir is ""). */
static bool readable_somewhere(const struct ann_args *a, const char *f, char *msg, size_t len)
{
	if (access(f, R_OK) == 0)
		return true;
	int n = snprintf(msg, len, "File %s not found in any of: ", f);
	for (size_t i = 0; i < a->n_inc; i++) {
		char *p = xasprintf("%s%s", a->inc[i], f);
		bool ok = access(p, R_OK) == 0;
		free(p);
		if (ok)
			return true;
		if (n >= 0 && (size_t)n < len)
			n += snprintf(msg + n, len - (size_t)n, " %s", a->inc[i]);
	}
	return false;
}

int cmd_cg_annotate(int argc, char **argv, const struct cmd_ctx *ctx)
{
	bool compat = ctx && ctx->compat;
	struct ann_args a = { .o = { .threshold = "0.1", .show_percs = true, .auto_annotate = true, .context = 8 } };
	int percs = 1, autoann = 1;
	const struct opt opts[] = {
		OPT_STRING(0, "show", &a.o.show, "A,B,C", "only show figures for events A,B,C [all]"),
		OPT_STRING(0, "sort", &a.o.sort, "A,B,C",
			   "sort the functions by events A,B,C [event column order];\n"
			   "A:N gives event A its own threshold N (0..100 %)"),
		OPT_CALLBACK(0, "threshold", &a, "N",
			     "show the functions with at least N% (0..20) of the primary sort event [0.1]",
			     threshold_cb, "--threshold takes a percentage from 0 to 20, not '%s'"),
		OPT_ENUM(0, "show-percs", &percs, "yes|no", "show a percentage for each non-zero count [yes]", yes_no,
			 NULL),
		OPT_ENUM(0, "auto", &autoann, "yes|no",
			 "annotate the source files of the functions shown [yes]", yes_no, NULL),
		OPT_INT(0, "context", &a.o.context, "N", "lines of context around annotated lines [8]", 0, INT_MAX,
			NULL),
		OPT_CALLBACK('I', "include", &a, "DIR", "also look for source files in DIR", include_cb, NULL),
		{ .kind = OPTK_CALLBACK, .lng = "version", .help = "print the version", .cb = version_cb,
		  .flags = OPTF_NOARG },
		OPT_END(),
	};
	/* Perl's die() leaves 255 for a usage error */
	const struct opt_cmd cmd = { compat ? NULL : "cachegrind annotate", .prog = compat ? "cg_annotate" : NULL,
				     .usage = ann_usage, .intro = ann_intro, .usage_status = compat ? 255 : 0 };
	int n = opt_parse(&cmd, opts, argc, argv);
	if (n < 1)
		opt_usage_error(&cmd, "no cachegrind.out file given");
	if (a.o.sort && !cg_ann_sort_ok(a.o.sort))
		opt_usage_error(&cmd, "--sort thresholds are percentages from 0 to 100: '%s'", a.o.sort);
	const char *prefix = compat ? "sonde cg_annotate" : "sonde cachegrind annotate";
	a.o.show_percs = percs;
	a.o.auto_annotate = autoann;
	a.o.include = a.inc;
	a.o.n_include = a.n_inc;
	a.o.data_file = argv[0];
	a.o.user_files = (const char **)argv + 1;
	a.o.n_user = (size_t)n - 1;
	char err[4096];
	for (int i = 1; i < n; i++)
		if (!readable_somewhere(&a, argv[i], err, sizeof(err))) {
			fprintf(stderr, "%s: %s\n", prefix, err);
			return compat ? 255 : 1;
		}
	struct cg_data d = { 0 };
	if (cg_read_file(argv[0], &d, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", prefix, err);
		cg_data_free(&d);
		return compat ? 255 : 1;
	}
	static char obuf[1 << 16];
	setvbuf(stdout, obuf, _IOFBF, sizeof(obuf));
	int rc = cg_annotate_print(stdout, &d, &a.o, err, sizeof(err));
	if (fflush(stdout) != 0)
		rc = -1, snprintf(err, sizeof(err), "cannot write the report");
	if (rc < 0)
		fprintf(stderr, "%s: %s\n", prefix, err);
	cg_data_free(&d);
	for (size_t i = 0; i < a.n_inc; i++)
		free((void *)a.inc[i]);
	return rc < 0 ? (compat ? 255 : 1) : 0;
}
