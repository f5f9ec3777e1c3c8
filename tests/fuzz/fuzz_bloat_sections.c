/* libFuzzer target: `sonde bloat --sections` on arbitrary bytes as an ELF
 * file (src/bloat/bloat_sections*.c): read, the table and JSON written
 * (-n 3 and all rows), and the columns checked to add up to the file and
 * to the VM TOTAL whatever the file claims. Corpus: tests/fuzz/corpus/
 * fuzz_bloat_sections (small ELF files of tests/fuzz/seeds.sh). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bloat/bloat_sections.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_sums(const struct bloat_sections *s)
{
	uint64_t file = 0, vm = 0, kinds = 0;
	bool capped = false;
	uint64_t want;
	/* VM sizes near 2^64 saturate (util/satadd.h): no sum to check then. */
	for (size_t i = 0; i < s->n; i++) {
		file += s->rows[i].file;
		if (__builtin_add_overflow(vm, s->rows[i].vm, &vm) || s->rows[i].vm == UINT64_MAX)
			capped = true;
	}
	if (__builtin_add_overflow(s->vm_size, s->tls_bss, &want) || want == UINT64_MAX)
		capped = true;
	for (int k = 0; k < BLOAT_KINDS; k++)
		kinds += s->kind_file[k];
	if (file != s->file_size || kinds != file)
		abort();
	if (!capped && vm != want)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	if (!sink) {
		elf_version(EV_CURRENT);
		sink = fopen("/dev/null", "w");
	}
	/* elf_memory wants a writable image that outlives the handle. */
	char *img = malloc(size ? size : 1);
	memcpy(img, data, size);
	Elf *elf = elf_memory(img, size);
	if (elf && elf_kind(elf) == ELF_K_ELF) {
		struct bloat_sections s;
		char err[256];
		if (!bloat_sections_read_elf(elf, size, &s, err, sizeof(err))) {
			check_sums(&s);
			struct bloat_opts o = { .n = 3, .section_view = true };
			bloat_sections_write(sink, "fuzz", &s, &o);
			o.n = 0;
			o.format = BLOAT_JSON;
			bloat_sections_write(sink, "fuzz", &s, &o);
			bloat_sections_free(&s);
		} else if (!memchr(err, 0, sizeof(err))) {
			abort();
		}
	}
	if (elf)
		elf_end(elf);
	free(img);
	return 0;
}
