/* libFuzzer target: valgrind's option parser (src/memcheck/mc_opts.c and
 * the table of options sonde ignores) on any command line: the input is
 * split at newlines into arguments, parsed, and a --log-file template
 * taken from it is expanded. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "memcheck/mc_opts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = 0;
	char *argv[64];
	int argc = 0;
	for (char *p = text; argc < 63;) {
		argv[argc++] = p;
		char *nl = memchr(p, '\n', (size_t)(text + size - p));
		if (!nl)
			break;
		*nl = 0;
		p = nl + 1;
	}
	argv[argc] = NULL;
	struct mc_opts o;
	mc_opts_init(&o);
	struct strbuf err = STRBUF_INIT;
	int first = mc_opts_parse(&o, argc, argv, &err);
	if (first >= 0 && first < argc)
		free(mc_expand_file_name("--log-file", argv[first], 1234, &err));
	for (size_t i = 0; i < o.ignored.n; i++) /* every note names an option given */
		if (!o.ignored.v[i].why || !strlen(o.ignored.v[i].arg))
			abort();
	mc_opts_free(&o);
	sb_free(&err);
	free(text);
	return 0;
}
