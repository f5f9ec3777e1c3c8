/* libFuzzer target: ELF symbol tables, notes, debuglink, program headers
 * and the DWARF index on arbitrary bytes. `make fuzz`, then
 *   build-fuzz/fuzz/fuzz_elf -max_total_time=60 NEW_DIR tests/fuzz/corpus/fuzz_elf
 * (its corpus grew from ELF files of a few kB: tests/fuzz/README.md).
 * SONDE_FUZZ_NO_DWARF=1 limits it to sonde's own ELF code (libdw 0.188 has
 * known crashes on hostile DWARF that are not ours to fix). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "binary/dwarf_lines.h"
#include "binary/elf_symbols.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init, no_dwarf;
	if (!init) {
		init = 1;
		elf_version(EV_CURRENT);
		no_dwarf = getenv("SONDE_FUZZ_NO_DWARF") != NULL;
	}
	/* elf_memory wants a writable image that outlives the handle. */
	char *img = malloc(size ? size : 1);
	memcpy(img, data, size);
	Elf *elf = elf_memory(img, size);
	if (!elf || elf_kind(elf) != ELF_K_ELF) {
		if (elf)
			elf_end(elf);
		free(img);
		return 0;
	}
	struct elf_symtab t = { 0 };
	elf_symtab_add(&t, elf);
	elf_symtab_finish(&t);
	uint64_t probe[8] = { 0, 1, 0x1000, 0x1040, 0x401000, UINT64_MAX };
	if (t.n) {
		probe[6] = t.syms[0].start + 1;
		probe[7] = t.syms[t.n / 2].end - 1;
	}
	for (int i = 0; i < 8; i++) {
		const struct elf_sym *s = elf_symtab_find(&t, probe[i]);
		if (s && strlen(elf_sym_name(&t, s)) == (size_t)-1)
			abort();
	}
	uint8_t bid[ELF_BUILD_ID_MAX];
	(void)elf_build_id(elf, bid, sizeof(bid));
	char name[256];
	uint32_t crc;
	(void)elf_debuglink(elf, name, sizeof(name), &crc);
	struct elf_load loads[16];
	size_t nl = elf_loads(elf, loads, 16);
	uint64_t v;
	(void)elf_loads_offset_to_vaddr(loads, nl, 0x1000, &v);
	(void)elf_has_section_data(elf, ".debug_info");
	if (!no_dwarf) {
		struct dwarf_lines *d = dwarf_lines_new(elf);
		if (d) {
			struct dwarf_raw_frame fr[DWARF_MAX_INLINE + 1];
			uint64_t lo;
			for (int i = 0; i < 8; i++)
				(void)dwarf_lines_lookup(d, probe[i], fr, DWARF_MAX_INLINE + 1, &lo);
			dwarf_lines_free(d);
		}
	}
	elf_symtab_free(&t);
	elf_end(elf);
	free(img);
	return 0;
}
