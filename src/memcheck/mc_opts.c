/* valgrind's option syntax: "--name=value", booleans "yes"/"no", and the
 * exact complaints valgrind 3.19 prints for bad ones (scripts grep them). */
#include <errno.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "memcheck/mc_opts.h"

void mc_opts_init(struct mc_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->tool = "memcheck";
	o->leak_check = MC_LEAK_SUMMARY;
	o->show_kinds = MC_KIND_BIT(MC_DEFINITE) | MC_KIND_BIT(MC_POSSIBLE);
	o->error_kinds = o->show_kinds;
	o->num_callers = 12;
	o->leak_resolution_high = true;
	o->leak_resolution = 12;
	o->heuristics = MC_HEURISTICS_ALL;
	o->default_suppressions = true;
	o->xml_fd = -1;
	o->log_fd = 2;
	o->verbosity = 1;
	o->show_mismatched_frees = true;
	o->undef_value_errors = true;
	o->freelist_vol = 20000000;
	o->freelist_big_blocks = 1000000;
}

void mc_opts_free(struct mc_opts *o)
{
	vec_free(&o->suppressions);
	vec_free(&o->ignored);
	for (size_t i = 0; i < o->owned.n; i++)
		free(o->owned.v[i]);
	vec_free(&o->owned);
}

bool mc_parse_kinds(const char *s, unsigned *out)
{
	if (!strcmp(s, "all")) {
		*out = MC_KINDS_ALL;
		return true;
	}
	if (!strcmp(s, "none")) {
		*out = 0;
		return true;
	}
	unsigned set = 0;
	for (;;) {
		size_t n = strcspn(s, ",");
		unsigned k = 0;
		for (; k < MC_LEAK_KINDS; k++) {
			const char *w = mc_leak_kind_word((enum mc_leak_kind)k);
			if (n == strlen(w) && !memcmp(s, w, n))
				break;
		}
		if (k == MC_LEAK_KINDS)
			return false;
		set |= MC_KIND_BIT(k);
		if (!s[n])
			break;
		s += n + 1;
	}
	*out = set;
	return true;
}

/* "--name=" prefix: the value after it, or NULL. */
static const char *val(const char *arg, const char *name)
{
	size_t n = strlen(name);
	return !strncmp(arg, name, n) && arg[n] == '=' ? arg + n + 1 : NULL;
}

int mc_opt_bad(struct strbuf *err, const char *arg, const char *why)
{
	sb_addf(err, "Bad option: %s\n", arg);
	if (why)
		sb_addf(err, "%s\n", why);
	sb_adds(err, "Use --help for more information or consult the user manual.\n");
	return -1;
}

int mc_opt_unknown(struct strbuf *err, const char *arg)
{
	sb_addf(err, "Unknown option: %s\n", arg);
	sb_adds(err, "Use --help for more information or consult the user manual.\n");
	return -1;
}

/* yes/no; -1 with the message when neither */
int mc_opt_bool(const char *arg, const char *v, bool *out, struct strbuf *err)
{
	if (!strcmp(v, "yes") || !strcmp(v, "no")) {
		*out = v[0] == 'y';
		return 0;
	}
	char why[300];
	snprintf(why, sizeof(why), "Invalid boolean value '%.200s' (should be 'yes' or 'no')", v);
	return mc_opt_bad(err, arg, why);
}

/* valgrind's strtoll10/strtoll16: blanks, a sign, digits ("0x" first in
 * base 16); nothing converted leaves the end at the start, so "" is 0.
 * *over: the value did not fit. */
