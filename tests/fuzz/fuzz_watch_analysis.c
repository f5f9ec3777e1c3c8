/* libFuzzer target: a job's output through the watch analyzers. The first
 * byte picks the analyzer (& 3: standard, cargo_json, nextest, cpp) and
 * whether the lines came from stderr (& 4); the rest is the output, one
 * line per newline. The report's counts must agree with its lines. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "watch/analysis.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	struct analysis *a = analysis_new((enum analyzer_kind)(data[0] & 3));
	char err[256];
	if (data[0] & 8)
		analysis_ignore(a, "^note: ", err, sizeof(err));
	bool from_stderr = data[0] & 4;
	const char *p = (const char *)data + 1, *end = (const char *)data + size;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		analysis_line(a, p, len, from_stderr);
		p += len + (nl != NULL);
	}
	struct report r;
	analysis_finish(a, &r);
	unsigned titles = 0, last = 0;
	for (size_t i = 0; i < r.n_lines; i++) {
		enum report_line_kind k = r.lines[i].kind;
		titles += k == REPORT_ERROR || k == REPORT_WARNING || k == REPORT_FAILURE;
		if (r.lines[i].item < last || !r.lines[i].styled || !r.lines[i].plain)
			abort();
		last = r.lines[i].item;
	}
	if (titles != r.errors + r.warnings + r.failures || titles != r.items)
		abort();
	(void)report_is_success(&r, data[0] & 16, data[0] & 32);
	report_free(&r);
	analysis_free(a);
	return 0;
}
