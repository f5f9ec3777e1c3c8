/* libFuzzer target: folded_read on arbitrary bytes, then sort and write. */
#include <stdint.h>
#include <stdio.h>

#include "collapse/folded.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	FILE *in = fmemopen((void *)data, size, "r");
	if (!in)
		return 0;
	struct folded_set s, s2;
	struct folded_read_stats st;
	folded_init(&s);
	folded_init(&s2);
	folded_read(in, &s, &s2, &st);
	fclose(in);
	folded_sort(&s);
	FILE *out = fopen("/dev/null", "w");
	if (out) {
		folded_write(out, &s);
		fclose(out);
	}
	folded_free(&s);
	folded_free(&s2);
	return 0;
}
