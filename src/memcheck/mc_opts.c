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
}

void mc_opts_free(struct mc_opts *o)
{
	vec_free(&o->suppressions);
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

static int bad(struct strbuf *err, const char *arg, const char *why)
{
	sb_addf(err, "Bad option: %s\n", arg);
	if (why)
		sb_addf(err, "%s\n", why);
	sb_adds(err, "Use --help for more information or consult the user manual.\n");
	return -1;
}

static int unknown(struct strbuf *err, const char *arg)
{
	sb_addf(err, "Unknown option: %s\n", arg);
	sb_adds(err, "Use --help for more information or consult the user manual.\n");
	return -1;
}

/* yes/no; -1 with the message when neither */
static int parse_bool(const char *arg, const char *v, bool *out, struct strbuf *err)
{
	if (!strcmp(v, "yes") || !strcmp(v, "no")) {
		*out = v[0] == 'y';
		return 0;
	}
	char why[300];
	snprintf(why, sizeof(why), "Invalid boolean value '%.200s' (should be 'yes' or 'no')", v);
	return bad(err, arg, why);
}

static int parse_int(const char *arg, const char *v, long lo, long hi, const char *name, long *out,
		     struct strbuf *err)
{
	char *end;
	errno = 0;
	long x = strtol(v, &end, 10);
	if (!*v || *end || errno) {
		char why[300];
		snprintf(why, sizeof(why), "Invalid integer value '%.200s'", v);
		return bad(err, arg, why);
	}
	if (x < lo || x > hi) {
		char why[300];
		snprintf(why, sizeof(why), "'%s' argument must be between %ld and %ld", name, lo, hi);
		return bad(err, arg, why);
	}
	*out = x;
	return 0;
}

/* one "--name=value" option; 1 when it was not one of ours */
static int parse_one(struct mc_opts *o, const char *a, struct strbuf *err)
{
	const char *v;
	long n;
	bool b;
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
			return unknown(err, a);
	} else if ((v = val(a, "--show-leak-kinds")) || (v = val(a, "--errors-for-leak-kinds"))) {
		bool show = a[2] == 's';
		unsigned set;
		if (!mc_parse_kinds(v, &set)) {
			char why[300];
			snprintf(why, sizeof(why), "%.200s is an invalid %s set", v,
				 show ? "show-leak-kinds" : "errors-for-leak-kinds");
			return bad(err, a, why);
		}
		*(show ? &o->show_kinds : &o->error_kinds) = set;
	} else if ((v = val(a, "--show-reachable"))) {
		if (parse_bool(a, v, &b, err))
			return -1;
		o->show_kinds = b ? MC_KINDS_ALL
				  : MC_KIND_BIT(MC_DEFINITE) | MC_KIND_BIT(MC_POSSIBLE);
	} else if ((v = val(a, "--error-exitcode"))) {
		if (parse_int(a, v, INT_MIN, INT_MAX, "--error-exitcode", &n, err))
			return -1;
		o->error_exitcode = (int)n;
	} else if ((v = val(a, "--num-callers"))) {
		if (parse_int(a, v, 1, 500, "--num-callers", &n, err))
			return -1;
		o->num_callers = (unsigned)n;
	} else if ((v = val(a, "--suppressions"))) {
		vec_push(&o->suppressions, v);
	} else if (!strcmp(a, "--precise")) {
		o->precise = 1;
	} else if ((v = val(a, "--precise"))) {
		if (parse_int(a, v, 1, 1000000, "--precise", &n, err))
			return -1;
		o->precise = (unsigned)n;
	} else if ((v = val(a, "--default-suppressions"))) {
		if (parse_bool(a, v, &o->default_suppressions, err))
			return -1;
	} else if ((v = val(a, "--gen-suppressions"))) {
		if (!strcmp(v, "no"))
			o->gen_suppressions = MC_GEN_NO;
		else if (!strcmp(v, "yes"))
			o->gen_suppressions = MC_GEN_YES;
		else if (!strcmp(v, "all"))
			o->gen_suppressions = MC_GEN_ALL;
		else
			return unknown(err, a);
	} else if ((v = val(a, "--xml"))) {
		if (parse_bool(a, v, &o->xml, err))
			return -1;
	} else if ((v = val(a, "--xml-file"))) {
		o->xml_file = v;
	} else if ((v = val(a, "--xml-fd"))) {
		if (parse_int(a, v, 0, INT_MAX, "--xml-fd", &n, err))
			return -1;
		o->xml_fd = (int)n;
	} else if ((v = val(a, "--log-file"))) {
		o->log_file = v;
	} else if ((v = val(a, "--log-fd"))) {
		if (parse_int(a, v, 0, INT_MAX, "--log-fd", &n, err))
			return -1;
		o->log_fd = (int)n;
	} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
		o->verbosity = 0;
	} else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
		o->verbosity++;
		o->show_error_list = true;
	} else if (!strcmp(a, "-s")) {
		o->show_error_list = true;
	} else if ((v = val(a, "--show-error-list"))) {
		if (parse_bool(a, v, &o->show_error_list, err))
			return -1;
	} else if ((v = val(a, "--track-origins"))) {
		if (parse_bool(a, v, &o->track_origins, err))
			return -1;
	} else if ((v = val(a, "--leak-resolution"))) {
		o->leak_resolution_high = !strcmp(v, "high");
		if (!strcmp(v, "low"))
			o->leak_resolution = 2;
		else if (!strcmp(v, "med"))
			o->leak_resolution = 4;
		else if (!o->leak_resolution_high)
			return unknown(err, a);
	} else if ((v = val(a, "--leak-check-heuristics"))) {
		if (!mc_parse_heuristics(v, &o->heuristics)) {
			char why[300];
			snprintf(why, sizeof(why), "%.200s is an invalid leak-check-heuristics set", v);
			return bad(err, a, why);
		}
	} else if ((v = val(a, "--trace-children"))) {
		if (parse_bool(a, v, &o->trace_children, err))
			return -1;
	} else if ((v = val(a, "--child-silent-after-fork"))) {
		if (parse_bool(a, v, &o->child_silent_after_fork, err))
			return -1;
	} else {
		return unknown(err, a);
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
				return bad(err, arg, why), NULL;
			}
			char *name = xstrndup(p + 2, (size_t)(close - (p + 2)));
			const char *v = getenv(name);
			if (!v) {
				char msg[300];
				snprintf(msg, sizeof(msg), "Environment variable '%.200s' is not set", name);
				free(name);
				sb_free(&sb);
				return bad(err, arg, msg), NULL;
			}
			free(name);
			sb_adds(&sb, v);
			p = close;
		} else {
			sb_free(&sb);
			return bad(err, arg, "Expected 'p' or 'q' or '%' after '%'"), NULL;
		}
	}
	return sb_detach(&sb);
}
