/* sonde heap: allocation profiling with heaptrack's definitions.
 *   sonde heap [-o FILE] [--] CMD [ARGS]      record a trace
 *   sonde heap report FILE [options]          heaptrack_print's report */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd/cmds.h"
#include "heap/allocator_check.h"
#include "heap/analysis.h"
#include "heap/html.h"
#include "heap/pprof_heap.h"
#include "heap/record.h"
#include "heap/report.h"
#include "heap/trace.h"
#include "heap/trace_end.h"
#include "util/die.h"
#include "util/outfile.h"
#include "util/pager.h"
#include "render/pprof.h"


static const char record_usage[] =
	"usage: sonde heap [-o FILE] [--no-buildid-cache] [--] CMD [ARGS]\n"
	"       sonde heap report FILE [-n N] [-s N] [--merged|--separate] [-l] [-H FILE]\n"
	"                             [--flamegraph-cost allocations|temporary|leaked|peak] [--massif FILE]\n"
	"                             [--html FILE] [--format pprof -o FILE]\n"
	"\n"
	"Runs CMD with libsonde-rt.so preloaded and records every allocation and free\n"
	"with its call stack into FILE (default sonde-heap.APP.PID.zst; %p = pid), and\n"
	"copies the binaries it ran into the build-id cache (--no-buildid-cache: not).\n"
	"'sonde heap report' prints the most allocating call sites, the peak\n"
	"memory consumers, temporary allocations and (-l) leaks, like heaptrack_print.\n";

static const char report_usage[] =
	"usage: sonde heap report FILE [options]\n"
	"  -n, --peak-limit N      entries per section (10)\n"
	"  -s, --sub-peak-limit N  backtraces per merged entry (5)\n"
	"  --merged | --separate   merge backtraces by allocation site (default) or not\n"
	"  -l, --print-leaks [B]   also print the MEMORY LEAKS section\n"
	"  -a/-p/-T 0              leave out allocators / peaks / temporary sections\n"
	"                          (B, for these and -m/-t: 1|0, true|false, yes|no, on|off;\n"
	"                          -l 1, -l1 and --print-leaks=1 alike; alone: 1)\n"
	"  -H, --print-histogram F write the allocation size histogram (size<TAB>count) to F\n"
	"  --flamegraph-cost C     print folded stacks weighted by C (allocations, temporary,\n"
	"                          leaked, peak) instead of the report\n"
	"  -F, --print-flamegraph F write heaptrack_print's flamegraph stacks to F\n"
	"  --massif F              write a massif.out file (ms_print F)\n"
	"  --html F                write an HTML page (charts, flame graphs, call trees) to F\n"
	"                          instead of the text report\n"
	"  --format text|pprof     pprof: every cost as a sample type of a gzipped\n"
	"                          profile.proto (go tool pprof, Pyroscope, Parca) instead\n"
	"                          of the text report\n"
	"  -o, --output F          where --format pprof writes (default profile.pb.gz)\n"
	"  --no-inline             don't expand inlined frames\n"
	"  -t, --shorten-templates 0|1 (default 1)\n"
	"  --suppressions F        leak suppressions: 'leak:PATTERN' lines (LSan's format)\n"
	"  --disable-embedded-suppressions  ignore the program's __lsan_default_suppressions()\n"
	"  --disable-builtin-suppressions   don't suppress known one-time leaks of system libraries\n"
	"  --print-suppressions    list the suppressions that matched, with their bytes\n"
	"  --no-pager              print straight to the terminal (by default a terminal gets\n"
	"                          the report through $PAGER, or less)\n";

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

/* A boolean option of heaptrack_print: its value is optional ("-l" alone
 * is true) and may be attached ("-l1", "--print-leaks=no") or the next
 * argument ("-l 1", "--print-leaks off") when that is a boolean word, so
 * every form heaptrack_print accepts means the same here (and "-l FILE"
 * still reads FILE). Returns false if argv[*i] is not the option. */
