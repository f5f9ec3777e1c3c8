/* The line table `sonde coz run` hands libsonde-coz.so (through an
 * inherited memfd named by SONDE_COZ_TABLE_FD): for each in-scope object
 * (the executable, shared libraries) its address ranges, each mapped to a
 * source line, so the runtime can tell which line a sample hit during the
 * run (experiments need it then) without a DWARF reader of its own.
 * Addresses are each object's link-time addresses; the runtime adds the
 * object's load bias, found with dl_iterate_phdr. Native byte order (same
 * machine). Layout: header, objects, ranges, lines, strings. */
#ifndef SONDE_PROTO_COZ_LINES_H
#define SONDE_PROTO_COZ_LINES_H
#include <stdint.h>

#define COZ_LINES_MAGIC 0x32544c5a4f43534eull /* "NSCOZLT2" */
#define COZ_MAX_OBJECTS 256

struct coz_lines_header {
	uint64_t magic;
	uint32_t nobjects; /* struct coz_object[] after the header, at most COZ_MAX_OBJECTS */
	uint32_t nranges;  /* struct coz_range[] after the objects */
	uint32_t nlines;   /* struct coz_line[] after the ranges */
	uint32_t strbytes; /* NUL-terminated names (files, objects) after the lines */
};

#define COZ_OBJECT_MAIN 1u /* the executable: dl_iterate_phdr's first object */

struct coz_object {
	/* st_dev, st_ino of the file sonde read: the runtime recognises the
	 * loaded object by them, whatever path (symlink, "..") the loader used */
	uint64_t dev, ino;
	uint64_t lo, hi;         /* link-time extent of its ranges */
	uint32_t path;           /* offset of its real path in the strings */
	uint32_t flags;          /* COZ_OBJECT_* */
	uint32_t first, nranges; /* its ranges: sorted by lo, disjoint */
};

struct coz_range {
	uint64_t lo, hi; /* [lo, hi), link-time */
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
/* All of them, for the two places that clear them (sonde after the
 * launch, the runtime at load): an initializer, NULL-terminated. */
#define COZ_ENV_ALL                                                                                 \
	{ COZ_ENV_TABLE_FD, COZ_ENV_OUT_FD, COZ_ENV_FIXED_LINE, COZ_ENV_FIXED_SPEEDUP, COZ_ENV_END_TO_END, \
	  NULL }

#endif
