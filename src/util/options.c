#include "util/options.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util/strbuf.h"
#include "util/suggest.h"

/* -h and --help, when the table does not take them itself */
static const struct opt help_opt = { .kind = OPTK_CALLBACK, .shrt = 'h', .lng = "help", .flags = OPTF_NOARG };

static const char *prog_of(const struct opt_cmd *cmd)
{
	return cmd->prog ? cmd->prog : sonde_progname;
}

void opt_usage_error(const struct opt_cmd *cmd, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	const char *prog = prog_of(cmd);
	fflush(stdout);
	fprintf(stderr, "%s%s%s: %s\n", prog, cmd->name ? " " : "", cmd->name ? cmd->name : "", msg);
	if (cmd->hint)
		fprintf(stderr, "Run '%s --help' for the options.\n", cmd->hint);
	else
		fprintf(stderr, "Run '%s%s%s --help' for the options.\n", prog, cmd->name ? " " : "",
			cmd->name ? cmd->name : "");
	exit(cmd->usage_status ? cmd->usage_status : 129);
}

static bool takes_value(const struct opt *o)
{
	return o->kind != OPTK_FLAG && o->kind != OPTK_COUNT && !(o->flags & OPTF_NOARG);
}

/* "--freq" or "-F", as the user would type it */
static const char *opt_name(const struct opt *o, char buf[4])
{
	if (o->lng) {
		static char lbuf[128];
		snprintf(lbuf, sizeof(lbuf), "--%s", o->lng);
		return lbuf;
	}
	buf[0] = '-';
	buf[1] = o->shrt;
	buf[2] = 0;
	return buf;
}

static void bad_value(struct opt_parser *p, const struct opt *o, const char *arg)
{
	char nb[4];
	if (o->bad)
		opt_usage_error(p->cmd, o->bad, arg ? arg : "");
	if (o->kind == OPTK_ENUM) {
		struct strbuf sb = STRBUF_INIT;
		for (size_t k = 0; o->choices[k]; k++)
			sb_addf(&sb, "%s%s", k == 0 ? "" : o->choices[k + 1] ? ", " : " or ", o->choices[k]);
		opt_usage_error(p->cmd, "unknown %s '%s' (expected %s)", opt_name(o, nb), arg, sb.buf);
	}
	opt_usage_error(p->cmd, "invalid value '%s' for %s", arg ? arg : "", opt_name(o, nb));
}

/* A number that is all digits (with an optional leading '-' when allowed):
 * strto* alone would take " 5", "+5" and, for unsigned, "-1" as 2^64 - 1. */
static bool plain_number(const char *s, bool sign)
{
	if (sign && *s == '-')
		s++;
	return *s >= '0' && *s <= '9';
}

static void set_value(struct opt_parser *p, const struct opt *o, const char *arg)
{
	char *end;
	errno = 0;
	switch (o->kind) {
	case OPTK_FLAG:
		*(bool *)o->value = o->num != 0;
		return;
	case OPTK_COUNT:
		(*(int *)o->value)++;
		return;
	case OPTK_STRING:
		*(const char **)o->value = arg;
		return;
	case OPTK_INT: {
		if (!plain_number(arg, o->min < 0))
			break;
		long v = strtol(arg, &end, 10);
		if (errno || *end || v < o->min || v > o->max)
			break;
		*(int *)o->value = (int)v;
		return;
	}
	case OPTK_U64: {
		if (!plain_number(arg, false))
			break;
		unsigned long long v = strtoull(arg, &end, 10);
		if (errno || *end || (double)v < o->min || (o->max > 0 && (double)v > o->max))
			break;
		*(uint64_t *)o->value = v;
		return;
	}
	case OPTK_DOUBLE: {
		double v = strtod(arg, &end);
		if (errno || end == arg || *end || !isfinite(v) || !(v >= o->min && v <= o->max))
			break;
		*(double *)o->value = v;
		return;
	}
	case OPTK_ENUM:
		for (size_t k = 0; o->choices[k]; k++)
			if (!strcmp(o->choices[k], arg)) {
				*(int *)o->value = (int)k;
				return;
			}
		break;
	case OPTK_CALLBACK:
		if (o == &help_opt) {
			opt_help(stdout, p->cmd, p->opts);
			exit(0);
		}
		if (o->cb(p, o, arg) == 0)
			return;
		break;
	case OPTK_END:
	case OPTK_GROUP:
		return;
	}
	bad_value(p, o, arg);
}

