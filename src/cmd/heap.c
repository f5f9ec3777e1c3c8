/* sonde heap: allocation profiling with heaptrack's definitions.
 *   sonde heap [-o FILE] [--] CMD [ARGS]      record a trace
 *   sonde heap report FILE [options]          heaptrack_print's report */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd/cmds.h"
#include "heap/allocator_check.h"
#include "heap/analysis.h"
#include "heap/heap_profile.h"
#include "heap/html.h"
#include "heap/record.h"
#include "heap/report.h"
#include "heap/trace.h"
#include "heap/trace_end.h"
#include "heap/view.h"
#include "util/die.h"
#include "util/options.h"
#include "util/outfile.h"
#include "util/pager.h"
#include "render/pprof.h"
#include "render/pprof_profile.h"


static const char *const record_usage[] = {
	"heap [-o FILE] [--no-buildid-cache] [--] CMD [ARGS]",
	"heap report FILE [-n N] [-s N] [--merged|--separate] [-l] [-H FILE]",
	"                             [--flamegraph-cost allocations|temporary|leaked|peak] [--massif FILE]",
	"                             [--html FILE] [--format pprof -o FILE]",
	NULL,
};

static const char record_intro[] =
	"Runs CMD with libsonde-rt.so preloaded and records every allocation and free\n"
	"with its call stack into FILE (default sonde-heap.APP.PID.zst; %p = pid), and\n"
	"copies the binaries it ran into the build-id cache (--no-buildid-cache: not).\n"
	"'sonde heap report' prints the most allocating call sites, the peak\n"
	"memory consumers, temporary allocations and (-l) leaks, like heaptrack_print.\n";

static const char *const report_usage[] = { "heap report FILE [options]", NULL };
static const char *const print_usage[] = { "[options] FILE", NULL };

/* heaptrack_print's (boost's) words for a boolean, any case: 1, 0, or -1. */
static int bool_word(const char *s)
{
	static const char *const yes[] = { "1", "true", "yes", "on" }, *const no[] = { "0", "false", "no", "off" };
	for (size_t k = 0; k < 4; k++) {
		if (!strcasecmp(s, yes[k]))
			return 1;
		if (!strcasecmp(s, no[k]))
			return 0;
	}
	return -1;
}

static bool is_bool_word(const char *s) { return bool_word(s) >= 0; }

/* A boolean option of heaptrack_print: its value is optional ("-l" alone
 * is true) and may be attached ("-l1", "--print-leaks=no") or the next
 * argument ("-l 1", "--print-leaks off") when that is a boolean word, so
 * every form heaptrack_print accepts means the same here (and "-l FILE"
 * still reads FILE). */
static int bool_cb(struct opt_parser *p, const struct opt *opt, const char *arg)
{
	int b = arg ? bool_word(arg) : 1;
	if (b < 0)
		opt_usage_error(p->cmd, "the argument ('%s') for option '--%s' is invalid; valid choices are 'on|off', "
					"'yes|no', '1|0' and 'true|false'", arg, opt->lng);
	*(bool *)opt->value = b;
	return 0;
}

#define OPT_BOOL_WORD(s, l, v, h)                                                                            \
	{ .kind = OPTK_CALLBACK, .shrt = (s), .lng = (l), .value = (v), .argh = "B", .help = (h), .cb = bool_cb, \
	  .flags = OPTF_OPTARG, .takes = is_bool_word }

/* -n, -s: a count; strtoull alone would take "-1" as 2^64 - 1 */
static int count_cb(struct opt_parser *p, const struct opt *opt, const char *s)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (!*s || *end || *s == '-' || *s == '+' || errno)
		return -1;
	*(size_t *)opt->value = (size_t)v;
	return 0;
}

static int cost_cb(struct opt_parser *p, const struct opt *opt, const char *arg)
{
	return (*(int *)opt->value = heap_cost_type_parse(arg)) < 0 ? -1 : 0;
}

static int double_cb(struct opt_parser *p, const struct opt *opt, const char *arg)
{
	*(double *)opt->value = atof(arg);
	return 0;
}

