/* flamegraph-rs's command lines, run by sonde:
 *   cargo flamegraph [OPTIONS] [-- ARGS]     (cargo runs `cargo-flamegraph flamegraph ...`)
 *   flamegraph [OPTIONS] -- CMD [ARGS]       (the standalone binary)
 *   flamegraph [OPTIONS] --pid PID
 * The cargo form builds the target with `cargo build --message-format=json-
 * render-diagnostics`, finds the executable in cargo's compiler-artifact
 * messages, and hands it to `sonde flamegraph`. */
#include <stddef.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmds.h"
#include "compat/cargo_build.h"
#include "compat/compat.h"
#include "util/die.h"
#include "util/json.h"
#include "util/options.h"
#include "util/strbuf.h"
#include "util/writable.h"
#include "util/vec.h"

/* ---- options ---- */

enum target_kind { TK_NONE, TK_BIN, TK_EXAMPLE, TK_TEST, TK_BENCH, TK_UNIT_TEST };
static const char *const kind_names[] = { "", "bin", "example", "test", "bench", "lib" };

struct cf_opts {
	struct cargo_argv fg; /* arguments for `sonde flamegraph` (first: cargo_pass_cb) */
	bool cargo; /* the cargo form (else the standalone `flamegraph`) */
	enum target_kind kind;
	const char *target; /* --bin NAME etc. */
	const char *package, *features, *profile, *manifest_path;
	bool no_default_features, dev;
	const char *pid;
	const char *output; /* -o, checked before the build */
};

static void fg_push(struct cf_opts *o, const char *a) { cargo_argv_push(&o->fg, a); }

static int output_cb(struct opt_parser *p, const struct opt *opt, const char *arg)
{
	((struct cf_opts *)p->cmd->data)->output = arg;
	return cargo_pass_cb(p, opt, arg);
}

static const char *const inferno_only_palettes[] = { "wakeup", "java", "js", "perl", "python", NULL };

static int palette_cb(struct opt_parser *p, const struct opt *opt, const char *arg)
{
	bool other = false;
	for (size_t k = 0; inferno_only_palettes[k]; k++)
		other |= !strcmp(arg, inferno_only_palettes[k]);
	if (other)
		warn("palette '%s' is not available; using 'hot'", arg);
	return cargo_pass_cb(p, opt, other ? "hot" : arg);
}

/* Accepted, and without effect here; opt->value: the warning, if any. */
static int ignore_cb(struct opt_parser *p, const struct opt *opt, const char *arg)
{
	if (opt->value)
		warn("%s", (const char *)opt->value);
	return 0;
}

static int completions_cb(struct opt_parser *p, const struct opt *opt, const char *arg)
{
	die("--completions is not supported by sonde");
}

static int version_cb(struct opt_parser *p, const struct opt *opt, const char *arg)
{
	const struct cf_opts *o = p->cmd->data;
	printf("%s 0.6.5 (sonde %s)\n", o->cargo ? "cargo-flamegraph" : "flamegraph", SONDE_VERSION);
	exit(0);
}

/* --bin NAME and the like: what to build; opt->num is the kind. */
static int target_cb(struct opt_parser *p, const struct opt *opt, const char *arg)
{
	struct cf_opts *o = p->cmd->data;
	o->kind = (enum target_kind)opt->num;
	o->target = arg;
	return 0;
}

#define IGNORED(s, l, a, why)                                                                                \
	{ .kind = OPTK_CALLBACK, .shrt = (s), .lng = (l), .value = (void *)(why), .argh = (a), .cb = ignore_cb, \
	  .flags = OPTF_HIDDEN | ((a) ? 0 : OPTF_NOARG) }
#define TARGET(s, l, k, h) \
	{ .kind = OPTK_CALLBACK, .shrt = (s), .lng = (l), .argh = "NAME", .help = (h), .cb = target_cb, .num = (k) }

