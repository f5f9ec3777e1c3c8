/* sonde report: perf-report-like summary of a recording. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmds.h"
#include "cmd/input.h"
#include "profile/model.h"
#include "render/pprof.h"
#include "render/pprof_profile.h"
#include "render/report.h"
#include "render/script.h"
#include "util/die.h"
#include "util/options.h"
#include "util/pager.h"

static const char *const usage[] = {
	"report [-i FILE] [--no-children] [--sort KEYS] [--comm C] [--dso D]",
	"                    [--percentage absolute|relative] [--percent-limit P]",
	"                    [-g caller|callee|none] [--no-inline] [--stdio] [--no-pager]",
	"                    [--weight W] [--format text|folded|pprof] [-o FILE]",
	NULL,
};

static int sort_cb(struct opt_parser *p, const struct opt *opt, const char *arg)
{
	return report_parse_sort(opt->value, arg);
}

static int percent_limit_cb(struct opt_parser *p, const struct opt *opt, const char *arg)
{
	struct report_opts *o = opt->value;
	char *end;
	o->percent_limit = strtod(arg, &end);
	if (end == arg || (*end && strcmp(end, "%")) || !(o->percent_limit >= 0 && o->percent_limit <= 100))
		return -1;
	return 0;
}

/* caller, callee, none; perf's forms too: graph,0.5,caller / fractal / flat */
static int call_graph_cb(struct opt_parser *p, const struct opt *opt, const char *arg)
{
	struct report_opts *o = opt->value;
	char *mode = xstrdup(arg), *comma = strchr(mode, ',');
	int rc = 0;
	if (comma) {
		*comma = 0;
		o->graph_threshold = atof(comma + 1);
	}
	if (!strcmp(mode, "caller"))
		o->graph = RG_CALLER;
	else if (!strcmp(mode, "callee"))
		o->graph = RG_CALLEE;
	else if (!strcmp(mode, "none"))
		o->graph = RG_NONE;
	else if (strcmp(mode, "graph") && strcmp(mode, "fractal") && strcmp(mode, "flat"))
		rc = -1;
	/* keep the order word */
	if (comma && strstr(comma + 1, "caller"))
		o->graph = RG_CALLER;
	else if (comma && strstr(comma + 1, "callee"))
		o->graph = RG_CALLEE;
	free(mode);
	return rc;
}

/* The whole recording as pprof, whatever the text options say. */
static int report_pprof(struct profile *p, const char *output)
{
	struct pprof *pp = pprof_from_profile(p);
	int rc = pprof_write_file(pp, output);
	if (!rc && strcmp(output, "-"))
		note("wrote %s", output);
	pprof_free(pp);
	profile_free(p);
	return rc ? 1 : 0;
}

