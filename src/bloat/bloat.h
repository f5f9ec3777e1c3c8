/* sonde bloat: what takes the space in a binary, from its ELF symbol table
 * and DWARF (cargo-bloat's questions, answered from the file itself).
 *
 *   bloat_image   one binary: its sections, the symbols of the selected
 *                 sections (aliases merged, gaps as pseudo-entries), each
 *                 entry's demangled names and crate
 *   views         functions / crates tables and JSON (bloat_view.c),
 *                 --generics, --inlined, --diff, --sections, the size
 *                 flamegraph (bloat_flame.c)
 */
#ifndef SONDE_BLOAT_BLOAT_H
#define SONDE_BLOAT_BLOAT_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum bloat_format { BLOAT_TABLE, BLOAT_JSON };

/* What the command line asked for (src/cmd/bloat.c fills it). */
struct bloat_opts {
	int n;                    /* rows to show; 0 = all (default 20) */
	bool crates;              /* per-crate totals */
	const char *filter;       /* a crate name, else a regex over names */
	bool split_std;           /* std, core, alloc, ... apart */
	bool full_fn;             /* names with their hash */
	bool wide;                /* no trimming to the terminal's width */
	bool no_relative_size;    /* no File / section percent columns */
	const char *sections;     /* --symbols-section: NAME[,NAME...] (default .text) */
	bool data;                /* objects of the data sections instead of functions */
	enum bloat_format format; /* --message-format */
	bool generics;            /* copies per generic function */
	bool inlined;             /* DWARF: bytes by the source they came from */
	bool section_view;        /* --sections: the file, section by section */
	const char *diff_old;     /* --diff OLD NEW */
	const char *diff_new;
	bool cargo_bloat;         /* run as `cargo bloat`: its notes, word for word */
};

struct profile;
/* The size flamegraph's model of path: crate -> module path -> function,
 * weight "size" (bytes); NULL after a one-line error (bloat_flame.c). */
struct profile *bloat_profile(const char *path, const struct bloat_opts *o);

/* Runs the view the options ask for on `path` (diff: on diff_old/new);
 * output on `out`. Returns the exit status (errors printed). */
int bloat_run(FILE *out, const char *path, const struct bloat_opts *o);

#endif
