/* Where a DIE without children ends, so coz_cu.c can step past a subtree
 * it has walked itself: libdw's dwarf_siblingof reads the whole subtree
 * again when there is no DW_AT_sibling (LLVM, so rustc and clang, never
 * writes one), once per level of nesting. */
#ifndef SONDE_COZ_DIE_H
#define SONDE_COZ_DIE_H
#include <elfutils/libdw.h>
#include <stdint.h>

struct coz_die_unit {
	const unsigned char *end; /* the unit's end in .debug_info */
	uint8_t addr_size, offset_size;
};

/* The address just past leaf's attributes (where the next DIE or the
 * list's closing null is), or NULL for a form this does not size (the
 * caller then asks libdw). */
const unsigned char *coz_die_attrs_end(Dwarf_Die *leaf, const struct coz_die_unit *u);

#endif
