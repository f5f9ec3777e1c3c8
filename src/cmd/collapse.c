/* sonde collapse: `perf script` text (Linux perf's or `sonde script`'s) ->
 * folded stacks, like FlameGraph's stackcollapse-perf.pl. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmds.h"
#include "collapse/perf_script.h"
#include "util/die.h"
#include "util/options.h"
#include "util/outfile.h"
#include "util/lines.h"

static const char *const usage[] = { "collapse [OPTIONS] [FILE|-]", NULL };

static const char intro[] =
	"Reads `perf script` text (default: standard input) and prints one line per\n"
	"distinct stack, \"comm;root;...;leaf COUNT\", sorted, as stackcollapse-perf.pl does.\n"
	"A sample whose event line has a period counts its period, otherwise 1.\n";

static const char outro[] =
	"[1] needs pid and tid in the input: perf script -F comm,pid,tid,cpu,time,event,ip,sym,dso,trace\n";

static int all_cb(struct opt_parser *p, const struct opt *opt, const char *arg)
{
	struct collapse_opts *o = opt->value;
	o->kernel = o->jit = true;
	return 0;
}

/* stackcollapse-perf.pl's --context and --srcline: source lines, which sonde collapse has not */
static int unsupported_cb(struct opt_parser *p, const struct opt *opt, const char *arg)
{
	opt_usage_error(p->cmd, "option '--%s' is not supported (source lines are not part of sonde collapse)",
			opt->lng);
}

int cmd_collapse(int argc, char **argv, const struct cmd_ctx *ctx)
{
	(void)ctx;
	struct collapse_opts o = { 0 };
	const char *output = NULL;
	const struct opt opts[] = {
		OPT_BOOL(0, "pid", &o.pid, "root frame comm-PID [1]"),
		OPT_BOOL(0, "tid", &o.tid, "root frame comm-PID/TID [1]"),
		OPT_BOOL(0, "kernel", &o.kernel, "annotate kernel frames with _[k]"),
		OPT_BOOL(0, "jit", &o.jit, "annotate JIT frames (/tmp/perf-PID.map, jitted-*.so) with _[j]"),
		OPT_CALLBACK_NOARG(0, "all", &o, "all annotations (--kernel --jit)", all_cb),
		OPT_BOOL(0, "addrs", &o.addrs, "name unknown symbols [module <addr>]"),
		OPT_STRING(0, "event-filter", &o.event_filter, "EV",
			   "only samples of event EV (default: the first event seen)"),
		OPT_BOOL(0, "inline", &o.inline_frames, "expand inlined frames from DWARF (file-relative addresses only)"),
		OPT_BOOL(0, "no-comm", &o.no_comm, "leave out the process-name root frame"),
		OPT_STRING('o', "output", &output, "FILE", "write to FILE instead of standard output"),
		OPT_COUNT('q', "quiet", &sonde_quiet, "no summary messages"),
		{ .kind = OPTK_CALLBACK, .lng = "context", .flags = OPTF_HIDDEN | OPTF_NOARG, .cb = unsupported_cb },
		{ .kind = OPTK_CALLBACK, .lng = "srcline", .flags = OPTF_HIDDEN | OPTF_NOARG, .cb = unsupported_cb },
		OPT_END(),
	};
	const struct opt_cmd cmd = { "collapse", .usage = usage, .intro = intro, .outro = outro };
	int nargs = opt_parse(&cmd, opts, argc, argv);
	if (nargs > 1)
		opt_usage_error(&cmd, "too many arguments: only one input file is read");
	const char *path = nargs ? argv[0] : "-";
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
