/* sonde flamegraph: record a command with full call stacks and render an
 * interactive SVG flamegraph (or folded stacks, or a speedscope file), in
 * one step. Also renders existing recordings, folded files, `perf script`
 * text, and differential graphs of two profiles. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cmds.h"
#include "cmd/input.h"
#include "collapse/folded.h"
#include "collapse/perf_script.h"
#include "collect/events.h"
#include "collect/session.h"
#include "profile/format.h"
#include "profile/model.h"
#include "profile/perf_data.h"
#include "render/flame.h"
#include "render/folded_profile.h"
#include "render/pprof.h"
#include "render/pprof_folded.h"
#include "render/pprof_profile.h"
#include "render/speedscope.h"
#include "util/browser.h"
#include "util/die.h"
#include "util/outfile.h"
#include "util/lines.h"
#include "util/strbuf.h"
#include "util/writable.h"

#define FG_DEFAULT_FREQ 997 /* cargo-flamegraph's: off the beat of 1000 Hz timers */

static const char flamegraph_usage[] =
	"usage: sonde flamegraph [options] [--] COMMAND [ARGS...]\n"
	"       sonde flamegraph [options] -p PID\n"
	"       sonde flamegraph [options] -i sonde.data|perf.data\n"
	"       sonde flamegraph [options] --folded FILE | --perf-script FILE   ('-' = stdin)\n"
	"       sonde flamegraph [options] --diff BEFORE AFTER\n"
	"\n"
	"Records COMMAND with full call stacks (DWARF unwinding) and writes an\n"
	"interactive SVG flamegraph: hover for counts, click to zoom, Ctrl-F to search.\n"
	"\n"
	"Output:\n"
	"  -o, --output FILE       where to write (default flamegraph.svg; folded: stdout;\n"
	"                          speedscope: profile.speedscope.json; pprof:\n"
	"                          profile.pb.gz; '-' = stdout)\n"
	"      --format FMT        svg (default), folded (stacks + counts), speedscope (JSON),\n"
	"                          pprof (gzipped profile.proto: go tool pprof, Pyroscope)\n"
	"      --open              open the result in a browser ($BROWSER, xdg-open or\n"
	"                          sensible-browser) when there is a display, else print its path\n"
	"Recording:\n"
	"  -F, --freq HZ           samples per second (default %d)\n"
	"  -p, --pid PID           attach to a running process until Ctrl-C (or --duration)\n"
	"      --duration SECS     stop recording after SECS seconds\n"
	"      --call-graph MODE   dwarf[,SIZE] (default; SIZE bytes of stack copied per\n"
	"                          sample, default %u, at most 65528) or fp (frame pointers)\n"
	"      --keep-data FILE    keep the recording in FILE (default: a temporary file)\n"
	"      --ignore-status     exit 0 even when COMMAND fails\n"
	"Inputs instead of a command:\n"
	"  -i, --input FILE        a recording (sonde.data or Linux perf's perf.data)\n"
	"      --folded FILE       folded stacks (\"a;b;c 12\" lines)\n"
	"      --perf-script FILE  `perf script` text, collapsed like stackcollapse-perf\n"
	"      --diff BEFORE AFTER differential graph: widths from AFTER, red = grew,\n"
	"                          blue = shrank (recordings or folded files)\n"
	"  -n, --normalize         (diff) scale BEFORE to AFTER's total first\n"
	"      --negate            (diff) swap red and blue\n"
	"Drawing:\n"
	"      --title T           title (default \"Flame Graph\")\n"
	"      --subtitle S        second line under the title\n"
	"      --width PX          image width (default 1200; the SVG also scales)\n"
	"      --min-width PX      omit frames narrower than PX pixels (default 0.1)\n"
	"      --palette P         hot, rust, c, cpp, kernel, mem, io, red, green, blue,\n"
	"                          aqua, yellow, purple, orange (default: rust for Rust\n"
	"                          programs, else hot)\n"
	"      --reverse           merge stacks from the leaf (who calls the hot code)\n"
	"      --inverted          icicle graph: root at the top\n"
	"      --no-inline         leave out inlined frames\n"
	"  -q, --quiet             no progress or summary messages\n"
	"\n"
	"Frames: the root is the command name; kernel frames end in _[k], inlined\n"
	"ones in _[i]. Exit status: COMMAND's own (the graph is written anyway).\n";