static long long vg_strtoll(const char *s, int base, const char **end, bool *over)
{
	const char *p = s;
	while (*p == ' ' || (*p >= '\t' && *p <= '\r'))
		p++;
	bool neg = *p == '-';
	if (*p == '-' || *p == '+')
		p++;
	if (base == 16 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2;
	unsigned long long n = 0;
	bool any = false;
	*over = false;
	for (;; p++) {
		int d = *p >= '0' && *p <= '9' ? *p - '0'
			: base == 16 && *p >= 'a' && *p <= 'f' ? *p - 'a' + 10
			: base == 16 && *p >= 'A' && *p <= 'F' ? *p - 'A' + 10 : -1;
		if (d < 0)
			break;
		if (n > (ULLONG_MAX - (unsigned)d) / (unsigned)base)
			*over = true;
		n = n * (unsigned)base + (unsigned)d;
		any = true;
	}
	*end = any ? p : s;
	if (n > (unsigned long long)LLONG_MAX)
		*over = true;
	return neg ? (long long)(0 - n) : (long long)n; /* wraps as valgrind's does; no signed overflow */
}

/* Bounds inside an int's range stand for valgrind's Int variables, whose
 * overflow is an invalid value rather than out of bounds. */
int mc_opt_int(const char *arg, const char *v, int base, long long lo, long long hi, long long *out,
	       struct strbuf *err)
{
	const char *end;
	bool over;
	long long x = vg_strtoll(v, base, &end, &over);
	bool int_var = lo >= INT_MIN && hi <= INT_MAX;
	if (*end || over || (int_var && (x < INT_MIN || x > INT_MAX))) {
		char why[300];
		snprintf(why, sizeof(why), "Invalid integer value '%.200s'", v);
		return mc_opt_bad(err, arg, why);
	}
	if (x < lo || x > hi) {
		char why[300], name[120];
		snprintf(name, sizeof(name), "%.*s", (int)(strcspn(arg, "=") < 100 ? strcspn(arg, "=") : 100), arg);
		snprintf(why, sizeof(why), "'%s' argument must be between %lld and %lld", name, lo, hi);
		return mc_opt_bad(err, arg, why);
	}
	*out = x;
	return 0;
}

static int parse_int(const char *arg, const char *v, long lo, long hi, long *out, struct strbuf *err)
{
	long long x;
	if (mc_opt_int(arg, v, 10, lo, hi, &x, err))
		return -1;
	*out = (long)x;
	return 0;
}

/* One note per option name, for the last value given; none when that
 * value is what sonde does anyway (why NULL). */
static void ignore(struct mc_opts *o, const char *arg, const char *why)
{
	size_t n = strcspn(arg, "=");
	for (size_t i = 0; i < o->ignored.n; i++)
		if (!strncmp(o->ignored.v[i].arg, arg, n) && strchr("=", o->ignored.v[i].arg[n])) {
			o->ignored.v[i] = o->ignored.v[--o->ignored.n];
			break;
		}
	if (why) {
		struct mc_ignored ig = { arg, why };
		vec_push(&o->ignored, ig);
	}
}

static const char *const keep_words[] = { "alloc-and-free", "alloc", "free", "alloc-then-free", "none" };

/* --soname-synonyms=syn=pattern,...: only somalloc means something to a
 * preload (valgrind takes any text; a bad one just matches nothing). */
static void soname_synonyms(struct mc_opts *o, const char *a, const char *v)
{
	for (const char *p = v; *p;) {
		size_t n = strcspn(p, ",");
		if (n == 13 && !strncmp(p, "somalloc=NONE", 13))
			o->somalloc_none = true;
		else if (n > 9 && !strncmp(p, "somalloc=", 9))
			; /* a library: the preload already interposes before it */
		else if (n)
			ignore(o, a, "sonde interposes malloc and free wherever the C library would find them; "
				     "other synonyms (libc, libpthread, ...) do not apply");
		p += n + (p[n] == ',');
	}
}

/* one "--name=value" option; -1 with valgrind's message when it is bad */
static int parse_one(struct mc_opts *o, const char *a, struct strbuf *err)
{
	const char *v;
	long n;
	long long ll;
	bool b;
	const char *why;
	if ((v = val(a, "--tool"))) {
		o->tool = v;
	} else if ((v = val(a, "--leak-check"))) {
		if (!strcmp(v, "no"))
			o->leak_check = MC_LEAK_NO;
		else if (!strcmp(v, "summary"))
			o->leak_check = MC_LEAK_SUMMARY;
		else if (!strcmp(v, "yes") || !strcmp(v, "full"))
			o->leak_check = MC_LEAK_FULL;
		else
			return mc_opt_unknown(err, a);
	} else if ((v = val(a, "--show-leak-kinds")) || (v = val(a, "--errors-for-leak-kinds"))) {
		bool show = a[2] == 's';
		unsigned set;
		if (!mc_parse_kinds(v, &set)) {
			char msg[300];
			snprintf(msg, sizeof(msg), "%.200s is an invalid %s set", v,
				 show ? "show-leak-kinds" : "errors-for-leak-kinds");
			return mc_opt_bad(err, a, msg);
		}
		*(show ? &o->show_kinds : &o->error_kinds) = set;
	} else if ((v = val(a, "--show-reachable"))) {
		/* valgrind 3.19: yes shows every kind, no hides only the reachable */
		if (mc_opt_bool(a, v, &b, err))
			return -1;
		o->show_kinds = b ? MC_KINDS_ALL : o->show_kinds & ~MC_KIND_BIT(MC_REACHABLE);
	} else if ((v = val(a, "--show-possibly-lost"))) {
		if (mc_opt_bool(a, v, &b, err))
			return -1;
		o->show_kinds = b ? o->show_kinds | MC_KIND_BIT(MC_POSSIBLE) : o->show_kinds & ~MC_KIND_BIT(MC_POSSIBLE);
	} else if ((v = val(a, "--error-exitcode"))) {
		if (parse_int(a, v, INT_MIN, INT_MAX, &n, err))
			return -1;
		o->error_exitcode = (int)n;
	} else if ((v = val(a, "--exit-on-first-error"))) {
		if (mc_opt_bool(a, v, &o->exit_on_first_error, err))
			return -1;
	} else if ((v = val(a, "--num-callers"))) {
		if (parse_int(a, v, 1, 500, &n, err))
			return -1;
		o->num_callers = (unsigned)n;
	} else if ((v = val(a, "--suppressions"))) {
		vec_push(&o->suppressions, v);
	} else if (!strcmp(a, "--precise")) {
		o->precise = 1;
	} else if ((v = val(a, "--precise"))) {
		if (parse_int(a, v, 1, 1000000, &n, err))
			return -1;
		o->precise = (unsigned)n;
	} else if ((v = val(a, "--default-suppressions"))) {
		if (mc_opt_bool(a, v, &o->default_suppressions, err))
			return -1;
	} else if ((v = val(a, "--gen-suppressions"))) {
		if (!strcmp(v, "no"))
			o->gen_suppressions = MC_GEN_NO;
		else if (!strcmp(v, "yes"))
			o->gen_suppressions = MC_GEN_YES;
		else if (!strcmp(v, "all"))
			o->gen_suppressions = MC_GEN_ALL;
		else
			return mc_opt_unknown(err, a);
	} else if ((v = val(a, "--xml"))) {
		if (mc_opt_bool(a, v, &o->xml, err))
			return -1;
	} else if ((v = val(a, "--xml-file"))) {
		o->xml_file = v;
	} else if ((v = val(a, "--xml-fd"))) {
		if (parse_int(a, v, 0, INT_MAX, &n, err))
			return -1;
		o->xml_fd = (int)n;
	} else if ((v = val(a, "--log-file"))) {
		o->log_file = v;
	} else if ((v = val(a, "--log-fd"))) {
		if (parse_int(a, v, 0, INT_MAX, &n, err))
			return -1;
		o->log_fd = (int)n;
	} else if ((v = val(a, "--log-socket"))) {
		o->log_file = NULL;
		o->log_fd = 2;
		ignore(o, a, "sonde cannot send its report to a socket: it goes to stderr");
	} else if ((v = val(a, "--xml-socket"))) {
		o->xml_file = NULL;
		o->xml_fd = 2;
		ignore(o, a, "sonde cannot send its XML to a socket: it goes to stderr");
	} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
		o->verbosity--;
	} else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
		o->verbosity++;
	} else if (!strcmp(a, "-s")) {
		o->show_error_list = true;
		o->error_list_set = true;
	} else if ((v = val(a, "--show-error-list"))) {
		if (mc_opt_bool(a, v, &o->show_error_list, err))
			return -1;
		o->error_list_set = true;
	} else if ((v = val(a, "--undef-value-errors")) || (v = val(a, "--track-origins"))) {
		bool undef = a[2] == 'u';
		if (mc_opt_bool(a, v, undef ? &o->undef_value_errors : &o->track_origins, err))
			return -1;
		if (o->track_origins && !o->undef_value_errors) /* valgrind rejects the pair, whichever comes last */
			return mc_opt_bad(err, a, "--track-origins=yes has no effect when --undef-value-errors=no.");
		if (undef ? o->undef_value_errors : o->track_origins)
			ignore(o, a, "sonde does not check uninitialised values (that needs every instruction "
				     "instrumented); leaks and heap errors are checked");
	} else if ((v = val(a, "--leak-resolution"))) {
		o->leak_resolution_high = !strcmp(v, "high");
		if (!strcmp(v, "low"))
			o->leak_resolution = 2;
		else if (!strcmp(v, "med"))
			o->leak_resolution = 4;
		else if (!o->leak_resolution_high)
			return mc_opt_unknown(err, a);
	} else if ((v = val(a, "--leak-check-heuristics"))) {
		if (!mc_parse_heuristics(v, &o->heuristics)) {
			char msg[300];
			snprintf(msg, sizeof(msg), "%.200s is an invalid leak-check-heuristics set", v);
			return mc_opt_bad(err, a, msg);
		}
	} else if ((v = val(a, "--trace-children"))) {
		if (mc_opt_bool(a, v, &o->trace_children, err))
			return -1;
	} else if ((v = val(a, "--trace-children-skip"))) {
		o->trace_children_skip = v;
	} else if ((v = val(a, "--trace-children-skip-by-arg"))) {
		o->trace_children_skip_by_arg = v;
	} else if ((v = val(a, "--child-silent-after-fork"))) {
		if (mc_opt_bool(a, v, &o->child_silent_after_fork, err))
			return -1;
		if (!o->child_silent_after_fork)
			ignore(o, a, "sonde does not check a forked child until it execs (as if "
				     "--child-silent-after-fork=yes)");
	} else if ((v = val(a, "--show-mismatched-frees"))) {
		if (mc_opt_bool(a, v, &o->show_mismatched_frees, err))
			return -1;
	} else if ((v = val(a, "--trace-malloc"))) {
		if (mc_opt_bool(a, v, &o->trace_malloc, err))
			return -1;
	} else if ((v = val(a, "--time-stamp"))) {
		if (mc_opt_bool(a, v, &o->time_stamp, err))
			return -1;
	} else if ((v = val(a, "--freelist-vol")) || (v = val(a, "--freelist-big-blocks"))) {
		if (mc_opt_int(a, v, 10, 0, 10000000000LL, &ll, err))
			return -1;
		*(a[11] == 'v' ? &o->freelist_vol : &o->freelist_big_blocks) = ll;
	} else if ((v = val(a, "--keep-stacktraces"))) {
		size_t k = 0;
		while (k < sizeof(keep_words) / sizeof(keep_words[0]) && strcmp(v, keep_words[k]))
			k++;
		if (k == sizeof(keep_words) / sizeof(keep_words[0]))
			return mc_opt_unknown(err, a);
		o->keep_stacks = (enum mc_keep_stacks)k;
	} else if ((v = val(a, "--soname-synonyms"))) {
		soname_synonyms(o, a, v);
	} else if (!strncmp(a, "--", 2) && strchr(a, ':') && strcspn(a, ":") < strcspn(a, "=")) {
		/* "--memcheck:opt" is "--opt"; another tool's options are skipped, as valgrind does */
		size_t colon = strcspn(a, ":");
		if (colon != 10 || strncmp(a + 2, "memcheck", 8))
			return 0;
		char *plain = xasprintf("-%s", a + colon);
		plain[1] = '-';
		vec_push(&o->owned, plain);
		return parse_one(o, plain, err);
	} else {
		int r = mc_opt_inert(a, &why, err);
		if (r < 0)
			return -1;
		if (!r)
			return mc_opt_unknown(err, a);
		ignore(o, a, why);
	}
	return 0;
}

