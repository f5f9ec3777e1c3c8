/* libFuzzer target: the leak-suppression file parser, then every pattern
 * matched against strings cut from the same input (patterns are untrusted
 * text: a '*'-heavy one must not take exponential time). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "heap/suppress.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct heap_suppressions s = { 0 };
	supp_parse(&s, (const char *)data, size, NULL, NULL);
	size_t half = size / 2;
	char *str = malloc(half + 1);
	memcpy(str, data + size - half, half);
	str[half] = 0;
	supp_find(&s, str);
	for (size_t i = 0; i < s.v.n; i++)
		supp_match(s.v.v[i].pattern, s.v.v[i].pattern);
	free(str);
	supp_free(&s);
	return 0;
}
