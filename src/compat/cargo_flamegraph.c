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
#include "util/strbuf.h"
#include "util/writable.h"
#include "util/vec.h"

/* ---- a small JSON reader: enough for cargo's messages ---- */

enum jtype { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct jval {
	enum jtype type;
	bool b;
	double num;
	char *str;         /* J_STR: decoded, NUL-terminated */
	struct jval *kids; /* J_ARR / J_OBJ: n values */
	char **keys;       /* J_OBJ: n keys */
	size_t n;
};

struct jparser {
	const char *s, *end;
	int depth;
};

static void jfree(struct jval *v)
{
	free(v->str);
	for (size_t i = 0; i < v->n; i++) {
		jfree(&v->kids[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->kids);
	free(v->keys);
	memset(v, 0, sizeof(*v));
}

static void jskip_ws(struct jparser *P)
{
	while (P->s < P->end && (*P->s == ' ' || *P->s == '\t' || *P->s == '\n' || *P->s == '\r'))
		P->s++;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void put_utf8(struct strbuf *sb, unsigned cp)
{
	if (cp < 0x80) {
		sb_addc(sb, (char)cp);
	} else if (cp < 0x800) {
		sb_addc(sb, (char)(0xc0 | (cp >> 6)));
		sb_addc(sb, (char)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		sb_addc(sb, (char)(0xe0 | (cp >> 12)));
		sb_addc(sb, (char)(0x80 | ((cp >> 6) & 0x3f)));
		sb_addc(sb, (char)(0x80 | (cp & 0x3f)));
	} else {
		sb_addc(sb, (char)(0xf0 | (cp >> 18)));
		sb_addc(sb, (char)(0x80 | ((cp >> 12) & 0x3f)));
		sb_addc(sb, (char)(0x80 | ((cp >> 6) & 0x3f)));
		sb_addc(sb, (char)(0x80 | (cp & 0x3f)));
	}
}

static int jhex4(struct jparser *P, unsigned *out)
{
	if (P->end - P->s < 4)
		return -1;
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		int h = hexval(P->s[i]);
		if (h < 0)
			return -1;
		v = v * 16 + (unsigned)h;
	}
	P->s += 4;
	*out = v;
	return 0;
}

/* At the opening quote: decodes the string into a new heap string. */
static char *jstring(struct jparser *P)
{
	if (P->s >= P->end || *P->s != '"')
		return NULL;
	P->s++;
	struct strbuf sb = STRBUF_INIT;
	sb_add(&sb, "", 0);
	while (P->s < P->end && *P->s != '"') {
		char c = *P->s++;
		if ((unsigned char)c < 0x20)
			goto bad;
		if (c != '\\') {
			sb_addc(&sb, c);
			continue;
		}
		if (P->s >= P->end)
			goto bad;
		c = *P->s++;
		switch (c) {
		case '"': case '\\': case '/': sb_addc(&sb, c); break;
		case 'b': sb_addc(&sb, '\b'); break;
		case 'f': sb_addc(&sb, '\f'); break;
		case 'n': sb_addc(&sb, '\n'); break;
		case 'r': sb_addc(&sb, '\r'); break;
		case 't': sb_addc(&sb, '\t'); break;
		case 'u': {
			unsigned cp, lo;
			if (jhex4(P, &cp) < 0)
				goto bad;
			if (cp >= 0xd800 && cp <= 0xdbff && P->end - P->s >= 6 && P->s[0] == '\\' && P->s[1] == 'u') {
				P->s += 2;
				if (jhex4(P, &lo) < 0)
					goto bad;
				if (lo >= 0xdc00 && lo <= 0xdfff)
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				else
					cp = 0xfffd;
			} else if (cp >= 0xd800 && cp <= 0xdfff) {
				cp = 0xfffd;
			}
			put_utf8(&sb, cp);
			break;
		}
		default:
			goto bad;
		}
	}
	if (P->s >= P->end)
		goto bad;
	P->s++;
	return sb_detach(&sb);
bad:
	sb_free(&sb);
	return NULL;
}

static int jvalue(struct jparser *P, struct jval *v);

static int jcontainer(struct jparser *P, struct jval *v, bool obj)
{
	char close = obj ? '}' : ']';
	P->s++;
	v->type = obj ? J_OBJ : J_ARR;
	size_t cap = 0;
	jskip_ws(P);
	if (P->s < P->end && *P->s == close) {
		P->s++;
		return 0;
	}
	for (;;) {
		if (v->n == cap) {
			cap = cap ? cap * 2 : 4;
			v->kids = xrealloc(v->kids, cap * sizeof(*v->kids));
			if (obj)
				v->keys = xrealloc(v->keys, cap * sizeof(*v->keys));
		}
		jskip_ws(P);
		if (obj) {
			char *k = jstring(P);
			if (!k)
				return -1;
			jskip_ws(P);
			if (P->s >= P->end || *P->s != ':') {
				free(k);
				return -1;
			}
			P->s++;
			v->keys[v->n] = k;
		}
		memset(&v->kids[v->n], 0, sizeof(v->kids[0]));
		v->n++; /* counted before parsing, so jfree frees a half-built value */
		if (jvalue(P, &v->kids[v->n - 1]) < 0)
			return -1;
		jskip_ws(P);
		if (P->s < P->end && *P->s == ',') {
			P->s++;
			continue;
		}
		if (P->s < P->end && *P->s == close) {
			P->s++;
			return 0;
		}
		return -1;
	}
}

static int jvalue(struct jparser *P, struct jval *v)
{
	memset(v, 0, sizeof(*v));
	jskip_ws(P);
	if (P->s >= P->end || ++P->depth > 200)
		return -1;
	int rc = 0;
	char c = *P->s;
	if (c == '{' || c == '[') {
		rc = jcontainer(P, v, c == '{');
	} else if (c == '"') {
		v->type = J_STR;
		v->str = jstring(P);
		rc = v->str ? 0 : -1;
	} else if (P->end - P->s >= 4 && !memcmp(P->s, "true", 4)) {
		v->type = J_BOOL;
		v->b = true;
		P->s += 4;
	} else if (P->end - P->s >= 5 && !memcmp(P->s, "false", 5)) {
		v->type = J_BOOL;
		P->s += 5;
	} else if (P->end - P->s >= 4 && !memcmp(P->s, "null", 4)) {
		v->type = J_NULL;
		P->s += 4;
	} else if (c == '-' || (c >= '0' && c <= '9')) {
		char buf[64];
		size_t k = 0;
		while (P->s < P->end && k < sizeof(buf) - 1 && strchr("+-0123456789.eE", *P->s))
			buf[k++] = *P->s++;
		buf[k] = 0;
		char *e;
		v->type = J_NUM;
		v->num = strtod(buf, &e);
		rc = *e ? -1 : 0;
	} else {
		rc = -1;
	}
	P->depth--;
	return rc;
}

/* Parses one JSON document (a line of cargo output). Returns 0 or -1. */
static int jparse(const char *s, size_t len, struct jval *v)
{
	struct jparser P = { s, s + len, 0 };
	if (jvalue(&P, v) < 0) {
		jfree(v);
		return -1;
	}
	jskip_ws(&P);
	if (P.s != P.end) {
		jfree(v);
		return -1;
	}
	return 0;
}

static const struct jval *jget(const struct jval *v, const char *key)
{
	if (!v || v->type != J_OBJ)
		return NULL;
	for (size_t i = 0; i < v->n; i++)
		if (!strcmp(v->keys[i], key))
			return &v->kids[i];
	return NULL;
}

static const char *jstr(const struct jval *v) { return v && v->type == J_STR ? v->str : NULL; }

static bool jarr_has(const struct jval *arr, const char *s)
{
	if (!arr || arr->type != J_ARR)
		return false;
	for (size_t i = 0; i < arr->n; i++)
		if (jstr(&arr->kids[i]) && !strcmp(arr->kids[i].str, s))
			return true;
	return false;
}

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
	struct jval meta;
	if (jparse(out.buf ? out.buf : "", out.len, &meta) < 0)
		die("cannot parse the output of 'cargo metadata'");
	sb_free(&out);

	VEC(char *) bins = { 0 };
	VEC(char *) defaults = { 0 };
	bool pkg_found = false;
	const struct jval *pkgs = jget(&meta, "packages");
	for (size_t i = 0; pkgs && pkgs->type == J_ARR && i < pkgs->n; i++) {
		const struct jval *pk = &pkgs->kids[i];
		const char *pname = jstr(jget(pk, "name"));
		if (o->package && (!pname || strcmp(pname, o->package)))
			continue;
		pkg_found = true;
		const char *dr = jstr(jget(pk, "default_run"));
		if (dr)
			vec_push(&defaults, xstrdup(dr));
		const struct jval *targets = jget(pk, "targets");
		for (size_t k = 0; targets && targets->type == J_ARR && k < targets->n; k++) {
			const struct jval *t = &targets->kids[k];
			const char *tname = jstr(jget(t, "name"));
			if (tname && jarr_has(jget(t, "kind"), "bin"))
				vec_push(&bins, xstrdup(tname));
		}
	}
	jfree(&meta);
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
		struct jval m;
		if (jparse(line, len, &m) < 0)
			continue;
		const char *reason = jstr(jget(&m, "reason"));
		const struct jval *target = jget(&m, "target");
		const char *tname = jstr(jget(target, "name"));
		const char *path = jstr(jget(&m, "executable"));
		if (reason && !strcmp(reason, "compiler-artifact") && path && tname &&
		    jarr_has(jget(target, "kind"), want_kind) &&
		    (!o->target || !strcmp(tname, o->target))) {
			free(exe);
			exe = xstrdup(path);
			const struct jval *dbg = jget(jget(&m, "profile"), "debuginfo");
			no_debug = !dbg || dbg->type == J_NULL || (dbg->type == J_NUM && dbg->num == 0) ||
				   (dbg->type == J_STR && (!strcmp(dbg->str, "none") || !strcmp(dbg->str, "0")));
		}
		jfree(&m);
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
