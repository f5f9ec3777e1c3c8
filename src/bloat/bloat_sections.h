/* sonde bloat --sections: the file section by section, as bloaty's default
 * view shows it. FILE SIZE is each section's bytes in the file (0 for
 * SHT_NOBITS), VM SIZE its bytes in memory (sh_size if SHF_ALLOC); the
 * pseudo-rows [ELF Header], [ELF Program Headers], [ELF Section Headers],
 * [LOAD #i [RWX]] (segment bytes in no section) and [Unmapped] (file bytes
 * in nothing: alignment padding) make the FILE column add up to the file's
 * size and the VM column to the address space of the PT_LOAD segments.
 * Below the table, the bytes by kind: loaded, debug info, symbol table,
 * other, headers, and what `strip` would save. */
#ifndef SONDE_BLOAT_BLOAT_SECTIONS_H
#define SONDE_BLOAT_BLOAT_SECTIONS_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <gelf.h>

#include "bloat/bloat.h"

enum bloat_sec_kind {
	BLOAT_LOADED,  /* SHF_ALLOC sections, segment bytes in no section */
	BLOAT_DEBUG,   /* .debug_*, .zdebug_*, their relocations, .stab, ... */
	BLOAT_SYMTAB,  /* .symtab, its string table (.strtab), .symtab_shndx */
	BLOAT_OTHER,   /* other sections not loaded (.comment, .shstrtab), [Unmapped] */
	BLOAT_HEADERS, /* ELF header, program and section header tables */
	BLOAT_KINDS
};

struct bloat_sec_row {
	char *name;         /* section name as in the file (untrusted), or [pseudo] */
	uint64_t file, vm;
	enum bloat_sec_kind kind;
	unsigned nsec;      /* sections merged into the row (same name) */
	bool tls_bss;       /* .tbss: per-thread memory, not in the VM TOTAL */
};

struct bloat_sections {
	uint64_t file_size;      /* st_size: the FILE column's sum */
	uint64_t vm_size;        /* the VM column's sum, .tbss left out */
	struct bloat_sec_row *rows; /* biggest first: max(file, vm), then name */
	size_t n;
	uint64_t kind_file[BLOAT_KINDS], kind_vm[BLOAT_KINDS];
	unsigned kind_nsec[BLOAT_KINDS]; /* sections of each kind */
	uint64_t kind_names[BLOAT_KINDS]; /* their names' bytes in .shstrtab */
	uint64_t tls_bss;        /* VM of the SHF_TLS NOBITS sections */
	/* Estimates: the sections' bytes, header entries and names (strip also
	 * drops STT_FILE symbols, rewrites .strtab and realigns: ~0.5% more). */
	uint64_t strip_saves, strip_debug_saves;
	bool relocatable;        /* ET_REL: no segments; VM = alloc sections */
};

/* Reads the sections of an open ELF of file_size bytes. Returns 0, or -1
 * with a one-line reason in err (a truncated or corrupt file). */
int bloat_sections_read_elf(Elf *elf, uint64_t file_size, struct bloat_sections *s, char *err, size_t errsz);
/* Opens path and reads it; errors printed (error()), -1. */
int bloat_sections_read(const char *path, struct bloat_sections *s);
void bloat_sections_free(struct bloat_sections *s);

/* Prints the table (or JSON, o->format) for the file at path; o->n rows
 * (0 = all), the rest folded into one [N Others] row. Returns the exit
 * status: 0, or 1 after printing one line of error. */
int bloat_sections_print(FILE *out, const char *path, const struct bloat_opts *o);
/* The same for a file already read. */
void bloat_sections_write(FILE *out, const char *path, const struct bloat_sections *s, const struct bloat_opts *o);

#endif
