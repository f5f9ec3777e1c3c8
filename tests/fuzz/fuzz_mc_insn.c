/* libFuzzer target: the guard-page mode's instruction decoder
 * (runtime/memcheck/mc_insn.c, linked) on arbitrary bytes. `make fuzz`, then
 *   build-fuzz/fuzz/fuzz_mc_insn -max_total_time=60 NEW_DIR tests/fuzz/corpus/fuzz_mc_insn
 * libFuzzer's input is an exact-size heap block, so ASan catches any read
 * past avail. Traps when an answer is implausible or changes with the
 * bytes after the instruction: every shorter prefix (each in its own
 * exact-size copy) must give false, exactly length bytes the same answer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mc_insn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool same(const struct mc_access *a, const struct mc_access *b)
{
	return a->size == b->size && a->read == b->read && a->write == b->write && a->length == b->length;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mc_access a, b;
	bool ok = mc_insn_access(data, size, &a);
	if (!ok) {
		if (a.size || a.read || a.write || a.length)
			__builtin_trap();
		return 0;
	}
	if (a.length < 1 || a.length > 15 || a.length > size || (!a.read && !a.write && a.size))
		__builtin_trap();
	for (size_t n = 0; n <= a.length; n++) {
		uint8_t *c = malloc(n ? n : 1);
		memcpy(c, data, n);
		bool cok = mc_insn_access(c, n, &b);
		free(c);
		if (cok != (n == a.length) || (cok && !same(&a, &b)))
			__builtin_trap();
	}
	return 0;
}
