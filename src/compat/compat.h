/* Foreign command lines: sonde run under another tool's name (argv[0]). */
#ifndef SONDE_COMPAT_COMPAT_H
#define SONDE_COMPAT_COMPAT_H
#include <stdbool.h>

/* Tool names sonde answers to, with what each covers; NULL-terminated. */
struct compat_name {
	const char *name;
	const char *what;
};
extern const struct compat_name compat_names[];

/* Runs `name ARGS...` (name is a compat name); returns the exit status. */
int compat_main(const char *name, int argc, char **argv);

int compat_perf(int argc, char **argv);
/* valgrind [--tool=memcheck]: sonde memcheck; other tools: the real valgrind. */
int compat_valgrind(int argc, char **argv);
/* `cargo-flamegraph flamegraph ...` (cargo's subcommand) and flamegraph-rs's
 * standalone `flamegraph ...`; name is the one sonde was run as. */
int compat_cargo_flamegraph(const char *name, int argc, char **argv);
/* `cargo-bloat bloat ...` (cargo's subcommand): cargo build, then sonde bloat. */
int compat_cargo_bloat(int argc, char **argv);
/* cargo-bloat's artifact among cargo's JSON messages (out: its stdout): the
 * last bin, dylib or cdylib (lib_only: dylib or cdylib). Its path (heap), or
 * NULL with *why saying what is wrong and what to do. */
char *cargo_bloat_artifact(const char *out, bool lib_only, const char **why);

/* heaptrack CMD / heaptrack --analyze F, and heaptrack_print F (src/compat/heaptrack.c). */
int compat_heaptrack(int argc, char **argv);
int compat_heaptrack_print(int argc, char **argv);
/* heaptrack_gui F: writes the HTML report F.html and opens it (src/compat/heaptrack_gui.c). */
int compat_heaptrack_gui(int argc, char **argv);

#endif
