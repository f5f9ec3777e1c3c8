/* sonde flamegraph: record a command with full call stacks and render an
 * interactive SVG flamegraph (or folded stacks, or a speedscope file), in
 * one step. Also renders existing recordings, folded files, `perf script`
 * text, and differential graphs of two profiles. */
#include <errno.h>
#include <float.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bloat/bloat.h"
#include "cmd/cmds.h"
#include "cmd/input.h"
#include "collapse/folded.h"
#include "collect/events.h"
#include "collect/session.h"
#include "profile/folded_reader.h"
#include "profile/format.h"
#include "profile/model.h"
#include "render/flame.h"
#include "render/folded_profile.h"
#include "render/pprof.h"
#include "render/pprof_profile.h"
#include "render/speedscope.h"
#include "util/browser.h"
#include "util/die.h"
#include "util/options.h"
#include "util/outfile.h"
#include "util/lines.h"
#include "util/satadd.h"
#include "util/strbuf.h"
#include "util/writable.h"

#define FG_DEFAULT_FREQ 997 /* cargo-flamegraph's: off the beat of 1000 Hz timers */

static const char *const fg_usage[] = {
	"flamegraph [options] [--] COMMAND [ARGS...]",
	"flamegraph [options] -p PID",
	"flamegraph [options] -i sonde.data|perf.data|TRACE.zst",
	"flamegraph [options] --folded FILE | --perf-script FILE   ('-' = stdin)",
	"flamegraph [options] --diff BEFORE AFTER",
	NULL,
};

static const char fg_intro[] =
	"Records COMMAND with full call stacks (DWARF unwinding) and writes an\n"
	"interactive SVG flamegraph: hover for counts, click to zoom, Ctrl-F to search.\n";

static const char fg_outro[] =
	"Frames: the root is the command name; kernel frames end in _[k], inlined\n"
	"ones in _[i], JIT code named by /tmp/perf-PID.map in _[j]. Exit status:\n"
	"COMMAND's own (the graph is written anyway).\n";

enum fg_format { FMT_SVG, FMT_FOLDED, FMT_SPEEDSCOPE, FMT_PPROF };

static const char *const palettes[] = { "hot", "rust", "c", "cpp", "kernel", "mem", "io", "red",
					"green", "blue", "aqua", "yellow", "purple", "orange", NULL };

struct fg_opts {
	const char *output;
	enum fg_format format;
	uint64_t freq;
	pid_t pid;
	double duration;
	const char *keep_data;
	bool ignore_status, open, normalize, negate, reverse, inverted, no_inline;
	bool bloat; /* -i BINARY --bloat: a size flamegraph */
	const char *input, *folded, *perf_script, *diff_a, *diff_b;
	const char *weight; /* --weight: a weight of the recordings read */
	const char *title, *subtitle, *palette;
	int width;
	double min_width;
	enum callgraph_mode callgraph;
	uint32_t stack_size;
};

/* The temporary recording, removed at exit (also after die()). */
static char *tmp_data;
static void remove_tmp_data(void)
{
	if (tmp_data) {
		unlink(tmp_data);
		free(tmp_data);
		tmp_data = NULL;
	}
}

/* The weight drawn: --weight, else samples (as cargo-flamegraph shows
 * them) where the input has them, else its first weight. */
static uint32_t fg_weight(const struct profile *p, const char *name)
{
	return input_weight(p, name, p->count_weight ? PROF_WEIGHT_SAMPLES : 0, "flamegraph");
}

/* How a recording's stacks are named and weighed in the graph. */
static struct folded_opts fg_folded_opts(const struct profile *p, bool no_inline, const char *weight)
{
	struct folded_opts fo = { 0 };
	fo.kernel = true;
	fo.inline_marks = true;
	fo.jit = true;
	fo.no_inline = no_inline;
	fo.weight = fg_weight(p, weight);
	fo.counts = fo.weight == PROF_WEIGHT_SAMPLES;
	return fo;
}

