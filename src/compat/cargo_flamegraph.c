/* flamegraph-rs's command lines, run by sonde:
 *   cargo flamegraph [OPTIONS] [-- ARGS]     (cargo runs `cargo-flamegraph flamegraph ...`)
 *   flamegraph [OPTIONS] -- CMD [ARGS]       (the standalone binary)
 *   flamegraph [OPTIONS] --pid PID
 * The cargo form builds the target with `cargo build --message-format=json-
 * render-diagnostics`, finds the executable in cargo's compiler-artifact
 * messages, and hands it to `sonde flamegraph`. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd/cmds.h"
#include "compat/compat.h"
#include "util/die.h"
#include "util/json.h"
#include "util/strbuf.h"
#include "util/writable.h"
#include "util/vec.h"

/* ---- options ---- */

enum target_kind { TK_NONE, TK_BIN, TK_EXAMPLE, TK_TEST, TK_BENCH, TK_UNIT_TEST };
static const char *const kind_names[] = { "", "bin", "example", "test", "bench", "lib" };

struct cf_opts {
	bool cargo; /* the cargo form (else the standalone `flamegraph`) */
	enum target_kind kind;
	const char *target; /* --bin NAME etc. */
	const char *package, *features, *profile, *manifest_path;
	bool no_default_features, dev;
	VEC(char *) fg; /* arguments for `sonde flamegraph` */
	const char *pid;
	const char *output; /* -o, checked before the build */
};

enum {
	CF_BIN = 256, CF_EXAMPLE, CF_TEST, CF_UNIT_TEST, CF_BENCH, CF_NO_DEFAULT, CF_PROFILE, CF_DEV,
	CF_MANIFEST, CF_REVERSE, CF_NO_INLINE, CF_MIN_WIDTH, CF_IMAGE_WIDTH, CF_PALETTE, CF_TITLE,
	CF_SUBTITLE, CF_OPEN, CF_DETERMINISTIC, CF_ROOT, CF_IGNORE, CF_NOTES, CF_FLAMECHART,
	CF_SKIP_AFTER, CF_POST, CF_COMPLETIONS, CF_HELP, CF_VERSION, CF_PID, CF_VERBOSE,
};

/* Options both forms take. */
#define COMMON_OPTIONS                                                        \
	{ "output", required_argument, NULL, 'o' },                           \
	{ "reverse", no_argument, NULL, CF_REVERSE },                         \
	{ "inverted", no_argument, NULL, 'i' },                               \
	{ "no-inline", no_argument, NULL, CF_NO_INLINE },                     \
	{ "freq", required_argument, NULL, 'F' },                             \
	{ "min-width", required_argument, NULL, CF_MIN_WIDTH },               \
	{ "image-width", required_argument, NULL, CF_IMAGE_WIDTH },           \
	{ "palette", required_argument, NULL, CF_PALETTE },                   \
	{ "title", required_argument, NULL, CF_TITLE },                       \
	{ "subtitle", required_argument, NULL, CF_SUBTITLE },                 \
	{ "open", no_argument, NULL, CF_OPEN },                               \
	{ "deterministic", no_argument, NULL, CF_DETERMINISTIC },             \
	{ "cmd", required_argument, NULL, 'c' },                              \
	{ "root", optional_argument, NULL, CF_ROOT },                         \
	{ "ignore-status", no_argument, NULL, CF_IGNORE },                    \
	{ "notes", required_argument, NULL, CF_NOTES },                       \
	{ "flamechart", no_argument, NULL, CF_FLAMECHART },                   \
	{ "skip-after", required_argument, NULL, CF_SKIP_AFTER },             \
	{ "post-process", required_argument, NULL, CF_POST },                 \
	{ "completions", required_argument, NULL, CF_COMPLETIONS },           \
	{ "verbose", no_argument, NULL, 'v' },                                \
	{ "help", no_argument, NULL, CF_HELP },                               \
	{ "version", no_argument, NULL, CF_VERSION }

static const struct option cargo_long[] = {
	COMMON_OPTIONS,
	{ "bin", required_argument, NULL, 'b' },
	{ "example", required_argument, NULL, CF_EXAMPLE },
	{ "test", required_argument, NULL, CF_TEST },
	{ "unit-test", optional_argument, NULL, CF_UNIT_TEST },
	{ "bench", required_argument, NULL, CF_BENCH },
	{ "package", required_argument, NULL, 'p' },
	{ "features", required_argument, NULL, 'f' },
	{ "no-default-features", no_argument, NULL, CF_NO_DEFAULT },
	{ "profile", required_argument, NULL, CF_PROFILE },
	{ "dev", no_argument, NULL, CF_DEV },
	{ "release", no_argument, NULL, 'r' },
	{ "manifest-path", required_argument, NULL, CF_MANIFEST },
	{ NULL, 0, NULL, 0 },
};