/* Options both forms take. */
#define COMMON_OPTIONS                                                                                            \
	OPT_GROUP("Output:"),                                                                                     \
	OPT_CALLBACK('o', "output", (void *)"-o", "FILE", "where to write (flamegraph.svg)", output_cb, NULL),   \
	CARGO_PASS_FLAG(0, "open", "--open", "open it in a browser"),                                            \
	CARGO_PASS(0, "title", "--title", "T", "title"),                                                         \
	CARGO_PASS(0, "subtitle", "--subtitle", "S", "second line under the title"),                             \
	CARGO_PASS(0, "image-width", "--width", "PX", "image width"),                                            \
	CARGO_PASS(0, "min-width", "--min-width", "PX", "omit frames narrower than PX pixels"),                  \
	OPT_CALLBACK(0, "palette", (void *)"--palette", "P", "colours (see 'sonde flamegraph --help')", palette_cb, \
		     NULL),                                                                                       \
	CARGO_PASS_FLAG(0, "reverse", "--reverse", "merge stacks from the leaf"),                                \
	CARGO_PASS_FLAG('i', "inverted", "--inverted", "icicle graph: root at the top"),                         \
	CARGO_PASS_FLAG(0, "no-inline", "--no-inline", "leave out inlined frames"),                              \
	OPT_GROUP("Sampling:"),                                                                                   \
	CARGO_PASS('F', "freq", "-F", "HZ", "samples per second (997)"),                                         \
	CARGO_PASS_FLAG(0, "ignore-status", "--ignore-status", "exit 0 even when the program fails"),            \
	/* sonde's colours are always deterministic; it needs no sudo (without permission, it says so) */         \
	IGNORED(0, "deterministic", NULL, NULL), { .kind = OPTK_CALLBACK, .lng = "root", .argh = "OPTS", .cb = ignore_cb, .flags = OPTF_HIDDEN | OPTF_OPTARG }, \
	 IGNORED(0, "notes", "N", NULL), \
	IGNORED('v', "verbose", NULL, NULL),                                                                      \
	IGNORED('c', "cmd", "C", "-c/--cmd (custom perf arguments) is not supported; recording with sonde's defaults"), \
	IGNORED(0, "flamechart", NULL, "--flamechart is not supported; drawing a flame graph"),                  \
	IGNORED(0, "skip-after", "F", "--skip-after is not supported; ignored"),                                 \
	IGNORED(0, "post-process", "CMD", "--post-process is not supported; ignored"),                           \
	{ .kind = OPTK_CALLBACK, .lng = "completions", .argh = "SHELL", .cb = completions_cb, .flags = OPTF_HIDDEN }, \
	{ .kind = OPTK_CALLBACK, .lng = "version", .cb = version_cb, .flags = OPTF_HIDDEN | OPTF_NOARG }


/* ---- running cargo ---- */

/* No --bin: the one binary, or default-run, from `cargo metadata`. */
static char *pick_default_bin(const struct cf_opts *o)
{
	struct json meta;
	int rc = cargo_metadata(o->manifest_path, &meta);
	if (rc != 0)
		die("'cargo metadata' failed (status %d); is this a cargo project?", rc);

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

/* The last artifact of our target with an executable, and its debug info. */
struct fg_pick {
	const struct cf_opts *o;
	const char *want_kind;
	char *exe;
	bool no_debug;
};

static void pick_exe(const struct json *m, void *data)
{
	struct fg_pick *pk = data;
	const struct json *target = json_get(m, "target");
	const char *tname = json_str(json_get(target, "name"));
	const char *path = json_str(json_get(m, "executable"));
	if (!path || !tname || !json_arr_has(json_get(target, "kind"), pk->want_kind) ||
	    (pk->o->target && strcmp(tname, pk->o->target)))
		return;
	free(pk->exe);
	pk->exe = xstrdup(path);
	const struct json *dbg = json_get(json_get(m, "profile"), "debuginfo");
	pk->no_debug = !dbg || dbg->type == JSON_NULL || (dbg->type == JSON_NUM && dbg->num == 0) ||
		       (dbg->type == JSON_STR && (!strcmp(dbg->str, "none") || !strcmp(dbg->str, "0")));
}

/* Builds the target; returns the executable (heap). */
static char *flamegraph_build(struct cf_opts *o)
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
	cargo_build_run(args.v, profile, &out);
	vec_free(&args);

	/* unit tests: of the lib, or of the binary named */
	struct fg_pick pick = { o, o->kind == TK_UNIT_TEST && o->target ? "bin" : kind_names[o->kind], NULL, false };
	cargo_each_artifact(out.buf, pick_exe, &pick);
	sb_free(&out);
	char *exe = pick.exe;
	if (!exe)
		die("cargo built no executable for %s%s%s", o->kind == TK_UNIT_TEST ? "the unit tests" : pick.want_kind,
		    o->target ? " " : "", o->target ? o->target : "");
	if (pick.no_debug) {
		char *var = cargo_profile_debug_var(profile);
		warn("'%s' was built without debug info: inlined frames and source lines will be missing,\n"
		     "and some stacks may be cut short. Add this to Cargo.toml:\n"
		     "    [profile.%s]\n    debug = true\n"
		     "(or leave %s unset so cargo flamegraph can turn it on).",
		     exe, profile, var);
		free(var);
	}
	if (bin && o->target == bin)
		o->target = NULL;
	free(bin);
	return exe;
}

