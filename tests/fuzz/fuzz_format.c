/* libFuzzer target: the sonde.data reader on arbitrary bytes. */
#include <stdint.h>
#include <stddef.h>

#include "profile/format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char why[256];
	struct sd_reader *r = sd_reader_open_mem(data, size, why, sizeof(why));
	if (!r)
		return 0;
	struct sd_record rec;
	while (sd_read(r, &rec) == SD_OK)
		;
	sd_reader_close(r);
	return 0;
}