enum fg_format { FMT_SVG, FMT_FOLDED, FMT_SPEEDSCOPE, FMT_PPROF };

enum {
	OPT_FORMAT = 256,
	OPT_OPEN,
	OPT_DURATION,
	OPT_KEEP,
	OPT_IGNORE,
	OPT_FOLDED,
	OPT_PERF_SCRIPT,
	OPT_DIFF,
	OPT_NEGATE,
	OPT_TITLE,
	OPT_SUBTITLE,
	OPT_WIDTH,
	OPT_MIN_WIDTH,
	OPT_PALETTE,
	OPT_REVERSE,
	OPT_INVERTED,
	OPT_NO_INLINE,
	OPT_HELP,
	OPT_CALL_GRAPH,
};

static const struct option fg_long[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "open", no_argument, NULL, OPT_OPEN },
	{ "freq", required_argument, NULL, 'F' },
	{ "pid", required_argument, NULL, 'p' },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "keep-data", required_argument, NULL, OPT_KEEP },
	{ "call-graph", required_argument, NULL, OPT_CALL_GRAPH },
	{ "ignore-status", no_argument, NULL, OPT_IGNORE },
	{ "input", required_argument, NULL, 'i' },
	{ "folded", required_argument, NULL, OPT_FOLDED },
	{ "perf-script", required_argument, NULL, OPT_PERF_SCRIPT },
	{ "diff", required_argument, NULL, OPT_DIFF },
	{ "normalize", no_argument, NULL, 'n' },
	{ "negate", no_argument, NULL, OPT_NEGATE },
	{ "title", required_argument, NULL, OPT_TITLE },
	{ "subtitle", required_argument, NULL, OPT_SUBTITLE },
	{ "width", required_argument, NULL, OPT_WIDTH },
	{ "min-width", required_argument, NULL, OPT_MIN_WIDTH },
	{ "palette", required_argument, NULL, OPT_PALETTE },
	{ "reverse", no_argument, NULL, OPT_REVERSE },
	{ "inverted", no_argument, NULL, OPT_INVERTED },
	{ "no-inline", no_argument, NULL, OPT_NO_INLINE },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

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
	const char *input, *folded, *perf_script, *diff_a, *diff_b;
	const char *title, *subtitle, *palette;
	unsigned width;
	double min_width;
	enum callgraph_mode callgraph;
	uint32_t stack_size;
};

static int fg_usage_error(const char *fmt, const char *arg)
{
	char buf[512];
	snprintf(buf, sizeof(buf), fmt, arg);
	fprintf(stderr, "%s flamegraph: %s\n", sonde_progname, buf);
	fprintf(stderr, "Run '%s flamegraph --help' for the options.\n", sonde_progname);
	return 129;
}

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

static FILE *open_in(const char *path)
{
	if (!strcmp(path, "-"))
		return stdin;
	FILE *f = fopen(path, "re");
	if (!f)
		die("cannot open '%s': %s", path, strerror(errno));
	return f;
}

static void close_in(FILE *f)
{
	if (f != stdin)
		fclose(f);
}

/* A recording (sonde.data / perf.data magic) rather than text? */
static bool is_recording(const char *path)
{
	if (!strcmp(path, "-"))
		return false;
	char magic[8];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("cannot open '%s': %s", path, strerror(errno));
	ssize_t n = read(fd, magic, sizeof(magic));
	close(fd);
	if (n == (ssize_t)sizeof(magic) && !memcmp(magic, SONDE_DATA_MAGIC, 8))
		return true;
	return perf_data_sniff(path);
}

static void fold_profile(const struct profile *p, bool no_inline, struct folded_set *out)
{
	struct folded_opts fo = { 0 };
	fo.kernel = true;
	fo.inline_marks = true;
	fo.no_inline = no_inline;
	fo.counts = true; /* widths in samples, as cargo-flamegraph shows them */
	profile_to_folded(p, &fo, out);
}

