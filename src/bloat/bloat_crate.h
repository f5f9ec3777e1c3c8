/* Which crate a function's bytes belong to.
 *
 * First the demangled path: a Rust symbol's first path segment is its
 * crate ("shapes::summarize"), and for an impl "<A as B>::f" the crate of
 * the type or of the trait (the impl lives in one of them). Where the
 * name can't tell (C and C++ code, "main", "<u8 as T>" with both crates
 * unknown, an impl whose two crates differ), the DWARF compilation unit
 * holding the address decides: a Rust unit is named "src/lib.rs/@/CRATE.
 * HASH-cgu.N", a C unit is put under its library's name (the directory it
 * was compiled in). Standard-library crates (core, alloc, hashbrown, ...:
 * compiled under /rustc/, or on the known list) are one "std" unless
 * split_std. */
#ifndef SONDE_BLOAT_BLOAT_CRATE_H
#define SONDE_BLOAT_BLOAT_CRATE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gelf.h>

#define BLOAT_UNKNOWN "[Unknown]"

struct bloat_crates;

/* Reads the compilation units of elf's DWARF, if any (cheap: unit headers
 * and their address ranges only). Never NULL. */
struct bloat_crates *bloat_crates_new(Elf *elf);
void bloat_crates_free(struct bloat_crates *c);
/* Does the binary have DWARF units at all? */
bool bloat_crates_have_dwarf(const struct bloat_crates *c);

/* The crate of the code at addr of symbol `sym` whose (hash-free)
 * demangled name is `name` (NULL if it did not demangle; `rust` tells a
 * Rust symbol). The result lives as long as c. */
const char *bloat_crate_of(struct bloat_crates *c, const char *sym, const char *name, bool rust, uint64_t addr,
			   bool split_std);
/* A Rust symbol: v0 (_R...) or legacy _ZN...17h<16 hex>E, maybe with a
 * suffix LLVM added (".llvm.123"). Only its demangled path starts with
 * its crate. */
bool bloat_is_rust_symbol(const char *sym);
/* The first crate root of a v0 symbol ("_RNvCs1a_4core3foo" -> "core"),
 * for names that don't start with one ("<str>::f"). Pure. */
bool bloat_v0_crate(const char *sym, char *out, size_t n);
/* The crate of the compilation unit covering addr, or NULL (no DWARF
 * there); not folded into std. */
const char *bloat_crate_at(struct bloat_crates *c, uint64_t addr);
/* Is `crate` one of the standard library's crates? */
bool bloat_crate_is_std(struct bloat_crates *c, const char *crate);
/* The crate as shown: std's crates as "std" unless split_std. */
const char *bloat_crate_shown(struct bloat_crates *c, const char *crate, bool split_std);

/* The crates a demangled Rust path names, without DWARF: *type_crate is
 * the path's (or the impl type's) first segment, *trait_crate the impl
 * trait's, each "" when there is none ("<u8 as core::fmt::Debug>::fmt":
 * "", "core"). Written into the two buffers (n bytes each). Pure, for
 * unit tests. */
void bloat_path_crates(const char *name, char *type_crate, char *trait_crate, size_t n);

/* The crate a compilation unit stands for: a Rust unit's from its name
 * ("src/main.rs/@/app.1a2b-cgu.0" -> "app"), any other's from the
 * directory it was compiled in ("/src/zlib-1.3/build" -> "zlib", else that
 * directory's last component). Into out (n bytes); false if nothing fits. */
bool bloat_unit_crate(const char *name, const char *comp_dir, bool rust, char *out, size_t n);

#endif
