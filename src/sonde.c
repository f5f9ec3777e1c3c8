/* sonde: entry point. Dispatches `sonde CMD ...` through the command table,
 * and foreign command lines (argv[0] = perf, ...) through src/compat/. */
#include "sonde.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat/compat.h"
#include "util/die.h"
#include "util/pager.h"
#include "util/suggest.h"

static int cmd_help(int argc, char **argv, const struct cmd_ctx *ctx);
static int cmd_version(int argc, char **argv, const struct cmd_ctx *ctx);

static const struct sonde_cmd commands[] = {
	{ "record", cmd_record, "sample CPU stacks of a command or process into sonde.data",
	  "sonde record [-F HZ] [-e EVENT] [-g | --call-graph fp] [-o FILE] [-p PID] [--duration S] [--] CMD [ARGS]" },
	{ "report", cmd_report, "show where the time went: Children/Self per symbol, call graphs",
	  "sonde report [-i FILE] [--no-children] [--sort KEYS] [--comm C] [--dso D] [--percent-limit P] [-g caller|callee] [--format pprof -o F]" },
	{ "script", cmd_script, "print every sample (perf script layout) or folded stacks",
	  "sonde script [-i FILE] [--folded]" },
	{ "collapse", cmd_collapse, "perf script text -> folded stacks (stackcollapse-perf.pl compatible)",
	  "sonde collapse [--pid|--tid] [--kernel|--jit|--all] [--addrs] [--event-filter EV] [--inline] [FILE|-]" },
	{ "stat", cmd_stat, "count events (task-clock, page-faults, ...) over a run",
	  "sonde stat [-e EVENTS] [-r N] [--] CMD [ARGS]" },
	{ "flamegraph", cmd_flamegraph, "record a command and draw an interactive flamegraph SVG",
	  "sonde flamegraph [-o flamegraph.svg] [-F HZ] [--format svg|folded|speedscope|pprof] [-i FILE | --folded F | --perf-script F | --diff A B] [--] CMD [ARGS]" },
	{ "heap", cmd_heap, "allocation profile: hot call sites, peak, leaks, temporaries (heaptrack)",
	  "sonde heap [-o FILE] [--] CMD [ARGS] | sonde heap report FILE [-n N] [--merged|--separate] [-l] [--flamegraph-cost allocations|temporary|leaked|peak] [--massif FILE] [--format pprof -o F]" },
	{ "memcheck", cmd_memcheck, "leak check at exit, classified like valgrind's memcheck (valgrind output)",
	  "sonde memcheck [--leak-check=full] [--show-leak-kinds=all] [--error-exitcode=N] [--suppressions=F] [--xml=yes --xml-file=F] [--] CMD [ARGS]" },
	{ "cachegrind", cmd_cachegrind, "simulate I1/D1/LL caches and branches per source line (valgrind's cachegrind, on qemu-user)",
	  "sonde cachegrind [--cache-sim=yes|no] [--branch-sim=yes] [--trace-children=yes] [--cachegrind-out-file=F] [--I1=S,A,L] [--D1=..] [--LL=..] [-q] [--] CMD [ARGS]" },
	{ "coz", cmd_coz, "causal profiling (coz): what speeding up each line would do to the program",
	  "sonde coz run [options] --- CMD [ARGS] | sonde coz plot [--text] [--min-points N] [-o FILE.html] [profile.coz]" },
	{ "watch", cmd_watch, "run a bacon.toml job on every change (bacon: clippy, tests, the profilers)",
	  "sonde watch [--headless] [-j JOB] [--config F] [--init] [-l] [JOB] [PATH] [-- ARGS]" },
	{ "bloat", cmd_bloat, "what takes the space in a binary: functions, crates, generics, sections (cargo-bloat)",
	  "sonde bloat [-n N] [--crates] [--filter CRATE|RE] [--generics] [--inlined] [--data] [--sections] [--message-format json] BINARY | sonde bloat --diff OLD NEW" },
	{ "shims", cmd_shims, "install compat names (perf, ...) as symlinks into a directory",
	  "sonde shims [--force] DIR" },
	{ "help", cmd_help, "show help for sonde or for one command", "sonde help [CMD]" },
	{ "version", cmd_version, "print sonde's version", "sonde version" },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct sonde_cmd *find_cmd(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static void print_main_help(FILE *out)
{
	fprintf(out, "sonde %s — CPU sampling, flamegraphs and friends, in one toolkit\n\n"
		     "usage: sonde [--no-pager] COMMAND [OPTIONS]\n\ncommands:\n",
		SONDE_VERSION);
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\nRun 'sonde help COMMAND' or 'sonde COMMAND --help' for a command's options.\n"
		     "Quick start:  sonde record -g -- ./prog && sonde report\n");
}

static int cmd_help(int argc, char **argv, const struct cmd_ctx *ctx)
{
	if (argc < 2) {
		print_main_help(stdout);
		return 0;
	}
	const struct sonde_cmd *c = find_cmd(argv[1]);
	if (!c) {
		const char *names[NCOMMANDS];
		for (size_t i = 0; i < NCOMMANDS; i++)
			names[i] = commands[i].name;
		const char *best = suggest(argv[1], names, NCOMMANDS);
		if (best)
			die("no command '%s'; did you mean '%s'?", argv[1], best);
		die("no command '%s'; run 'sonde --help' for the list", argv[1]);
	}
	char *sub[] = { (char *)c->name, "--help", NULL };
	if (c->fn == cmd_help || c->fn == cmd_version) {
		printf("usage: %s\n", c->usage);
		return 0;
	}
	return c->fn(2, sub, ctx);
}

static int cmd_version(int argc, char **argv, const struct cmd_ctx *ctx)
{
	printf("sonde %s\n", SONDE_VERSION);
	return 0;
}

static int sonde_main(int argc, char **argv)
{
	static const struct cmd_ctx native = { NULL };
	if (argc < 2) {
		print_main_help(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--no-pager") && argc > 2) { /* git's and perf's place for it */
		pager_forbid();
		argc--;
		argv++;
	}
	const char *name = argv[1];
	if (!strcmp(name, "--help") || !strcmp(name, "-h"))
		return cmd_help(1, argv, &native);
	if (!strcmp(name, "--version") || !strcmp(name, "-V") || !strcmp(name, "-v"))
		return cmd_version(1, argv, &native);
	const struct sonde_cmd *c = find_cmd(name);
	if (!c) {
		const char *names[NCOMMANDS];
		for (size_t i = 0; i < NCOMMANDS; i++)
			names[i] = commands[i].name;
		const char *best = suggest(name, names, NCOMMANDS);
		if (best)
			die_status(2, "'%s' is not a sonde command; did you mean '%s'?", name, best);
		die_status(2, "'%s' is not a sonde command; run 'sonde --help' for the list", name);
	}
	return c->fn(argc - 1, argv + 1, &native);
}

int main(int argc, char **argv)
{
	const char *base = strrchr(argv[0], '/');
	base = base ? base + 1 : argv[0];
	for (size_t i = 0; compat_names[i].name; i++)
		if (!strcmp(base, compat_names[i].name))
			return compat_main(base, argc, argv);
	return sonde_main(argc, argv);
}