/* The statement for a trace that misses part of the run (NULL: none). */
static char *cut_statement(const struct heap_trace *t)
{
	struct heap_end_facts f;
	heap_end_facts_of(t, &f);
	enum heap_cut cut = heap_end_judge(&f);
	if (cut == HEAP_CUT_NONE)
		return NULL;
	const char *cmd = heap_trace_cmdline(t);
	char *app = cmd ? xstrndup(cmd, strcspn(cmd, " ")) : xstrdup(t->exe ? t->exe : "the program");
	char *why = heap_end_text(&f, cut, app, HEAP_END_TRACE);
	free(app);
	return why;
}

/* The trace's model with whole stacks, as `sonde report -i TRACE --format
 * pprof` writes it. */
static int heap_pprof_write(struct heap_view *v, const char *path)
{
	v->full_stacks = true;
	struct pprof *pp = pprof_from_profile(heap_view_model(v));
	int rc = pprof_write_file(pp, path);
	if (!rc && strcmp(path, "-"))
		note("wrote %s", path);
	pprof_free(pp);
	return rc;
}

int heap_report_cmd(int argc, char **argv, bool heaptrack_print)
{
	struct heap_report_opts o;
	heap_report_opts_init(&o);
	o.print_leaks = false;
	const char *file = NULL, *hist = NULL, *ht_flame = NULL, *massif = NULL, *html = NULL, *ignored = NULL,
		   *output = NULL;
	static const char *const formats[] = { "text", "pprof", NULL };
	int format = 0;
	int cost = -1, ht_cost = HC_ALLOCATIONS;
	double massif_thr = 1.0;
	bool no_inline = false;
	const char *supp_file = NULL;
	bool supp_builtin = true, supp_embedded = true, supp_print = false;
	static const char bad_cost[] = "unknown cost type '%s' (allocations, temporary, leaked, peak)";
	const struct opt opts[] = {
		{ .kind = OPTK_STRING, .shrt = 'f', .lng = "file", .value = &file, .argh = "FILE", .flags = OPTF_HIDDEN },
		OPT_CALLBACK('n', "peak-limit", &o.peak_limit, "N", "entries per section (10)", count_cb,
			     "peak limit wants a count (0 or more), not '%s'"),
		OPT_CALLBACK('s', "sub-peak-limit", &o.sub_peak_limit, "N", "backtraces per merged entry (5)", count_cb,
			     "sub-peak limit wants a count (0 or more), not '%s'"),
		OPT_SET_BOOL(0, "merged", &o.merged, 1, "merge backtraces by allocation site (default)"),
		OPT_SET_BOOL(0, "separate", &o.merged, 0, "one entry per backtrace"),
		OPT_BOOL_WORD('m', "merge-backtraces", &o.merged, "the same as --merged (B) or --separate (not B)"),
		OPT_BOOL_WORD('l', "print-leaks", &o.print_leaks,
			      "also print the MEMORY LEAKS section\n"
			      "(B, for this and the other [B] options: 1|0, true|false,\n"
			      "yes|no, on|off; -l 1, -l1 and --print-leaks=1 alike; alone: 1)"),
		OPT_BOOL_WORD('a', "print-allocators", &o.print_allocators, "0: leave out the allocators section"),
		OPT_BOOL_WORD('p', "print-peaks", &o.print_peaks, "0: leave out the peaks section"),
		OPT_BOOL_WORD('T', "print-temporary", &o.print_temporary, "0: leave out the temporary section"),
		OPT_STRING('H', "print-histogram", &hist, "F",
			   "write the allocation size histogram (size<TAB>count) to F"),
		OPT_CALLBACK(0, "flamegraph-cost", &cost, "C",
			     "print folded stacks weighted by C (allocations, temporary,\n"
			     "leaked, peak) instead of the report",
			     cost_cb, bad_cost),
		OPT_STRING('F', "print-flamegraph", &ht_flame, "F", "write heaptrack_print's flamegraph stacks to F"),
		{ .kind = OPTK_CALLBACK, .lng = "flamegraph-cost-type", .value = &ht_cost, .argh = "C", .cb = cost_cb,
		  .bad = bad_cost, .flags = OPTF_HIDDEN },
		OPT_STRING('M', "massif", &massif, "F", "write a massif.out file (ms_print F)"),
		{ .kind = OPTK_STRING, .lng = "print-massif", .value = &massif, .argh = "F", .flags = OPTF_HIDDEN },
		{ .kind = OPTK_CALLBACK, .lng = "massif-threshold", .value = &massif_thr, .argh = "P", .cb = double_cb,
		  .flags = OPTF_HIDDEN },
		/* one detailed (peak) snapshot is written */
		{ .kind = OPTK_STRING, .lng = "massif-detailed-freq", .value = &ignored, .argh = "N", .flags = OPTF_HIDDEN },
		OPT_STRING(0, "html", &html, "F",
			   "write an HTML page (charts, flame graphs, call trees) to F\n"
			   "instead of the text report"),
		OPT_ENUM(0, "format", &format, "text|pprof",
			 "pprof: every cost as a sample type of a gzipped\n"
			 "profile.proto (go tool pprof, Pyroscope, Parca) instead\n"
			 "of the text report",
			 formats, "unknown --format '%s' (expected text or pprof)"),
		OPT_STRING('o', "output", &output, "F", "where --format pprof writes (default profile.pb.gz)"),
		OPT_BOOL(0, "no-inline", &no_inline, "don't expand inlined frames"),
		OPT_BOOL_WORD('t', "shorten-templates", &o.shorten_templates, "shorten C++ templates (default 1)"),
		OPT_STRING(0, "suppressions", &supp_file, "F", "leak suppressions: 'leak:PATTERN' lines (LSan's format)"),
		OPT_SET_BOOL(0, "disable-embedded-suppressions", &supp_embedded, 0,
			     "ignore the program's __lsan_default_suppressions()"),
		OPT_SET_BOOL(0, "disable-builtin-suppressions", &supp_builtin, 0,
			     "don't suppress known one-time leaks of system libraries"),
		OPT_BOOL_WORD(0, "print-suppressions", &supp_print, "list the suppressions that matched, with their bytes"),
		OPT_CALLBACK_NOARG(0, "no-pager", NULL,
				   "print straight to the terminal (by default a terminal gets\n"
				   "the report through $PAGER, or less)",
				   pager_forbid_opt),
		OPT_END(),
	};
	/* heaptrack_print's errors keep the status they had (2) */
	const struct opt_cmd report_cmd = { "heap report", .prog = "sonde", .usage = report_usage };
	const struct opt_cmd print_cmd = { NULL, .prog = "heaptrack_print", .usage = print_usage, .usage_status = 2 };
	const struct opt_cmd *pcmd = heaptrack_print ? &print_cmd : &report_cmd;
	int nargs = opt_parse(pcmd, opts, argc, argv);
	for (int i = 0; i < nargs; i++) {
		if (file)
			opt_usage_error(pcmd, "more than one trace file given ('%s' and '%s')", file, argv[i]);
		file = argv[i];
	}
	bool pprof = format == 1;
	if (output && !pprof)
		opt_usage_error(pcmd, "-o writes --format pprof; the text report goes to standard output");
	if (pprof && html)
		opt_usage_error(pcmd, "give one of --html and --format pprof");
	if (!file) {
		if (heaptrack_print)
			die_status(1, "the option '--file' is required but missing");
		opt_usage_error(pcmd, "no trace file given (usage: sonde heap report FILE [options])");
	}

	/* suppressions in heaptrack's order: builtin, the file, the program's */
	struct heap_suppressions supp = { 0 };
	if (supp_builtin)
		supp_add_builtin(&supp);
	if (supp_file && supp_load_file(&supp, supp_file) < 0) {
		supp_free(&supp);
		return 1;
	}

	struct heap_trace t;
	heap_trace_init(&t);
	if (heap_trace_read_file(&t, file, false) < 0) {
		heap_trace_free(&t);
		supp_free(&supp);
		return 1;
	}
	if (supp_embedded)
		supp_add_embedded(&supp, t.exe);
	struct heap_analysis an;
	struct heap_view *view = heap_view_new(&t, &an, no_inline);
	heap_analyze_symbolizing(&t, &an, view);
	heap_report_suppress(view, &an, &supp, supp_print);
	o.label = file;
	o.no_inline = no_inline;
	o.peak_time = !heaptrack_print;
	/* sonde's text report names rebuilt binaries in its header; other
	 * outputs (and heaptrack_print's exact layout) leave it to stderr */
	o.stale_warnings = !heaptrack_print && !html && !pprof && cost < 0;
	if (!o.stale_warnings)
		heap_view_warn_stale(view, NULL);
	int rc = 0;
	char *cut = cut_statement(&t);
	/* the text report says it at its end; other outputs on stderr, first */
	if (cut && (html || pprof || cost >= 0 || heaptrack_print))
		warn("the recording is incomplete: %s", cut);
	if (!html && !pprof && !heaptrack_print) /* heaptrack_print does not page */
		pager_start();
	if (pprof) {
		rc = heap_pprof_write(view, output ? output : "profile.pb.gz");
	} else if (html) {
		if (heap_html_write_file(html, view, &t, &an, file) < 0)
			rc = 1;
		else
			note("wrote %s", html);
	} else if (cost >= 0) {
		heap_report_folded(stdout, view, (enum heap_cost_type)cost);
	} else {
		heap_report_print(stdout, view, &o);
		heap_alloc_check_report(heaptrack_print ? NULL : stdout, &t, &an);
		if (!heaptrack_print && (t.truncated || t.corrupt))
			printf("note: the trace is damaged (%s); numbers cover what was recorded before it\n", t.damage);
		if (!heaptrack_print && cut)
			printf("note: the recording is incomplete: %s\n", cut);
	}
	struct outfile of;
	FILE *f;
	if (hist) {
		if (!(f = outfile_fopen(&of, hist))) {
			rc = error("cannot create '%s': %m", hist);
		} else {
			heap_report_histogram(f, &an);
			if (outfile_fclose(&of, f, true) < 0)
				rc = error("cannot write '%s': %m", hist);
		}
	}
	if (ht_flame) {
		if (!(f = outfile_fopen(&of, ht_flame))) {
			rc = error("cannot create '%s': %m", ht_flame);
		} else {
			heap_report_folded_heaptrack(f, view, (enum heap_cost_type)ht_cost);
			if (outfile_fclose(&of, f, true) < 0)
				rc = error("cannot write '%s': %m", ht_flame);
		}
	}
	if (massif) {
		if (!(f = outfile_fopen(&of, massif))) {
			rc = error("cannot create '%s': %m", massif);
		} else {
			const char *cmd = heap_trace_cmdline(&t);
			bool ok = heap_report_massif(f, view, cmd ? cmd : t.exe, massif_thr) == 0;
			if (outfile_fclose(&of, f, ok) < 0)
				rc = error("cannot write '%s': %m", massif);
		}
	}
	fflush(stdout);
	free(cut);
	heap_view_free(view);
	supp_free(&supp);
	heap_analysis_free(&an);
	heap_trace_free(&t);
	return rc ? 1 : 0;
}

int cmd_heap(int argc, char **argv, const struct cmd_ctx *ctx)
{
	if (argc >= 2 && (!strcmp(argv[1], "report") || !strcmp(argv[1], "print")))
		return heap_report_cmd(argc - 1, argv + 1, false);
	struct heap_record_opts o = { 0 };
	const struct opt opts[] = {
		OPT_STRING('o', "output", &o.output, "FILE", "the trace (default sonde-heap.APP.PID.zst; %p = pid)"),
		OPT_BOOL(0, "no-buildid-cache", &o.no_buildid_cache,
			 "don't copy the binaries into the build-id cache"),
		OPT_END(),
	};
	const struct opt_cmd cmd = { "heap", .prog = "sonde", .usage = record_usage, .intro = record_intro,
				     .stop_at_arg = true };
	if (!opt_parse(&cmd, opts, argc, argv))
		opt_usage_error(&cmd, "no command to run (usage: sonde heap [-o FILE] [--] CMD [ARGS])");
	return heap_record(&o, argv);
}
