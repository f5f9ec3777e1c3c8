/* libFuzzer target: the cachegrind engine's dump (cg_raw.c) and the stacks
 * file (profile/stacks_reader.c) read from arbitrary bytes, written to a
 * file in $TMPDIR (default /tmp) that is removed at exit. The readers take
 * paths: sonde reads what the engine left in its directory. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cachegrind/cg_raw.h"
#include "profile/model.h"
#include "profile/stacks_reader.h"

static char path[4096];

static void remove_file(void)
{
	unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!path[0]) {
		const char *dir = getenv("TMPDIR");
		snprintf(path, sizeof(path), "%s/sonde-fuzz-cg-raw-%d", dir && *dir ? dir : "/tmp", (int)getpid());
		atexit(remove_file);
	}
	FILE *f = fopen(path, "w");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	char why[512];
	struct cg_raw r;
	if (cg_raw_load(path, &r, why, sizeof(why)) == 0)
		cg_raw_free(&r);
	struct profile *p = profile_read_stacks(path, why, sizeof(why));
	if (p)
		profile_free(p);
	return 0;
}
