/* `perf record|report|script|stat ...` as the seed uses them, run by sonde.
 * Option meanings follow perf's; files default to perf.data (in sonde's
 * format). Every other subcommand runs the real perf. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmds.h"
#include "compat/compat.h"
#include "compat/passthrough.h"
#include "util/die.h"
#include "util/pager.h"

static const struct {
	const char *name;
	int (*fn)(int, char **, const struct cmd_ctx *);
} perf_cmds[] = {
	{ "record", cmd_record },
	{ "report", cmd_report },
	{ "script", cmd_script },
	{ "stat", cmd_stat },
};

static void perf_usage(FILE *out)
{
	fprintf(out, "usage: perf COMMAND [ARGS]   (sonde's perf compatibility)\n\n"
		     "  record   sample a command: perf record [-g] [--call-graph dwarf|fp] [-F N] [-o F] CMD\n"
		     "  report   perf report [--stdio] [-i F]\n"
		     "  script   perf script [-i F]\n"
		     "  stat     perf stat [-r N] CMD\n\n"
		     "Recordings are written in sonde's format; 'sonde --help' lists everything else.\n"
		     "Other commands (perf list, top, annotate, trace, ...) run the real perf found later on PATH.\n");
}

int compat_perf(int argc, char **argv)
{
	static const struct cmd_ctx ctx = { "perf" };
	sonde_progname = "perf";
	char **typed = argv; /* what the real perf gets, --no-pager and all */
	if (argc > 2 && !strcmp(argv[1], "--no-pager")) {
		pager_forbid();
		argc--;
		argv++;
	}
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		perf_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 1 : 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("perf version 6.1 (sonde %s)\n", SONDE_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(perf_cmds) / sizeof(perf_cmds[0]); i++)
		if (!strcmp(argv[1], perf_cmds[i].name))
			return perf_cmds[i].fn(argc - 1, argv + 1, &ctx);
	/* perf list, top, annotate, trace, ...: the real perf, untouched */
	char *what = xasprintf("perf %s", argv[1]);
	int rc = passthrough_exec("perf", what, "linux-perf", typed);
	free(what);
	return rc;
}