static void read_folded_file(const char *path, struct folded_set *out)
{
	FILE *f = open_in(path);
	struct folded_read_stats st = { 0 };
	char why[160];
	if (folded_read(f, out, NULL, &st) < 0)
		die("cannot read '%s': %s", path, lines_strerror(errno, st.stop_offset, why, sizeof(why)));
	close_in(f);
	if (st.bad_lines)
		warn("'%s': skipped %" PRIu64 " line%s that %s not folded stacks (first: line %" PRIu64 ")",
		     path, st.bad_lines, st.bad_lines == 1 ? "" : "s", st.bad_lines == 1 ? "is" : "are",
		     st.first_bad_line);
}

static void read_perf_script(const char *path, struct folded_set *out)
{
	FILE *f = open_in(path);
	struct collapse_opts co = { 0 };
	struct collapse_stats st = { 0 };
	char why[160];
	if (collapse_perf_script(f, &co, out, &st) < 0)
		die("cannot read '%s': %s", path, lines_strerror(errno, st.stop_offset, why, sizeof(why)));
	close_in(f);
	if (st.bad_lines)
		warn("'%s': skipped %" PRIu64 " line%s that are not `perf script` output (first: line %" PRIu64 ")",
		     path, st.bad_lines, st.bad_lines == 1 ? "" : "s", st.first_bad_line);
}

/* One side of a diff: a recording or a folded file. */
static void load_any(const char *path, bool no_inline, struct folded_set *out)
{
	if (is_recording(path)) {
		struct profile *p = input_load(path, no_inline, false);
		fold_profile(p, no_inline, out);
		profile_free(p);
	} else {
		read_folded_file(path, out);
	}
}

/* Rust code has frames from its runtime and core library. (A bare "std::"
 * is not enough: C++ has it too.) */
static bool looks_like_rust(const struct folded_set *s)
{
	static const char *const marks[] = { "core::", "alloc::", "std::rt::", "std::sys", "std::panicking",
					     "std::thread::", "{{closure}}", "__rust_", "rust_begin_unwind",
					     "hashbrown::", NULL };
	size_t checked = 0;
	for (size_t i = 0; i < s->v.n && checked < 100000; i++, checked++)
		for (size_t k = 0; marks[k]; k++)
			if (strstr(s->v.v[i].stack, marks[k]))
				return true;
	return false;
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
static int record_into(const struct fg_opts *o, char **cmd, int argc, char **argv, char **data)
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
	char *line = record_cmdline(argc, argv);
	ro.cmdline = line;
	int rc = record_session(&ro);
	free(line);
	return rc;
}

static int parse_double(const char *s, double *out)
{
	char *end;
	errno = 0;
	double d = strtod(s, &end);
	if (errno || end == s || *end || !(d >= 0) || d > 1e9)
		return -1;
	*out = d;
	return 0;
}

