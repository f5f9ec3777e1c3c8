/* What the cargo subcommands sonde answers to (cargo flamegraph, cargo
 * bloat) share: running cargo with its stdout collected (`cargo metadata`,
 * `cargo build --message-format=json-render-diagnostics`, whose
 * diagnostics cargo renders on stderr), walking the compiler-artifact
 * messages, and the argument list of the sonde command they end in. */
#ifndef SONDE_COMPAT_CARGO_BUILD_H
#define SONDE_COMPAT_CARGO_BUILD_H
#include <stdbool.h>
#include <stddef.h>

struct json;
struct opt;
struct opt_parser;
struct strbuf;

/* A NULL-free list of owned strings (a cargo or sonde command line). */
struct cargo_argv {
	char **v;
	size_t n, cap;
};

void cargo_argv_push(struct cargo_argv *a, const char *s);
void cargo_argv_free(struct cargo_argv *a);
/* A NULL-terminated copy of the pointers (the option parser reorders its
 * argv; exec wants the NULL). Free the array only. */
char **cargo_argv_copy(const struct cargo_argv *a);

/* An option table callback: pushes opt->value (the flag as the sonde
 * command spells it), then the value if any, onto the cargo_argv that
 * must be the first member of p->cmd->data. */
int cargo_pass_cb(struct opt_parser *p, const struct opt *opt, const char *arg);
#define CARGO_PASS(s, l, flag, a, h) OPT_CALLBACK(s, l, (void *)(flag), a, h, cargo_pass_cb, NULL)
#define CARGO_PASS_FLAG(s, l, flag, h) OPT_CALLBACK_NOARG(s, l, (void *)(flag), h, cargo_pass_cb)

/* The cargo to run: $CARGO (cargo sets it for its subcommands), else "cargo". */
const char *cargo_bin(void);

/* "CARGO_PROFILE_<PROFILE>_DEBUG" for a profile name (heap). */
char *cargo_profile_debug_var(const char *profile);

/* Runs argv with stdout collected in out; stderr is the user's. With
 * debug_profile, CARGO_PROFILE_<PROFILE>_DEBUG=true unless the user set it.
 * Returns the exit status (128+N for signal N), -1 if it could not wait. */
int cargo_capture(char *const *argv, struct strbuf *out, const char *debug_profile);

/* `cargo metadata --no-deps --format-version 1 [--manifest-path M]` into
 * *meta. Returns cargo's status (meta filled only on 0); dies when the
 * output is not JSON. */
int cargo_metadata(const char *manifest_path, struct json *meta);

/* Runs the build argv (a --message-format=json* command line) into out;
 * dies with a one-line hint when cargo fails (its errors are above). */
void cargo_build_run(char *const *argv, const char *debug_profile, struct strbuf *out);

/* Calls fn for each compiler-artifact message of cargo's output, in order. */
void cargo_each_artifact(const char *out, void (*fn)(const struct json *msg, void *data), void *data);

#endif