static void fold_profile(const struct profile *p, bool no_inline, const char *weight, struct folded_set *out)
{
	struct folded_opts fo = fg_folded_opts(p, no_inline, weight);
	profile_to_folded(p, &fo, out);
}

/* What the graph of a recording adds up to. */
static uint64_t profile_total(const struct profile *p, const struct folded_opts *fo)
{
	uint64_t total = 0;
	bool capped = false;
	for (size_t i = 0; i < p->samples.n; i++)
		total = sat_add(total, prof_value(p, i, fo->counts ? PROF_WEIGHT_SAMPLES : fo->weight), &capped);
	return total;
}

/* What the SVG's widths count ("samples", "bytes"). */
static const char *count_name(const struct profile *p, const char *weight)
{
	if (!p)
		return "samples";
	uint32_t w = fg_weight(p, weight);
	const char *unit = profile_weight_unit(p, w);
	return !strcmp(unit, "bytes") ? "bytes" : w == PROF_WEIGHT_SAMPLES ? "samples" : profile_weight_name(p, w);
}

/* One side of a diff, as folded stacks: the diff matches the two sides'
 * stacks by their text (flame_tree_add_diff), so it keeps folded sets. */
static void load_any(const char *path, bool no_inline, const char *weight, struct folded_set *out, bool *capped)
{
	struct profile *p = input_load_any(path, no_inline ? INPUT_NO_INLINE : 0, capped);
	fold_profile(p, no_inline, weight, out);
	profile_free(p);
}

/* "a;b;c" -> "c;b;a" for --reverse in folded output. */
static void reverse_set(const struct folded_set *in, struct folded_set *out)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < in->v.n; i++) {
		const struct folded_entry *e = &in->v.v[i];
		sb_reset(&sb);
		const char *end = e->stack + e->len;
		while (end > e->stack) {
			const char *b = end;
			while (b > e->stack && b[-1] != ';')
				b--;
			if (sb.len)
				sb_addc(&sb, ';');
			sb_add(&sb, b, (size_t)(end - b));
			end = b > e->stack ? b - 1 : b;
		}
		folded_add(out, sb.buf ? sb.buf : "", sb.len, e->count);
	}
	sb_free(&sb);
}

/* --open, as heaptrack_gui opens its page (util/browser.h). Without a
 * display nothing is started (xdg-open would try a text browser, which
 * cannot draw an SVG): the path is printed, even under -q, as it is when
 * no browser starts. */
static void open_result(const char *path)
{
	char abs[PATH_MAX];
	if (!realpath(path, abs))
		snprintf(abs, sizeof(abs), "%s", path);
	char *used;
	switch (browser_open(abs, &used)) {
	case BROWSER_OPENED:
		note("opening %s with %s", abs, used);
		break;
	case BROWSER_NO_DISPLAY:
		warn("--open: no display ($DISPLAY and $WAYLAND_DISPLAY are unset); open file://%s in a browser", abs);
		break;
	case BROWSER_NONE:
		warn("--open: no browser could be started ($BROWSER, xdg-open, sensible-browser); open file://%s in a browser",
		     abs);
		break;
	}
	free(used);
}

static void fmt_kb(uint64_t bytes, char *buf, size_t len)
{
	if (bytes < 1024 * 1024)
		snprintf(buf, len, "%" PRIu64 " KB", (bytes + 1023) / 1024);
	else
		snprintf(buf, len, "%.1f MB", (double)bytes / (1024.0 * 1024.0));
}

/* Records the command (or pid) into a data file; returns the record status
 * and sets *data to the file. */
