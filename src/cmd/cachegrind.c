/* sonde cachegrind: cachegrind's cache and branch simulation on qemu-user
 * (the engine is plugin/, a TCG plugin), writing valgrind 3.19's
 * cachegrind.out.PID, its exit summary, and the costs per call stack
 * beside it (cachegrind.stacks.PID). */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cachegrind/cg_raw.h"
#include "cachegrind/cg_run.h"
#include "cachegrind/cg_stacks.h"
#include "cachegrind/cg_summary.h"
#include "cachegrind/cg_vgtext.h"
#include "cachegrind/cg_write.h"
#include "cachesim/cache_detect.h"
#include "cmd/cg_tools.h"
#include "cmd/cmds.h"
#include "collect/launch.h"
#include "util/die.h"
#include "util/libpath.h"
#include "util/options.h"
#include "util/path_search.h"
#include "util/strbuf.h"

static const char *const cg_usage[] = { "cachegrind [options] [--] CMD [ARGS...]",
					"cachegrind annotate|diff|merge ...   (cg_annotate, cg_diff, cg_merge)", NULL };

static const char cg_intro[] =
	"Runs CMD under qemu-user with sonde's cache simulator and writes\n"
	"cachegrind.out.PID as valgrind's cachegrind does (cg_annotate reads it),\n"
	"its totals on stderr, and the same costs per call stack in\n"
	"cachegrind.stacks.PID (sonde flamegraph -i FILE --weight D1mr).\n";

static const char *const yes_no[] = { "no", "yes", NULL };

struct cg_opts {
	int cache, branch, follow, quiet, per_thread;
	const char *out;
	struct cache_geom i1, d1, ll;
	bool has_i1, has_d1, has_ll;
};

static int geom_cb(struct opt_parser *p, const struct opt *o, const char *arg)
{
	struct cg_opts *co = p->cmd->data;
	struct cache_geom *g = o->value;
	const char *why = cache_geom_parse(arg, g);
	if (why)
		opt_usage_error(p->cmd, "bad argument '%s' for --%s: %s", arg, o->lng, why);
	if (g == &co->i1)
		co->has_i1 = true;
	else if (g == &co->d1)
		co->has_d1 = true;
	else
		co->has_ll = true;
	return 0;
}

/* F with %p as the pid, %q{VAR} as $VAR (valgrind's file-name escapes) */
static char *expand_out(const char *f, int pid)
{
	struct strbuf sb = STRBUF_INIT;
	for (const char *c = f; *c; c++) {
		if (c[0] == '%' && c[1] == 'p') {
			sb_addf(&sb, "%d", pid);
			c++;
		} else if (c[0] == '%' && c[1] == 'q' && c[2] == '{' && strchr(c, '}')) {
			const char *end = strchr(c, '}');
			char *name = xasprintf("%.*s", (int)(end - c - 3), c + 3);
			const char *v = getenv(name);
			sb_adds(&sb, v ? v : "");
			free(name);
			c = end;
		} else if (c[0] == '%' && c[1] == '%') {
			sb_addc(&sb, '%');
			c++;
		} else {
			sb_addc(&sb, *c);
		}
	}
	return sb_detach(&sb);
}

static char *cmd_line(char **argv)
{
	struct strbuf sb = STRBUF_INIT;
	for (int i = 0; argv[i]; i++)
		sb_addf(&sb, "%s%s", i ? " " : "", argv[i]);
	return sb_detach(&sb);
}

/* One process's dump into its cachegrind.out and .stacks; 0 or 1. The
 * launched one (main) also gets its fatal signal's block and, without
 * -q, the summary on stderr. */
static int write_outputs(const char *raw, const struct cg_opts *o, const struct cache_geom *g, char **argv,
			 bool main_proc)
{
	struct cg_raw r;
	char why[512];
	if (cg_raw_load(raw, &r, why, sizeof(why)) < 0) {
		error("%s", why);
		return 1;
	}
	static const char *const names[] = { "I1", "D1", "LL" };
	for (int i = 0; i < 3; i++) {
		char d[96];
		cache_geom_desc(&g[i], d, sizeof(d));
		vec_push(&r.data.desc, xasprintf("%s cache:         %s", names[i], d));
	}
	r.data.cmd = r.exec_cmd ? xstrdup(r.exec_cmd) : cmd_line(argv);
	char *out = expand_out(o->out, r.pid);
	char *stacks = cg_stacks_path(out);
	int rc = 0;
	if (cg_write_file(out, &r.data) < 0) {
		error("cannot write '%s': %s", out, strerror(errno));
		rc = 1;
	} else if (cg_stacks_write(stacks, &r) < 0) {
		error("cannot write '%s': %s", stacks, strerror(errno));
		rc = 1;
	}
	if (main_proc)
		cg_print_fatal(stderr, &r, o->quiet);
	if (main_proc && !o->quiet)
		cg_print_summary(stderr, r.pid, &r.data);
	if (main_proc && !o->quiet && o->per_thread)
		cg_print_threads(stderr, r.pid, &r);
	free(out);
	free(stacks);
	cg_raw_free(&r);
	return rc;
}

/* Every process's dump in dir, the launched one first (with the
 * summary); a child's only when the output name tells processes apart. */
