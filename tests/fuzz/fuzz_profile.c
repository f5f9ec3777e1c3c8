/* libFuzzer target: loading a whole recording into the model (reader,
 * replay of maps/comm/fork, stack resolution) from arbitrary bytes. */
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "profile/model.h"
#include "util/die.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	if (!path[0]) {
		snprintf(path, sizeof(path), "/tmp/sonde-fuzz-profile-%d.data", (int)getpid());
		sonde_quiet = 1;
	}
	FILE *f = fopen(path, "wb");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	struct profile *p = profile_load(path, NULL);
	profile_free(p);
	return 0;
}
