/* valgrind's core and memcheck options, parsed into one struct for
 * `sonde memcheck` and the `valgrind` compat name. */
#ifndef SONDE_MEMCHECK_OPTS_H
#define SONDE_MEMCHECK_OPTS_H
#include <stdbool.h>

#include "memcheck/mc_model.h"
#include "util/strbuf.h"

enum mc_leak_check { MC_LEAK_NO, MC_LEAK_SUMMARY, MC_LEAK_FULL };
enum mc_gen_supp { MC_GEN_NO, MC_GEN_YES, MC_GEN_ALL };
/* --keep-stacktraces: which of a block's stacks its reports show */
enum mc_keep_stacks { MC_KEEP_ALLOC_AND_FREE, MC_KEEP_ALLOC, MC_KEEP_FREE, MC_KEEP_ALLOC_THEN_FREE, MC_KEEP_NONE };

/* An accepted option that means nothing to sonde, and why (one note each). */
struct mc_ignored {
	const char *arg; /* as given */
	const char *why; /* a sentence */
};

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
	bool error_list_set;          /* ...given explicitly (else it follows the verbosity) */
	bool track_origins;
	bool trace_children;          /* follow exec (mc_follow.c) */
	const char *trace_children_skip;        /* patterns of exe paths not followed (NULL: none) */
	const char *trace_children_skip_by_arg; /* patterns of arguments whose programs are not followed */
	bool child_silent_after_fork;
	bool exit_on_first_error;     /* stop the program at its first error (with error_exitcode) */
	bool exit_needs_code;         /* ...given without --error-exitcode: valgrind 3.19 warns, goes on */
	bool show_mismatched_frees;   /* default yes */
	bool trace_malloc;            /* "--PID-- malloc(10) = 0x..." lines */
	bool time_stamp;              /* "==00:00:00:01.234 PID== " prefixes */
	bool undef_value_errors;      /* default yes (sonde never checks them) */
	bool somalloc_none;           /* --soname-synonyms=somalloc=NONE: the allocator is in the executable */
	long long freelist_vol;       /* the quarantine's volume in bytes (20,000,000) */
	long long freelist_big_blocks; /* blocks this big leave the quarantine first (1,000,000) */
	enum mc_keep_stacks keep_stacks;
	VEC(struct mc_ignored) ignored; /* accepted options with no meaning for sonde */
	VEC(char *) owned;            /* option strings made while parsing ("--memcheck:x" as "--x") */
};

void mc_opts_init(struct mc_opts *o);
void mc_opts_free(struct mc_opts *o);

/* Parses options from argv[0] on (argv[0] is an option, not the program
 * name) and stops at the first non-option or after "--". Returns the index
 * of the program's argv, or -1 with valgrind's message lines in err (each
 * ending in '\n', without the "valgrind: " prefix; the caller prints them
 * prefixed and exits 1). Strings point into argv. */
int mc_opts_parse(struct mc_opts *o, int argc, char **argv, struct strbuf *err);

/* valgrind's options with no meaning for sonde (mc_opts_inert.c): 0 when
 * arg is none of them, 1 when accepted (*why: the note, or NULL when sonde
 * already does what the value asks), -1 for a value valgrind rejects
 * (its message in err). */
int mc_opt_inert(const char *arg, const char **why, struct strbuf *err);

/* The value checks valgrind applies, with its messages in err (-1). */
int mc_opt_bad(struct strbuf *err, const char *arg, const char *why);
int mc_opt_unknown(struct strbuf *err, const char *arg);
int mc_opt_bool(const char *arg, const char *v, bool *out, struct strbuf *err);
/* A decimal (base 10) or hex (base 16, "0x" optional) number read as
 * valgrind reads it, then checked against lo..hi. */
int mc_opt_int(const char *arg, const char *v, int base, long long lo, long long hi, long long *out,
	       struct strbuf *err);

/* Parses a leak-kind set ("definite,possible", "all", "none"); false if
 * it is not one. */
bool mc_parse_kinds(const char *s, unsigned *out);

/* Expands a --log-file/--xml-file template (opt: "--log-file"): %p the
 * pid, %q{VAR} the environment variable (unset: an error, as in valgrind),
 * %% a '%'. Returns a malloc'd path, or NULL with valgrind's complaint in
 * err (valgrind prints these lines with the ==PID== prefix). */
char *mc_expand_file_name(const char *opt, const char *tmpl, int pid, struct strbuf *err);

/* valgrind's VG_(should_we_trace_this_child) (mc_follow.c): whether an
 * exec of exe with the arguments after argv[0] is followed. */
bool mc_follow_child(const struct mc_opts *o, const char *exe, char *const *args, size_t nargs);

#endif
