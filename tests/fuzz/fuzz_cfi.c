/* libFuzzer target: CFI tables and the unwinder on arbitrary bytes.
 * `make fuzz`, then
 *   build-fuzz/fuzz/fuzz_cfi -max_total_time=120 NEW_DIR tests/fuzz/corpus/fuzz_cfi
 * The first byte picks the mode: an ELF image (cfi_table_from_memory),
 * a raw .eh_frame (at 0x1000), a raw .debug_frame, or .eh_frame_hdr +
 * .eh_frame with their lengths and addresses in a 10-byte prefix. Then a
 * few lookups and unwinds over a fake stack made from the input. The
 * corpus in tests/fuzz/corpus/fuzz_cfi/ has each mode (tests/fuzz/README.md). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "binary/cfi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fmem {
	const uint8_t *d;
	size_t n;
};

/* Reads: anything in [0x7000, 0x9000) is "stack", built from input bytes;
 * other addresses fail. */
static bool fread_u64(void *ctx, uint64_t addr, uint64_t *v)
{
	const struct fmem *m = ctx;
	if (addr < 0x7000 || addr >= 0x9000 || !m->n)
		return false;
	uint64_t x = 0;
	for (unsigned i = 0; i < 8; i++)
		x |= (uint64_t)m->d[(addr - 0x7000 + i) % m->n] << (8 * i);
	/* Bias some values to land in the mapped text or on the stack. */
	switch (x & 3) {
	case 0: x = 0x400000 + (x >> 8) % 0x100000; break;
	case 1: x = 0x7000 + (x >> 8) % 0x2000; break;
	default: break;
	}
	*v = x;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	uint8_t mode = data[0] & 3;
	data++;
	size--;
	struct cfi_table *t;
	uint64_t base = 0;
	switch (mode) {
	case 0:
		t = cfi_table_from_memory(data, size);
		break;
	case 1:
		t = cfi_table_from_sections(data, size, 0x1000, NULL, 0, 0, NULL, 0);
		base = 0x1000;
		break;
	case 2:
		t = cfi_table_from_sections(NULL, 0, 0, NULL, 0, 0, data, size);
		break;
	default: {
		/* u16 hdr_len, u32 hdr_vaddr, u32 eh_vaddr (little-endian), then
		 * hdr_len bytes of .eh_frame_hdr, then .eh_frame: real sections
		 * with their own addresses keep the table's pointers valid. */
		if (size < 10)
			return 0;
		uint16_t hl;
		uint32_t hv, ev;
		memcpy(&hl, data, 2);
		memcpy(&hv, data + 2, 4);
		memcpy(&ev, data + 6, 4);
		const uint8_t *h = data + 10;
		size_t rest = size - 10, split = hl < rest ? hl : rest;
		t = cfi_table_from_sections(h + split, rest - split, ev, h, split, hv, NULL, 0);
		base = ev;
		break;
	}
	}
	/* Lookups: addresses from the input and around the section. */
	struct cfi_row row;
	for (size_t i = 0; i + 4 <= size && i < 64; i += 4) {
		uint32_t a;
		memcpy(&a, data + i, 4);
		(void)cfi_table_row(t, a, &row);
		(void)cfi_table_rule(t, base + (a & 0xffff));
		(void)cfi_table_row(t, base - (a & 0x3fff), &row); /* code lies below .eh_frame */
	}
	uint64_t va;
	(void)cfi_table_offset_to_vaddr(t, size / 2, &va);
	/* Unwinds over a fake stack. */
	struct unwind_map maps[1] = { { 0x400000, 0x500000, 0x400000, t } };
	struct unwind_space as = { maps, 1 };
	struct fmem fm = { data, size };
	struct unwind_memory mem = { fread_u64, &fm };
	for (unsigned k = 0; k < 4; k++) {
		struct unwind_regs regs;
		memset(&regs, 0, sizeof(regs));
		for (unsigned r = 0; r < UNW_NREGS; r++) {
			uint64_t v = 0;
			fread_u64(&fm, 0x7000 + 8 * (r + k * 17), &v);
			regs.r[r] = v;
		}
		regs.valid = 0x1ffff & ~(k ? 1u << (k + 2) : 0);
		regs.r[UNW_RSP] = 0x7000 + 8 * k;
		regs.r[UNW_RIP] = 0x400000 + (regs.r[UNW_RIP] % 0x100000);
		uint64_t pcs[64];
		enum unwind_stop why;
		size_t n = unwind_stack(&as, &regs, &mem, pcs, 64, &why);
		if (n > 64)
			abort();
	}
	cfi_table_free(t);
	return 0;
}
