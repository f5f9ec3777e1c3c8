/* DWARF (libdw) address lookups for the symbolizer: which compilation unit
 * and function contain an address, its inline chain and source lines.
 * Indexes are built lazily (CU ranges on first use, a CU's functions on the
 * first address in it) and never rebuilt; .debug_aranges is not needed. */
#ifndef SONDE_BINARY_DWARF_LINES_H
#define SONDE_BINARY_DWARF_LINES_H
#include <stdint.h>

#include <gelf.h>

struct dwarf_raw_frame {
	const char *linkage; /* DW_AT_linkage_name (mangled), or NULL */
	const char *name;    /* DW_AT_name, or NULL */
	const char *file;    /* owned by libdw */
	unsigned line;
	const char *comp_dir; /* the compilation unit's DW_AT_comp_dir, or NULL */
};

struct dwarf_lines;

/* NULL if the ELF has no usable DWARF. The Elf must outlive the result. */
struct dwarf_lines *dwarf_lines_new(Elf *elf);
void dwarf_lines_free(struct dwarf_lines *d);

#define DWARF_MAX_INLINE 64
/* Fills frames innermost first (inlined functions, then the out-of-line
 * function last); returns their count, 0 if no CU covers addr. A CU hit
 * without a containing function gives one frame with no names. *func_lo is
 * the start of the out-of-line function's range containing addr (or addr). */
int dwarf_lines_lookup(struct dwarf_lines *d, uint64_t addr, struct dwarf_raw_frame *frames, int max,
		       uint64_t *func_lo);

#endif
