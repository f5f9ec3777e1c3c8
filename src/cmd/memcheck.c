/* sonde memcheck [valgrind options] [--] CMD [ARGS]: runs CMD with the
 * runtime in memcheck mode (the leak check at exit), then prints what it
 * found in valgrind's text (and XML) shapes. Also `valgrind ...`. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "child_protocol.h"
#include "heap_protocol.h"
#include "cmd/cmds.h"
#include "collect/launch.h"
#include "collect/secure_exec.h"
#include "heap/allocator_check.h"
#include "heap/analysis.h"
#include "heap/record.h"
#include "heap/report.h"
#include "heap/trace.h"
#include "heap/trace_end.h"
#include "memcheck/mc_build.h"
#include "memcheck/mc_dest.h"
#include "memcheck/mc_model.h"
#include "memcheck/mc_default_supp.h"
#include "memcheck/mc_keep.h"
#include "memcheck/mc_opts.h"
#include "memcheck/mc_rcfile.h"
#include "memcheck/mc_supp.h"
#include "memcheck/mc_text.h"
#include "memcheck/mc_xml.h"
#include "util/die.h"
#include "util/path_search.h"
#include "util/strbuf.h"
#include "util/writable.h"

static const char usage[] =
	"usage: sonde memcheck [options] [--] CMD [ARGS]\n"
	"       valgrind [--tool=memcheck] [options] CMD [ARGS]\n"
	"\n"
	"Runs CMD with sonde's runtime checking its heap and prints what it found in\n"
	"valgrind memcheck's shapes (==PID== lines, HEAP SUMMARY, loss records, LEAK\n"
	"SUMMARY, ERROR SUMMARY; --xml=yes for valgrind's XML).\n"
	"  --leak-check=no|summary|full     (summary)\n"
	"  --show-leak-kinds=SET            definite,indirect,possible,reachable|all|none (definite,possible)\n"
	"  --errors-for-leak-kinds=SET      (definite,possible)\n"
	"  --error-exitcode=N               exit N when errors were found\n"
	"  --num-callers=N                  frames per stack (12)\n"
	"  --suppressions=FILE              valgrind suppression files (repeatable)\n"
	"  --gen-suppressions=no|yes|all    print a suppression for each error\n"
	"  --xml=yes --xml-file=F           valgrind's XML protocol 4\n"
	"  --log-file=F                     (%p: pid)\n"
	"  --trace-children=yes             check every program exec'd too, a report each\n"
	"  --trace-children-skip=PATTS      ...but not these paths (*, ?; comma-separated)\n"
	"  --default-suppressions=yes|no    sonde's built-in ones for Rust std and glibc (yes)\n"
	"  --precise[=N]                    every (or every Nth) block on its own pages before a\n"
	"                                   guard page: stops at the faulting read or write\n"
	"\n"
	"Checked: leaks at exit, classified like memcheck (definitely, indirectly,\n"
	"possibly lost, still reachable); invalid and double frees, mismatched\n"
	"free/delete/delete[], realloc of freed memory; writes before or past a\n"
	"block (redzones, found when it is freed, reallocated or at exit) and to\n"
	"freed blocks (quarantine, found when they leave it or at exit); fishy sizes,\n"
	"bad alignments, overlapping memcpy/strcpy-family arguments. With --precise,\n"
	"invalid reads and writes of guarded blocks at the instruction itself.\n"
	"Uninitialised-value errors would need every instruction instrumented:\n"
	"sonde does not report them.\n";

/* valgrind's own complaints: "valgrind: ..." lines. */
static int complain(const struct strbuf *err)
{
	const char *p = err->buf ? err->buf : "";
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		fprintf(stderr, "valgrind: %.*s\n", (int)n, p);
		p += n + (nl != NULL);
	}
	return 1;
}

/* Before the run: can the --log-file / --xml-file template be written?
 * (Its %p is the target's pid, unknown yet: this process's stands in.) */
