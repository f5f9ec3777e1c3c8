/* sonde collapse: `perf script` text (Linux perf's or `sonde script`'s) ->
 * folded stacks, like FlameGraph's stackcollapse-perf.pl. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmds.h"
#include "collapse/perf_script.h"
#include "util/die.h"
#include "util/outfile.h"
#include "util/lines.h"

static const char usage[] =
	"usage: sonde collapse [OPTIONS] [FILE|-]\n"
	"\n"
	"Reads `perf script` text (default: standard input) and prints one line per\n"
	"distinct stack, \"comm;root;...;leaf COUNT\", sorted, as stackcollapse-perf.pl does.\n"
	"A sample whose event line has a period counts its period, otherwise 1.\n"
	"\n"
	"      --pid               root frame comm-PID [1]\n"
	"      --tid               root frame comm-PID/TID [1]\n"
	"      --kernel            annotate kernel frames with _[k]\n"
	"      --jit               annotate JIT frames (/tmp/perf-PID.map, jitted-*.so) with _[j]\n"
	"      --all               all annotations (--kernel --jit)\n"
	"      --addrs             name unknown symbols [module <addr>]\n"
	"      --event-filter EV   only samples of event EV (default: the first event seen)\n"
	"      --inline            expand inlined frames from DWARF (file-relative addresses only)\n"
	"      --no-comm           leave out the process-name root frame\n"
	"  -o, --output FILE       write to FILE instead of standard output\n"
	"  -q, --quiet             no summary messages\n"
	"\n"
	"[1] needs pid and tid in the input: perf script -F comm,pid,tid,cpu,time,event,ip,sym,dso,trace\n";

int cmd_collapse(int argc, char **argv, const struct cmd_ctx *ctx)
{
	(void)ctx;
	enum { O_PID = 256, O_TID, O_KERNEL, O_JIT, O_ALL, O_ADDRS, O_EVENT, O_INLINE, O_NOCOMM,
	       O_CONTEXT, O_SRCLINE };
	static const struct option longopts[] = {
		{ "pid", no_argument, NULL, O_PID },
		{ "tid", no_argument, NULL, O_TID },
		{ "kernel", no_argument, NULL, O_KERNEL },
		{ "jit", no_argument, NULL, O_JIT },
		{ "all", no_argument, NULL, O_ALL },
		{ "addrs", no_argument, NULL, O_ADDRS },
		{ "event-filter", required_argument, NULL, O_EVENT },
		{ "inline", no_argument, NULL, O_INLINE },
		{ "no-comm", no_argument, NULL, O_NOCOMM },
		{ "context", no_argument, NULL, O_CONTEXT },
		{ "srcline", no_argument, NULL, O_SRCLINE },
		{ "output", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct collapse_opts o = { 0 };
	const char *output = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:qh", longopts, NULL)) != -1) {
		switch (c) {
		case O_PID: o.pid = true; break;
		case O_TID: o.tid = true; break;
		case O_KERNEL: o.kernel = true; break;
		case O_JIT: o.jit = true; break;
		case O_ALL: o.kernel = o.jit = true; break;
		case O_ADDRS: o.addrs = true; break;
		case O_EVENT: o.event_filter = optarg; break;
		case O_INLINE: o.inline_frames = true; break;
		case O_NOCOMM: o.no_comm = true; break;
		case O_CONTEXT:
		case O_SRCLINE:
			error("option '%s' is not supported (source lines are not part of sonde collapse)",
			      c == O_CONTEXT ? "--context" : "--srcline");
			return 2;
		case 'o': output = optarg; break;
		case 'q': sonde_quiet = 1; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (argc - optind > 1) {
		error("too many arguments: only one input file is read");
		fputs(usage, stderr);
		return 2;
	}
	const char *path = optind < argc ? argv[optind] : "-";
	FILE *in = stdin;
	if (strcmp(path, "-")) {
		in = fopen(path, "rb");
		if (!in)
			return error("cannot open '%s': %s", path, strerror(errno)), 1;
	}
	struct folded_set set;
	struct collapse_stats st;
	folded_init(&set);
	int rc = collapse_perf_script(in, &o, &set, &st);
	int saved = errno;
	if (in != stdin)
		fclose(in);
	if (rc < 0) {
		char why[160];
		folded_free(&set);
		return error("cannot read '%s': %s", path, lines_strerror(saved, st.stop_offset, why, sizeof(why))), 1;
	}
	folded_sort(&set);
	if (set.capped)
		warn("periods add up past 2^64 - 1: the counts of some stacks stopped there and are lower bounds");
	struct outfile of;
	FILE *out = outfile_fopen(&of, output ? output : "-");
	if (!out) {
		folded_free(&set);
		return error("cannot create '%s': %s", output, strerror(errno)), 1;
	}
	int wrc = folded_write(out, &set);
	if (outfile_fclose(&of, out, wrc == 0) < 0)
		wrc = -1;
	if (wrc < 0) {
		folded_free(&set);
		return error("cannot write '%s': %s", output ? output : "standard output", strerror(errno)), 1;
	}
	if (st.bad_lines)
		fprintf(stderr, "%s: skipped %llu malformed line%s (first at line %llu)\n", sonde_progname,
			(unsigned long long)st.bad_lines, st.bad_lines == 1 ? "" : "s",
			(unsigned long long)st.first_bad_line);
	if (st.skipped_samples && !o.event_filter)
		note("kept only '%s' samples (the first event); %llu samples of other events skipped, "
		     "see --event-filter", st.first_event, (unsigned long long)st.skipped_samples);
	if (!set.v.n && st.lines)
		warn("no stacks found in '%s': is it `perf script` output?", path);
	folded_free(&set);
	return 0;
}
