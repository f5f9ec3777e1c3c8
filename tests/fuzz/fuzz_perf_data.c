/* libFuzzer target: arbitrary bytes as a perf.data file, converted into
 * sonde records (written to /dev/null). Its corpus grew from perf record's
 * files (tests/fuzz/README.md); any real perf.data file is a seed. */
#include <stdint.h>
#include <stdio.h>

#include "profile/format.h"
#include "profile/perf_data.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sd_writer *w = sd_writer_open("/dev/null");
	if (!w)
		return 0;
	char why[256];
	struct perf_data_stats st;
	(void)perf_data_convert_mem(data, size, w, PD_QUIET, &st, why, sizeof(why));
	sd_writer_close(w);
	return 0;
}