static int cg_collect(const char *dir, int pid, const struct cg_opts *o, const struct cache_geom *g, char **argv)
{
	char *main_raw = xasprintf("%s/raw.%d", dir, pid);
	int rc = 0;
	if (access(main_raw, F_OK) != 0) {
		error("the cache simulator wrote no counts for process %d (qemu stopped before its end)", pid);
		rc = 1;
	} else {
		rc = write_outputs(main_raw, o, g, argv, true);
	}
	free(main_raw);
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		int child;
		char end;
		if (sscanf(e->d_name, "raw.%d%c", &child, &end) == 2 && end == '.' && strstr(e->d_name, ".tmp")) {
			/* a process died while its counts were being written */
			warn("process %d: the engine did not finish writing its counts; they are lost", child);
			rc = 1;
			continue;
		}
		if (sscanf(e->d_name, "raw.%d%c", &child, &end) != 1 || child == pid || !strstr(o->out, "%p"))
			continue;
		char *raw = xasprintf("%s/%s", dir, e->d_name);
		rc |= write_outputs(raw, o, g, argv, false);
		free(raw);
	}
	if (d)
		closedir(d);
	return rc;
}

static void remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char *p = xasprintf("%s/%s", dir, e->d_name);
		unlink(p);
		free(p);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

static int exit_like(int status)
{
	if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);
		struct rlimit no_core = { 0, 0 };
		setrlimit(RLIMIT_CORE, &no_core); /* the guest's core is qemu's to write */
		signal(sig, SIG_DFL);
		raise(sig);
	}
	return wait_status_code(status);
}

/* `sonde cachegrind annotate|diff|merge ...`: the tools (cg_tools.h); a
 * program of that name runs as `sonde cachegrind -- annotate`. */
static int (*cg_tool(const char *name))(int, char **, const struct cmd_ctx *)
{
	if (!strcmp(name, "annotate"))
		return cmd_cg_annotate;
	if (!strcmp(name, "diff"))
		return cmd_cg_diff;
	if (!strcmp(name, "merge"))
		return cmd_cg_merge;
	return NULL;
}

int cmd_cachegrind(int argc, char **argv, const struct cmd_ctx *ctx)
{
	int (*tool)(int, char **, const struct cmd_ctx *) = argc > 1 && !(ctx && ctx->compat) ? cg_tool(argv[1]) : NULL;
	if (tool)
		return tool(argc - 1, argv + 1, ctx);
	struct cg_opts o = { .cache = 1, .out = "cachegrind.out.%p" };
	const struct opt opts[] = {
		OPT_ENUM(0, "cache-sim", &o.cache, "yes|no", "simulate I1, D1 and LL (default yes)", yes_no, NULL),
		OPT_ENUM(0, "branch-sim", &o.branch, "yes|no", "simulate branch prediction (default no)", yes_no,
			 NULL),
		OPT_ENUM(0, "trace-children", &o.follow, "yes|no",
			 "count exec'd programs too (default no: counted up to the exec)", yes_no, NULL),
		OPT_ENUM(0, "per-thread", &o.per_thread, "yes|no",
			 "after the summary, each thread's I refs, D refs and misses (default no)", yes_no, NULL),
		OPT_STRING(0, "cachegrind-out-file", &o.out, "FILE",
			   "output file (default cachegrind.out.%p; %p: pid, %q{VAR}: $VAR)"),
		OPT_CALLBACK(0, "I1", &o.i1, "SIZE,ASSOC,LINE", "I1 cache geometry (default: the host's)", geom_cb, NULL),
		OPT_CALLBACK(0, "D1", &o.d1, "SIZE,ASSOC,LINE", "D1 cache geometry", geom_cb, NULL),
		OPT_CALLBACK(0, "LL", &o.ll, "SIZE,ASSOC,LINE", "last-level cache geometry", geom_cb, NULL),
		OPT_COUNT('q', "quiet", &o.quiet, "print no summary"),
		OPT_END(),
	};
	const struct opt_cmd cmd = { "cachegrind", .usage = cg_usage, .intro = cg_intro, .stop_at_arg = true,
				     .data = &o };
	(void)ctx;
	int n = opt_parse(&cmd, opts, argc, argv);
	if (n < 1)
		opt_usage_error(&cmd, "no command given");
	argv[n] = NULL;
	char *qemu = path_search(path_env(), "qemu-x86_64", NULL, NULL, NULL);
	if (!qemu) {
		fprintf(stderr, "sonde cachegrind: needs qemu-user (apt-get install qemu-user)\n");
		return 1;
	}
	char *plugin = sonde_find_lib("SONDE_CG_ENGINE", "libsonde-cg.so");
	if (!plugin)
		die("cannot find libsonde-cg.so, the cachegrind engine, beside sonde");
	int st = launch_preflight(argv[0]);
	if (st)
		return st;
	struct cache_geom g[3];
	char warn_text[1024];
	cache_detect(&g[0], &g[1], &g[2], warn_text, sizeof(warn_text));
	if (o.has_i1)
		g[0] = o.i1;
	if (o.has_d1)
		g[1] = o.d1;
	if (o.has_ll)
		g[2] = o.ll;
	const char *tmp = getenv("TMPDIR");
	char *dir = xasprintf("%s/sonde-cg.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		die("cannot create a directory in %s: %s", tmp && *tmp ? tmp : "/tmp", strerror(errno));
	struct cg_run_opts ro = { o.cache, o.branch, o.follow, g[0], g[1], g[2], qemu, plugin, dir, o.quiet ? "" : warn_text, !o.quiet };
	int pid = 0;
	int status = cg_run(&ro, argv, &pid);
	if (status < 0) {
		rmdir(dir);
		return launch_preflight(argv[0]) ? 127 : 1;
	}
	int rc = cg_collect(dir, pid, &o, g, argv);
	remove_dir(dir);
	free(dir);
	free(qemu);
	free(plugin);
	/* the guest's status either way; a run without its counts never 0 */
	if (rc && !WIFSIGNALED(status) && wait_status_code(status) == 0)
		return 1;
	return exit_like(status);
}
