/* sonde script: samples as perf script text, or folded stacks. */
#include <stdio.h>
#include <string.h>

#include "cmd/cmds.h"
#include "cmd/input.h"
#include "profile/model.h"
#include "render/script.h"
#include "util/die.h"
#include "util/options.h"
#include "util/pager.h"

static const char *const usage[] = {
	"script [-i FILE] [--folded [--pid] [--tid] [--kernel] [--jit]] [--no-inline] [--no-pager]",
	NULL,
};

static int fields_cb(struct opt_parser *p, const struct opt *opt, const char *arg)
{
	struct script_opts *so = opt->value;
	so->show_pid = strstr(arg, "pid") != NULL;
	return 0;
}

int cmd_script(int argc, char **argv, const struct cmd_ctx *ctx)
{
	const char *input = NULL;
	bool folded = false, no_inline = false, ignored = false;
	struct script_opts so = { 0 };
	struct folded_opts fo = { 0 };
	const struct opt opts[] = {
		OPT_STRING('i', "input", &input, "FILE",
			   "recording to read (default sonde.data), or folded stacks /\n"
			   "`perf script` text ('-' = stdin: comm [unknown], pid 0)"),
		OPT_BOOL(0, "folded", &folded, "one line per distinct stack: \"comm;root;...;leaf weight\""),
		OPT_BOOL(0, "pid", &fo.pid, "(folded) root frame comm-PID"),
		OPT_BOOL(0, "tid", &fo.tid, "(folded) root frame comm-PID/TID"),
		OPT_BOOL(0, "kernel", &fo.kernel, "(folded) mark kernel frames with _[k]"),
		OPT_BOOL(0, "jit", &fo.jit, "(folded) mark JIT frames (named by /tmp/perf-PID.map) with _[j]"),
		OPT_BOOL(0, "counts", &fo.counts, "(folded) count samples instead of summing periods"),
		OPT_BOOL(0, "no-inline", &no_inline, "leave out inlined frames"),
		OPT_CALLBACK_NOARG(0, "no-pager", NULL,
				   "print straight to the terminal (by default a terminal gets\n"
				   "the text through $PAGER, or less; not as 'perf script')",
				   pager_forbid_opt),
		OPT_CALLBACK('F', "fields", &so, "FIELDS",
			     "accepted for perf compatibility; with pid in FIELDS, print pid/tid", fields_cb, NULL),
		/* perf's, accepted */
		OPT_HIDDEN_BOOL('f', "force", &ignored),
		{ .kind = OPTK_COUNT, .shrt = 'q', .value = &sonde_quiet, .flags = OPTF_HIDDEN },
		OPT_END(),
	};
	const struct opt_cmd cmd = { "script", .usage = usage };
	if (opt_parse(&cmd, opts, argc, argv) > 0)
		opt_usage_error(&cmd, "unexpected argument '%s' (the input file goes after -i)", argv[0]);
	so.no_inline = fo.no_inline = no_inline;
	if (!input)
		input = input_default(ctx);
	struct profile *p = input_load(input, so.no_inline ? INPUT_NO_INLINE : 0);
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
