/* sonde record: sample a command (or a running process) into sonde.data. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmds.h"
#include "collect/events.h"
#include "collect/session.h"
#include "util/die.h"

#define DEFAULT_FREQ 999
#define PERF_DEFAULT_FREQ 4000 /* perf record's -F default */

static const char record_usage[] =
	"usage: %s record [options] [--] COMMAND [ARGS...]\n"
	"       %s record [options] -p PID\n"
	"\n"
	"Samples COMMAND (with every thread, child and exec'd program) or a running\n"
	"process and writes the samples to a file for 'report', 'script' and 'flamegraph'.\n"
	"\n"
	"  -F, --freq HZ           samples per second (default %d; 'max' = the kernel limit)\n"
	"  -c, --count PERIOD      sample every PERIOD events instead (ns for cpu-clock)\n"
	"  -e, --event EVENT       cycles (default, falls back to cpu-clock), instructions,\n"
	"                          branches, branch-misses, cache-misses, cache-references,\n"
	"                          cpu-clock, task-clock, page-faults, context-switches,\n"
	"                          cpu-migrations, minor-faults, major-faults; ':u' = user only\n"
	"  -g                      record full call stacks (CFI unwinding, also under perf's name:\n"
	"                          perf's -g walks frame pointers, which release builds seldom have)\n"
	"      --call-graph MODE   dwarf[,SIZE] (unwind a SIZE-byte stack copy with .eh_frame,\n"
	"                          default 32768, at most 65528), fp (kernel frame-pointer walk)\n"
	"      --keep-stacks       (dwarf) also store each sample's registers and stack copy\n"
	"  -o, --output FILE       output file (default %s; '-' = stdout)\n"
	"  -p, --pid PID           attach to a running process until Ctrl-C\n"
	"      --duration SECS     stop after SECS seconds (a launched command gets SIGTERM)\n"
	"  -N, --no-buildid-cache  don't copy the profiled binaries into the build-id cache\n"
	"                          ($SONDE_BUILDID_DIR, default ~/.cache/sonde/buildid)\n"
	"  -q, --quiet             no progress or summary messages\n"
	"\n"
	"Exit status: the command's own (128+N if killed by signal N), 127 if it cannot\n"
	"be found, 0 in attach mode or after --duration, 1 on errors.\n";

enum { OPT_CALL_GRAPH = 256, OPT_DURATION, OPT_HELP, OPT_KEEP_STACKS };

static const struct option record_opts_long[] = {
	{ "freq", required_argument, NULL, 'F' },
	{ "count", required_argument, NULL, 'c' },
	{ "event", required_argument, NULL, 'e' },
	{ "call-graph", required_argument, NULL, OPT_CALL_GRAPH },
	{ "keep-stacks", no_argument, NULL, OPT_KEEP_STACKS },
	{ "output", required_argument, NULL, 'o' },
	{ "pid", required_argument, NULL, 'p' },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "no-buildid-cache", no_argument, NULL, 'N' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

static uint64_t read_max_sample_rate(void)
{
	unsigned long long v = 100000;
	FILE *f = fopen("/proc/sys/kernel/perf_event_max_sample_rate", "re");
	if (f) {
		if (fscanf(f, "%llu", &v) != 1)
			v = 100000;
		fclose(f);
	}
	return v ? v : 1;
}

static int usage_error(const char *fmt, const char *arg)
{
	char buf[512];
	snprintf(buf, sizeof(buf), fmt, arg);
	fprintf(stderr, "%s record: %s\n", sonde_progname, buf);
	fprintf(stderr, "Run '%s record --help' for the options.\n", sonde_progname);
	return 129;
}

static bool parse_u64(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	if (!*s || *s == '-')
		return false;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || v == 0)
		return false;
	*out = v;
	return true;
}

/* "fp", "dwarf", "dwarf,SIZE", "none". Returns 0 or -1. */
static int parse_call_graph(const char *arg, struct record_opts *o)
{
	if (!strcmp(arg, "fp")) {
		o->callgraph = CALLGRAPH_FP;
		return 0;
	}
	if (!strcmp(arg, "none") || !strcmp(arg, "no")) {
		o->callgraph = CALLGRAPH_NONE;
		return 0;
	}
	if (!strncmp(arg, "dwarf", 5) && (arg[5] == 0 || arg[5] == ',')) {
		o->callgraph = CALLGRAPH_DWARF;
		o->stack_size = DWARF_STACK_SIZE_DEFAULT;
		if (arg[5] == ',') {
			uint64_t v;
			if (!parse_u64(arg + 6, &v) || v > 65528)
				return -1;
			o->stack_size = (uint32_t)((v + 7) & ~7ull);
		}
		return 0;
	}
	return -1;
}

