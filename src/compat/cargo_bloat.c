/* cargo-bloat's command line, run by sonde: cargo runs `cargo-bloat bloat
 * [OPTIONS]`. The target is built with `cargo build` and the flags given
 * (no debug info forced: cargo-bloat measures the profile as it is), the
 * artifact is the one cargo-bloat takes (the last bin, dylib or cdylib of
 * cargo's compiler-artifact messages), and `sonde bloat` shows it with the
 * analysis options. */
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

struct cb_opts {
	struct cargo_argv bloat; /* `sonde bloat`'s arguments (first: cargo_pass_cb) */
	struct cargo_argv build; /* cargo build's flags */
	const char *manifest_path;
	bool lib;
	int n, format;
};

static const char *const formats[] = { "table", "json", NULL };

/* A cargo build flag, as cargo spells it (opt->value), and its value. */
static int build_cb(struct opt_parser *p, const struct opt *opt, const char *arg)
{
	struct cb_opts *o = p->cmd->data;
	cargo_argv_push(&o->build, opt->value);
	if (arg)
		cargo_argv_push(&o->build, arg);
	return 0;
}

static int lib_cb(struct opt_parser *p, const struct opt *opt, const char *arg)
{
	((struct cb_opts *)p->cmd->data)->lib = true;
	return build_cb(p, opt, arg);
}

static int manifest_cb(struct opt_parser *p, const struct opt *opt, const char *arg)
{
	((struct cb_opts *)p->cmd->data)->manifest_path = arg;
	return build_cb(p, opt, arg);
}

static int time_cb(struct opt_parser *p, const struct opt *opt, const char *arg)
{
	die("--time (per-crate build times) is not supported by sonde; use 'cargo build --timings'");
}

static int version_cb(struct opt_parser *p, const struct opt *opt, const char *arg)
{
	printf("cargo-bloat 0.12.1 (sonde %s)\n", SONDE_VERSION);
	exit(0);
}

#define BUILD(s, l, flag, a, h) OPT_CALLBACK(s, l, (void *)(flag), a, h, build_cb, NULL)
#define BUILD_FLAG(s, l, flag, h) OPT_CALLBACK_NOARG(s, l, (void *)(flag), h, build_cb)

/* ---- the artifact ---- */

struct pick {
	bool lib_only;
	bool any;   /* cargo reported an artifact */
	char *path; /* the last one that can be analyzed */
};

static const char *dyn_file(const struct json *filenames)
{
	for (size_t i = 0; filenames && filenames->type == JSON_ARR && i < filenames->n; i++) {
		const char *f = json_str(&filenames->kids[i]);
		const char *dot = f ? strrchr(f, '.') : NULL;
		if (dot && (!strcmp(dot, ".so") || !strcmp(dot, ".dylib") || !strcmp(dot, ".dll")))
			return f;
	}
	return NULL;
}

static void pick_artifact(const struct json *m, void *data)
{
	struct pick *pk = data;
	const struct json *target = json_get(m, "target");
	const struct json *types = json_get(target, "crate_types");
	if (json_arr_has(json_get(target, "kind"), "custom-build")) /* a build script */
		return;
	pk->any = true;
	const char *path = NULL;
	if (json_arr_has(types, "cdylib") || json_arr_has(types, "dylib"))
		path = dyn_file(json_get(m, "filenames"));
	if (!path && !pk->lib_only && json_arr_has(types, "bin"))
		path = json_str(json_get(m, "executable"));
	if (path) {
		free(pk->path);
		pk->path = xstrdup(path);
	}
}

char *cargo_bloat_artifact(const char *out, bool lib_only, const char **why)
{
	struct pick pk = { .lib_only = lib_only };
	cargo_each_artifact(out, pick_artifact, &pk);
	if (!pk.path)
		*why = pk.any ? "only 'bin', 'dylib' and 'cdylib' crate types are supported; pick a binary with "
				"--bin NAME (or -p PACKAGE), or give the library crate-type = [\"cdylib\"]"
			      : "cargo reported no build artifact to analyze; check the target options";
	return pk.path;
}

/* The workspace root, where cargo-bloat's "Analyzing" path starts. */
static char *workspace_root(const char *manifest_path)
{
	struct json meta;
	int rc = cargo_metadata(manifest_path, &meta);
	if (rc != 0)
		die("'cargo metadata' failed (status %d); run cargo bloat in a cargo project, or give --manifest-path", rc);
	const char *root = json_str(json_get(&meta, "workspace_root"));
	char *r = xstrdup(root ? root : "");
	json_free(&meta);
	return r;
}

/* ---- entry ---- */

static const char *const usage[] = { "bloat [OPTIONS]   (sonde's cargo-bloat)", NULL };
static const char intro[] =
	"Builds this cargo project (the dev profile; --release for release) and shows\n"
	"what takes the space in its binary: the biggest functions, or with --crates\n"
	"the crates (sonde bloat's table; see 'sonde bloat --help').\n";
static const char outro[] =
	"Not supported: --time (use 'cargo build --timings').\n"
	"The same on any binary: sonde bloat BINARY.\n";