int cmd_flamegraph(int argc, char **argv, const struct cmd_ctx *ctx)
{
	struct fg_opts o = { 0 };
	o.freq = FG_DEFAULT_FREQ;
	o.min_width = 0.1;
	o.callgraph = CALLGRAPH_DWARF;
	o.stack_size = DWARF_STACK_SIZE_DEFAULT;

	optind = 0;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "+:o:F:p:i:nqh", fg_long, NULL)) != -1) {
		switch (c) {
		case 'o':
			o.output = optarg;
			break;
		case OPT_FORMAT:
			if (!strcmp(optarg, "svg"))
				o.format = FMT_SVG;
			else if (!strcmp(optarg, "folded"))
				o.format = FMT_FOLDED;
			else if (!strcmp(optarg, "speedscope"))
				o.format = FMT_SPEEDSCOPE;
			else if (!strcmp(optarg, "pprof"))
				o.format = FMT_PPROF;
			else
				return fg_usage_error("unknown --format '%s' (expected svg, folded, speedscope or pprof)",
						      optarg);
			break;
		case OPT_OPEN:
			o.open = true;
			break;
		case 'F': {
			char *end;
			errno = 0;
			unsigned long long v = strtoull(optarg, &end, 10);
			if (errno || *end || !v || optarg[0] == '-')
				return fg_usage_error("invalid frequency '%s' (expected samples per second)", optarg);
			o.freq = v;
			break;
		}
		case 'p': {
			char *end;
			errno = 0;
			long v = strtol(optarg, &end, 10);
			if (errno || *end || v <= 0 || v > INT_MAX)
				return fg_usage_error("invalid process id '%s'", optarg);
			o.pid = (pid_t)v;
			break;
		}
		case OPT_DURATION:
			if (parse_double(optarg, &o.duration) < 0 || o.duration <= 0)
				return fg_usage_error("invalid --duration '%s' (expected seconds > 0)", optarg);
			break;
		case OPT_CALL_GRAPH: {
			char *end;
			if (!strcmp(optarg, "fp")) {
				o.callgraph = CALLGRAPH_FP;
			} else if (!strcmp(optarg, "dwarf")) {
				o.callgraph = CALLGRAPH_DWARF;
			} else if (!strncmp(optarg, "dwarf,", 6)) {
				errno = 0;
				unsigned long v = strtoul(optarg + 6, &end, 10);
				if (errno || *end || !v || v > 65528 || optarg[6] == '-')
					return fg_usage_error("invalid --call-graph '%s' (expected dwarf,SIZE with SIZE "
							      "<= 65528)", optarg);
				o.callgraph = CALLGRAPH_DWARF;
				o.stack_size = (uint32_t)((v + 7) & ~7ul);
			} else {
				return fg_usage_error("invalid --call-graph '%s' (expected dwarf, dwarf,SIZE or fp)", optarg);
			}
			break;
		}
		case OPT_KEEP:
			o.keep_data = optarg;
			break;
		case OPT_IGNORE:
			o.ignore_status = true;
			break;
		case 'i':
			o.input = optarg;
			break;
		case OPT_FOLDED:
			o.folded = optarg;
			break;
		case OPT_PERF_SCRIPT:
			o.perf_script = optarg;
			break;
		case OPT_DIFF:
			o.diff_a = optarg;
			if (optind >= argc)
				return fg_usage_error("%s", "--diff needs two files: --diff BEFORE AFTER");
			o.diff_b = argv[optind++];
			break;
		case 'n':
			o.normalize = true;
			break;
		case OPT_NEGATE:
			o.negate = true;
			break;
		case OPT_TITLE:
			o.title = optarg;
			break;
		case OPT_SUBTITLE:
			o.subtitle = optarg;
			break;
		case OPT_WIDTH: {
			char *end;
			errno = 0;
			unsigned long v = strtoul(optarg, &end, 10);
			if (errno || *end || v < 100 || v > 100000)
				return fg_usage_error("invalid --width '%s' (expected 100..100000 pixels)", optarg);
			o.width = (unsigned)v;
			break;
		}
		case OPT_MIN_WIDTH:
			if (parse_double(optarg, &o.min_width) < 0)
				return fg_usage_error("invalid --min-width '%s' (expected pixels >= 0)", optarg);
			break;
		case OPT_PALETTE: {
			bool ok = false;
			for (size_t k = 0; palettes[k]; k++)
				ok |= !strcmp(palettes[k], optarg);
			if (!ok)
				return fg_usage_error("unknown --palette '%s' (expected hot, rust, c, cpp, kernel, mem, io, "
						      "red, green, blue, aqua, yellow, purple or orange)",
						      optarg);
			o.palette = optarg;
			break;
		}
		case OPT_REVERSE:
			o.reverse = true;
			break;
		case OPT_INVERTED:
			o.inverted = true;
			break;
		case OPT_NO_INLINE:
			o.no_inline = true;
			break;
		case 'q':
			sonde_quiet = 1;
			break;
		case 'h':
		case OPT_HELP:
			printf(flamegraph_usage, FG_DEFAULT_FREQ, DWARF_STACK_SIZE_DEFAULT);
			return 0;
		case ':':
			return fg_usage_error("option '%s' needs a value", argv[optind - 1]);
		default:
			if (optopt && optopt < 256) {
				char opt[3] = { '-', (char)optopt, 0 };
				return fg_usage_error("unknown option '%s'", opt);
			}
			return fg_usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	char **cmd = argv + optind;
	int sources = (*cmd != NULL) + (o.pid > 0) + !!o.input + !!o.folded + !!o.perf_script + !!o.diff_a;
	if (sources == 0)
		return fg_usage_error("%s", "nothing to profile: give a command (sonde flamegraph -- CMD), -p PID, "
				      "-i FILE, --folded FILE, --perf-script FILE or --diff A B");
	if (sources > 1)
		return fg_usage_error("%s", "give one of: a command, -p PID, -i, --folded, --perf-script, --diff");
	if (o.diff_a && (o.format == FMT_SPEEDSCOPE || o.format == FMT_PPROF))
		return fg_usage_error("--diff draws an SVG (or --format folded); %s has no diff view",
				      o.format == FMT_PPROF ? "pprof" : "speedscope");
	if (!o.output)
		o.output = o.format == FMT_SVG ? "flamegraph.svg" : o.format == FMT_FOLDED ? "-"
			 : o.format == FMT_PPROF ? "profile.pb.gz" : "profile.speedscope.json";
	if (o.format == FMT_PPROF && !strcmp(o.output, "-") && isatty(STDOUT_FILENO))
		return fg_usage_error("%s", "a pprof profile is binary (gzip): give a file with -o FILE.pb.gz, or pipe it");
	int werr = check_writable(o.output); /* now, not after the recording */
	if (werr)
		die("cannot write '%s': %s", o.output, strerror(werr));

	/* ---- get the stacks ---- */
	int status = 0;
	struct profile *prof = NULL;
	struct folded_set set, before;
	folded_init(&set);
	folded_init(&before);
	const char *name = NULL; /* for speedscope's "name" */
	char *data = NULL;
	if (*cmd || o.pid > 0) {
		status = record_into(&o, cmd, argc, argv, &data);
		struct stat st;
		if (stat(data, &st) < 0 || st.st_size == 0) {
			free(data);
			return status ? status : 1;
		}
		prof = input_load(data, o.no_inline, false);
		if (!prof->samples.n) {
			if (status != 127)
				error("no samples were recorded%s; nothing to draw",
				      status ? " (the command failed early)" : " (the command ran too briefly?)");
			profile_free(prof);
			free(data);
			return status ? status : 1;
		}
		name = *cmd ? *cmd : "attached process";
	} else if (o.input) {
		prof = input_load(o.input, o.no_inline, false);
		name = o.input;
	} else if (o.folded) {
		read_folded_file(o.folded, &set);
		name = o.folded;
	} else if (o.perf_script) {
		read_perf_script(o.perf_script, &set);
		name = o.perf_script;
	} else {
		load_any(o.diff_a, o.no_inline, &before);
		load_any(o.diff_b, o.no_inline, &set);
		name = o.diff_b;
	}
	if (prof)
		fold_profile(prof, o.no_inline, &set);
	if (!set.total && !o.diff_a)
		warn("'%s' holds no samples; the graph is empty", name);

	/* ---- render ---- */
	bool to_stdout = !strcmp(o.output, "-");
	struct outfile of;
	FILE *out = outfile_fopen(&of, o.output);
	if (!out)
		die("cannot write '%s': %s", o.output, strerror(errno));
	int wrc = 0;
	if (o.format == FMT_PPROF) {
		struct pprof *pp = prof ? pprof_from_profile(prof) : pprof_from_folded(&set);
		wrc = pprof_write_gz(pp, out);
		pprof_free(pp);
	} else if (o.format == FMT_SPEEDSCOPE) {
		struct speedscope_opts so = { name, o.no_inline };
		wrc = prof ? speedscope_write_profile(out, prof, &so) : speedscope_write_folded(out, &set, &so);
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
		else
			flame_tree_add_folded(&t, &set);
		if (t.capped || set.capped)
			warn("counts add up past 2^64 - 1: the frames that reached it show it and are lower bounds");
		struct flame_svg_opts so = { 0 };
		so.title = o.title ? o.title : o.diff_a ? "Differential Flame Graph" : NULL;
		so.subtitle = o.subtitle;
		so.width = o.width ? o.width : 1200;
		so.min_width = o.min_width;
		so.palette = o.palette ? o.palette : looks_like_rust(&set) ? "rust" : "hot";
		so.countname = "samples";
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
		note("wrote %s (%s sample%s, %s)", o.output, fmt_thousands(set.total, n1, sizeof(n1)),
		     set.total == 1 ? "" : "s", sz);
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
	(void)ctx;
	return o.ignore_status ? 0 : status;
}