static const struct option standalone_long[] = {
	COMMON_OPTIONS,
	{ "pid", required_argument, NULL, CF_PID },
	{ NULL, 0, NULL, 0 },
};

static void cargo_usage(FILE *out, bool cargo)
{
	if (cargo)
		fprintf(out, "usage: cargo flamegraph [OPTIONS] [-- ARGS...]   (sonde's cargo-flamegraph)\n\n"
			     "Builds a binary of this cargo project (release profile, with debug info),\n"
			     "runs it under sonde's sampler and writes flamegraph.svg.\n\n"
			     "Target:   -b/--bin NAME, --example NAME, --test NAME, --unit-test [NAME],\n"
			     "          --bench NAME, -p/--package P, --manifest-path PATH\n"
			     "Build:    -f/--features F, --no-default-features, --profile P, --dev,\n"
			     "          -r/--release (default)\n");
	else
		fprintf(out, "usage: flamegraph [OPTIONS] -- COMMAND [ARGS...]\n"
			     "       flamegraph [OPTIONS] --pid PID   (sonde's flamegraph)\n\n"
			     "Samples COMMAND (or a running process) and writes flamegraph.svg.\n\n");
	fprintf(out, "Output:   -o/--output FILE (flamegraph.svg), --open, --title T, --subtitle S,\n"
		     "          --image-width PX, --min-width PX, --palette P, --reverse,\n"
		     "          -i/--inverted, --no-inline\n"
		     "Sampling: -F/--freq HZ (997), --ignore-status\n"
		     "Accepted for compatibility: --deterministic, --root, --notes, -v/--verbose;\n"
		     "not supported (warned): -c/--cmd, --flamechart, --skip-after, --post-process.\n"
		     "The same is available as 'sonde flamegraph' (see 'sonde flamegraph --help').\n");
}

static void fg_push(struct cf_opts *o, const char *a) { vec_push(&o->fg, xstrdup(a)); }

static void fg_free(struct cf_opts *o)
{
	for (size_t i = 0; i < o->fg.n; i++)
		free(o->fg.v[i]);
	vec_free(&o->fg);
}

/* ---- running cargo ---- */

/* Runs argv with stdout into a pipe, collecting it; stderr is the user's.
 * Returns the exit status (or -1 if it could not run). */
