/* libFuzzer target: sonde bloat on an arbitrary file: the sections and
 * symbols it counts, crates from DWARF units, and every view of one image
 * (functions, crates, data, generics, --inlined's DIE walk, --diff of the
 * file with itself), printed to /dev/null. `make fuzz`, then
 *   build-fuzz/fuzz/fuzz_bloat -max_total_time=60 NEW_DIR tests/fuzz/corpus/fuzz_bloat
 * (its corpus started as fuzz_elf's: whole ELF files). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bloat/bloat.h"
#include "profile/model.h"
#include "util/die.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null;
	static int fd = -1;
	static char path[64];
	if (!null) {
		null = fopen("/dev/null", "w");
		fd = memfd_create("fuzz_bloat", 0);
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		sonde_quiet = 1;
	}
	if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		return 0;
	/* errors are printed (one line each): keep the fuzzer's output short */
	int saved = dup(2), devnull = fileno(null);
	dup2(devnull, 2);
	struct bloat_opts o = { .n = 5 };
	bloat_run(null, path, &o);
	o.crates = true;
	bloat_run(null, path, &o);
	o.crates = false;
	o.generics = true;
	o.format = BLOAT_JSON;
	bloat_run(null, path, &o);
	o.generics = false;
	o.data = true;
	bloat_run(null, path, &o);
	o.data = false;
	o.inlined = true;
	bloat_run(null, path, &o);
	o.inlined = false;
	o.diff_old = o.diff_new = path;
	bloat_run(null, NULL, &o);
	struct profile *p = bloat_profile(path, &o);
	if (p)
		profile_free(p);
	dup2(saved, 2);
	close(saved);
	return 0;
}