static int check_dest(const char *opt, const char *what, const char *tmpl)
{
	if (!tmpl)
		return 0;
	struct strbuf err = STRBUF_INIT;
	char *path = mc_expand_file_name(opt, tmpl, (int)getpid(), &err);
	if (!path) {
		complain(&err);
		sb_free(&err);
		return -1;
	}
	sb_free(&err);
	int e = check_writable(path);
	if (e)
		fprintf(stderr, "valgrind: Cannot create %s file '%s': %s\n", what, path, strerror(e));
	free(path);
	return e ? -1 : 0;
}

static int load_suppressions(struct mc_supps *supps, const struct mc_opts *o)
{
	if (o->default_suppressions) {
		struct strbuf err = STRBUF_INIT;
		int rc = mc_default_supp_load(supps, &err);
		sb_free(&err);
		if (rc < 0)
			return -1;
	}
	for (size_t i = 0; i < o->suppressions.n; i++) {
		struct strbuf err = STRBUF_INIT;
		if (mc_supp_load_file(supps, o->suppressions.v[i], &err) < 0) {
			fprintf(stderr, "%s", err.buf ? err.buf : "");
			sb_free(&err);
			return -1;
		}
		sb_free(&err);
	}
	return 0;
}

/* A temporary trace for the run (removed afterwards). */
static char *temp_trace(void)
{
	const char *dir = getenv("TMPDIR");
	char *path = xasprintf("%s/sonde-memcheck.XXXXXX.zst", dir && *dir ? dir : "/tmp");
	int fd = mkstemps(path, 4);
	if (fd < 0)
		die("cannot create a temporary file in %s: %s (set TMPDIR)", dir && *dir ? dir : "/tmp",
		    strerror(errno));
	close(fd);
	return path;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* --trace-malloc: the runtime appends its lines to an unlinked temporary
 * file, copied into the report after the preamble. */
static int trace_lines_file(void)
{
	char *path = temp_trace();
	int fd = open(path, O_RDWR | O_APPEND);
	unlink(path);
	if (fd < 0)
		die("cannot open a temporary file %s: %s", path, strerror(errno));
	free(path);
	return fd;
}

/* An allocator the runtime cannot see (statically linked, in the
 * executable, or the whole program static): one line saying what was not
 * checked and why, even with -q (a clean report would mislead). */
static void unseen_allocator(const char *argv0, const char *exe, uint64_t allocs, bool somalloc_none)
{
	enum heap_alloc_kind kind;
	const char *name;
	char *path = exe && *exe ? xstrdup(exe)
		     : strchr(argv0, '/') ? xstrdup(argv0) : path_search(path_env(), argv0, NULL, NULL, NULL);
	bool known = path && heap_alloc_check_file(path, &kind, &name);
	free(path);
	if (!known || kind == HEAP_ALLOC_SYSTEM || (kind == HEAP_ALLOC_RUST_CUSTOM && allocs))
		return;
	const char *base = strrchr(argv0, '/') ? strrchr(argv0, '/') + 1 : argv0;
	if (kind == HEAP_ALLOC_STATIC_EXE)
		fprintf(stderr, "%s: %s is statically linked: sonde's runtime cannot be preloaded into it, so nothing "
				"was checked; link it dynamically to check it\n", sonde_progname, base);
	else if (kind == HEAP_ALLOC_RUST_CUSTOM)
		fprintf(stderr, "%s: %s uses a Rust #[global_allocator] that does not call malloc: its blocks bypass "
				"sonde's runtime and are not checked nor counted; use std::alloc::System to check "
				"them\n", sonde_progname, base);
	else
		fprintf(stderr, "%s: %s has its own malloc (%s): its blocks bypass sonde's runtime and are not "
				"checked nor counted; build it with the C library's malloc to check them%s\n",
			sonde_progname, base, kind == HEAP_ALLOC_LINKED && name ? name : "in the executable",
			somalloc_none ? " (--soname-synonyms=somalloc=NONE cannot help: a preload cannot replace "
					"functions inside the executable)" : "");
}

/* What every report of the run shares. */
struct dest {
	char *key;         /* "--log-file NAME", "--log-fd N", ... */
	struct mc_dest *d; /* NULL: it could not be opened (said once) */
};

struct run {
	const struct mc_opts *o;
	struct mc_supps *supps; /* marked used as reports apply them */
	char **vargv; /* sonde's command line up to the program */
	int vargc;
	const char *rt; /* the runtime's path: its frames are entry points */
	uint64_t t0;
	VEC(struct dest) dests;
	bool lost;	/* a report did not get where it was asked for */
	bool oom_kills; /* the kernel's OOM killer was at work during the run */
};

/* One program image's report. */
struct image {
	const char *trace;
	char **argv; /* its Command: line */
	int argc;
	int pid;     /* the pid launched, for a trace without the runtime's hello */
	int status;  /* its wait status, when status_known (else from the trace) */
	bool status_known;
	int lines_fd; /* --trace-malloc's lines (-1: none) */
	bool top;     /* the launched program: its allocator is checked */
};

/* The destination a --log-file / --xml-file template names for pid, or
 * fd. Each is opened once: the reports of a run that go to the same name
 * follow one another in it. NULL when it cannot be written. */
static struct mc_dest *dest_for(struct run *run, const char *opt, const char *tmpl, int fd, int pid)
{
	char *key;
	if (tmpl) {
		struct strbuf err = STRBUF_INIT;
		char *path = mc_expand_file_name(opt, tmpl, pid, &err);
		sb_free(&err);
		key = xasprintf("%s %s", opt, path ? path : tmpl);
		free(path);
	} else {
		key = xasprintf("%s %d", opt, fd);
	}
	for (size_t i = 0; i < run->dests.n; i++)
		if (!strcmp(run->dests.v[i].key, key)) {
			free(key);
			return run->dests.v[i].d;
		}
	struct dest d = { key, xmalloc(sizeof(struct mc_dest)) };
	if (!mc_dest_open(d.d, opt, tmpl, fd, pid)) {
		free(d.d);
		d.d = NULL;
		run->lost = true;
	}
	vec_push(&run->dests, d);
	return d.d;
}

/* The status an image ended with, from its trace when sonde did not
 * wait for it (another process's child). */
static int trace_status(const struct heap_trace *t)
{
	return t->have_exit && t->exit_how == HX_SIGNAL ? (int)t->exit_signal : 0;
}

/* Reads one image's trace and writes its report; returns the status
 * valgrind would exit with for it, or -1 when the trace is unusable. */
static int report_image(struct run *run, const struct image *im)
{
	const struct mc_opts *o = run->o;
	struct heap_trace t;
	heap_trace_init(&t);
	if (heap_trace_read_file(&t, im->trace, true) < 0) {
		heap_trace_free(&t);
		return -1;
	}
	if (im->top)
		unseen_allocator(im->argv[0], t.exe, t.have_mc_totals ? t.mc_allocs : 0, o->somalloc_none);
	struct heap_analysis an;
	struct heap_view *view = heap_view_new(&t, &an, false);
	heap_view_symbol_names(view);
	if (t.have_mc_totals) { /* the runtime counted: no events to replay */
		memset(&an, 0, sizeof an);
		an.allocations = t.mc_allocs;
		an.frees = t.mc_frees;
		an.bytes = t.mc_bytes;
		an.leaked = (int64_t)t.mc_live_bytes;
		an.leaked_blocks = t.mc_live_blocks;
	} else {
		heap_analyze(&t, &an);
	}

	int status = im->status_known ? im->status : trace_status(&t);
	struct mc_result r = { 0 };
	r.pid = t.pid ? (int)t.pid : im->pid; /* no runtime in it (a static program): the one launched */
	r.ppid = t.pid ? (int)t.ppid : (int)getpid();
	r.exe = t.exe;
	r.argv = im->argv;
	r.argc = im->argc;
	r.vargv = run->vargv;
	r.vargc = run->vargc;
	r.exited = WIFEXITED(status);
	r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 0;
	r.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
	r.execed = t.exit_how == HX_EXEC;
	r.log_to_file = o->log_file != NULL;
	/* a run the runtime did not see to its end: no verdicts, a statement */
	struct heap_end_facts ends;
	heap_end_facts_of(&t, &ends);
	ends.oom_kills = run->oom_kills;
	enum heap_cut cut = heap_end_judge(&ends);
	struct mc_entries entries;
	mc_entries_init(&entries, &t, run->rt);
	mc_build_leaks(&r, &t, &an, view, &entries, o->num_callers);
	mc_build_errors(&r, &t, view, &entries, o->num_callers);
	mc_build_fatal(&r, &t, view, &entries, o->num_callers);
	r.reads_unchecked = !o->precise;
	mc_keep_stacks(&r, o->keep_stacks);
	r.leak_checked = o->leak_check != MC_LEAK_NO && t.leaks.n == r.in_use_blocks;
	char *cut_short = cut != HEAP_CUT_NONE ? heap_end_short(&ends, cut) : NULL;
	if (cut_short) {
		r.cut = cut_short;
		r.leak_checked = false;
	}
	mc_result_group_losses(&r, o->leak_resolution);
	mc_supp_apply(run->supps, &r, o->num_callers);

	if (o->time_stamp) { /* the report is written now: its lines carry the run's end */
		r.stamped = true;
		r.stamp_ms = (int64_t)((now_ns() - run->t0) / 1000000);
	}
	struct mc_dest *out = dest_for(run, "--log-file", o->log_file, o->log_fd, r.pid);
	struct strbuf sb = STRBUF_INIT;
	if (out) {
		mc_text_head(&sb, &r, o);
		mc_dest_write(out, sb.buf, sb.len);
		if (im->lines_fd >= 0)
			mc_dest_copy(out, im->lines_fd);
		sb.len = 0;
		mc_text_body(&sb, &r, o, run->supps);
		mc_dest_write(out, sb.buf, sb.len);
	}
	struct mc_dest *xout = o->xml ? dest_for(run, "--xml-file", o->xml_file, o->xml_fd, r.pid) : NULL;
	if (xout) {
		sb.len = 0;
		mc_xml_report(&sb, &r, o, run->supps, t.wall_ns / 1000000);
		mc_dest_write(xout, sb.buf, sb.len);
	}
	sb_free(&sb);
	if (cut_short) { /* last, whatever the log: what could not be checked */
		char *why = heap_end_text(&ends, cut, im->argv[0], HEAP_END_CHECK);
		char a[32], b[32], c[32], d[32];
		error("%s; seen up to then: %s allocs, %s frees, %s blocks (%s bytes) in use", why,
		      mc_commas(r.allocs, a), mc_commas(r.frees, b), mc_commas(r.in_use_blocks, c),
		      mc_commas(r.in_use_bytes, d));
		free(why);
	}
	int raise_signal = 0;
	int code = mc_exit_status(&r, o, &raise_signal);
	free(cut_short);
	mc_result_free(&r);
	mc_entries_free(&entries);
	heap_view_free(view);
	heap_analysis_free(&an);
	heap_trace_free(&t);
	return code;
}

static bool follow(void *ctx, const char *exe, char *const *args, size_t nargs)
{
	return mc_follow_child(ctx, exe, args, nargs);
}

/* What sonde says of an exec it could not follow (even with -q: the
 * reports would not show that a program went unchecked). */
static void child_note(const struct heap_child_note *n)
{
	static const char *const why[] = {
		[CHILD_NOTE_STATIC] = "is statically linked: sonde's runtime cannot be preloaded into it",
		[CHILD_NOTE_SETUID] = "is set-user-ID or set-group-ID: the loader ignores LD_PRELOAD for it",
		[CHILD_NOTE_ENV] = "was exec'd with an environment without sonde's variables (LD_PRELOAD, "
				   CHILD_SOCK_ENV "): sonde cannot follow it",
	};
	if (n->reason > 0 && n->reason <= CHILD_NOTE_ENV)
		fprintf(stderr, "%s: %s (pid %d) %s, so it was not checked\n", sonde_progname, n->exe, n->pid,
			why[n->reason]);
}

/* --trace-children=yes: a report per image, in the order their streams
 * ended; the status is the launched process's last image's. */
static int report_children(struct run *run, struct heap_children *c, char **argv, int argc, int pid, int status)
{
	for (size_t i = 0; i < c->notes.n; i++)
		child_note(&c->notes.v[i]);
	size_t last = c->images.n;
	for (size_t i = 0; i < c->images.n; i++)
		if (c->images.v[i].pid == pid)
			last = i;
	int code = -1;
	for (size_t i = 0; i < c->images.n; i++) {
		struct heap_child_image *ci = &c->images.v[i];
		/* the Command: line: as typed for the launched program, else the
		 * path exec was given and the arguments after argv[0] */
		char **cargv = xmalloc((ci->args.n + 2) * sizeof *cargv);
		cargv[0] = ci->exe;
		memcpy(cargv + 1, ci->args.v, ci->args.n * sizeof *cargv);
		cargv[ci->args.n + 1] = NULL;
		struct image im = { ci->trace, ci->top ? argv : cargv, ci->top ? argc : (int)ci->args.n + 1, pid,
				    status, i == last, -1, ci->top };
		if (run->o->trace_malloc)
			im.lines_fd = open(ci->lines, O_RDONLY | O_CLOEXEC);
		int rc = report_image(run, &im);
		if (i == last)
			code = rc;
		if (im.lines_fd >= 0)
			close(im.lines_fd);
		free(cargv);
	}
	return code;
}

static int run_memcheck(int argc, char **argv, const struct cmd_ctx *ctx)
{
	struct mc_opts o;
	mc_opts_init(&o);
	struct strbuf err = STRBUF_INIT;
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h") || !strcmp(argv[i], "--help-debug") ||
		    !strcmp(argv[i], "--help-dyn-options")) {
			fputs(usage, stdout);
			return 0;
		} else if (!strcmp(argv[i], "--version")) {
			/* scripts test valgrind's version: the output follows 3.19's */
			printf("valgrind-3.19.0 (sonde %s memcheck)\n", SONDE_VERSION);
			return 0;
		} else if (argv[i][0] != '-') {
			break;
		}
	int first = mc_opts_parse(&o, argc - 1, argv + 1, &err);
	if (first < 0) {
		int rc = complain(&err);
		sb_free(&err);
		mc_opts_free(&o);
		return rc;
	}
	sb_free(&err);
	first += 1;
	if (first >= argc) {
		fprintf(stderr, "valgrind: no program specified\nvalgrind: Use --help for more information.\n");
		mc_opts_free(&o);
		return 1;
	}
	if (o.tool && strcmp(o.tool, "memcheck")) {
		/* `valgrind --tool=X` through the shims never gets here: it runs the real valgrind */
		fprintf(stderr, "sonde: --tool=%s: sonde memcheck is valgrind's memcheck only; run valgrind "
				"itself for %s\n", o.tool, o.tool);
		mc_opts_free(&o);
		return 1;
	}
	if (o.verbosity == 0) /* -q: a CI script may expect nothing but errors */
		sonde_quiet = 1;
	for (size_t i = 0; i < o.ignored.n; i++)
		note("ignoring %s: %s", o.ignored.v[i].arg, o.ignored.v[i].why);
	/* what would fail after the run fails before it: the program, the files */
	int cannot_run = launch_check(argv[first]);
	if (cannot_run) {
		/* valgrind's own words under its name, sonde's under sonde's */
		if (ctx && ctx->compat)
			fprintf(stderr, "valgrind: %s: %s\n", argv[first], launch_failure_reason(argv[first], cannot_run));
		else
			error("cannot run '%s': %s", argv[first], launch_failure_reason(argv[first], cannot_run));
		mc_opts_free(&o);
		return launch_exec_failure_status(cannot_run);
	}
	char why[80];
	if (secure_exec(argv[first], why, sizeof(why))) { /* a report of nothing would look clean */
		mc_opts_free(&o);
		if (!(ctx && ctx->compat))
			return secure_exec_refuse(argv[first], why, false);
		int me = (int)getpid(); /* valgrind refuses such programs too, in these words */
		fprintf(stderr, "==%d== \n==%d== Warning: Can't execute setuid/setgid/setcap executable: %s\n"
				"==%d== Possible workaround: remove --trace-children=yes, if in effect\n==%d== \n"
				"valgrind: %s: Permission denied\n", me, me, argv[first], me, me, argv[first]);
		return 126;
	}
	if (check_dest("--log-file", "log", o.log_file) < 0 ||
	    (o.xml && check_dest("--xml-file", "XML", o.xml_file) < 0)) {
		mc_opts_free(&o);
		return 1;
	}
	struct mc_supps supps = { 0 };
	if (load_suppressions(&supps, &o) < 0) {
		mc_supps_free(&supps);
		mc_opts_free(&o);
		return 1;
	}

	uint64_t t0 = now_ns();
	struct heap_children children = { 0 };
	children.follow = follow;
	children.ctx = &o;
	children.trace_lines = o.trace_malloc;
	/* without --trace-children one pipe carries the program's stream */
	int trace_fd = o.trace_malloc && !o.trace_children ? trace_lines_file() : -1;
	char *trace_path = o.trace_children ? NULL : temp_trace();
	int status = 0;
	struct heap_record_opts ro = { 0 };
	ro.output = trace_path;
	ro.quiet = true;
	ro.memcheck = true;
	ro.no_buildid_cache = true; /* the trace is read right away, with the same files */
	ro.no_leak_check = o.leak_check == MC_LEAK_NO;
	ro.precise = o.precise;
	/* like valgrind, stacks are captured only as deep as they are shown
	 * (the allocation function's own frame is one of --num-callers) */
	ro.max_frames = o.num_callers;
	ro.heuristics = o.heuristics;
	ro.level = 1;
	ro.freelist_vol = o.freelist_vol;
	ro.freelist_big = o.freelist_big_blocks;
	ro.no_mismatch = !o.show_mismatched_frees;
	ro.exit_first = o.exit_on_first_error ? o.error_exitcode & 255 : -1;
	ro.trace_fd = trace_fd;
	ro.time_stamp = o.time_stamp;
	ro.t0_ns = t0;
	ro.wait_status = &status;
	ro.children = o.trace_children ? &children : NULL;
	int pid = 0;
	ro.pid = &pid;
	bool not_started = false, oom_kills = false;
	ro.not_started = &not_started;
	ro.oom_kills = &oom_kills;
	int rrc = heap_record(&ro, argv + first);

	struct run run = { &o, &supps, argv, first, NULL, t0, { 0 }, false, oom_kills };
	char *rt = heap_find_runtime();
	char rtabs[PATH_MAX];
	run.rt = rt && realpath(rt, rtabs) ? rtabs : rt;
	int code = rrc;
	if (not_started) { /* it said why; valgrind prints no summary then either */
	} else if (o.trace_children) {
		code = report_children(&run, &children, argv + first, argc - first, pid, status);
	} else {
		struct image im = { trace_path, argv + first, argc - first, pid, status, true, trace_fd, true };
		code = report_image(&run, &im);
	}
	if (code >= 0 && rrc == 128 + SIGINT && WIFSIGNALED(status)) /* ended for a Ctrl-C (collect/interrupt.h) */
		code = rrc;
	if (trace_path)
		unlink(trace_path);
	free(trace_path);
	if (trace_fd >= 0)
		close(trace_fd);
	heap_children_free(&children);
	for (size_t i = 0; i < run.dests.n; i++) {
		if (run.dests.v[i].d)
			run.lost |= mc_dest_close(run.dests.v[i].d) < 0;
		free(run.dests.v[i].d);
		free(run.dests.v[i].key);
	}
	vec_free(&run.dests);
	if (run.lost && code == 0) /* the report did not get where it was asked for */
		code = 1;
	free(rt);
	mc_supps_free(&supps);
	mc_opts_free(&o);
	return code < 0 ? 1 : code;
}

int cmd_memcheck(int argc, char **argv, const struct cmd_ctx *ctx)
{
	struct mc_rc_args a = mc_rc_args(argc, argv); /* ~/.valgrindrc, $VALGRIND_OPTS, ./.valgrindrc */
	int rc = run_memcheck(a.argc, a.argv, ctx);
	mc_rc_args_free(&a);
	return rc;
}
