/* The CFI tables over ELF images (cfi_table.c), with what they need from
 * their host passed in: sonde's (cfi_load.c: xmalloc, zlib/zstd, separate
 * debug files found with libelf) or the preloaded runtime's (its own
 * allocator, nothing else). */
#ifndef SONDE_BINARY_CFI_TABLE_H
#define SONDE_BINARY_CFI_TABLE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "binary/unwind.h"

struct cfi_env {
	void *(*alloc)(size_t n);            /* never NULL (the host gives up itself) */
	void *(*realloc)(void *p, size_t n); /* never NULL */
	void (*free)(void *p);
	/* An SHF_COMPRESSED section (its Elf64_Chdr first) decompressed into
	 * a buffer env->free takes, its length in *out_len; NULL if it cannot be.
	 * NULL: compressed sections are skipped. */
	void *(*decompress)(const uint8_t *sec, size_t len, size_t *out_len);
	/* Looks for .debug_frame in a separate debug file of the ELF file at
	 * path (handing each candidate to cfi_table_debug_file until one is
	 * taken). NULL: only the file's own .debug_frame is used. */
	void (*find_debug)(struct cfi_table *t, const char *path);
};

/* The table of the ELF file at path (mapped); never NULL, see cfi_table_load. */
struct cfi_table *cfi_table_open(const struct cfi_env *env, const char *path);
/* The table of an ELF image in memory (copied). */
struct cfi_table *cfi_table_image(const struct cfi_env *env, const void *elf, size_t len);
/* The table of bare sections (copied); hdr and debug_frame may be NULL. */
struct cfi_table *cfi_table_sections(const struct cfi_env *env, const uint8_t *eh_frame, size_t eh_len,
				     uint64_t eh_vaddr, const uint8_t *hdr, size_t hdr_len, uint64_t hdr_vaddr,
				     const uint8_t *debug_frame, size_t dbg_len);
/* For find_debug: takes the .debug_frame of the ELF file at path (mapped
 * and kept with t); false if it has none. */
bool cfi_table_debug_file(struct cfi_table *t, const char *path);

#endif
