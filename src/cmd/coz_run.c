/* `sonde coz run [-o profile.coz] [-s P] [-b P] [--fixed-line F:L]
 * [--fixed-speedup N] --- CMD ARGS`: builds the line table of the objects
 * in binary scope (-b; the executable by default),
 * hands it and the profile (opened for append, as coz does) to
 * libsonde-coz.so through inherited fds, runs CMD and exits with its status. */
#include "cmd/coz_run.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "collect/launch.h"
#include "coz/coz_linetab.h"
#include "coz/coz_objects.h"
#include "coz_lines.h"
#include "util/die.h"
#include "util/libpath.h"
#include "util/path_search.h"
#include "util/strbuf.h"
#include "util/vec.h"

static const char usage[] =
	"usage: sonde coz run [-o profile.coz] [-s/--source-scope P]... [-b/--binary-scope P]...\n"
	"                     [--fixed-line FILE:LINE] [--fixed-speedup N] --- CMD [ARGS]\n"
	"Runs CMD with the causal profiler preloaded; experiments and samples are\n"
	"appended to profile.coz (coz's format). Patterns use '%' as a wildcard.\n";

struct coz_run_opts {
	const char *out, *fixed_line;
	int fixed_speedup;
	VEC(char *) scopes, binaries;
};

static const char *need_arg(int argc, char **argv, int *i)
{
	if (*i + 1 >= argc)
		die("coz run: %s needs a value\n%s", argv[*i], usage);
	return argv[++*i];
}

/* Returns the index of CMD in argv. */
static int parse(int argc, char **argv, struct coz_run_opts *o)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "---") || !strcmp(a, "--")) {
			if (i + 1 >= argc)
				die("coz run: no command after '%s'\n%s", a, usage);
			return i + 1;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(usage, stdout);
			exit(0);
		} else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
			o->out = need_arg(argc, argv, &i);
		} else if (!strcmp(a, "-s") || !strcmp(a, "--source-scope")) {
			vec_push(&o->scopes, (char *)need_arg(argc, argv, &i));
		} else if (!strcmp(a, "-b") || !strcmp(a, "--binary-scope")) {
			vec_push(&o->binaries, (char *)need_arg(argc, argv, &i));
		} else if (!strcmp(a, "--fixed-line")) {
			o->fixed_line = need_arg(argc, argv, &i);
		} else if (!strcmp(a, "--fixed-speedup")) {
			char *end;
			long v = strtol(need_arg(argc, argv, &i), &end, 10);
			if (*end || v < 0 || v > 100)
				die("coz run: --fixed-speedup takes 0 to 100, not '%s'", argv[i]);
			o->fixed_speedup = (int)v;
		} else {
			die("coz run: unknown option '%s'\n%s", a, usage);
		}
	}
	die("coz run: no command (put it after '---')\n%s", usage);
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
		die("coz run: --fixed-line %s: no code of the executable is on that line", spec);
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
	char **cmd = argv + parse(argc, argv, &o);
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
	struct launch l = { 0 };
	if (launch_suspended(&l, cmd) < 0)
		die("cannot start '%s': %s", cmd[0], strerror(errno));
	if (saved)
		setenv("LD_PRELOAD", saved, 1);
	else
		unsetenv("LD_PRELOAD");
	unsetenv(COZ_ENV_TABLE_FD);
	unsetenv(COZ_ENV_OUT_FD);
	unsetenv(COZ_ENV_FIXED_LINE);
	unsetenv(COZ_ENV_FIXED_SPEEDUP);
	close(tfd);
	close(ofd);
	free(preload);
	free(saved);
	free(rt);
	free(exe);
	free(o.scopes.v);
	free(o.binaries.v);

	int err = launch_release(&l);
	if (err) {
		error("cannot run '%s': %s", cmd[0], launch_failure_reason(cmd[0], err));
		return launch_exec_failure_status(err);
	}
	int status;
	while (waitpid(l.pid, &status, 0) < 0)
		if (errno != EINTR)
			die("cannot wait for '%s': %s", cmd[0], strerror(errno));
	return wait_status_code(status);
}