int mc_opts_parse(struct mc_opts *o, int argc, char **argv, struct strbuf *err)
{
	int i = 0;
	for (; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (a[0] != '-' || !a[1])
			break;
		if (parse_one(o, a, err))
			return -1;
	}
	if (o->leak_resolution_high)
		o->leak_resolution = o->num_callers;
	if (o->verbosity < 0)
		o->verbosity = 0;
	if (!o->error_list_set) /* valgrind's default follows the verbosity */
		o->show_error_list = o->verbosity >= 2;
	/* valgrind 3.19 complains but goes on, and exits with status 0 at the first error */
	o->exit_needs_code = o->exit_on_first_error && !o->error_exitcode;
	if (o->xml) {
		if (!o->xml_file && o->xml_fd < 0) {
			sb_adds(err, "Bad option: --xml=yes, but no XML destination specified\n"
				     "--xml=yes has been specified, but there is no XML output\n"
				     "destination.  You must specify an XML output destination\n"
				     "using --xml-fd, --xml-file or --xml-socket.\n"
				     "Use --help for more information or consult the user manual.\n");
			return -1;
		}
		/* the XML carries every loss record, as valgrind does */
		if (o->leak_check == MC_LEAK_SUMMARY)
			o->leak_check = MC_LEAK_FULL;
	}
	if (i >= argc) {
		sb_adds(err, "no program specified\nUse --help for more information.\n");
		return -1;
	}
	return i;
}

