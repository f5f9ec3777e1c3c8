/* Allocations sonde heap cannot see, and why: the executable carries its own
 * allocator (jemalloc, mimalloc, ... linked in; a malloc of its own; a Rust
 * #[global_allocator] that never calls malloc), or it is statically linked so
 * LD_PRELOAD does nothing. An empty profile then says nothing; these checks
 * let `sonde heap` and its report say so. Found in the executable's symbol
 * table (a stripped one hides it); a Rust custom allocator may just wrap
 * malloc, so for it the trace decides. */
#ifndef SONDE_HEAP_ALLOCATOR_CHECK_H
#define SONDE_HEAP_ALLOCATOR_CHECK_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "heap/analysis.h"
#include "heap/trace.h"

enum heap_alloc_kind {
	HEAP_ALLOC_SYSTEM,      /* malloc & co of the C library: seen */
	HEAP_ALLOC_RUST_CUSTOM, /* a Rust #[global_allocator]: seen only if it calls malloc */
	HEAP_ALLOC_OWN_MALLOC,  /* the executable defines malloc itself */
	HEAP_ALLOC_LINKED,      /* an allocator library is linked in (name) */
	HEAP_ALLOC_STATIC_EXE,  /* no program interpreter: nothing is preloaded */
};

/* What the symbols say; feed every symbol to heap_alloc_scan_symbol(). */
struct heap_alloc_scan {
	const char *lib; /* a known allocator library's name, or NULL */
	bool own_malloc, rust_alloc, rust_default, rust_glue, has_interp;
};
void heap_alloc_scan_symbol(struct heap_alloc_scan *s, const char *name, bool defined);
/* The verdict; *name gets the allocator's name for HEAP_ALLOC_LINKED. */
enum heap_alloc_kind heap_alloc_scan_result(const struct heap_alloc_scan *s, const char **name);

/* Scans an executable. Returns false when it is not a readable ELF file. */
bool heap_alloc_check_file(const char *path, enum heap_alloc_kind *kind, const char **name);

/* Allocation calls made straight from the executable's code (the frame
 * that called malloc lies in it): a Rust allocator that wraps malloc makes
 * them, one that doesn't leaves none. */
uint64_t heap_alloc_exe_calls(const struct heap_trace *t, const struct heap_analysis *a);

/* The sentence for a kind that hides allocations (not SYSTEM). */
void heap_alloc_message(char *buf, size_t n, const char *prog, enum heap_alloc_kind kind, const char *name);

/* After `sonde heap CMD`: warns on stderr when CMD's allocations were not
 * seen (reads the trace back only for a Rust custom allocator). */
void heap_alloc_check_recorded(const char *argv0, const char *trace);

/* For a report: prints "note: ..." to out, or (out NULL) warns on stderr,
 * when the traced executable's allocations were not seen. */
void heap_alloc_check_report(FILE *out, const struct heap_trace *t, const struct heap_analysis *a);

#endif
