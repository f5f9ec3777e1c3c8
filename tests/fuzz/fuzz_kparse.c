/* libFuzzer target: decoding kernel ring-buffer records. The first 8 bytes
 * pick the sample_type; the rest is one record as the kernel would write it. */
#include <stdint.h>
#include <string.h>

#include "collect/kparse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 8)
		return 0;
	uint64_t sample_type;
	memcpy(&sample_type, data, 8);
	const unsigned char *rec = data + 8;
	size -= 8;
	struct ksample s;
	struct kmmap2 m;
	struct kcomm c;
	struct ktask t;
	struct kid id;
	uint64_t lost;
	(void)kparse_time(rec, size, sample_type);
	(void)kparse_trailer(rec, size, sample_type, &id);
	if (kparse_sample(rec, size, sample_type, &s) == 0 && s.nr < 4096) {
		uint64_t ips[4096], out[4096];
		memcpy(ips, s.ips, s.nr * 8);
		uint32_t nk;
		split_callchain(ips, s.nr, s.ip, s.cpumode, out, 4096, &nk);
	}
	(void)kparse_mmap2(rec, size, sample_type, &m);
	(void)kparse_comm(rec, size, sample_type, &c);
	(void)kparse_task(rec, size, &t);
	(void)kparse_lost(rec, size, &lost);
	return 0;
}