static bool opt_bool(int argc, char **argv, int *i, const char *shrt, const char *lng, bool *out)
{
	const char *a = argv[*i], *v;
	size_t ll = strlen(lng);
	if ((shrt && !strcmp(a, shrt)) || !strcmp(a, lng)) {
		if (*i + 1 >= argc || bool_word(argv[*i + 1]) < 0) {
			*out = true;
			return true;
		}
		v = argv[++*i];
	} else if (!strncmp(a, lng, ll) && a[ll] == '=') {
		v = a + ll + 1;
	} else if (shrt && a[0] == '-' && a[1] == shrt[1] && a[2]) {
		v = a + 2;
	} else {
		return false;
	}
	int b = bool_word(v);
	if (b < 0)
		die_status(2, "the argument ('%s') for option '%s' is invalid; valid choices are 'on|off', "
			      "'yes|no', '1|0' and 'true|false'", v, lng);
	*out = b;
	return true;
}

/* Option value: "--opt=V", "--opt V", "-nV", "-n V". Returns NULL if `arg` isn't the option. */
static const char *opt_val(int argc, char **argv, int *i, const char *shrt, const char *lng)
{
	const char *a = argv[*i];
	size_t ll = lng ? strlen(lng) : 0;
	if ((shrt && !strcmp(a, shrt)) || (lng && !strcmp(a, lng))) {
		if (*i + 1 >= argc)
			die_status(2, "option '%s' needs a value", a);
		return argv[++*i];
	}
	if (lng && !strncmp(a, lng, ll) && a[ll] == '=')
		return a + ll + 1;
	if (shrt && !strncmp(a, shrt, 2) && a[2] && shrt[2] == 0 && a[1] != '-')
		return a + 2;
	return NULL;
}

static size_t parse_count(const char *s, const char *what)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	/* strtoull takes "-1" as 2^64 - 1 */
	if (!*s || *end || *s == '-' || *s == '+' || errno)
		die_status(129, "%s wants a count (0 or more), not '%s'", what, s);
	return (size_t)v;
}

struct prefetch {
	struct heap_view *view;
	_Atomic bool stop;
};

static void *prefetch_main(void *arg)
{
	struct prefetch *pf = arg;
	heap_view_prefetch(pf->view, &pf->stop);
	return NULL;
}

/* The replay and the symbolization (loading debug info dominates small
 * reports) are independent: run them side by side. */