int compat_cargo_bloat(int argc, char **argv)
{
	struct cb_opts o = { .n = -1, .format = -1 };
	/* cargo runs `cargo-bloat bloat ARGS`: drop the subcommand */
	if (argc > 1 && !strcmp(argv[1], "bloat")) {
		argv++;
		argc--;
	}
	cargo_argv_push(&o.bloat, "bloat");
	cargo_argv_push(&o.build, cargo_bin());
	cargo_argv_push(&o.build, "build");
	cargo_argv_push(&o.build, "--message-format=json-render-diagnostics");

	const struct opt opts[] = {
		OPT_GROUP("Target:"),
		OPT_CALLBACK_NOARG(0, "lib", (void *)"--lib", "the library (a cdylib or dylib)", lib_cb),
		BUILD(0, "bin", "--bin", "NAME", "the binary NAME"),
		BUILD(0, "example", "--example", "NAME", "the example NAME"),
		BUILD(0, "test", "--test", "NAME", "the integration test NAME"),
		BUILD('p', "package", "--package", "SPEC", "the package SPEC of the workspace"),
		OPT_CALLBACK(0, "manifest-path", (void *)"--manifest-path", "PATH", "the project's Cargo.toml",
			     manifest_cb, NULL),
		OPT_GROUP("Build (cargo build's flags):"),
		BUILD_FLAG(0, "release", "--release", "the release profile"),
		BUILD(0, "profile", "--profile", "P", "the profile P"),
		BUILD('j', "jobs", "--jobs", "N", "parallel jobs"),
		BUILD(0, "features", "--features", "F", "features to enable"),
		BUILD_FLAG(0, "all-features", "--all-features", "all features"),
		BUILD_FLAG(0, "no-default-features", "--no-default-features", "without the default features"),
		BUILD(0, "target", "--target", "TRIPLE", "build for the target TRIPLE"),
		BUILD(0, "target-dir", "--target-dir", "DIR", "cargo's target directory"),
		BUILD_FLAG(0, "frozen", "--frozen", "Cargo.lock and cache must be up to date"),
		BUILD_FLAG(0, "locked", "--locked", "Cargo.lock must be up to date"),
		BUILD('Z', NULL, "-Z", "FLAG", "an unstable cargo flag"),
		BUILD_FLAG('v', "verbose", "--verbose", "cargo's verbose output"),
		OPT_GROUP("What to show (sonde bloat's options):"),
		OPT_INT('n', NULL, &o.n, "N", "rows to show, 0 for all (default 20)", 0, 1e9, NULL),
		CARGO_PASS_FLAG(0, "crates", "--crates", "totals per crate"),
		CARGO_PASS(0, "filter", "--filter", "CRATE|REGEX", "only this crate's functions, or names matching REGEX"),
		CARGO_PASS_FLAG(0, "split-std", "--split-std", "std's crates apart (core, alloc, ...)"),
		CARGO_PASS(0, "symbols-section", "--symbols-section", "NAME", "the section(s) to count (default .text)"),
		CARGO_PASS_FLAG(0, "data", "--data", "data objects instead of functions"),
		CARGO_PASS_FLAG(0, "generics", "--generics", "generic functions: copies and bytes per name"),
		CARGO_PASS_FLAG(0, "inlined", "--inlined", "bytes by the function whose source they are (DWARF)"),
		CARGO_PASS_FLAG(0, "sections", "--sections", "the file section by section"),
		OPT_GROUP("Output:"),
		OPT_ENUM(0, "message-format", &o.format, "FMT", "table or json", formats, NULL),
		CARGO_PASS_FLAG(0, "full-fn", "--full-fn", "function names with their hash"),
		CARGO_PASS_FLAG('w', "wide", "--wide", "do not trim long names"),
		CARGO_PASS_FLAG(0, "no-relative-size", "--no-relative-size", "leave out the percent columns"),
		{ .kind = OPTK_CALLBACK, .lng = "time", .cb = time_cb, .flags = OPTF_HIDDEN | OPTF_NOARG },
		{ .kind = OPTK_CALLBACK, .shrt = 'V', .lng = "version", .cb = version_cb,
		  .flags = OPTF_HIDDEN | OPTF_NOARG },
		OPT_END(),
	};
	/* cargo-bloat's status for a usage error: 1 */
	const struct opt_cmd cmd = { "bloat", .prog = "cargo", .usage = usage, .intro = intro, .outro = outro,
				     .usage_status = 1, .data = &o };
	int nargs = opt_parse(&cmd, opts, argc, argv);
	if (nargs)
		opt_usage_error(&cmd, "unexpected argument '%s' (cargo bloat takes options only)", argv[0]);
	if (o.n >= 0) {
		char n[16];
		snprintf(n, sizeof(n), "%d", o.n);
		cargo_argv_push(&o.bloat, "-n");
		cargo_argv_push(&o.bloat, n);
	}
	if (o.format >= 0) {
		cargo_argv_push(&o.bloat, "--message-format");
		cargo_argv_push(&o.bloat, formats[o.format]);
	}

	char *root = workspace_root(o.manifest_path);
	struct strbuf out = STRBUF_INIT;
	char **build = cargo_argv_copy(&o.build);
	cargo_build_run(build, NULL, &out);
	free(build);
	const char *why = NULL;
	char *path = cargo_bloat_artifact(out.buf, o.lib, &why);
	sb_free(&out);
	if (!path)
		die("%s", why);
	size_t rl = strlen(root);
	const char *shown = rl && !strncmp(path, root, rl) && path[rl] == '/' ? path + rl + 1 : path;
	fprintf(stderr, "    Analyzing %s\n\n", shown);
	free(root);

	cargo_argv_push(&o.bloat, "--");
	cargo_argv_push(&o.bloat, path);
	free(path);
	char **bv = cargo_argv_copy(&o.bloat);
	int status = cmd_bloat((int)o.bloat.n, bv, &(struct cmd_ctx){ "cargo-bloat" });
	free(bv);
	cargo_argv_free(&o.bloat);
	cargo_argv_free(&o.build);
	return status;
}
