/* sonde stat: count events over a command's run, printed in perf stat's layout. */
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "cmd/cmds.h"
#include "cmd/stat_metric.h"
#include "collect/counter_source.h"
#include "collect/counters.h"
#include "collect/launch.h"
#include "util/die.h"
#include "util/options.h"
#include "util/strbuf.h"
#include "util/vec.h"

static const char *const stat_usage[] = { "stat [options] [--] COMMAND [ARGS...]", NULL };

static const char stat_intro[] =
	"Runs COMMAND and prints event counts over its run (threads and children\n"
	"included) in perf stat's layout, on stderr.\n";

/* perf's order */
static const char *default_order[] = { "task-clock",     "context-switches", "cpu-migrations",
				       "page-faults",    "cycles",           "instructions",
				       "branches",       "branch-misses" };

static void print_human(FILE *out, const struct stat_ev *evs, int n, const char *cmd, int runs,
			const struct stats *elapsed, const struct rusage *ru)
{
	fprintf(out, "\n Performance counter stats for '%s'", cmd);
	if (runs > 1)
		fprintf(out, " (%d runs)", runs);
	fprintf(out, ":\n\n");
	for (int i = 0; i < n; i++) {
		const struct stat_ev *e = &evs[i];
		char name[64];
		event_display(&e->c.ev, name, sizeof(name));
		if (e->unsupported || e->not_counted) {
			/* perf's widths here: the name in 25, the blank metric in 35 */
			fprintf(out, "%18s %-4s %-25s%35s", e->unsupported ? "<not supported>" : "<not counted>",
				"", name, "");
			if (e->not_counted && e->running < e->enabled)
				fprintf(out, "  (%.2f%%)", 100.0 * e->running / e->enabled);
			fputc('\n', out);
			continue;
		}
		if (stat_is_clock(&e->c.ev))
			fprintf(out, "%'18.2f %-4s %-32s", e->st.mean / 1e6, "msec", name);
		else
			fprintf(out, "%'18.0f %-4s %-32s", e->st.mean, "", name);
		struct metric m = stat_metric(evs, n, e, elapsed->mean);
		if (m.have) {
			int w = 32 - (int)strlen(m.val) - 1;
			fprintf(out, " # %s %-*s", m.val, w > 0 ? w : 0, m.unit);
		} else {
			fprintf(out, "   %32s", "");
		}
		if (runs > 1) {
			double pct = rel_stddev(&e->st);
			if (pct)
				fprintf(out, "  ( +-%6.2f%% )", pct);
		}
		if (e->running > 0 && e->running < e->enabled)
			fprintf(out, "  (%.2f%%)", 100.0 * e->running / e->enabled);
		fputc('\n', out);
	}
	fputc('\n', out);
	if (runs > 1) {
		double sd = stats_stddev(elapsed) / 1e9, avg = elapsed->mean / 1e9;
		int prec = sd > 1 ? 0 : sd > 0 ? (int)lround(ceil(-log10(sd))) : 7;
		prec += 2;
		fprintf(out, " %17.*f +- %.*f seconds time elapsed", prec, avg, prec, sd);
		fprintf(out, "  ( +-%6.2f%% )\n", rel_stddev(elapsed));
	} else {
		fprintf(out, " %17.9f seconds time elapsed\n\n", elapsed->mean / 1e9);
		fprintf(out, " %17.9f seconds user\n",
			ru->ru_utime.tv_sec + ru->ru_utime.tv_usec / 1e6);
		fprintf(out, " %17.9f seconds sys\n\n", ru->ru_stime.tv_sec + ru->ru_stime.tv_usec / 1e6);
	}
	fputc('\n', out);
}

static void print_csv(FILE *out, const struct stat_ev *evs, int n, const char *sep, int runs,
		      const struct stats *elapsed)
{
	for (int i = 0; i < n; i++) {
		const struct stat_ev *e = &evs[i];
		char name[64];
		event_display(&e->c.ev, name, sizeof(name));
		if (e->unsupported || e->not_counted) {
			fprintf(out, "%s%s%s%s", e->unsupported ? "<not supported>" : "<not counted>", sep, sep,
				name);
			if (runs > 1)
				fprintf(out, "%s0.00%%", sep);
			/* perf: the time running, and its share of the time enabled */
			double run = e->not_counted ? e->running : 0;
			double pct = e->not_counted && e->enabled > 0 ? 100.0 * run / e->enabled : 100.0;
			fprintf(out, "%s%.0f%s%.2f%s%s\n", sep, run / runs, sep, pct, sep, sep);
			continue;
		}
		if (stat_is_clock(&e->c.ev))
			fprintf(out, "%.2f%smsec%s%s", e->st.mean / 1e6, sep, sep, name);
		else
			fprintf(out, "%.0f%s%s%s", e->st.mean, sep, sep, name);
		if (runs > 1)
			fprintf(out, "%s%.2f%%", sep, rel_stddev(&e->st));
		double pct = e->enabled > 0 ? 100.0 * e->running / e->enabled : 100.0;
		fprintf(out, "%s%.0f%s%.2f", sep, runs ? e->running / runs : 0, sep, pct);
		struct metric m = stat_metric(evs, n, e, elapsed->mean);
		if (m.have)
			fprintf(out, "%s%.3f%s%s\n", sep, m.num, sep, m.unit);
		else
			fprintf(out, "%s%s\n", sep, sep);
	}
}

typedef VEC(struct stat_ev) stat_ev_vec;

