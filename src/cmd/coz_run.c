/* `sonde coz run [-o profile.coz] [-s P] [-b P] [--end-to-end]
 * [--fixed-line F:L] [--fixed-speedup N] --- CMD ARGS`: builds the line
 * table of the objects in binary scope (-b; the executable by default),
 * hands it and the profile (opened for append, as coz does) to
 * libsonde-coz.so through inherited fds, runs CMD and exits with its status. */
#include "cmd/coz_run.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "collect/interrupt.h"
#include "collect/launch.h"
#include "coz/coz_linetab.h"
#include "coz/coz_objects.h"
#include "coz_lines.h"
#include "util/die.h"
#include "util/libpath.h"
#include "util/options.h"
#include "util/path_search.h"
#include "util/strbuf.h"
#include "util/vec.h"

static const char *const run_usage[] = {
	"coz run [-o profile.coz] [-s P]... [-b P]... [--end-to-end]",
	"        [--fixed-line FILE:LINE] [--fixed-speedup N] --- CMD [ARGS]",
	NULL,
};
static const char run_intro[] =
	"Runs CMD with the causal profiler preloaded; experiments and samples are\n"
	"appended to profile.coz (coz's format; `sonde coz plot` shows them). Mark\n"
	"progress in the program with COZ_PROGRESS (include/sonde/coz.h, coz's coz.h\n"
	"or the Rust coz crate). Patterns use '%' as a wildcard. Through `sonde shims`,\n"
	"`coz run ... --- CMD` is the same command.";

typedef VEC(char *) pattern_list;

struct coz_run_opts {
	const char *out, *fixed_line;
	int fixed_speedup;
	bool end_to_end;
	pattern_list scopes, binaries;
};

static int add_pattern(struct opt_parser *p, const struct opt *o, const char *arg)
{
	vec_push((pattern_list *)o->value, (char *)arg);
	return 0;
}

static int refuse_progress(struct opt_parser *p, const struct opt *o, const char *arg)
{
	opt_usage_error(p->cmd, "-p: sampled progress points are not supported (nor by coz); "
				"mark progress in the source with COZ_PROGRESS");
}

/* Returns CMD's argv. As coz: what follows '---' is the command,
 * whatever it looks like; without '---', the first operand (or what
 * follows '--') starts it. */
static char **parse(int argc, char **argv, struct coz_run_opts *o)
{
	const struct opt opts[] = {
		OPT_STRING('o', "output", &o->out, "FILE", "append to FILE [profile.coz]"),
		OPT_CALLBACK('s', "source-scope", &o->scopes, "P",
			     "profile source files matching P (repeatable) [all but Rust's std and coz.h]",
			     add_pattern, NULL),
		OPT_CALLBACK('b', "binary-scope", &o->binaries, "P",
			     "profile executables and libraries matching P; MAIN is the executable\n"
			     "(repeatable) [MAIN]",
			     add_pattern, NULL),
		OPT_BOOL(0, "end-to-end", &o->end_to_end,
			 "one experiment over the whole run, an 'end-to-end' point visited at exit\n"
			 "(run the program many times into one profile)"),
		OPT_STRING(0, "fixed-line", &o->fixed_line, "FILE:LINE", "speed up only this line"),
		OPT_INT(0, "fixed-speedup", &o->fixed_speedup, "N", "speed it up only by N% (0-100)", 0, 100,
			"--fixed-speedup takes 0 to 100, not '%s'"),
		{ .kind = OPTK_CALLBACK, .shrt = 'p', .lng = "progress", .argh = "FILE:LINE", .cb = refuse_progress,
		  .flags = OPTF_HIDDEN },
		OPT_END(),
	};
	int sep = 1;
	while (sep < argc && strcmp(argv[sep], "---"))
		sep++;
	bool dashes = sep < argc;
	struct opt_cmd cmd = { "coz run", .usage = run_usage, .intro = run_intro, .stop_at_arg = !dashes };
	int n = opt_parse(&cmd, opts, dashes ? sep : argc, argv);
	if (dashes) {
		if (n)
			opt_usage_error(&cmd, "'%s' before '---': the command goes after it", argv[0]);
		if (sep + 1 >= argc)
			opt_usage_error(&cmd, "no command after '---'");
		return argv + sep + 1;
	}
	if (!n)
		opt_usage_error(&cmd, "no command (put it after '---')");
	argv[n] = NULL; /* opt_parse moved the command line to argv[0..n) */
	return argv;
}

