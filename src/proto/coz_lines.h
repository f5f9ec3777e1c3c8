/* The line table `sonde coz run` hands libsonde-coz.so (through an
 * inherited memfd named by SONDE_COZ_TABLE_FD): the in-scope binary's
 * address ranges, each mapped to a source line, so the runtime can tell
 * which line a sample hit during the run (experiments need it then) without
 * a DWARF reader of its own. Addresses are the ELF's link-time addresses;
 * the runtime adds the load bias. Native byte order (same machine). */
#ifndef SONDE_PROTO_COZ_LINES_H
#define SONDE_PROTO_COZ_LINES_H
#include <stdint.h>

#define COZ_LINES_MAGIC 0x31544c5a4f43534eull /* "NSCOZLT1" */

struct coz_lines_header {
	uint64_t magic;
	uint32_t nranges; /* struct coz_range[], sorted by lo, disjoint */
	uint32_t nlines;  /* struct coz_line[] after the ranges */
	uint32_t strbytes; /* NUL-terminated file names after the lines */
	uint32_t reserved;
};

struct coz_range {
	uint64_t lo, hi; /* [lo, hi) */
	uint32_t line;   /* index into the lines */
	uint32_t reserved;
};

struct coz_line {
	uint32_t file; /* offset of the file name in the strings */
	uint32_t line;
};

/* The environment the runtime reads (all set by `sonde coz run`). */
#define COZ_ENV_TABLE_FD "SONDE_COZ_TABLE_FD"
#define COZ_ENV_OUT_FD "SONDE_COZ_OUT_FD"
#define COZ_ENV_FIXED_LINE "SONDE_COZ_FIXED_LINE" /* a line index */
#define COZ_ENV_FIXED_SPEEDUP "SONDE_COZ_FIXED_SPEEDUP" /* 0..100 */
#define COZ_ENV_END_TO_END "SONDE_COZ_END_TO_END" /* set: one experiment, the whole run */

#endif
