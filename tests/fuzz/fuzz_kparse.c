/* libFuzzer target: decoding kernel ring-buffer records. The first 8 bytes
 * pick the sample_type; the rest is one record as the kernel would write it
 * (header first). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "binary/procspace.h"
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
		if (s.nr) /* s.ips is NULL without a callchain */
			memcpy(ips, s.ips, s.nr * 8);
		uint32_t nk;
		split_callchain(ips, s.nr, s.ip, s.cpumode, out, 4096, &nk);
	}
	/* with the registers sonde asks for, and with perf's --call-graph dwarf
	 * set; what it points at is read, so ASan sees any pointer past the record */
	const uint64_t masks[2] = { PROCSPACE_REGS_MASK, 0xff0fff };
	for (int i = 0; i < 2; i++) {
		if (kparse_sample_regs(rec, size, sample_type, masks[i], &s) != 0)
			continue;
		volatile unsigned char sink = 0;
		for (uint32_t r = 0; s.regs && r < s.nregs * 8; r++)
			sink ^= s.regs[r];
		for (uint64_t b = 0; s.stack && b < s.stack_size; b++)
			sink ^= s.stack[b];
		if (s.stack_dyn_size > s.stack_size && s.stack)
			abort();
		(void)sink;
	}
	(void)kparse_mmap2(rec, size, sample_type, &m);
	(void)kparse_comm(rec, size, sample_type, &c);
	(void)kparse_task(rec, size, &t);
	(void)kparse_lost(rec, size, &lost);
	return 0;
}