static char *executable(const char *cmd)
{
	if (strchr(cmd, '/'))
		return xstrdup(cmd);
	char *p = path_search(path_env(), cmd, NULL, NULL, NULL);
	return p ? p : xstrdup(cmd);
}

/* The objects in binary scope: the executable without -b (coz's default,
 * MAIN), else what the patterns name. A pattern naming nothing is an error
 * that lists what there is. */
static void pick_objects(const struct coz_run_opts *o, const char *exe, coz_objs *objs)
{
	char real[4096];
	if (!o->binaries.n) {
		struct coz_obj m = { xstrdup(exe), xstrdup(realpath(exe, real) ? real : exe), true, true };
		vec_push(objs, m);
		return;
	}
	coz_objects_list(exe, objs);
	for (size_t i = 0; i < o->binaries.n; i++) {
		if (coz_objects_pick(objs, o->binaries.v[i]))
			continue;
		struct strbuf s = STRBUF_INIT;
		for (size_t k = 0; k < objs->n; k++)
			sb_addf(&s, "%s%s%s%s", k ? ", " : "", objs->v[k].main ? "MAIN (" : "", objs->v[k].real,
				objs->v[k].main ? ")" : "");
		die("coz run: -b '%s' matches none of the program's objects: %s", o->binaries.v[i], s.buf);
	}
}

/* The line table of the picked objects; an object that cannot be read is
 * left out with a warning, unless nothing else is in scope. */
static struct coz_linetab *build_table(const struct coz_run_opts *o, const coz_objs *objs)
{
	struct coz_linetab *t = coz_linetab_new();
	struct coz_scope scope = { o->scopes.v, o->scopes.n };
	char why[200], first[300] = "";
	const char *none = NULL; /* an object without lines in scope */
	long total = 0;
	for (size_t i = 0; i < objs->n; i++) {
		const struct coz_obj *ob = &objs->v[i];
		if (!ob->picked)
			continue;
		long n = coz_linetab_add(t, ob->real, ob->main, &scope, why, sizeof(why));
		if (n < 0 && !*first)
			snprintf(first, sizeof(first), "'%s': %s", ob->main ? ob->name : ob->real, why);
		else if (n < 0)
			warn("coz run: %s: %s; its lines are left out", ob->real, why);
		if (!n && !none)
			none = ob->main ? ob->name : ob->real;
		total += n > 0 ? n : 0;
	}
	if (!total && *first)
		die("coz run: cannot profile %s", first);
	if (!total)
		die("coz run: cannot profile '%s': no source line in scope", none ? none : "?");
	if (*first)
		warn("coz run: %s; its lines are left out", first);
	return t;
}

static long fixed_line_index(const struct coz_linetab *t, const char *spec)
{
	const char *colon = strrchr(spec, ':');
	char *end;
	unsigned long line = colon ? strtoul(colon + 1, &end, 10) : 0;
	if (!colon || colon == spec || !line || *end)
		die("coz run: --fixed-line takes FILE:LINE, not '%s'", spec);
	char *file = xstrndup(spec, (size_t)(colon - spec));
	long id = coz_linetab_find(t, file, (unsigned)line);
	free(file);
	if (id < 0)
		die("coz run: --fixed-line %s: no code in the profiled objects is on that line (a line in scope? -s, -b)", spec);
	return id;
}