static int record_into(const struct fg_opts *o, char **cmd, char *line, char **data)
{
	struct record_opts ro = { 0 };
	event_parse("cycles", &ro.event); /* falls back to cpu-clock without a PMU */
	ro.freq = o->freq;
	ro.callgraph = o->callgraph;
	ro.stack_size = o->stack_size;
	ro.pid = o->pid;
	ro.duration = o->duration;
	ro.argv = cmd;
	if (o->keep_data) {
		*data = xstrdup(o->keep_data);
	} else {
		const char *dir = getenv("TMPDIR");
		if (!dir || !*dir)
			dir = "/tmp";
		char *tmpl = xasprintf("%s/sonde-flamegraph.XXXXXX", dir);
		int fd = mkstemp(tmpl);
		if (fd < 0)
			die("cannot create a temporary file in '%s': %s (set TMPDIR, or use --keep-data FILE)",
			    dir, strerror(errno));
		close(fd);
		tmp_data = xstrdup(tmpl);
		atexit(remove_tmp_data);
		*data = tmpl;
		ro.temp_output = true;
	}
	ro.output = *data;
	ro.cmdline = line;
	return record_session(&ro);
}

static int call_graph_cb(struct opt_parser *p, const struct opt *opt, const char *arg)
{
	struct fg_opts *o = opt->value;
	char *end;
	if (!strcmp(arg, "fp")) {
		o->callgraph = CALLGRAPH_FP;
	} else if (!strcmp(arg, "dwarf")) {
		o->callgraph = CALLGRAPH_DWARF;
	} else if (!strncmp(arg, "dwarf,", 6)) {
		errno = 0;
		unsigned long v = strtoul(arg + 6, &end, 10);
		if (errno || *end || !v || v > 65528 || arg[6] == '-')
			opt_usage_error(p->cmd, "invalid --call-graph '%s' (expected dwarf,SIZE with SIZE <= 65528)", arg);
		o->callgraph = CALLGRAPH_DWARF;
		o->stack_size = (uint32_t)((v + 7) & ~7ul);
	} else {
		return -1;
	}
	return 0;
}

/* --diff BEFORE AFTER: two values */
static int diff_cb(struct opt_parser *p, const struct opt *opt, const char *arg)
{
	struct fg_opts *o = opt->value;
	o->diff_a = arg;
	o->diff_b = opt_next_arg(p);
	return o->diff_b ? 0 : -1;
}

