/* valgrind: memcheck (the default tool) is sonde memcheck, cachegrind is
 * sonde cachegrind; every other --tool (massif, callgrind, helgrind, drd,
 * dhat, ...) runs the real valgrind. */
#include <stdlib.h>
#include <string.h>

#include "cmd/cmds.h"
#include "compat/compat.h"
#include "compat/passthrough.h"
#include "util/die.h"

/* The --tool=NAME among valgrind's own options (those before the program). */
static const char *valgrind_tool(int argc, char **argv)
{
	const char *tool = NULL;
	for (int i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strncmp(argv[i], "--tool=", 7))
			tool = argv[i] + 7; /* the last one counts, as in valgrind */
	}
	return tool;
}

/* --tool=cachegrind is sonde cachegrind, with valgrind's other options
 * (those before the program) as they are, --tool= left out. */
static int valgrind_cachegrind(int argc, char **argv)
{
	char **args = xcalloc((size_t)argc + 1, sizeof(*args));
	int n = 0, i = 1;
	args[n++] = "cachegrind";
	for (; i < argc && argv[i][0] == '-' && strcmp(argv[i], "--"); i++)
		if (strncmp(argv[i], "--tool=", 7))
			args[n++] = argv[i];
	if (i < argc && strcmp(argv[i], "--"))
		args[n++] = "--";
	for (; i < argc; i++)
		args[n++] = argv[i];
	static const struct cmd_ctx ctx = { "valgrind" };
	int rc = cmd_cachegrind(n, args, &ctx);
	free(args);
	return rc;
}

int compat_valgrind(int argc, char **argv)
{
	const char *tool = valgrind_tool(argc, argv);
	if (tool && !strcmp(tool, "cachegrind"))
		return valgrind_cachegrind(argc, argv);
	if (tool && strcmp(tool, "memcheck")) {
		char *what = xasprintf("valgrind --tool=%s", tool);
		int rc = passthrough_exec("valgrind", what, "valgrind", argv);
		free(what);
		return rc;
	}
	static const struct cmd_ctx ctx = { "valgrind" };
	return cmd_memcheck(argc, argv, &ctx);
}
