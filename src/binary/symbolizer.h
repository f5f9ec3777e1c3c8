/* Address -> source locations, for user modules (ELF files) and the kernel.
 *
 * A symbolizer caches everything per module (ELF symbol tables, libdw
 * handles, and every address already resolved), so resolving the same
 * address twice costs one hash lookup. Results are owned by the symbolizer
 * and stay valid until symbolizer_free(). */
#ifndef SONDE_BINARY_SYMBOLIZER_H
#define SONDE_BINARY_SYMBOLIZER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sym_frame {
	const char *func; /* demangled function name, or NULL if unknown */
	const char *file; /* source file, or NULL */
	unsigned line;    /* 0 if unknown */
	bool inlined;     /* this frame was inlined into the next one */
	const char *comp_dir; /* its compilation directory (DWARF), or NULL:
			       * where a relative `file` is from */
};

/* One address resolved: frames[0] is the innermost (deepest inlined)
 * function, frames[nr-1] the real (out-of-line) function that contains the
 * address. nr >= 1 always; an unknown symbol has frames[0].func == NULL. */
struct sym_result {
	uint32_t nr;
	const struct sym_frame *frames;
	uint64_t sym_offset; /* address - start of the out-of-line symbol (for "sym+0x1a") */
};

struct symbolizer;

struct symbolizer *symbolizer_new(void);
void symbolizer_free(struct symbolizer *s);

/* Turn off inline expansion and source lines (faster; `--no-inline`). */
void symbolizer_set_inline(struct symbolizer *s, bool on);
/* Name code that no symbol covers by the .eh_frame FDE holding it
 * ("rg+0x4a2b10": module and function start) instead of leaving it
 * unknown: CPU profiles of stripped binaries then group per function.
 * Off by default (valgrind's and heaptrack's outputs say "???"). */
void symbolizer_set_fde_names(struct symbolizer *s, bool on);
/* Name the function an address is in by its ELF symbol, as perf and
 * valgrind do (a compiler's clone shows as one: "work.constprop.0"),
 * rather than by DWARF, as heaptrack does ("work"). Inlined frames are
 * DWARF's either way. Off by default. */
void symbolizer_set_symbol_names(struct symbolizer *s, bool on);

/* A module is an ELF file as it was mapped: path, optional build-id (from
 * the recording) to find separate debug info under /usr/lib/debug/.build-id
 * and to detect a rebuilt file, which is then read from the build-id cache
 * (binary/buildid_cache.h) when that holds the recorded build. Returns a
 * module handle (>= 0), the same handle for the same path+build-id. Never
 * fails: a missing file gives a module that resolves nothing. */
int symbolizer_module(struct symbolizer *s, const char *path, const uint8_t *build_id, size_t build_id_len);

/* The module's file offset -> ELF virtual address (via its PT_LOAD headers),
 * which is what the lookup below takes. Returns false if no segment covers it. */
bool symbolizer_offset_to_vaddr(struct symbolizer *s, int module, uint64_t file_offset, uint64_t *vaddr);

/* Resolves an ELF virtual address inside the module. For return addresses
 * the caller passes address-1 so the call instruction is found. */
const struct sym_result *symbolizer_lookup(struct symbolizer *s, int module, uint64_t vaddr);
/* The same from the symbol table alone, whatever symbolizer_set_inline
 * says: the function's name, no inlined frames or source line, and the
 * module's DWARF is not read. */
const struct sym_result *symbolizer_lookup_name(struct symbolizer *s, int module, uint64_t vaddr);

/* Kernel addresses, from /proc/kallsyms when readable (and not all zero).
 * Function names only; module symbols carry their module name. Returns
 * NULL if the kernel hides its symbols. */
const struct sym_result *symbolizer_kernel(struct symbolizer *s, uint64_t addr);
/* Starts reading kernel symbols in the background, so that the first
 * symbolizer_kernel() call finds them ready. */
void symbolizer_prefetch_kernel(struct symbolizer *s);
/* True if kernel symbols are visible (kallsyms readable with real addresses). */
bool symbolizer_kernel_available(struct symbolizer *s);

/* Short name of the module's file ("libc.so.6"), and whether the module's
 * file was found and parsed. */
const char *symbolizer_module_name(struct symbolizer *s, int module);
bool symbolizer_module_found(struct symbolizer *s, int module);
/* Why a module resolves nothing, e.g. "no such file" or "build-id mismatch";
 * NULL if the module is fine. */
const char *symbolizer_module_problem(struct symbolizer *s, int module);
/* Whether the recorded build is nowhere: the file at the module's path
 * changed (or is gone) since the recording, and neither the build-id cache
 * nor a debug directory holds the recorded build, so the module resolves
 * nothing. */
enum sym_stale { SYM_NOT_STALE, SYM_STALE_CHANGED, SYM_STALE_GONE };
enum sym_stale symbolizer_module_stale(struct symbolizer *s, int module);
/* The warning about a stale module, one line without prefix: the file,
 * the recorded and current build-ids, `effect` (what the reader sees
 * instead, e.g. "its frames in 12 samples show as [unknown]") and what to do. */
void symbolizer_stale_message(struct symbolizer *s, int module, const char *effect, char *buf, size_t n);

/* Demangles C++ (_Z), Rust legacy (_ZN...17h<hash>E, hash stripped) and
 * Rust v0 (_R...) symbols; returns a malloc'd string, or NULL if `sym` is
 * not mangled. */
char *sonde_demangle(const char *sym);
/* The same with Rust's hash ("app::f::h1a2b...") and v0 crate
 * disambiguators kept (cargo-bloat's --full-fn). */
char *sonde_demangle_full(const char *sym);

#endif
