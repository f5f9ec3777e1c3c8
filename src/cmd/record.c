/* sonde record: sample a command (or a running process) into sonde.data. */
#include <errno.h>
#include <float.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmds.h"
#include "collect/events.h"
#include "collect/session.h"
#include "util/die.h"
#include "util/options.h"

#define DEFAULT_FREQ 999
#define PERF_DEFAULT_FREQ 4000 /* perf record's -F default */

static const char *const record_usage[] = {
	"record [options] [--] COMMAND [ARGS...]",
	"record [options] -p PID",
	NULL,
};

static const char record_intro[] =
	"Samples COMMAND (with every thread, child and exec'd program) or a running\n"
	"process and writes the samples to a file for 'report', 'script' and 'flamegraph'.\n";

static const char record_outro[] =
	"Exit status: the command's own (128+N if killed by signal N), 127 if it cannot\n"
	"be found, 0 in attach mode or after --duration, 1 on errors.\n";

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

static int freq_cb(struct opt_parser *p, const struct opt *opt, const char *arg)
{
	struct record_opts *o = opt->value;
	if (!strcmp(arg, "max"))
		o->freq = read_max_sample_rate();
	else if (!parse_u64(arg, &o->freq))
		return -1;
	o->use_period = false;
	return 0;
}

static int count_cb(struct opt_parser *p, const struct opt *opt, const char *arg)
{
	struct record_opts *o = opt->value;
	if (!parse_u64(arg, &o->period))
		return -1;
	o->use_period = true;
	return 0;
}

static int g_cb(struct opt_parser *p, const struct opt *opt, const char *arg)
{
	/* full stacks by CFI unwinding, under perf's name too: perf's -g
	 * walks frame pointers, which Rust release builds (and most
	 * distribution code) do not keep, and sonde's CFI walk costs about
	 * what that walk does; --call-graph fp still asks for it */
	struct record_opts *o = opt->value;
	if (o->callgraph == CALLGRAPH_NONE) {
		o->callgraph = CALLGRAPH_DWARF;
		o->stack_size = DWARF_STACK_SIZE_DEFAULT;
	}
	return 0;
}

static int call_graph_cb(struct opt_parser *p, const struct opt *opt, const char *arg)
{
	return parse_call_graph(arg, opt->value);
}

int cmd_record(int argc, char **argv, const struct cmd_ctx *ctx)
{
	bool perf = ctx && ctx->compat && !strcmp(ctx->compat, "perf");
	struct record_opts o = { 0 };
	o.freq = perf ? PERF_DEFAULT_FREQ : DEFAULT_FREQ;
	o.output = perf ? "perf.data" : "sonde.data";
	const char *event_str = NULL;
	char freq_help[80], out_help[80];
	snprintf(freq_help, sizeof(freq_help), "samples per second (default %d; 'max' = the kernel limit)",
		 perf ? PERF_DEFAULT_FREQ : DEFAULT_FREQ);
	snprintf(out_help, sizeof(out_help), "output file (default %s; '-' = stdout)", o.output);
	const struct opt opts[] = {
		OPT_CALLBACK('F', "freq", &o, "HZ", freq_help, freq_cb,
			     "invalid frequency '%s' (expected samples per second)"),
		OPT_CALLBACK('c', "count", &o, "PERIOD", "sample every PERIOD events instead (ns for cpu-clock)",
			     count_cb, "invalid period '%s'"),
		OPT_STRING('e', "event", &event_str, "EVENT",
			   "cycles (default, falls back to cpu-clock), instructions,\n"
			   "branches, branch-misses, cache-misses, cache-references,\n"
			   "cpu-clock, task-clock, page-faults, context-switches,\n"
			   "cpu-migrations, minor-faults, major-faults; ':u' = user only"),
		OPT_CALLBACK_NOARG('g', NULL, &o,
				   "record full call stacks (CFI unwinding, also under perf's name:\n"
				   "perf's -g walks frame pointers, which release builds seldom have)",
				   g_cb),
		OPT_CALLBACK(0, "call-graph", &o, "MODE",
			     "dwarf[,SIZE] (unwind a SIZE-byte stack copy with .eh_frame,\n"
			     "default 32768, at most 65528), fp (kernel frame-pointer walk)",
			     call_graph_cb,
			     "invalid --call-graph '%s' (expected fp, dwarf or dwarf,SIZE with SIZE <= 65528)"),
		OPT_BOOL(0, "keep-stacks", &o.keep_stacks, "(dwarf) also store each sample's registers and stack copy"),
		OPT_STRING('o', "output", &o.output, "FILE", out_help),
		OPT_INT('p', "pid", &o.pid, "PID", "attach to a running process until Ctrl-C", 1, 0x7fffffff,
			"invalid process id '%s'"),
		OPT_DOUBLE(0, "duration", &o.duration, "SECS",
			   "stop after SECS seconds (a launched command gets SIGTERM)", DBL_MIN, 1e9,
			   "invalid --duration '%s' (expected seconds > 0)"),
		OPT_BOOL('N', "no-buildid-cache", &o.no_buildid_cache,
			 "don't copy the profiled binaries into the build-id cache\n"
			 "($SONDE_BUILDID_DIR, default ~/.cache/sonde/buildid)"),
		OPT_COUNT('q', "quiet", &sonde_quiet, "no progress or summary messages"),
		OPT_END(),
	};
	const struct opt_cmd cmd = { "record", .usage = record_usage, .intro = record_intro,
				     .outro = record_outro, .stop_at_arg = true };

	char *line = record_cmdline(argc, argv); /* before the parser moves argv */
	int nargs = opt_parse(&cmd, opts, argc, argv);

	if (event_str) {
		if (strchr(event_str, ','))
			opt_usage_error(&cmd, "record takes one event (got '%s')", event_str);
		if (event_parse(event_str, &o.event) < 0)
			opt_usage_error(&cmd, "unknown event '%s'; valid events: %s", event_str, event_valid_names());
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

	if (o.pid > 0 && nargs)
		opt_usage_error(&cmd, "give either -p PID or a command, not both (got '%s')", argv[0]);
	if (o.pid <= 0 && !nargs)
		opt_usage_error(&cmd, "no command to record (usage: record [options] -- COMMAND, or -p PID)");
	o.argv = argv;
	o.cmdline = line;
	int rc = record_session(&o);
	free(line);
	return rc;
}