static int table_fd(const struct coz_linetab *t)
{
	int fd = memfd_create("sonde-coz-lines", 0); /* inherited by CMD */
	if (fd < 0 || coz_linetab_write(t, fd) < 0)
		die("coz run: cannot write the line table: %s", strerror(errno));
	return fd;
}

static void set_env_int(const char *name, long v)
{
	char s[24];
	snprintf(s, sizeof(s), "%ld", v);
	setenv(name, s, 1);
}

int cmd_coz_run(int argc, char **argv, const struct cmd_ctx *ctx)
{
	struct coz_run_opts o = { .out = "profile.coz", .fixed_speedup = -1 };
	char **cmd = parse(argc, argv, &o);
	int bad = launch_preflight(cmd[0]);
	if (bad)
		return bad;
	char *rt = sonde_find_lib("SONDE_COZ_RT", "libsonde-coz.so");
	if (!rt)
		die("cannot find libsonde-coz.so (looked next to sonde and in ../lib/sonde/); set SONDE_COZ_RT=/path/to/libsonde-coz.so");
	char *exe = executable(cmd[0]);
	coz_objs objs = { 0 };
	pick_objects(&o, exe, &objs);
	struct coz_linetab *t = build_table(&o, &objs);
	coz_objects_free(&objs);
	long fixed = o.fixed_line ? fixed_line_index(t, o.fixed_line) : -1;
	int tfd = table_fd(t);
	coz_linetab_free(t);
	int ofd = open(o.out, O_WRONLY | O_CREAT | O_APPEND, 0644);
	if (ofd < 0)
		die("cannot open '%s': %s", o.out, strerror(errno));

	const char *old = getenv("LD_PRELOAD");
	char *preload = old && *old ? xasprintf("%s:%s", rt, old) : xstrdup(rt);
	char *saved = old ? xstrdup(old) : NULL;
	setenv("LD_PRELOAD", preload, 1);
	set_env_int(COZ_ENV_TABLE_FD, tfd);
	set_env_int(COZ_ENV_OUT_FD, ofd);
	if (fixed >= 0)
		set_env_int(COZ_ENV_FIXED_LINE, fixed);
	if (o.fixed_speedup >= 0)
		set_env_int(COZ_ENV_FIXED_SPEEDUP, o.fixed_speedup);
	if (o.end_to_end)
		setenv(COZ_ENV_END_TO_END, "1", 1);
	struct launch l = { 0 };
	if (launch_suspended(&l, cmd) < 0)
		die("cannot start '%s': %s", cmd[0], strerror(errno));
	if (saved)
		setenv("LD_PRELOAD", saved, 1);
	else
		unsetenv("LD_PRELOAD");
	static const char *const vars[] = COZ_ENV_ALL;
	for (size_t i = 0; vars[i]; i++)
		unsetenv(vars[i]);
	close(tfd);
	close(ofd);
	free(preload);
	free(saved);
	free(rt);
	free(exe);
	free(o.scopes.v);
	free(o.binaries.v);

	/* Like a shell running a foreground job: Ctrl-C reaches CMD, whose
	 * runtime ends the profile before it dies of it (collect/interrupt.h:
	 * a CMD that ignores it gets SIGTERM, then SIGKILL). */
	struct interrupt intr;
	interrupt_watch(&intr, l.pid);
	int err = launch_release(&l);
	if (err) {
		interrupt_unwatch(&intr);
		error("cannot run '%s': %s", cmd[0], launch_failure_reason(cmd[0], err));
		return launch_exec_failure_status(err);
	}
	int status;
	for (;;) {
		pid_t r = waitpid(l.pid, &status, interrupt_seen(&intr) ? WNOHANG : 0);
		if (r > 0)
			break;
		if (r < 0 && errno != EINTR)
			die("cannot wait for '%s': %s", cmd[0], strerror(errno));
		interrupt_poll(&intr, cmd[0]);
		struct timespec d = { 0, 50 * 1000000 };
		nanosleep(&d, NULL);
	}
	interrupt_unwatch(&intr);
	return wait_status_code(status);
}
