/* One compilation unit's part of the coz line table: each address range of
 * its line program charged to the innermost in-scope line of its inline
 * chain (the row's own line, else the call site of the innermost inlined
 * call whose site is in scope), as docs/coz.md describes. */
#ifndef SONDE_COZ_CU_H
#define SONDE_COZ_CU_H
#include <elfutils/libdw.h>

#include "coz/coz_linetab.h"
#include "coz/coz_scope.h"

/* Adds the CU's in-scope ranges to t (coz_linetab_range); unit_end: where
 * its unit ends in .debug_info. */
void coz_cu_add(struct coz_linetab *t, Dwarf_Die *cu, const void *unit_end, const struct coz_scope *scope);

#endif
