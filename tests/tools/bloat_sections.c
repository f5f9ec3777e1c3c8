/* Test tool: `sonde bloat --sections` before the command calls it —
 * bloat_sections_print on one file. Usage: bloat_sections [-n N] [--json]
 * FILE. Exit status as the command's (1 after one line of error). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bloat/bloat_sections.h"

int main(int argc, char **argv)
{
	struct bloat_opts o = { .n = 20, .section_view = true };
	int i = 1;
	for (; i < argc - 1; i++) {
		if (!strcmp(argv[i], "-n") && i + 2 < argc)
			o.n = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--json"))
			o.format = BLOAT_JSON;
		else
			break;
	}
	if (i != argc - 1) {
		fprintf(stderr, "usage: bloat_sections [-n N] [--json] FILE\n");
		return 2;
	}
	return bloat_sections_print(stdout, argv[i], &o);
}
