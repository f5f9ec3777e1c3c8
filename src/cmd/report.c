/* sonde report: perf-report-like summary of a recording. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmds.h"
#include "cmd/input.h"
#include "profile/model.h"
#include "render/pprof.h"
#include "render/pprof_profile.h"
#include "render/report.h"
#include "util/die.h"
#include "util/pager.h"

static const char usage[] =
	"usage: %s report [-i FILE] [--no-children] [--sort KEYS] [--comm C] [--dso D]\n"
	"                    [--percentage absolute|relative] [--percent-limit P]\n"
	"                    [-g caller|callee|none] [--no-inline] [--stdio] [--no-pager]\n"
	"                    [--format text|pprof] [-o FILE]\n"
	"\n"
	"  -i, --input FILE       recording to read (default sonde.data)\n"
	"      --children         Children and Self columns (default)\n"
	"      --no-children      only Self (\"Overhead\") column\n"
	"  -s, --sort KEYS        comma list of comm,pid,tid,dso,sym,cpu (default comm,dso,sym)\n"
	"      --comm C           only samples of these commands (comma list)\n"
	"      --dso D            only samples whose leaf is in these modules (comma list)\n"
	"      --percentage M     with --comm/--dso, percentages of all samples (absolute,\n"
	"                         the default, as perf) or of those shown (relative)\n"
	"      --percent-limit P  hide entries below P percent\n"
	"  -g, --call-graph MODE  caller (calls made from the entry), callee (who called it),\n"
	"                         none; optional ,THRESHOLD percent (default 0.5)\n"
	"      --no-inline        don't show inlined frames\n"
	"      --stdio            text output (the default; accepted for perf compatibility)\n"
	"      --format F         text (default) or pprof: the whole recording as a gzipped\n"
	"                         profile.proto for go tool pprof, Pyroscope, Parca (docs/pprof.md)\n"
	"  -o, --output FILE      where --format pprof writes (default profile.pb.gz)\n"
	"      --no-pager         print straight to the terminal (by default a terminal gets\n"
	"                         the report through $PAGER, or less)\n";

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
	enum { O_CHILDREN = 256, O_NO_CHILDREN, O_COMM, O_DSO, O_PLIMIT, O_STDIO, O_NOINLINE, O_TUI, O_NO_PAGER,
	       O_PERCENTAGE, O_FORMAT };
	static const struct option longopts[] = {
		{ "input", required_argument, NULL, 'i' },
		{ "children", no_argument, NULL, O_CHILDREN },
		{ "no-children", no_argument, NULL, O_NO_CHILDREN },
		{ "sort", required_argument, NULL, 's' },
		{ "comm", required_argument, NULL, O_COMM },
		{ "comms", required_argument, NULL, O_COMM },
		{ "dso", required_argument, NULL, O_DSO },
		{ "dsos", required_argument, NULL, O_DSO },
		{ "percent-limit", required_argument, NULL, O_PLIMIT },
		{ "percentage", required_argument, NULL, O_PERCENTAGE },
		{ "call-graph", required_argument, NULL, 'g' },
		{ "stdio", no_argument, NULL, O_STDIO },
		{ "tui", no_argument, NULL, O_TUI },
		{ "no-inline", no_argument, NULL, O_NOINLINE },
		{ "no-pager", no_argument, NULL, O_NO_PAGER },
		{ "force", no_argument, NULL, 'f' },
		{ "format", required_argument, NULL, O_FORMAT },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct report_opts o = { .children = true, .graph = RG_AUTO, .graph_threshold = 0.5 };
	report_parse_sort(&o, "comm,dso,sym");
	const char *input = NULL, *output = NULL;
	bool no_inline = false, pprof = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "i:s:g:o:fqh", longopts, NULL)) != -1) {
		switch (c) {
		case 'i': input = optarg; break;
		case O_CHILDREN: o.children = true; break;
		case O_NO_CHILDREN: o.children = false; break;
		case 's':
			if (report_parse_sort(&o, optarg) < 0)
				return 1;
			break;
		case O_COMM: o.comm = optarg; break;
		case O_DSO: o.dso = optarg; break;
		case O_PERCENTAGE:
			if (!strcmp(optarg, "relative"))
				o.relative = true;
			else if (!strcmp(optarg, "absolute"))
				o.relative = false;
			else
				die("--percentage wants absolute or relative, not '%s'", optarg);
			break;
		case O_PLIMIT: {
			char *end;
			o.percent_limit = strtod(optarg, &end);
			if (end == optarg || (*end && strcmp(end, "%")) || !(o.percent_limit >= 0 && o.percent_limit <= 100))
				die_status(129, "--percent-limit wants a percentage from 0 to 100, not '%s'", optarg);
			break;
		}
		case 'g': {
			char *mode = xstrdup(optarg), *comma = strchr(mode, ',');
			if (comma) {
				*comma = 0;
				o.graph_threshold = atof(comma + 1);
			}
			/* perf's forms: graph,0.5,caller / fractal / flat; keep the order word */
			if (!strcmp(mode, "caller"))
				o.graph = RG_CALLER;
			else if (!strcmp(mode, "callee"))
				o.graph = RG_CALLEE;
			else if (!strcmp(mode, "none"))
				o.graph = RG_NONE;
			else if (strcmp(mode, "graph") && strcmp(mode, "fractal") && strcmp(mode, "flat"))
				die("unknown call-graph mode '%s'; use caller, callee or none", mode);
			if (comma && strstr(comma + 1, "caller"))
				o.graph = RG_CALLER;
			else if (comma && strstr(comma + 1, "callee"))
				o.graph = RG_CALLEE;
			free(mode);
			break;
		}
		case O_FORMAT:
			if (!strcmp(optarg, "pprof"))
				pprof = true;
			else if (!strcmp(optarg, "text") || !strcmp(optarg, "stdio"))
				pprof = false;
			else
				die_status(129, "unknown --format '%s' (expected text or pprof)", optarg);
			break;
		case 'o': output = optarg; break;
		case O_STDIO: case O_TUI: case 'f': break;
		case 'q': sonde_quiet = 1; break;
		case O_NOINLINE: no_inline = true; break;
		case O_NO_PAGER: pager_forbid(); break;
		case 'h': printf(usage, sonde_progname); return 0;
		default: fprintf(stderr, usage, sonde_progname); return 2;
		}
	}
	if (optind < argc)
		die("unexpected argument '%s' (the input file goes after -i)", argv[optind]);
	if (!input)
		input = input_default(ctx);
	if (output && !pprof)
		die_status(129, "-o writes --format pprof; the text report goes to standard output");
	struct profile *p = input_load(input, no_inline, !pprof);
	if (pprof)
		return report_pprof(p, output ? output : "profile.pb.gz");
	pager_start();
	report_print(stdout, p, &o);
	profile_free(p);
	return 0;
}
