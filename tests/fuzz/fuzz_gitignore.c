/* libFuzzer target: gitignore rules, then paths. The input is rules text,
 * a NUL, then one path a line; each path is checked as a file and as a
 * directory, and every rule's pattern is also tried as a bacon glob. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/die.h"
#include "watch/gitignore.h"
#include "watch/wildmatch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	const char *nul = memchr(text, 0, size);
	size_t rules_len = nul ? (size_t)(nul - text) : size;
	struct gitignore gi = { 0 };
	gitignore_add_text(&gi, "", text, rules_len);
	if (nul) {
		char *paths = xstrndup(nul + 1, size - rules_len - 1);
		for (char *line = strtok(paths, "\n"); line; line = strtok(NULL, "\n")) {
			(void)gitignore_excludes(&gi, line, false);
			(void)gitignore_excludes(&gi, line, true);
			for (size_t i = 0; i < gi.n && i < 16; i++)
				(void)wild_match(gi.v[i].pattern, line, 0);
		}
		free(paths);
	}
	gitignore_clear(&gi);
	return 0;
}
