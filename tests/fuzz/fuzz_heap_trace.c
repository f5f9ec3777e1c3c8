/* libFuzzer target: the heap trace reader and the analysis on arbitrary bytes. */
#include <stdint.h>
#include <stddef.h>

#include "heap/analysis.h"
#include "heap/trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct heap_trace t;
	heap_trace_init(&t);
	heap_trace_parse(&t, data, size, false);
	struct heap_analysis a;
	heap_analyze(&t, &a);
	heap_analysis_free(&a);
	heap_trace_free(&t);
	return 0;
}
