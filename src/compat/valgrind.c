/* valgrind: memcheck (the default tool) is sonde memcheck; every other
 * --tool (massif, callgrind, cachegrind, helgrind, drd, dhat, ...) runs
 * the real valgrind. */
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

int compat_valgrind(int argc, char **argv)
{
	const char *tool = valgrind_tool(argc, argv);
	if (tool && strcmp(tool, "memcheck")) {
		char *what = xasprintf("valgrind --tool=%s", tool);
		int rc = passthrough_exec("valgrind", what, "valgrind", argv);
		free(what);
		return rc;
	}
	static const struct cmd_ctx ctx = { "valgrind" };
	return cmd_memcheck(argc, argv, &ctx);
}
