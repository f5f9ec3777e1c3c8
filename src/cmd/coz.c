/* sonde coz: causal profiling, as coz's command line (`coz run`, `coz
 * plot`): `run` is coz_run.c, `plot` coz_plot.c. */
#include <stdio.h>
#include <string.h>

#include "cmd/cmds.h"
#include "cmd/coz_run.h"
#include "util/options.h"

static const char *const coz_usage[] = {
	"coz run [options] --- CMD [ARGS]",
	"coz plot [--text] [--min-points N] [-o FILE.html] [profile.coz]",
	NULL,
};

static const char coz_intro[] = "Causal profiling, as coz: 'run' runs a program with virtual speedups into\n"
				"profile.coz, 'plot' shows what each line's speedup would give.\n";

int cmd_coz(int argc, char **argv, const struct cmd_ctx *ctx)
{
	const struct opt opts[] = { OPT_END() };
	const struct opt_cmd cmd = { "coz", .usage = coz_usage, .intro = coz_intro, .stop_at_arg = true };
	if (argc >= 2 && !strcmp(argv[1], "plot"))
		return cmd_coz_plot(argc - 1, argv + 1, ctx);
	if (argc >= 2 && !strcmp(argv[1], "run"))
		return cmd_coz_run(argc - 1, argv + 1, ctx);
	int n = opt_parse(&cmd, opts, argc, argv);
	if (!n)
		opt_usage_error(&cmd, "no subcommand (run or plot)");
	opt_usage_error(&cmd, "unknown subcommand '%s' (run or plot)", argv[0]);
}