static void analyze_while_symbolizing(const struct heap_trace *t, struct heap_analysis *an, struct heap_view *view)
{
	struct prefetch pf = { view, false };
	pthread_t th;
	bool started = pthread_create(&th, NULL, prefetch_main, &pf) == 0;
	heap_analyze(t, an);
	if (started) {
		atomic_store(&pf.stop, true);
		pthread_join(th, NULL);
	}
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

static int heap_pprof_write(struct heap_view *v, const struct heap_trace *t, const struct heap_analysis *an,
			    const char *path)
{
	struct pprof *pp = pprof_from_heap(v, t, an);
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
	const char *file = NULL, *hist = NULL, *ht_flame = NULL, *massif = NULL, *html = NULL, *output = NULL;
	bool pprof = false;
	int cost = -1, ht_cost = HC_ALLOCATIONS;
	double massif_thr = 1.0;
	bool no_inline = false, seen_dashdash = false;
	const char *supp_file = NULL;
	bool supp_builtin = true, supp_embedded = true, supp_print = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v;
		if (seen_dashdash || a[0] != '-' || !a[1]) {
			if (file)
				die_status(2, "more than one trace file given ('%s' and '%s')", file, a);
			file = a;
		} else if (!strcmp(a, "--")) {
			seen_dashdash = true;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(report_usage, stdout);
			return 0;
		} else if ((v = opt_val(argc, argv, &i, "-f", "--file"))) {
			file = v;
		} else if ((v = opt_val(argc, argv, &i, "-n", "--peak-limit"))) {
			o.peak_limit = parse_count(v, "peak limit");
		} else if ((v = opt_val(argc, argv, &i, "-s", "--sub-peak-limit"))) {
			o.sub_peak_limit = parse_count(v, "sub-peak limit");
		} else if (!strcmp(a, "--merged")) {
			o.merged = true;
		} else if (!strcmp(a, "--separate")) {
			o.merged = false;
		} else if (opt_bool(argc, argv, &i, "-m", "--merge-backtraces", &o.merged) ||
			   opt_bool(argc, argv, &i, "-t", "--shorten-templates", &o.shorten_templates) ||
			   opt_bool(argc, argv, &i, "-l", "--print-leaks", &o.print_leaks) ||
			   opt_bool(argc, argv, &i, "-a", "--print-allocators", &o.print_allocators) ||
			   opt_bool(argc, argv, &i, "-p", "--print-peaks", &o.print_peaks) ||
			   opt_bool(argc, argv, &i, "-T", "--print-temporary", &o.print_temporary) ||
			   opt_bool(argc, argv, &i, NULL, "--print-suppressions", &supp_print)) {
			/* set */
		} else if ((v = opt_val(argc, argv, &i, "-H", "--print-histogram"))) {
			hist = v;
		} else if ((v = opt_val(argc, argv, &i, "-F", "--print-flamegraph"))) {
			ht_flame = v;
		} else if ((v = opt_val(argc, argv, &i, NULL, "--flamegraph-cost-type"))) {
			if ((ht_cost = heap_cost_type_parse(v)) < 0)
				die_status(2, "unknown cost type '%s' (allocations, temporary, leaked, peak)", v);
		} else if ((v = opt_val(argc, argv, &i, NULL, "--flamegraph-cost"))) {
			if ((cost = heap_cost_type_parse(v)) < 0)
				die_status(2, "unknown cost type '%s' (allocations, temporary, leaked, peak)", v);
		} else if ((v = opt_val(argc, argv, &i, "-M", "--massif")) ||
			   (v = opt_val(argc, argv, &i, NULL, "--print-massif"))) {
			massif = v;
		} else if ((v = opt_val(argc, argv, &i, NULL, "--massif-threshold"))) {
			massif_thr = atof(v);
		} else if ((v = opt_val(argc, argv, &i, NULL, "--massif-detailed-freq"))) {
			(void)v; /* one detailed (peak) snapshot is written */
		} else if ((v = opt_val(argc, argv, &i, NULL, "--html"))) {
			html = v;
		} else if ((v = opt_val(argc, argv, &i, NULL, "--format"))) {
			if (strcmp(v, "pprof") && strcmp(v, "text"))
				die_status(2, "unknown --format '%s' (expected text or pprof)", v);
			pprof = !strcmp(v, "pprof");
		} else if ((v = opt_val(argc, argv, &i, "-o", "--output"))) {
			output = v;
		} else if (!strcmp(a, "--no-inline")) {
			no_inline = true;
		} else if ((v = opt_val(argc, argv, &i, NULL, "--suppressions"))) {
			supp_file = v;
		} else if (!strcmp(a, "--disable-embedded-suppressions")) {
			supp_embedded = false;
		} else if (!strcmp(a, "--disable-builtin-suppressions")) {
			supp_builtin = false;
		} else if (!strcmp(a, "--no-pager")) {
			pager_forbid();
		} else {
			die_status(2, "unknown option '%s' for %s", a, heaptrack_print ? "heaptrack_print" : "sonde heap report");
		}
	}
	if (output && !pprof)
		die_status(2, "-o writes --format pprof; the text report goes to standard output");
	if (pprof && html)
		die_status(2, "give one of --html and --format pprof");
	if (!file) {
		if (heaptrack_print)
			die_status(1, "the option '--file' is required but missing");
		fputs(report_usage, stderr);
		return 2;
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
	analyze_while_symbolizing(&t, &an, view);
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
		rc = heap_pprof_write(view, &t, &an, output ? output : "profile.pb.gz");
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
	int i = 1;
	for (; i < argc; i++) {
		const char *a = argv[i], *v;
		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (a[0] != '-')
			break;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(record_usage, stdout);
			return 0;
		} else if ((v = opt_val(argc, argv, &i, "-o", "--output"))) {
			o.output = v;
		} else if (!strcmp(a, "--no-buildid-cache")) {
			o.no_buildid_cache = true;
		} else {
			die_status(2, "unknown option '%s' for sonde heap; run 'sonde heap --help'", a);
		}
	}
	if (i >= argc) {
		fputs(record_usage, stderr);
		return 2;
	}
	return heap_record(&o, argv + i);
}
