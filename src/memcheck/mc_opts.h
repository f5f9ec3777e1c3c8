/* valgrind's core and memcheck options, parsed into one struct for
 * `sonde memcheck` and the `valgrind` compat name. */
#ifndef SONDE_MEMCHECK_OPTS_H
#define SONDE_MEMCHECK_OPTS_H
#include <stdbool.h>

#include "memcheck/mc_model.h"
#include "util/strbuf.h"

enum mc_leak_check { MC_LEAK_NO, MC_LEAK_SUMMARY, MC_LEAK_FULL };
enum mc_gen_supp { MC_GEN_NO, MC_GEN_YES, MC_GEN_ALL };

/* A set of leak kinds: bit (1 << enum mc_leak_kind). */
#define MC_KIND_BIT(k) (1u << (k))
#define MC_KINDS_ALL 0xfu

struct mc_opts {
	const char *tool;             /* --tool= ("memcheck" by default) */
	enum mc_leak_check leak_check;
	unsigned show_kinds;          /* --show-leak-kinds= */
	unsigned error_kinds;         /* --errors-for-leak-kinds= */
	int error_exitcode;           /* 0: the program's own status */
	unsigned num_callers;         /* 1..500, default 12 */
	unsigned leak_resolution;     /* frames compared to merge loss records: 2, 4 or num_callers */
	unsigned precise;             /* --precise[=N]: guard pages for every (1) or every Nth block; 0 off */
	bool leak_resolution_high;    /* --leak-resolution=high: use num_callers */
	unsigned heuristics;          /* --leak-check-heuristics: bits 1 << enum mc_heuristic (default all) */
	VEC(const char *) suppressions; /* --suppressions= files, in order */
	bool default_suppressions;
	enum mc_gen_supp gen_suppressions;
	bool xml;
	const char *xml_file;         /* NULL: none */
	int xml_fd;                   /* -1: none */
	const char *log_file;         /* template with %p / %q{VAR}; NULL: none */
	int log_fd;                   /* default 2 */
	int verbosity;                /* 0 with -q, 1 default, 2+ with -v */
	bool show_error_list;         /* -s, --show-error-list=yes, or -v */
	bool track_origins;
	bool trace_children;
	bool child_silent_after_fork;
};

void mc_opts_init(struct mc_opts *o);
void mc_opts_free(struct mc_opts *o);

/* Parses options from argv[0] on (argv[0] is an option, not the program
 * name) and stops at the first non-option or after "--". Returns the index
 * of the program's argv, or -1 with valgrind's message lines in err (each
 * ending in '\n', without the "valgrind: " prefix; the caller prints them
 * prefixed and exits 1). Strings point into argv. */
int mc_opts_parse(struct mc_opts *o, int argc, char **argv, struct strbuf *err);

/* Parses a leak-kind set ("definite,possible", "all", "none"); false if
 * it is not one. */
bool mc_parse_kinds(const char *s, unsigned *out);

/* Expands a --log-file/--xml-file template (opt: "--log-file"): %p the
 * pid, %q{VAR} the environment variable (unset: an error, as in valgrind),
 * %% a '%'. Returns a malloc'd path, or NULL with valgrind's complaint in
 * err (valgrind prints these lines with the ==PID== prefix). */
char *mc_expand_file_name(const char *opt, const char *tmpl, int pid, struct strbuf *err);

#endif