int cmd_flamegraph(int argc, char **argv, const struct cmd_ctx *ctx)
{
	static const char *const formats[] = { "svg", "folded", "speedscope", "pprof", NULL };
	struct fg_opts o = { 0 };
	o.freq = FG_DEFAULT_FREQ;
	o.min_width = 0.1;
	o.callgraph = CALLGRAPH_DWARF;
	o.stack_size = DWARF_STACK_SIZE_DEFAULT;
	int format = FMT_SVG, palette = -1;
	char freq_help[64], cg_help[192];
	snprintf(freq_help, sizeof(freq_help), "samples per second (default %d)", FG_DEFAULT_FREQ);
	snprintf(cg_help, sizeof(cg_help),
		 "dwarf[,SIZE] (default; SIZE bytes of stack copied per\n"
		 "sample, default %u, at most 65528) or fp (frame pointers)",
		 DWARF_STACK_SIZE_DEFAULT);
	const struct opt opts[] = {
		OPT_GROUP("Output:"),
		OPT_STRING('o', "output", &o.output, "FILE",
			   "where to write (default flamegraph.svg; folded: stdout;\n"
			   "speedscope: profile.speedscope.json; pprof:\n"
			   "profile.pb.gz; '-' = stdout)"),
		OPT_ENUM(0, "format", &format, "FMT",
			 "svg (default), folded (stacks + counts), speedscope (JSON),\n"
			 "pprof (gzipped profile.proto: go tool pprof, Pyroscope)",
			 formats, NULL),
		OPT_BOOL(0, "open", &o.open,
			 "open the result in a browser ($BROWSER, xdg-open or\n"
			 "sensible-browser) when there is a display, else print its path"),
		OPT_GROUP("Recording:"),
		OPT_U64('F', "freq", &o.freq, "HZ", freq_help, 1, 0,
			"invalid frequency '%s' (expected samples per second)"),
		OPT_INT('p', "pid", &o.pid, "PID", "attach to a running process until Ctrl-C (or --duration)", 1,
			INT_MAX, "invalid process id '%s'"),
		OPT_DOUBLE(0, "duration", &o.duration, "SECS", "stop recording after SECS seconds", DBL_MIN, 1e9,
			   "invalid --duration '%s' (expected seconds > 0)"),
		OPT_CALLBACK(0, "call-graph", &o, "MODE", cg_help, call_graph_cb,
			     "invalid --call-graph '%s' (expected dwarf, dwarf,SIZE or fp)"),
		OPT_STRING(0, "keep-data", &o.keep_data, "FILE",
			   "keep the recording in FILE (default: a temporary file)"),
		OPT_BOOL(0, "ignore-status", &o.ignore_status, "exit 0 even when COMMAND fails"),
		OPT_GROUP("Inputs instead of a command:"),
		OPT_STRING('i', "input", &o.input, "FILE",
			   "a recording (sonde.data or Linux perf's perf.data) or a\n"
			   "heap trace (sonde heap)"),
		OPT_BOOL(0, "bloat", &o.bloat,
			 "with -i BINARY: where the binary's bytes go (crate, module, function; width = bytes)"),
		OPT_STRING(0, "weight", &o.weight, "W",
			   "what widths count: samples (default) or period; for a heap\n"
			   "trace allocations (default), allocated, temporary, peak, leaked"),
		OPT_STRING(0, "folded", &o.folded, "FILE", "folded stacks (\"a;b;c 12\" lines)"),
		OPT_STRING(0, "perf-script", &o.perf_script, "FILE",
			   "`perf script` text, collapsed like stackcollapse-perf"),
		OPT_CALLBACK(0, "diff", &o, "BEFORE AFTER",
			     "differential graph: widths from AFTER, red = grew,\n"
			     "blue = shrank (recordings or folded files)",
			     diff_cb, "--diff needs two files: --diff BEFORE AFTER"),
		OPT_BOOL('n', "normalize", &o.normalize, "(diff) scale BEFORE to AFTER's total first"),
		OPT_BOOL(0, "negate", &o.negate, "(diff) swap red and blue"),
		OPT_GROUP("Drawing:"),
		OPT_STRING(0, "title", &o.title, "T", "title (default \"Flame Graph\")"),
		OPT_STRING(0, "subtitle", &o.subtitle, "S", "second line under the title"),
		OPT_INT(0, "width", &o.width, "PX", "image width (default 1200; the SVG also scales)", 100, 100000,
			"invalid --width '%s' (expected 100..100000 pixels)"),
		OPT_DOUBLE(0, "min-width", &o.min_width, "PX", "omit frames narrower than PX pixels (default 0.1)", 0,
			   1e9, "invalid --min-width '%s' (expected pixels >= 0)"),
		OPT_ENUM(0, "palette", &palette, "P",
			 "hot, rust, c, cpp, kernel, mem, io, red, green, blue,\n"
			 "aqua, yellow, purple, orange (default: rust for Rust\n"
			 "programs, else hot)",
			 palettes, NULL),
		OPT_BOOL(0, "reverse", &o.reverse, "merge stacks from the leaf (who calls the hot code)"),
		OPT_BOOL(0, "inverted", &o.inverted, "icicle graph: root at the top"),
		OPT_BOOL(0, "no-inline", &o.no_inline, "leave out inlined frames"),
		OPT_COUNT('q', "quiet", &sonde_quiet, "no progress or summary messages"),
		OPT_END(),
	};
	const struct opt_cmd cmd = { "flamegraph", .prog = "sonde", .usage = fg_usage, .intro = fg_intro,
				     .outro = fg_outro, .stop_at_arg = true };
	char *line = record_cmdline(argc, argv); /* before the parser moves argv */
	int nargs = opt_parse(&cmd, opts, argc, argv);
	o.format = (enum fg_format)format;
	o.palette = palette >= 0 ? palettes[palette] : NULL;
	char **cmdv = argv;
	int sources = (nargs > 0) + (o.pid > 0) + !!o.input + !!o.folded + !!o.perf_script + !!o.diff_a;
	if (sources == 0)
		opt_usage_error(&cmd, "nothing to profile: give a command (sonde flamegraph -- CMD), -p PID, "
				      "-i FILE, --folded FILE, --perf-script FILE or --diff A B");
	if (sources > 1)
		opt_usage_error(&cmd, "give one of: a command, -p PID, -i, --folded, --perf-script, --diff");
	if (o.bloat && !o.input)
		opt_usage_error(&cmd, "--bloat draws a binary's size: give it with -i BINARY");
	if (o.diff_a && (o.format == FMT_SPEEDSCOPE || o.format == FMT_PPROF))
		opt_usage_error(&cmd, "--diff draws an SVG (or --format folded); %s has no diff view",
				o.format == FMT_PPROF ? "pprof" : "speedscope");
	if (!o.output)
		o.output = o.format == FMT_SVG ? "flamegraph.svg" : o.format == FMT_FOLDED ? "-"
			 : o.format == FMT_PPROF ? "profile.pb.gz" : "profile.speedscope.json";
	if (o.format == FMT_PPROF && !strcmp(o.output, "-") && isatty(STDOUT_FILENO))
		opt_usage_error(&cmd, "a pprof profile is binary (gzip): give a file with -o FILE.pb.gz, or pipe it");
	int werr = check_writable(o.output); /* now, not after the recording */
	if (werr)
		die("cannot write '%s': %s", o.output, strerror(werr));

	/* ---- get the stacks ---- */
	int status = 0;
	struct profile *prof = NULL;
	struct folded_set set, before;
	bool text_capped = false; /* a folded count said 2^64 or more */
	folded_init(&set);
	folded_init(&before);
	const char *name = NULL; /* for speedscope's "name" */
	char *data = NULL;
	if (nargs || o.pid > 0) {
		status = record_into(&o, cmdv, line, &data);
		struct stat st;
		if (stat(data, &st) < 0 || st.st_size == 0) {
			free(data);
			free(line);
			return status ? status : 1;
		}
		prof = input_load(data, o.no_inline ? INPUT_NO_INLINE : 0);
		if (!prof->samples.n) {
			if (status != 127)
				error("no samples were recorded%s; nothing to draw",
				      status ? " (the command failed early)" : " (the command ran too briefly?)");
			profile_free(prof);
			free(data);
			free(line);
			return status ? status : 1;
		}
		name = nargs ? cmdv[0] : "attached process";
	} else if (o.input && o.bloat) {
		struct bloat_opts bo = { 0 };
		prof = bloat_profile(o.input, &bo);
		if (!prof) {
			free(line);
			return 1;
		}
		name = o.input;
		if (!o.title)
			o.title = "Size Flame Graph";
	} else if (o.input) {
		/* pprof's stacks are whole, as from `sonde report --format pprof` */
		prof = input_load(o.input, (o.no_inline ? INPUT_NO_INLINE : 0) | (o.format == FMT_PPROF ? INPUT_FULL_STACKS : 0));
		name = o.input;
	} else if (o.folded) {
		prof = profile_read_folded(o.folded, &text_capped);
		name = o.folded;
	} else if (o.perf_script) {
		prof = profile_read_perf_script(o.perf_script, &text_capped);
		name = o.perf_script;
	} else {
		bool before_capped = false; /* (the widths are AFTER's) */
		load_any(o.diff_a, o.no_inline, o.weight, &before, &before_capped);
		load_any(o.diff_b, o.no_inline, o.weight, &set, &text_capped);
		name = o.diff_b;
	}
	/* every view is drawn straight from the model but folded output,
	 * which is a folded set (the diff's two sides are too: load_any) */
	struct folded_opts fo = { 0 };
	if (prof)
		fo = fg_folded_opts(prof, o.no_inline, o.weight);
	if (prof && o.format == FMT_FOLDED)
		fold_profile(prof, o.no_inline, o.weight, &set);
	uint64_t total = prof ? profile_total(prof, &fo) : set.total;
	if (!total && !o.diff_a)
		warn("'%s' holds no samples; the graph is empty", name);

	/* ---- render ---- */
	bool to_stdout = !strcmp(o.output, "-");
	struct outfile of;
	FILE *out = outfile_fopen(&of, o.output);
	if (!out)
		die("cannot write '%s': %s", o.output, strerror(errno));
	int wrc = 0;
	if (o.format == FMT_PPROF) {
		struct pprof *pp = pprof_from_profile(prof); /* (no --diff: checked above) */
		wrc = pprof_write_gz(pp, out);
		pprof_free(pp);
	} else if (o.format == FMT_SPEEDSCOPE) {
		struct speedscope_opts so = { name, o.no_inline, false, 0 };
		so.weight = fg_weight(prof, o.weight);
		so.weighted = so.weight != PROF_WEIGHT_SAMPLES;
		wrc = speedscope_write_profile(out, prof, &so);
	} else if (o.format == FMT_FOLDED) {
		if (o.diff_a)
			warn("--format folded prints the AFTER stacks; the diff needs --format svg");
		struct folded_set rev;
		folded_init(&rev);
		const struct folded_set *src = &set;
		if (o.reverse) {
			reverse_set(&set, &rev);
			src = &rev;
		}
		folded_sort((struct folded_set *)src);
		wrc = folded_write(out, src);
		folded_free(&rev);
	} else {
		struct flame_tree t;
		flame_tree_init(&t);
		t.reverse = o.reverse;
		if (o.diff_a)
			flame_tree_add_diff(&t, &before, &set, o.normalize);
		else if (prof)
			flame_tree_add_profile(&t, prof, &fo);
		else
			flame_tree_add_folded(&t, &set);
		if (t.capped || set.capped || text_capped)
			warn("counts add up past 2^64 - 1: the frames that reached it show it and are lower bounds");
		struct flame_svg_opts so = { 0 };
		so.title = o.title ? o.title : o.diff_a ? "Differential Flame Graph" : NULL;
		so.subtitle = o.subtitle;
		so.width = o.width ? o.width : 1200;
		so.min_width = o.min_width;
		so.palette = o.palette ? o.palette : flame_tree_looks_rust(&t) ? "rust" : "hot";
		so.countname = count_name(prof, o.weight);
		so.inverted = o.inverted;
		so.negate = o.negate;
		wrc = flame_svg_write(out, &t, &so);
		flame_tree_free(&t);
	}
	if (outfile_fclose(&of, out, wrc == 0) < 0)
		wrc = -1;
	if (wrc < 0)
		die("cannot write '%s': %s", o.output, strerror(errno));

	if (!to_stdout) {
		struct stat st;
		char n1[32], sz[32] = "?";
		if (stat(o.output, &st) == 0)
			fmt_kb((uint64_t)st.st_size, sz, sizeof(sz));
		const char *unit = count_name(prof, o.weight);
		if (!strcmp(unit, "samples"))
			note("wrote %s (%s sample%s, %s)", o.output, fmt_thousands(total, n1, sizeof(n1)),
			     total == 1 ? "" : "s", sz);
		else
			note("wrote %s (%s %s, %s)", o.output, fmt_thousands(total, n1, sizeof(n1)), unit, sz);
		if (o.keep_data && data)
			note("the recording is in '%s' (sonde report -i %s)", data, data);
		if (o.open)
			open_result(o.output);
	}
	if (prof)
		profile_free(prof);
	folded_free(&set);
	folded_free(&before);
	free(data);
	free(line);
	(void)ctx;
	return o.ignore_status ? 0 : status;
}