/* The value of o: attached (may be NULL), else the next argument. */
static const char *value_for(struct opt_parser *p, const struct opt *o, const char *attached, const char *typed)
{
	if (!takes_value(o)) {
		if (attached)
			opt_usage_error(p->cmd, "option '%s' takes no value", typed);
		return NULL;
	}
	if (attached)
		return attached;
	if (o->flags & OPTF_OPTARG) {
		if (o->takes && p->i < p->argc && o->takes(p->argv[p->i]))
			return p->argv[p->i++];
		return NULL;
	}
	if (p->i >= p->argc)
		opt_usage_error(p->cmd, "option '%s' needs a value", typed);
	return p->argv[p->i++];
}

/* Two entries for the same thing (--comm and --comms) do not make a prefix ambiguous. */
static bool same_target(const struct opt *a, const struct opt *b)
{
	return a->kind == b->kind && a->value == b->value && a->cb == b->cb && a->num == b->num;
}

static void parse_long(struct opt_parser *p, const char *arg)
{
	const char *eq = strchr(arg, '=');
	size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
	const struct opt *found = NULL, *other = NULL;
	for (const struct opt *o = p->opts;; o++) {
		if (o->kind == OPTK_END)
			o = &help_opt;
		if (o->lng && !strncmp(o->lng, arg, len)) {
			if (!o->lng[len]) {
				found = o;
				other = NULL;
				break;
			}
			if (!found)
				found = o;
			else if (!same_target(found, o))
				other = o;
		}
		if (o == &help_opt)
			break;
	}
	char typed[160];
	snprintf(typed, sizeof(typed), "--%.*s", (int)len, arg);
	if (found && other)
		opt_usage_error(p->cmd, "option '%s' is ambiguous (--%s, --%s, ...)", typed, found->lng, other->lng);
	if (!found) {
		const char *names[256];
		size_t n = 0;
		for (const struct opt *o = p->opts; o->kind != OPTK_END && n < 256; o++)
			if (o->lng && !(o->flags & OPTF_HIDDEN))
				names[n++] = o->lng;
		char *name = xstrndup(arg, len);
		const char *best = suggest(name, names, n);
		free(name);
		if (best)
			opt_usage_error(p->cmd, "unknown option '%s'; did you mean '--%s'?", typed, best);
		opt_usage_error(p->cmd, "unknown option '%s'", typed);
	}
	snprintf(typed, sizeof(typed), "--%s", found->lng);
	set_value(p, found, value_for(p, found, eq ? eq + 1 : NULL, typed));
}

static const struct opt *find_short(const struct opt *opts, char c)
{
	for (const struct opt *o = opts; o->kind != OPTK_END; o++)
		if (o->shrt == c)
			return o;
	return c == 'h' ? &help_opt : NULL;
}

/* -x, -xV, -x V, -abc */
static void parse_short(struct opt_parser *p, const char *arg)
{
	for (; *arg; arg++) {
		const struct opt *o = find_short(p->opts, *arg);
		char typed[3] = { '-', *arg, 0 };
		if (!o)
			opt_usage_error(p->cmd, "unknown option '%s'", typed);
		if (!takes_value(o)) {
			set_value(p, o, NULL);
			continue;
		}
		set_value(p, o, value_for(p, o, arg[1] ? arg + 1 : NULL, typed));
		return;
	}
}

int opt_parse(const struct opt_cmd *cmd, const struct opt *opts, int argc, char **argv)
{
	struct opt_parser p = { cmd, opts, argc, 1, argv };
	int n = 0;
	while (p.i < argc) {
		char *a = argv[p.i];
		if (!strcmp(a, "--")) {
			p.i++;
			break;
		}
		if (a[0] != '-' || !a[1]) {
			if (cmd->stop_at_arg)
				break;
			argv[n++] = a; /* n < p.i: nothing unread is overwritten */
			p.i++;
			continue;
		}
		p.i++;
		if (a[1] == '-')
			parse_long(&p, a + 2);
		else
			parse_short(&p, a + 1);
	}
	while (p.i < argc)
		argv[n++] = argv[p.i++];
	argv[n] = NULL;
	return n;
}

const char *opt_next_arg(struct opt_parser *p)
{
	return p->i < p->argc ? p->argv[p->i++] : NULL;
}