char *mc_expand_file_name(const char *opt, const char *tmpl, int pid, struct strbuf *err)
{
	struct strbuf sb = STRBUF_INIT;
	char arg[1200];
	snprintf(arg, sizeof(arg), "%s=%.1000s", opt, tmpl);
	for (const char *p = tmpl; *p; p++) {
		if (*p != '%') {
			sb_addc(&sb, *p);
			continue;
		}
		p++;
		if (*p == '%') {
			sb_addc(&sb, '%');
		} else if (*p == 'p') {
			sb_addf(&sb, "%d", pid);
		} else if (*p == 'q') {
			const char *why = NULL;
			if (p[1] != '{')
				why = "Expected '{' after '%q'";
			const char *close = why ? NULL : strchr(p + 2, '}');
			if (!why && !close)
				why = "Missing '}' in %q specifier";
			if (why) {
				sb_free(&sb);
				return mc_opt_bad(err, arg, why), NULL;
			}
			char *name = xstrndup(p + 2, (size_t)(close - (p + 2)));
			const char *v = getenv(name);
			if (!v) {
				char msg[300];
				snprintf(msg, sizeof(msg), "Environment variable '%.200s' is not set", name);
				free(name);
				sb_free(&sb);
				return mc_opt_bad(err, arg, msg), NULL;
			}
			free(name);
			sb_adds(&sb, v);
			p = close;
		} else {
			sb_free(&sb);
			return mc_opt_bad(err, arg, "Expected 'p' or 'q' or '%' after '%'"), NULL;
		}
	}
	return sb_detach(&sb);
}