int cmd_record(int argc, char **argv, const struct cmd_ctx *ctx)
{
	bool perf = ctx && ctx->compat && !strcmp(ctx->compat, "perf");
	struct record_opts o = { 0 };
	o.freq = perf ? PERF_DEFAULT_FREQ : DEFAULT_FREQ;
	o.output = perf ? "perf.data" : "sonde.data";
	const char *event_str = NULL;

	optind = 0;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "+:F:c:e:go:p:Nqh", record_opts_long, NULL)) != -1) {
		switch (c) {
		case 'F':
			if (!strcmp(optarg, "max")) {
				o.freq = read_max_sample_rate();
			} else if (!parse_u64(optarg, &o.freq)) {
				return usage_error("invalid frequency '%s' (expected samples per second)", optarg);
			}
			o.use_period = false;
			break;
		case 'c':
			if (!parse_u64(optarg, &o.period))
				return usage_error("invalid period '%s'", optarg);
			o.use_period = true;
			break;
		case 'e':
			event_str = optarg;
			break;
		case 'g':
			/* full stacks by CFI unwinding, under perf's name too: perf's
			 * -g walks frame pointers, which Rust release builds (and most
			 * distribution code) do not keep, and sonde's CFI walk costs
			 * about what that walk does; --call-graph fp still asks for it */
			if (o.callgraph == CALLGRAPH_NONE) {
				o.callgraph = CALLGRAPH_DWARF;
				o.stack_size = DWARF_STACK_SIZE_DEFAULT;
			}
			break;
		case OPT_KEEP_STACKS:
			o.keep_stacks = true;
			break;
		case OPT_CALL_GRAPH:
			if (parse_call_graph(optarg, &o) < 0)
				return usage_error("invalid --call-graph '%s' (expected fp, dwarf or "
						   "dwarf,SIZE with SIZE <= 65528)",
						   optarg);
			break;
		case 'o':
			o.output = optarg;
			break;
		case 'p': {
			uint64_t v;
			if (!parse_u64(optarg, &v) || v > 0x7fffffff)
				return usage_error("invalid process id '%s'", optarg);
			o.pid = (pid_t)v;
			break;
		}
		case OPT_DURATION: {
			char *end;
			errno = 0;
			double d = strtod(optarg, &end);
			if (errno || *end || !(d > 0) || d > 1e9)
				return usage_error("invalid --duration '%s' (expected seconds > 0)", optarg);
			o.duration = d;
			break;
		}
		case 'N':
			o.no_buildid_cache = true;
			break;
		case 'q':
			sonde_quiet = 1;
			break;
		case 'h':
		case OPT_HELP:
			printf(record_usage, sonde_progname, sonde_progname, perf ? PERF_DEFAULT_FREQ : DEFAULT_FREQ,
			       o.output);
			return 0;
		case ':':
			return usage_error("option '%s' needs a value", argv[optind - 1]);
		default:
			if (optopt && optopt < 256) {
				char opt[3] = { '-', (char)optopt, 0 };
				return usage_error("unknown option '%s'", opt);
			}
			return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}

	if (event_str) {
		if (strchr(event_str, ','))
			return usage_error("record takes one event (got '%s')", event_str);
		if (event_parse(event_str, &o.event) < 0) {
			error("unknown event '%s'; valid events: %s", event_str, event_valid_names());
			return 129;
		}
		o.event_given = true;
	} else {
		event_parse("cycles", &o.event);
	}

	if (!o.use_period) {
		uint64_t max = read_max_sample_rate();
		if (o.freq > max) {
			warn("-F %" PRIu64 " is above the kernel limit; using %" PRIu64
			     " Hz (kernel.perf_event_max_sample_rate)",
			     o.freq, max);
			o.freq = max;
		}
	}

	char **cmd = argv + optind;
	if (o.pid > 0 && *cmd)
		return usage_error("give either -p PID or a command, not both (got '%s')", *cmd);
	if (o.pid <= 0 && !*cmd)
		return usage_error("%s", "no command to record (usage: record [options] -- COMMAND, or -p PID)");
	o.argv = cmd;

	char *line = record_cmdline(argc, argv);
	o.cmdline = line;
	int rc = record_session(&o);
	free(line);
	return rc;
}
