/* heaptrack, heaptrack_print: heaptrack's command lines on sonde heap. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmds.h"
#include "compat/compat.h"
#include "heap/record.h"
#include "util/die.h"
#include "util/options.h"

static const char *const heaptrack_usage[] = {
	"[-o FILE] DEBUGGEE [ARGUMENT]...",
	"--analyze FILE [heaptrack_print options]",
	NULL,
};

static const char heaptrack_intro[] =
	"sonde's heaptrack: runs DEBUGGEE with sonde's allocation tracker preloaded and\n"
	"writes heaptrack.APP.PID.zst (a sonde heap trace); --analyze prints the report\n"
	"(heaptrack_print's layout).\n";

/* --analyze FILE [heaptrack_print options]: the rest of the line is heaptrack_print's */
struct analyze {
	char **argv; /* "heaptrack_print" FILE REST... */
	int argc;
};

static int analyze_cb(struct opt_parser *p, const struct opt *opt, const char *file)
{
	struct analyze *an = opt->value;
	an->argv = xcalloc((size_t)(p->argc - p->i) + 3, sizeof(char *));
	an->argv[an->argc++] = "heaptrack_print";
	an->argv[an->argc++] = (char *)file;
	for (const char *a; (a = opt_next_arg(p));)
		an->argv[an->argc++] = (char *)a;
	return 0;
}

static int unsupported_cb(struct opt_parser *p, const struct opt *opt, const char *arg)
{
	opt_usage_error(p->cmd, "'--%s' is not supported by sonde's heaptrack (attaching / gdb)", opt->lng);
}

static int version_cb(struct opt_parser *p, const struct opt *opt, const char *arg)
{
	printf("heaptrack 1.4.0 (sonde %s)\n", SONDE_VERSION);
	exit(0);
}

int compat_heaptrack(int argc, char **argv)
{
	sonde_progname = "heaptrack";
	struct heap_record_opts o = { 0 };
	o.prefix = "heaptrack";
	o.heaptrack_msgs = true;
	struct analyze an = { 0 };
	bool ignored = false;
	const struct opt opts[] = {
		OPT_STRING('o', "output", &o.output, "FILE",
			   "data file; %p is replaced by the pid, %h by the host name"),
		OPT_CALLBACK('a', "analyze", &an, "FILE", "print the report of FILE", analyze_cb, NULL),
		{ .kind = OPTK_CALLBACK, .shrt = 'v', .lng = "version", .help = "version", .cb = version_cb,
		  .flags = OPTF_NOARG },
		/* sonde always stores the raw trace and analyzes on demand */
		OPT_HIDDEN_BOOL('r', "raw", &ignored),
		OPT_HIDDEN_BOOL(0, "record-only", &ignored),
		OPT_HIDDEN_BOOL(0, "use-inject", &ignored),
		{ .kind = OPTK_CALLBACK, .shrt = 'p', .lng = "pid", .cb = unsupported_cb, .flags = OPTF_NOARG | OPTF_HIDDEN },
		{ .kind = OPTK_CALLBACK, .shrt = 'd', .lng = "debug", .cb = unsupported_cb, .flags = OPTF_NOARG | OPTF_HIDDEN },
		OPT_END(),
	};
	/* heaptrack (a shell script) exits 1 on a usage error */
	const struct opt_cmd cmd = { NULL, .prog = "heaptrack", .usage = heaptrack_usage, .intro = heaptrack_intro,
				     .stop_at_arg = true, .usage_status = 1 };
	int nargs = opt_parse(&cmd, opts, argc, argv);
	if (an.argv) {
		int rc = heap_report_cmd(an.argc, an.argv, true);
		free(an.argv);
		return rc;
	}
	if (!nargs)
		opt_usage_error(&cmd, "no program to run (usage: heaptrack [-o FILE] DEBUGGEE [ARGUMENT]...)");
	return heap_record(&o, argv); /* o.output NULL: heaptrack.APP.PID.zst */
}

int compat_heaptrack_print(int argc, char **argv)
{
	sonde_progname = "heaptrack_print";
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--version")) {
			printf("heaptrack_print 1.4.0 (sonde %s)\n", SONDE_VERSION);
			return 0;
		}
	return heap_report_cmd(argc, argv, true);
}
