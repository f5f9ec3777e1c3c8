/* libFuzzer target: collapse_perf_script on arbitrary bytes; the first
 * byte picks the options. */
#include <stdint.h>
#include <stdio.h>

#include "collapse/perf_script.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	struct collapse_opts o = {
		.pid = data[0] & 1, .tid = data[0] & 2, .kernel = data[0] & 4, .jit = data[0] & 8,
		.addrs = data[0] & 16, .no_comm = data[0] & 32,
		.event_filter = (data[0] & 64) ? "cycles" : NULL,
	};
	FILE *in = fmemopen((void *)(data + 1), size - 1, "r");
	if (!in)
		return 0;
	struct folded_set s;
	struct collapse_stats st;
	folded_init(&s);
	collapse_perf_script(in, &o, &s, &st);
	fclose(in);
	folded_sort(&s);
	FILE *out = fopen("/dev/null", "w");
	if (out) {
		folded_write(out, &s);
		fclose(out);
	}
	folded_free(&s);
	return 0;
}
