/* One binary as sonde bloat counts it: the symbols of the chosen sections
 * (functions in code sections, objects in data sections), aliases at one
 * address counted once, and the bytes no symbol covers as pseudo-entries,
 * so that the entries add up to the sections exactly:
 *
 *   [padding]      gaps under 64 bytes ending at an address aligned past
 *                  their size: alignment between functions
 *   [no symbol]    any other gap (stripped code, string literals), under
 *                  the crate of the DWARF unit there when there is one
 *
 * A symbol nested in (or overlapping) an earlier one, or running past
 * its section's end, has only the bytes no earlier symbol has (nm -S
 * shows its whole st_size); one wholly inside another has no row.
 *
 * A gap that starts at a label (a symbol without a size: crt's
 * frame_dummy, hand-written assembly) is that label's, up to the next
 * symbol.
 *
 * Names are demangled and crates resolved on first use (a 50 MB binary's
 * default view needs the 20 biggest only). */
#ifndef SONDE_BLOAT_BLOAT_IMAGE_H
#define SONDE_BLOAT_BLOAT_IMAGE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gelf.h>

#include "bloat/bloat.h"
#include "util/vec.h"

struct bloat_crates;

enum bloat_kind { BLOAT_SYMBOL, BLOAT_PADDING, BLOAT_NOSYM };

struct bloat_section {
	const char *name;
	uint64_t addr, size, offset;
	uint64_t flags;
	uint32_t type;
	bool chosen; /* counted (--symbols-section, --data) */
};

struct bloat_entry {
	uint64_t addr, size;
	const char *sym;  /* the symbol's name (in the ELF's string table) */
	uint32_t sec;     /* index into secs */
	uint8_t kind;     /* enum bloat_kind */
	bool local;       /* STB_LOCAL */
	const char *gap_crate; /* BLOAT_NOSYM: the unit's crate, or NULL */
	bool labelled;         /* a symbol without a size (a label): its size is
				* the bytes up to the next symbol (nm -S shows none) */
};

struct bloat_image {
	const char *path;
	uint64_t file_size;
	VEC(struct bloat_section) secs;
	uint64_t chosen_size;  /* bytes of the chosen sections */
	uint64_t chosen_file_size; /* the same, less SHT_NOBITS (.bss): in the file */
	char *chosen_label;    /* ".text", or ".rodata, .data, .bss" */
	size_t chosen_count;
	VEC(struct bloat_entry) entries; /* symbols first (nsyms), then gaps */
	size_t nsyms;
	bool split_std;
	uint64_t tls_base; /* PT_TLS's address, UINT64_MAX if none */
	struct bloat_crates *crates;
	char **short_names, **full_names; /* per entry, made on first use */
	const char **crate_names;
	Elf *elf;
	int fd;
};

/* Opens path and collects the entries the options choose; prints a
 * one-line error and returns -1 if it can't. */
int bloat_image_open(struct bloat_image *img, const char *path, const struct bloat_opts *o);
void bloat_image_close(struct bloat_image *img);

/* Entry i's name: demangled without hash (full: with it), the symbol
 * itself when it does not demangle, or the gap's label. */
const char *bloat_name(struct bloat_image *img, size_t i, bool full);
/* Entry i's crate as shown (std's crates folded unless split_std). */
const char *bloat_crate(struct bloat_image *img, size_t i);

/* Entry i's bytes in the file: its size, 0 in a SHT_NOBITS section. */
static inline uint64_t bloat_file_bytes(const struct bloat_image *img, size_t i)
{
	const struct bloat_entry *e = &img->entries.v[i];
	return img->secs.v[e->sec].type == SHT_NOBITS ? 0 : e->size;
}

/* "12.3KiB" (cargo-bloat's units: B, KiB, MiB with one decimal). */
void bloat_fmt_size(uint64_t bytes, char *buf, size_t n);

#endif
