/* heaptrack, heaptrack_print: heaptrack's command lines on sonde heap. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmds.h"
#include "compat/compat.h"
#include "heap/record.h"
#include "util/die.h"

static const char heaptrack_usage[] =
	"Usage: heaptrack [-o FILE] DEBUGGEE [ARGUMENT]...\n"
	"or:    heaptrack --analyze FILE [heaptrack_print options]\n"
	"\n"
	"sonde's heaptrack: runs DEBUGGEE with sonde's allocation tracker preloaded and\n"
	"writes heaptrack.APP.PID.zst (a sonde heap trace); --analyze prints the report\n"
	"(heaptrack_print's layout).\n"
	"  -o, --output FILE  data file; %p is replaced by the pid, %h by the host name\n"
	"  -a, --analyze FILE print the report of FILE\n"
	"  -h, --help         this help\n"
	"  -v, --version      version\n";

int compat_heaptrack(int argc, char **argv)
{
	sonde_progname = "heaptrack";
	struct heap_record_opts o = { 0 };
	o.prefix = "heaptrack";
	o.heaptrack_msgs = true;
	int i = 1;
	for (; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (a[0] != '-')
			break;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(heaptrack_usage, stdout);
			return 0;
		} else if (!strcmp(a, "-v") || !strcmp(a, "--version")) {
			printf("heaptrack 1.4.0 (sonde %s)\n", SONDE_VERSION);
			return 0;
		} else if (!strcmp(a, "-a") || !strcmp(a, "--analyze")) {
			if (i + 1 >= argc)
				die_status(1, "missing file to analyze");
			/* heaptrack_print FILE [rest] */
			int n = argc - i;
			char **sub = xcalloc((size_t)n + 1, sizeof(char *));
			sub[0] = "heaptrack_print";
			sub[1] = argv[i + 1];
			for (int k = i + 2; k < argc; k++)
				sub[k - i] = argv[k];
			int rc = heap_report_cmd(n, sub, true);
			free(sub);
			return rc;
		} else if (!strncmp(a, "--analyze=", 10)) {
			char *sub[] = { "heaptrack_print", (char *)a + 10, NULL };
			return heap_report_cmd(2, sub, true);
		} else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
			if (i + 1 >= argc)
				die_status(1, "missing output file name");
			o.output = argv[++i];
		} else if (!strncmp(a, "--output=", 9)) {
			o.output = a + 9;
		} else if (!strcmp(a, "-r") || !strcmp(a, "--raw") || !strcmp(a, "--record-only") ||
			   !strcmp(a, "--use-inject")) {
			/* sonde always stores the raw trace and analyzes on demand */
		} else if (!strcmp(a, "-p") || !strcmp(a, "--pid") || !strcmp(a, "-d") || !strcmp(a, "--debug")) {
			die_status(1, "'%s' is not supported by sonde's heaptrack (attaching / gdb)", a);
		} else {
			die_status(1, "unknown option '%s'; run 'heaptrack --help'", a);
		}
	}
	if (i >= argc) {
		fputs(heaptrack_usage, stderr);
		return 1;
	}
	if (!o.output)
		o.output = NULL; /* heaptrack.APP.PID.zst */
	return heap_record(&o, argv + i);
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