/* -e: adds the events of a comma-separated list. */
static int events_cb(struct opt_parser *p, const struct opt *opt, const char *list)
{
	stat_ev_vec *evs = opt->value;
	if (!*list || strspn(list, ",") == strlen(list))
		opt_usage_error(p->cmd, "-e wants an event (valid events: %s)", event_valid_names());
	char *copy = xstrdup(list), *save = NULL;
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		struct stat_ev e = { 0 };
		if (event_parse(tok, &e.c.ev) < 0) {
			char why[128];
			if (event_why_unknown(tok, why, sizeof(why)))
				opt_usage_error(p->cmd, "unknown event '%s': %s", tok, why);
			opt_usage_error(p->cmd, "unknown event '%s'; valid events: %s", tok, event_valid_names());
		}
		vec_push(evs, e);
	}
	free(copy);
	return 0;
}

static int separator_cb(struct opt_parser *p, const struct opt *opt, const char *arg)
{
	*(const char **)opt->value = arg;
	return *arg ? 0 : -1;
}

int cmd_stat(int argc, char **argv, const struct cmd_ctx *ctx)
{
	stat_ev_vec evs = { 0 };
	int runs = 1;
	const char *sep = NULL;
	const struct opt opts[] = {
		OPT_CALLBACK('e', "event", &evs, "EVENTS",
			     "comma-separated events (default: task-clock,\n"
			     "context-switches, cpu-migrations, page-faults,\n"
			     "cycles, instructions, branches, branch-misses)",
			     events_cb, NULL),
		OPT_INT('r', "repeat", &runs, "N", "run N times; print means and relative stddev", 1, 100000,
			"invalid repeat count '%s'"),
		OPT_CALLBACK('x', "field-separator", &sep, "SEP", "CSV-like output: value,unit,event,...",
			     separator_cb, "-x wants a field separator (e.g. -x ,)"),
		OPT_END(),
	};
	char *outro = xasprintf("Events: %s.\n"
				"Exit status: the command's (of the last run); 127 if it cannot be found.\n",
				event_valid_names());
	const struct opt_cmd stat_cmd = { "stat", .usage = stat_usage, .intro = stat_intro, .outro = outro,
				     .stop_at_arg = true };
	int nargs = opt_parse(&stat_cmd, opts, argc, argv);
	free(outro);
	char **cmdv = argv;
	if (!nargs)
		opt_usage_error(&stat_cmd, "no command to run (usage: stat [options] -- COMMAND)");
	if (!evs.n) {
		for (size_t i = 0; i < sizeof(default_order) / sizeof(default_order[0]); i++) {
			struct stat_ev e = { 0 };
			event_parse(default_order[i], &e.c.ev);
			vec_push(&evs, e);
		}
	}
	setlocale(LC_NUMERIC, "");

	int n = (int)evs.n;
	struct counter *ctrs = xcalloc((size_t)n, sizeof(*ctrs));
	struct stats elapsed = { 0 };
	struct rusage ru = { 0 };
	int status = 0, done = 0, rc = 0;
	bool interrupted = false;
	for (int r = 0; r < runs; r++) {
		for (int i = 0; i < n; i++)
			ctrs[i].ev = evs.v[i].c.ev;
		uint64_t ns = 0;
		rc = counters_run(ctrs, n, cmdv, &status, &ns, &ru, &interrupted);
		if (rc)
			break;
		done++;
		stats_add(&elapsed, (double)ns);
		for (int i = 0; i < n; i++) {
			struct stat_ev *e = &evs.v[i];
			e->c.ev = ctrs[i].ev; /* may have gained ":u" */
			if (ctrs[i].state == COUNTER_UNSUPPORTED) {
				e->unsupported = true;
				continue;
			}
			e->enabled += (double)ctrs[i].enabled;
			e->running += (double)ctrs[i].running;
			if (ctrs[i].state == COUNTER_NOT_COUNTED) {
				e->not_counted = true;
				continue;
			}
			stats_add(&e->st, ctrs[i].value);
		}
		if (interrupted || (WIFSIGNALED(status) && WTERMSIG(status) == SIGINT))
			break; /* Ctrl-C: stop repeating, print what we have */
	}
	if (done) {
		struct strbuf cmd = STRBUF_INIT;
		for (char **a = cmdv; *a; a++) {
			if (a != cmdv)
				sb_addc(&cmd, ' ');
			sb_adds(&cmd, *a);
		}
		bool hw_missing = false;
		for (int i = 0; i < n; i++)
			if (evs.v[i].unsupported) {
				evs.v[i].not_counted = false;
				hw_missing |= event_is_hardware(&evs.v[i].c.ev);
			}
		/* not in -x output, which scripts read line by line */
		if (hw_missing && !sep && !counter_source()->has_pmu())
			note("no hardware performance counters here (a VM without a virtual PMU?): "
			     "hardware and cache events show <not supported>; software events still count, "
			     "and `sonde cachegrind` simulates the caches instead");
		if (sep)
			print_csv(stderr, evs.v, n, sep, done, &elapsed);
		else
			print_human(stderr, evs.v, n, cmd.buf, done, &elapsed, &ru);
		sb_free(&cmd);
		if (WIFSIGNALED(status) && !interrupted)
			error("'%s' was killed by signal %d (%s)", cmdv[0], WTERMSIG(status),
			      strsignal(WTERMSIG(status)));
	}
	(void)ctx;
	free(ctrs);
	vec_free(&evs);
	if (rc)
		return rc;
	return interrupted ? 128 + SIGINT : wait_status_code(status);
}
