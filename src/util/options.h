/* One way to declare a command's options, in the manner of git's and
 * perf's parse-options: a table of `struct opt` that both parses the
 * command line and prints --help. The parser takes --long=V, --long V,
 * unique prefixes of long names, -xV, -x V and bundled flags (-gq); `--`
 * ends the options. Every usage error goes through one path: a line
 * "PROG CMD: what", a hint to --help, exit 129 (as git and perf). */
#ifndef SONDE_UTIL_OPTIONS_H
#define SONDE_UTIL_OPTIONS_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "util/die.h"

struct opt;
struct opt_parser;

/* A callback's value handler: 0, or -1 to report opt->bad (or a generic
 * "invalid value") as a usage error. arg is NULL for an option without a
 * value (or an optional value left out). */
typedef int (*opt_cb)(struct opt_parser *p, const struct opt *o, const char *arg);

enum opt_kind {
	OPTK_END,
	OPTK_GROUP,    /* a heading in --help ("Output:") */
	OPTK_FLAG,     /* bool *value = (bool)num */
	OPTK_COUNT,    /* int *value += 1 (-q -q) */
	OPTK_STRING,   /* const char **value */
	OPTK_INT,      /* int *value, within [min, max] */
	OPTK_U64,      /* uint64_t *value, within [min, max] */
	OPTK_DOUBLE,   /* double *value, within [min, max]; nan and inf refused */
	OPTK_ENUM,     /* int *value = index of arg in choices */
	OPTK_CALLBACK, /* cb(p, o, arg) */
};

enum {
	OPTF_HIDDEN = 1,  /* parsed, not in --help (aliases, accepted-for-compat) */
	OPTF_NOARG = 2,   /* a callback without a value */
	OPTF_OPTARG = 4,  /* the value is optional: attached only (--x=V, -xV),
			   * or the next argument when o->takes(next) says so */
};

struct opt {
	enum opt_kind kind;
	char shrt;           /* 0: none */
	const char *lng;     /* NULL: none */
	void *value;
	const char *argh;    /* the value's name in --help ("FILE") */
	const char *help;    /* may hold '\n': lines continue under the text column */
	unsigned flags;
	double num;          /* FLAG: the value stored */
	double min, max;     /* INT, U64, DOUBLE */
	const char *bad;     /* usage error for a bad value: format with one %s (the
			      * value); NULL: "invalid value '%s' for --long" */
	const char *const *choices; /* ENUM: NULL-terminated */
	opt_cb cb;
	bool (*takes)(const char *next); /* OPTF_OPTARG: may the next argument be the value? */
};

#define OPT_END() { .kind = OPTK_END }
#define OPT_GROUP(h) { .kind = OPTK_GROUP, .help = (h) }
#define OPT_BOOL(s, l, v, h) { .kind = OPTK_FLAG, .shrt = (s), .lng = (l), .value = (v), .help = (h), .num = 1 }
#define OPT_SET_BOOL(s, l, v, val, h) \
	{ .kind = OPTK_FLAG, .shrt = (s), .lng = (l), .value = (v), .help = (h), .num = (val) }
#define OPT_COUNT(s, l, v, h) { .kind = OPTK_COUNT, .shrt = (s), .lng = (l), .value = (v), .help = (h) }
#define OPT_STRING(s, l, v, a, h) { .kind = OPTK_STRING, .shrt = (s), .lng = (l), .value = (v), .argh = (a), .help = (h) }
#define OPT_INT(s, l, v, a, h, lo, hi, b)                                                                  \
	{ .kind = OPTK_INT, .shrt = (s), .lng = (l), .value = (v), .argh = (a), .help = (h), .min = (lo), \
	  .max = (hi), .bad = (b) }
#define OPT_U64(s, l, v, a, h, lo, hi, b)                                                                  \
	{ .kind = OPTK_U64, .shrt = (s), .lng = (l), .value = (v), .argh = (a), .help = (h), .min = (lo), \
	  .max = (hi), .bad = (b) }
#define OPT_DOUBLE(s, l, v, a, h, lo, hi, b)                                                                  \
	{ .kind = OPTK_DOUBLE, .shrt = (s), .lng = (l), .value = (v), .argh = (a), .help = (h), .min = (lo), \
	  .max = (hi), .bad = (b) }
#define OPT_ENUM(s, l, v, a, h, ch, b) \
	{ .kind = OPTK_ENUM, .shrt = (s), .lng = (l), .value = (v), .argh = (a), .help = (h), .choices = (ch), .bad = (b) }
#define OPT_CALLBACK(s, l, v, a, h, fn, b) \
	{ .kind = OPTK_CALLBACK, .shrt = (s), .lng = (l), .value = (v), .argh = (a), .help = (h), .cb = (fn), .bad = (b) }
#define OPT_CALLBACK_NOARG(s, l, v, h, fn) \
	{ .kind = OPTK_CALLBACK, .shrt = (s), .lng = (l), .value = (v), .help = (h), .cb = (fn), .flags = OPTF_NOARG }
/* The same entries, left out of --help. */
#define OPT_HIDDEN_BOOL(s, l, v) { .kind = OPTK_FLAG, .shrt = (s), .lng = (l), .value = (v), .num = 1, .flags = OPTF_HIDDEN }

/* What a command's --help says besides the table, and how it parses. */
struct opt_cmd {
	const char *name;   /* "record", "heap report": messages say "PROG NAME: ..." */
	const char *prog;   /* NULL: sonde_progname ("sonde", or "perf" as perf) */
	const char *const *usage; /* NULL-terminated lines after "usage: PROG ";
				   * a line starting with ' ' continues the one before */
	const char *intro;  /* text between the usage lines and the options */
	const char *outro;  /* text after the options */
	const char *hint;   /* the --help hint's command (NULL: "PROG NAME") */
	bool stop_at_arg;   /* the first non-option starts a command line (record CMD ...) */
	int usage_status;   /* 0: 129; a foreign tool's own (clap's 2) otherwise */
	void *data;         /* for callbacks: p->cmd->data */
};

struct opt_parser {
	const struct opt_cmd *cmd;
	const struct opt *opts;
	int argc, i;
	char **argv;
};

/* Parses argv[1..argc) (argv[0] is the command's name) with opts. Returns
 * the number of arguments left, moved to argv[0..n): the operands in their
 * order (with stop_at_arg: the command line from its first word on). -h and
 * --help print the help on stdout and exit 0; a usage error exits. */
int opt_parse(const struct opt_cmd *cmd, const struct opt *opts, int argc, char **argv);

/* Prints cmd's help with the table opts. */
void opt_help(FILE *out, const struct opt_cmd *cmd, const struct opt *opts);

/* The usage error of cmd: "PROG NAME: <msg>", the --help hint, exit 129. */
__attribute__((noreturn)) SONDE_PRINTF(2, 3) void opt_usage_error(const struct opt_cmd *cmd, const char *fmt, ...);

/* For a callback that takes a second value (--diff A B): the next argument,
 * consumed; NULL at the end. */
const char *opt_next_arg(struct opt_parser *p);

#endif