int cmd_report(int argc, char **argv, const struct cmd_ctx *ctx)
{
	static const char *const percentages[] = { "absolute", "relative", NULL };
	static const char *const formats[] = { "text", "pprof", "stdio", "folded", NULL };
	struct report_opts o = { .children = true, .graph = RG_AUTO, .graph_threshold = 0.5 };
	/* --sort unset (nkeys 0): the default depends on the input */
	const char *input = NULL, *output = NULL, *weight = NULL;
	bool no_inline = false, ignored = false;
	int relative = 0, format = 0;
	const struct opt opts[] = {
		OPT_STRING('i', "input", &input, "FILE",
			   "recording to read (default sonde.data): sonde.data, perf.data,\n"
			   "a heap trace (sonde heap), or text: folded stacks or\n"
			   "`perf script` output ('-' = stdin)"),
		OPT_STRING(0, "weight", &weight, "W",
			   "what the columns sum: period (default) or samples; for a\n"
			   "heap trace allocations (default), allocated, temporary,\n"
			   "peak or leaked"),
		OPT_SET_BOOL(0, "children", &o.children, 1, "Children and Self columns (default)"),
		OPT_SET_BOOL(0, "no-children", &o.children, 0, "only Self (\"Overhead\") column"),
		OPT_CALLBACK('s', "sort", &o, "KEYS", "comma list of comm,pid,tid,dso,sym,cpu (default comm,dso,sym;\n"
			     "text input: sym)",
			     sort_cb, "unknown sort key in '%s'; use comm, pid, tid, dso, sym or cpu"),
		OPT_STRING(0, "comm", &o.comm, "C", "only samples of these commands (comma list)"),
		{ .kind = OPTK_STRING, .lng = "comms", .value = &o.comm, .flags = OPTF_HIDDEN },
		OPT_STRING(0, "dso", &o.dso, "D", "only samples whose leaf is in these modules (comma list)"),
		{ .kind = OPTK_STRING, .lng = "dsos", .value = &o.dso, .flags = OPTF_HIDDEN },
		OPT_ENUM(0, "percentage", &relative, "M",
			 "with --comm/--dso, percentages of all samples (absolute,\n"
			 "the default, as perf) or of those shown (relative)",
			 percentages, "--percentage wants absolute or relative, not '%s'"),
		OPT_CALLBACK(0, "percent-limit", &o, "P", "hide entries below P percent", percent_limit_cb,
			     "--percent-limit wants a percentage from 0 to 100, not '%s'"),
		OPT_CALLBACK('g', "call-graph", &o, "MODE",
			     "caller (calls made from the entry), callee (who called it),\n"
			     "none; optional ,THRESHOLD percent (default 0.5)",
			     call_graph_cb, "unknown call-graph mode '%s'; use caller, callee or none"),
		OPT_BOOL(0, "no-inline", &no_inline, "don't show inlined frames"),
		OPT_BOOL(0, "stdio", &ignored, "text output (the default; accepted for perf compatibility)"),
		OPT_ENUM(0, "format", &format, "F",
			 "text (default), folded (\"comm;root;...;leaf weight\") or pprof:\n"
			 "the whole recording as a gzipped profile.proto for go tool\n"
			 "pprof, Pyroscope, Parca (docs/pprof.md)",
			 formats, "unknown --format '%s' (expected text, folded or pprof)"),
		OPT_STRING('o', "output", &output, "FILE", "where --format pprof writes (default profile.pb.gz)"),
		OPT_CALLBACK_NOARG(0, "no-pager", NULL,
				   "print straight to the terminal (by default a terminal gets\n"
				   "the report through $PAGER, or less)",
				   pager_forbid_opt),
		/* perf's, accepted */
		OPT_HIDDEN_BOOL(0, "tui", &ignored),
		OPT_HIDDEN_BOOL('f', "force", &ignored),
		{ .kind = OPTK_COUNT, .shrt = 'q', .value = &sonde_quiet, .flags = OPTF_HIDDEN },
		OPT_END(),
	};
	const struct opt_cmd cmd = { "report", .usage = usage };
	if (opt_parse(&cmd, opts, argc, argv) > 0)
		opt_usage_error(&cmd, "unexpected argument '%s' (the input file goes after -i)", argv[0]);
	o.relative = relative;
	bool pprof = format == 1, folded = format == 3;
	if (!input)
		input = input_default(ctx);
	if (output && !pprof)
		opt_usage_error(&cmd, "-o writes --format pprof; the text report goes to standard output");
	struct profile *p = input_load(input, (no_inline ? INPUT_NO_INLINE : 0) | (pprof ? INPUT_FULL_STACKS : folded ? 0 : INPUT_HEADER_WARNINGS));
	if (pprof)
		return report_pprof(p, output ? output : "profile.pb.gz");
	if (!o.nkeys) /* text has no threads and no modules (but the kernel) */
		report_parse_sort(&o, p->from_text ? "sym" : "comm,dso,sym");
	o.weight = input_weight(p, weight, 0, "report");
	pager_start();
	if (folded) {
		struct folded_opts fo = { .no_inline = no_inline, .weight = o.weight }; /* as script --folded */
		folded_print(stdout, p, &fo);
	} else {
		report_print(stdout, p, &o);
	}
	profile_free(p);
	return 0;
}
