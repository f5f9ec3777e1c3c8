/* ELF helpers for the symbolizer: function symbol tables (.symtab merged
 * with .dynsym), build-id notes, .gnu_debuglink, PT_LOAD segments. Every
 * function takes an already opened libelf handle and tolerates malformed
 * files (it then finds less, never crashes). */
#ifndef SONDE_BINARY_ELF_SYMBOLS_H
#define SONDE_BINARY_ELF_SYMBOLS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gelf.h>

struct elf_sym {
	uint64_t start, end; /* [start, end); end fixed up for zero-size symbols */
	uint64_t size;       /* st_size as in the file (0 for labels) */
	uint64_t sec_end;    /* end of the containing section, 0 if unknown */
	uint32_t name;       /* offset into elf_symtab.names */
	uint32_t score;      /* preference among aliases at one address */
};

struct elf_symtab {
	struct elf_sym *syms;
	size_t n, cap;
	char *names;
	size_t names_len, names_cap;
	bool finished;
};

/* Adds the function symbols of `elf` (.symtab and .dynsym); call it for a
 * debug file and its stripped main file alike. Among aliases at one address
 * the best named wins (sized, function, global, no leading underscore,
 * shortest), then the one added first. Returns the number added. */
size_t elf_symtab_add(struct elf_symtab *t, Elf *elf);
/* Sorts, merges aliases and computes ends. Call once after the adds. */
void elf_symtab_finish(struct elf_symtab *t);
/* The symbol containing addr, or NULL. */
const struct elf_sym *elf_symtab_find(const struct elf_symtab *t, uint64_t addr);
static inline const char *elf_sym_name(const struct elf_symtab *t, const struct elf_sym *s)
{
	return t->names + s->name;
}
void elf_symtab_free(struct elf_symtab *t);

#define ELF_BUILD_ID_MAX 64
/* The NT_GNU_BUILD_ID note; returns its length (0 if none). */
size_t elf_build_id(Elf *elf, uint8_t *out, size_t max);
/* .gnu_debuglink: file name and CRC32 of the debug file. */
bool elf_debuglink(Elf *elf, char *name, size_t namesz, uint32_t *crc);
/* True if the file has a section `name` with contents (not SHT_NOBITS). */
bool elf_has_section_data(Elf *elf, const char *name);

struct elf_load {
	uint64_t offset, vaddr, filesz, memsz, align;
};
/* PT_LOAD segments, up to max; returns how many were stored. */
size_t elf_loads(Elf *elf, struct elf_load *out, size_t max);
/* File offset -> vaddr through the PT_LOAD table. */
bool elf_loads_offset_to_vaddr(const struct elf_load *loads, size_t n, uint64_t off, uint64_t *vaddr);

/* Opens an ELF file for reading; returns NULL (and closes fd) if it is not
 * a readable ELF object. *fd_out receives the descriptor to close later. */
Elf *elf_open_file(const char *path, int *fd_out);
void elf_close_file(Elf *elf, int fd);

/* Every named symbol of .symtab and .dynsym, defined or not (a name in both
 * tables comes twice), for callers that look for particular names. */
struct elf_any_sym {
	const char *name;
	uint64_t value, size;
	int type, bind;
	bool defined;
};
/* Calls fn for each; stops early when fn returns false. */
void elf_each_symbol(Elf *elf, bool (*fn)(const struct elf_any_sym *s, void *ctx), void *ctx);
/* Copies up to n bytes of the file's image of vaddr (through PT_LOAD);
 * returns how many were copied (0 when vaddr isn't backed by the file). */
size_t elf_read_vaddr(Elf *elf, uint64_t vaddr, void *buf, size_t n);

#endif