static int run_capture(char *const *argv, struct strbuf *out, bool set_debug_env, const char *profile)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0)
		die("cannot create a pipe: %s", strerror(errno));
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		die("cannot fork: %s", strerror(errno));
	if (pid == 0) {
		dup2(fds[1], 1);
		if (set_debug_env) {
			/* As flamegraph-rs does: debug info for the profile being
			 * built, unless the user says otherwise. */
			struct strbuf var = STRBUF_INIT;
			sb_adds(&var, "CARGO_PROFILE_");
			for (const char *c = profile; *c; c++)
				sb_addc(&var, *c == '-' ? '_' : (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c));
			sb_adds(&var, "_DEBUG");
			setenv(var.buf, "true", 0);
		}
		execvp(argv[0], argv);
		fprintf(stderr, "%s: cannot run '%s': %s\n", sonde_progname, argv[0], strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	char buf[65536];
	for (;;) {
		ssize_t n = read(fds[0], buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		sb_add(out, buf, (size_t)n);
	}
	close(fds[0]);
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return 128 + WTERMSIG(st);
}

static bool have_cargo(void)
{
	const char *c = getenv("CARGO");
	return c && *c;
}

static const char *cargo_bin(void) { return have_cargo() ? getenv("CARGO") : "cargo"; }

/* No --bin: the one binary, or default-run, from `cargo metadata`. */
static char *pick_default_bin(const struct cf_opts *o)
{
	VEC(char *) args = { 0 };
	vec_push(&args, (char *)cargo_bin());
	vec_push(&args, "metadata");
	vec_push(&args, "--no-deps");
	vec_push(&args, "--format-version");
	vec_push(&args, "1");
	if (o->manifest_path) {
		vec_push(&args, "--manifest-path");
		vec_push(&args, (char *)o->manifest_path);
	}
	vec_push(&args, NULL);
	struct strbuf out = STRBUF_INIT;
	int rc = run_capture(args.v, &out, false, NULL);
	vec_free(&args);
	if (rc != 0)
		die("'cargo metadata' failed (status %d); is this a cargo project?", rc);
	struct json meta;
	if (json_parse(out.buf ? out.buf : "", out.len, &meta) < 0)
		die("cannot parse the output of 'cargo metadata'");
	sb_free(&out);

	VEC(char *) bins = { 0 };
	VEC(char *) defaults = { 0 };
	bool pkg_found = false;
	const struct json *pkgs = json_get(&meta, "packages");
	for (size_t i = 0; pkgs && pkgs->type == JSON_ARR && i < pkgs->n; i++) {
		const struct json *pk = &pkgs->kids[i];
		const char *pname = json_str(json_get(pk, "name"));
		if (o->package && (!pname || strcmp(pname, o->package)))
			continue;
		pkg_found = true;
		const char *dr = json_str(json_get(pk, "default_run"));
		if (dr)
			vec_push(&defaults, xstrdup(dr));
		const struct json *targets = json_get(pk, "targets");
		for (size_t k = 0; targets && targets->type == JSON_ARR && k < targets->n; k++) {
			const struct json *t = &targets->kids[k];
			const char *tname = json_str(json_get(t, "name"));
			if (tname && json_arr_has(json_get(t, "kind"), "bin"))
				vec_push(&bins, xstrdup(tname));
		}
	}
	json_free(&meta);
	if (o->package && !pkg_found)
		die("no package '%s' in this workspace (see 'cargo metadata --no-deps')", o->package);
	char *pick = NULL;
	if (bins.n == 1) {
		pick = xstrdup(bins.v[0]);
	} else if (defaults.n == 1) {
		pick = xstrdup(defaults.v[0]);
	} else if (bins.n == 0) {
		if (o->package)
			die("package '%s' has no binary target; use --example, --test, --bench or "
			    "--unit-test, or pick another package with -p", o->package);
		die("this project has no binary target; use --example, --test, --bench or --unit-test");
	} else {
		struct strbuf list = STRBUF_INIT;
		for (size_t i = 0; i < bins.n; i++) {
			sb_adds(&list, i ? ", " : "");
			sb_adds(&list, bins.v[i]);
		}
		die("several binaries could be profiled: %s\n"
		    "Pick one with --bin NAME (e.g. 'cargo flamegraph --bin %s'), or set default-run\n"
		    "in the [package] section of Cargo.toml.",
		    list.buf, bins.v[0]);
	}
	for (size_t i = 0; i < bins.n; i++)
		free(bins.v[i]);
	for (size_t i = 0; i < defaults.n; i++)
		free(defaults.v[i]);
	vec_free(&bins);
	vec_free(&defaults);
	return pick;
}

/* The profile whose debug info matters, as cargo names it. */
static const char *build_profile(const struct cf_opts *o)
{
	if (o->profile)
		return o->profile;
	if (o->dev)
		return "dev";
	if (o->kind == TK_BENCH)
		return "bench";
	return "release";
}

/* Builds the target; returns the executable (heap). */
static char *cargo_build(struct cf_opts *o)
{
	char *bin = NULL;
	if (o->kind == TK_NONE) {
		bin = pick_default_bin(o);
		o->kind = TK_BIN;
		o->target = bin;
	}
	VEC(char *) args = { 0 };
	vec_push(&args, (char *)cargo_bin());
	if (o->kind == TK_BENCH) {
		vec_push(&args, "bench");
		vec_push(&args, "--no-run");
	} else if (o->kind == TK_TEST || o->kind == TK_UNIT_TEST) {
		vec_push(&args, "test");
		vec_push(&args, "--no-run");
	} else {
		vec_push(&args, "build");
	}
	if (o->profile) {
		vec_push(&args, "--profile");
		vec_push(&args, (char *)o->profile);
	} else if (!o->dev && o->kind != TK_BENCH) {
		vec_push(&args, "--release");
	}
	switch (o->kind) {
	case TK_BIN: vec_push(&args, "--bin"); vec_push(&args, (char *)o->target); break;
	case TK_EXAMPLE: vec_push(&args, "--example"); vec_push(&args, (char *)o->target); break;
	case TK_TEST: vec_push(&args, "--test"); vec_push(&args, (char *)o->target); break;
	case TK_BENCH: vec_push(&args, "--bench"); vec_push(&args, (char *)o->target); break;
	case TK_UNIT_TEST:
		if (o->target) {
			vec_push(&args, "--bin");
			vec_push(&args, (char *)o->target);
		} else {
			vec_push(&args, "--lib");
		}
		break;
	case TK_NONE: break;
	}
	if (o->package) {
		vec_push(&args, "--package");
		vec_push(&args, (char *)o->package);
	}
	if (o->features) {
		vec_push(&args, "--features");
		vec_push(&args, (char *)o->features);
	}
	if (o->no_default_features)
		vec_push(&args, "--no-default-features");
	if (o->manifest_path) {
		vec_push(&args, "--manifest-path");
		vec_push(&args, (char *)o->manifest_path);
	}
	vec_push(&args, "--message-format=json-render-diagnostics");
	vec_push(&args, NULL);

	const char *profile = build_profile(o);
	struct strbuf out = STRBUF_INIT;
	int rc = run_capture(args.v, &out, true, profile);
	vec_free(&args);
	if (rc != 0)
		die("building with cargo failed (status %d); fix the errors above and try again", rc);

	/* One JSON message per line; the artifact of our target has the executable. */
	/* unit tests: of the lib, or of the binary named */
	const char *want_kind = o->kind == TK_UNIT_TEST && o->target ? "bin" : kind_names[o->kind];
	char *exe = NULL;
	bool no_debug = false;
	for (char *line = out.buf, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		size_t len = next ? (size_t)(next - line) : strlen(line);
		if (next)
			next++;
		if (!len || !memmem(line, len, "compiler-artifact", 17))
			continue;
		struct json m;
		if (json_parse(line, len, &m) < 0)
			continue;
		const char *reason = json_str(json_get(&m, "reason"));
		const struct json *target = json_get(&m, "target");
		const char *tname = json_str(json_get(target, "name"));
		const char *path = json_str(json_get(&m, "executable"));
		if (reason && !strcmp(reason, "compiler-artifact") && path && tname &&
		    json_arr_has(json_get(target, "kind"), want_kind) &&
		    (!o->target || !strcmp(tname, o->target))) {
			free(exe);
			exe = xstrdup(path);
			const struct json *dbg = json_get(json_get(&m, "profile"), "debuginfo");
			no_debug = !dbg || dbg->type == JSON_NULL || (dbg->type == JSON_NUM && dbg->num == 0) ||
				   (dbg->type == JSON_STR && (!strcmp(dbg->str, "none") || !strcmp(dbg->str, "0")));
		}
		json_free(&m);
	}
	sb_free(&out);
	if (!exe)
		die("cargo built no executable for %s%s%s", o->kind == TK_UNIT_TEST ? "the unit tests" : want_kind,
		    o->target ? " " : "", o->target ? o->target : "");
	if (no_debug) {
		char up[64];
		size_t k = 0;
		for (const char *c = profile; *c && k < sizeof(up) - 1; c++)
			up[k++] = *c == '-' ? '_' : (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
		up[k] = 0;
		warn("'%s' was built without debug info: inlined frames and source lines will be missing,\n"
		     "and some stacks may be cut short. Add this to Cargo.toml:\n"
		     "    [profile.%s]\n    debug = true\n"
		     "(or leave CARGO_PROFILE_%s_DEBUG unset so cargo flamegraph can turn it on).",
		     exe, profile, up);
	}
	if (bin && o->target == bin)
		o->target = NULL;
	free(bin);
	return exe;
}

/* ---- entry ---- */

static const char *const inferno_only_palettes[] = { "wakeup", "java", "js", "perl", "python", NULL };

int compat_cargo_flamegraph(const char *name, int argc, char **argv)
{
	static const struct cmd_ctx ctx = { "cargo-flamegraph" };
	struct cf_opts o = { 0 };
	o.cargo = !strcmp(name, "cargo-flamegraph");
	/* cargo runs `cargo-flamegraph flamegraph ARGS`: drop the subcommand */
	if (o.cargo && argc > 1 && !strcmp(argv[1], "flamegraph")) {
		argv++;
		argc--;
	}
	fg_push(&o, "flamegraph");

	optind = 0;
	opterr = 0;
	int c;
	const char *shortopts = o.cargo ? "+:o:iF:c:vb:p:f:rh" : "+:o:iF:c:vp:h";
	while ((c = getopt_long(argc, argv, shortopts, o.cargo ? cargo_long : standalone_long, NULL)) != -1) {
		switch (c) {
		case 'o': o.output = optarg; fg_push(&o, "-o"); fg_push(&o, optarg); break;
		case CF_REVERSE: fg_push(&o, "--reverse"); break;
		case 'i': fg_push(&o, "--inverted"); break;
		case CF_NO_INLINE: fg_push(&o, "--no-inline"); break;
		case 'F': fg_push(&o, "-F"); fg_push(&o, optarg); break;
		case CF_MIN_WIDTH: fg_push(&o, "--min-width"); fg_push(&o, optarg); break;
		case CF_IMAGE_WIDTH: fg_push(&o, "--width"); fg_push(&o, optarg); break;
		case CF_PALETTE: {
			bool other = false;
			for (size_t k = 0; inferno_only_palettes[k]; k++)
				other |= !strcmp(optarg, inferno_only_palettes[k]);
			if (other) {
				warn("palette '%s' is not available; using 'hot'", optarg);
				fg_push(&o, "--palette");
				fg_push(&o, "hot");
			} else {
				fg_push(&o, "--palette");
				fg_push(&o, optarg);
			}
			break;
		}
		case CF_TITLE: fg_push(&o, "--title"); fg_push(&o, optarg); break;
		case CF_SUBTITLE: fg_push(&o, "--subtitle"); fg_push(&o, optarg); break;
		case CF_OPEN: fg_push(&o, "--open"); break;
		case CF_IGNORE: fg_push(&o, "--ignore-status"); break;
		case CF_DETERMINISTIC: /* sonde's colours are always deterministic */ break;
		case CF_ROOT: /* sonde needs no sudo here; with no permission, it says so */ break;
		case CF_NOTES: case 'v': break;
		case 'c': warn("-c/--cmd (custom perf arguments) is not supported; recording with sonde's defaults"); break;
		case CF_FLAMECHART: warn("--flamechart is not supported; drawing a flame graph"); break;
		case CF_SKIP_AFTER: warn("--skip-after is not supported; ignored"); break;
		case CF_POST: warn("--post-process is not supported; ignored"); break;
		case CF_COMPLETIONS: die("--completions is not supported by sonde");
		case CF_VERSION:
			printf("%s 0.6.5 (sonde %s)\n", o.cargo ? "cargo-flamegraph" : "flamegraph", SONDE_VERSION);
			fg_free(&o);
			return 0;
		case 'h': case CF_HELP: cargo_usage(stdout, o.cargo); fg_free(&o); return 0;
		/* cargo form */
		case 'b': o.kind = TK_BIN; o.target = optarg; break;
		case CF_EXAMPLE: o.kind = TK_EXAMPLE; o.target = optarg; break;
		case CF_TEST: o.kind = TK_TEST; o.target = optarg; break;
		case CF_UNIT_TEST: o.kind = TK_UNIT_TEST; o.target = optarg; break;
		case CF_BENCH: o.kind = TK_BENCH; o.target = optarg; break;
		case 'p':
			if (o.cargo)
				o.package = optarg;
			else
				o.pid = optarg;
			break;
		case CF_PID: o.pid = optarg; break;
		case 'f': o.features = optarg; break;
		case CF_NO_DEFAULT: o.no_default_features = true; break;
		case CF_PROFILE: o.profile = optarg; break;
		case CF_DEV: o.dev = true; break;
		case 'r': break; /* release is the default */
		case CF_MANIFEST: o.manifest_path = optarg; break;
		case ':':
			fprintf(stderr, "%s: option '%s' needs a value\n", name, argv[optind - 1]);
			cargo_usage(stderr, o.cargo);
			fg_free(&o);
			return 2;
		default:
			if (optopt && optopt < 256)
				fprintf(stderr, "%s: unknown option '-%c'\n", name, optopt);
			else
				fprintf(stderr, "%s: unknown option '%s'\n", name, argv[optind - 1]);
			fprintf(stderr, "Run '%s --help' for the options.\n", o.cargo ? "cargo flamegraph" : name);
			fg_free(&o);
			return 2;
		}
	}
	char **rest = argv + optind;
	int status;
	if (o.cargo) {
		/* a long build, then a run: the output must be writable before either */
		int werr = check_writable(o.output ? o.output : "flamegraph.svg");
		if (werr)
			die("cannot write '%s': %s", o.output ? o.output : "flamegraph.svg", strerror(werr));
		char *exe = cargo_build(&o);
		note("profiling %s", exe);
		fg_push(&o, "--");
		fg_push(&o, exe);
		for (char **a = rest; *a; a++)
			fg_push(&o, *a);
		free(exe);
	} else {
		if (o.pid && *rest)
			die("give either --pid PID or a command, not both");
		if (!o.pid && !*rest) {
			cargo_usage(stderr, false);
			fg_free(&o);
			return 2;
		}
		if (o.pid) {
			fg_push(&o, "--pid");
			fg_push(&o, o.pid);
		} else {
			fg_push(&o, "--");
			for (char **a = rest; *a; a++)
				fg_push(&o, *a);
		}
	}
	vec_push(&o.fg, NULL);
	o.fg.n--; /* the NULL */
	status = cmd_flamegraph((int)o.fg.n, o.fg.v, &ctx);
	fg_free(&o);
	return status;
}
