/* libFuzzer target: JIT maps in perf's format (/tmp/perf-PID.map) parsed,
 * then looked up at addresses cut from the same input. */
#include <stdint.h>
#include <string.h>

#include "binary/perfmap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct perfmap m;
	perfmap_parse(&m, (const char *)data, size);
	for (size_t i = 0; i + 8 <= size; i += 8) {
		uint64_t a;
		memcpy(&a, data + i, 8);
		(void)perfmap_find(&m, a);
	}
	for (size_t i = 0; i < m.n; i++) {
		(void)perfmap_find(&m, m.syms[i].start);
		(void)perfmap_find(&m, m.syms[i].end - 1);
	}
	perfmap_free(&m);
	return 0;
}
