/* sonde script: samples as perf script text, or folded stacks. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmds.h"
#include "cmd/input.h"
#include "profile/model.h"
#include "render/script.h"
#include "util/die.h"
#include "util/pager.h"

static const char usage[] =
	"usage: %s script [-i FILE] [--folded [--pid] [--tid] [--kernel]] [--no-inline] [--no-pager]\n"
	"\n"
	"  -i, --input FILE   recording to read (default sonde.data)\n"
	"      --folded       one line per distinct stack: \"comm;root;...;leaf weight\"\n"
	"      --pid, --tid   (folded) root frame comm-PID or comm-PID/TID\n"
	"      --kernel       (folded) mark kernel frames with _[k]\n"
	"      --counts       (folded) count samples instead of summing periods\n"
	"      --no-inline    leave out inlined frames\n"
	"      --no-pager     print straight to the terminal (by default a terminal gets\n"
	"                     the text through $PAGER, or less; not as 'perf script')\n"
	"  -F FIELDS          accepted for perf compatibility; with pid in FIELDS, print pid/tid\n";

int cmd_script(int argc, char **argv, const struct cmd_ctx *ctx)
{
	enum { O_FOLDED = 256, O_PID, O_TID, O_KERNEL, O_NOINLINE, O_COUNTS, O_NO_PAGER };
	static const struct option longopts[] = {
		{ "input", required_argument, NULL, 'i' },
		{ "folded", no_argument, NULL, O_FOLDED },
		{ "pid", no_argument, NULL, O_PID },
		{ "tid", no_argument, NULL, O_TID },
		{ "kernel", no_argument, NULL, O_KERNEL },
		{ "counts", no_argument, NULL, O_COUNTS },
		{ "no-inline", no_argument, NULL, O_NOINLINE },
		{ "no-pager", no_argument, NULL, O_NO_PAGER },
		{ "fields", required_argument, NULL, 'F' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *input = NULL;
	bool folded = false;
	struct script_opts so = { 0 };
	struct folded_opts fo = { 0 };
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "i:F:fqh", longopts, NULL)) != -1) {
		switch (c) {
		case 'i': input = optarg; break;
		case O_FOLDED: folded = true; break;
		case O_PID: fo.pid = true; break;
		case O_TID: fo.tid = true; break;
		case O_KERNEL: fo.kernel = true; break;
		case O_COUNTS: fo.counts = true; break;
		case O_NOINLINE: so.no_inline = fo.no_inline = true; break;
		case O_NO_PAGER: pager_forbid(); break;
		case 'F': so.show_pid = strstr(optarg, "pid") != NULL; break;
		case 'f': break;
		case 'q': sonde_quiet = 1; break;
		case 'h': printf(usage, sonde_progname); return 0;
		default: fprintf(stderr, usage, sonde_progname); return 2;
		}
	}
	if (optind < argc)
		die("unexpected argument '%s' (the input file goes after -i)", argv[optind]);
	if (!input)
		input = input_default(ctx);
	struct profile *p = input_load(input, so.no_inline, false);
	if (!ctx->compat) /* perf script does not page (perf report does) */
		pager_start();
	if (folded)
		folded_print(stdout, p, &fo);
	else
		script_print(stdout, p, &so);
	profile_free(p);
	if (fflush(stdout) != 0 || ferror(stdout))
		die("cannot write output: %m");
	return 0;
}