/* ---- entry ---- */

static const char *const cargo_usage[] = { "flamegraph [OPTIONS] [-- ARGS...]   (sonde's cargo-flamegraph)", NULL };
static const char cargo_intro[] =
	"Builds a binary of this cargo project (release profile, with debug info),\n"
	"runs it under sonde's sampler and writes flamegraph.svg.\n";
static const char *const standalone_usage[] = {
	"[OPTIONS] -- COMMAND [ARGS...]",
	"[OPTIONS] --pid PID   (sonde's flamegraph)",
	NULL,
};
static const char standalone_intro[] = "Samples COMMAND (or a running process) and writes flamegraph.svg.\n";
static const char outro[] =
	"Accepted for compatibility: --deterministic, --root, --notes, -v/--verbose;\n"
	"not supported (warned): -c/--cmd, --flamechart, --skip-after, --post-process.\n"
	"The same is available as 'sonde flamegraph' (see 'sonde flamegraph --help').\n";

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

	const struct opt cargo_opts[] = {
		OPT_GROUP("Target:"),
		TARGET('b', "bin", TK_BIN, "the binary to profile"),
		TARGET(0, "example", TK_EXAMPLE, "an example"),
		TARGET(0, "test", TK_TEST, "an integration test"),
		{ .kind = OPTK_CALLBACK, .lng = "unit-test", .argh = "NAME", .cb = target_cb, .num = TK_UNIT_TEST,
		  .flags = OPTF_OPTARG, .help = "the unit tests (of the library, or of binary NAME)" },
		TARGET(0, "bench", TK_BENCH, "a benchmark"),
		OPT_STRING('p', "package", &o.package, "P", "the package P of the workspace"),
		OPT_STRING(0, "manifest-path", &o.manifest_path, "PATH", "the project's Cargo.toml"),
		OPT_GROUP("Build:"),
		OPT_STRING('f', "features", &o.features, "F", "cargo features to enable"),
		OPT_BOOL(0, "no-default-features", &o.no_default_features, "without the default features"),
		OPT_STRING(0, "profile", &o.profile, "P", "the cargo profile to build with"),
		OPT_BOOL(0, "dev", &o.dev, "the dev profile"),
		OPT_CALLBACK_NOARG('r', "release", NULL, "the release profile (default)", ignore_cb),
		COMMON_OPTIONS,
		OPT_END(),
	};
	const struct opt standalone_opts[] = {
		OPT_GROUP("Target:"),
		OPT_STRING('p', "pid", &o.pid, "PID", "attach to a running process until Ctrl-C"),
		COMMON_OPTIONS,
		OPT_END(),
	};
	/* clap's status for a usage error: 2 */
	const struct opt_cmd cmd = { o.cargo ? "flamegraph" : NULL, .prog = o.cargo ? "cargo" : name,
				     .usage = o.cargo ? cargo_usage : standalone_usage,
				     .intro = o.cargo ? cargo_intro : standalone_intro, .outro = outro,
				     .stop_at_arg = true, .usage_status = 2, .data = &o };
	int nargs = opt_parse(&cmd, o.cargo ? cargo_opts : standalone_opts, argc, argv);
	char **rest = argv;
	int status;
	if (o.cargo) {
		/* a long build, then a run: the output must be writable before either */
		int werr = check_writable(o.output ? o.output : "flamegraph.svg");
		if (werr)
			die("cannot write '%s': %s", o.output ? o.output : "flamegraph.svg", strerror(werr));
		char *exe = flamegraph_build(&o);
		note("profiling %s", exe);
		fg_push(&o, "--");
		fg_push(&o, exe);
		for (char **a = rest; *a; a++)
			fg_push(&o, *a);
		free(exe);
	} else {
		if (o.pid && nargs)
			opt_usage_error(&cmd, "give either --pid PID or a command, not both");
		if (!o.pid && !nargs)
			opt_usage_error(&cmd, "no command to profile (usage: %s [OPTIONS] -- COMMAND [ARGS...])", name);
		if (o.pid) {
			fg_push(&o, "--pid");
			fg_push(&o, o.pid);
		} else {
			fg_push(&o, "--");
			for (char **a = rest; *a; a++)
				fg_push(&o, *a);
		}
	}
	char **fgv = cargo_argv_copy(&o.fg);
	status = cmd_flamegraph((int)o.fg.n, fgv, &ctx);
	free(fgv);
	cargo_argv_free(&o.fg);
	return status;
}
