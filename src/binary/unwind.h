/* Stack unwinding from DWARF call-frame information (.eh_frame via
 * .eh_frame_hdr, and .debug_frame), with frame-pointer fallback.
 *
 * Written once, used twice: by the recorder on a stack copy taken from
 * another process, and (later) by the preloaded runtime on the live stack.
 * Memory is reached only through `struct unwind_memory`. */
#ifndef SONDE_BINARY_UNWIND_H
#define SONDE_BINARY_UNWIND_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* DWARF register numbers on x86-64. */
enum {
	UNW_RAX, UNW_RDX, UNW_RCX, UNW_RBX, UNW_RSI, UNW_RDI, UNW_RBP, UNW_RSP,
	UNW_R8, UNW_R9, UNW_R10, UNW_R11, UNW_R12, UNW_R13, UNW_R14, UNW_R15,
	UNW_RIP, /* the return-address column */
	UNW_NREGS
};

struct unwind_regs {
	uint64_t r[UNW_NREGS];
	uint32_t valid; /* bit i set: r[i] is known */
};

/* Reads 8 bytes at addr; returns false if the address is not readable
 * (outside the stack copy, unmapped, ...). */
struct unwind_memory {
	bool (*read_u64)(void *ctx, uint64_t addr, uint64_t *val);
	void *ctx;
};

/* The unwind information of one ELF file, loaded once and shared by every
 * process that maps it. Thread-compatible, not thread-safe (the rule cache
 * is written on lookup). */
struct cfi_table;

/* Loads .eh_frame_hdr/.eh_frame and .debug_frame (also from a separate
 * debug file when the binary has none). Never fails: a missing file or one
 * without CFI gives a table that answers "no rule" (frame pointers are then
 * used). */
struct cfi_table *cfi_table_load(const char *path);
/* Same over an ELF image in memory (the vDSO, fuzzing); the bytes are copied. */
struct cfi_table *cfi_table_from_memory(const void *elf, size_t len);
void cfi_table_free(struct cfi_table *t);
/* File offset -> ELF virtual address via PT_LOAD; false if not covered. */
bool cfi_table_offset_to_vaddr(const struct cfi_table *t, uint64_t off, uint64_t *vaddr);
/* The function (the .eh_frame FDE's [start, end)) holding vaddr: what
 * names code that has no symbol (a stripped binary). False if no FDE. */
bool cfi_table_fde_range(struct cfi_table *t, uint64_t vaddr, uint64_t *start, uint64_t *end);

/* One executable mapping of an address space. */
struct unwind_map {
	uint64_t start, end; /* runtime addresses */
	int64_t bias;        /* runtime address - ELF vaddr */
	struct cfi_table *cfi; /* may be NULL: frame pointers only */
};

/* An address space: maps sorted by start, non-overlapping. The caller owns
 * the array and keeps it current (mmap/exec). */
struct unwind_space {
	const struct unwind_map *maps;
	size_t n;
};

enum unwind_stop {
	UNWIND_END,       /* reached the outermost frame (RA undefined / _start) */
	UNWIND_TRUNCATED, /* needed memory the stack copy does not have */
	UNWIND_NO_INFO,   /* no CFI and frame pointers led nowhere */
	UNWIND_BAD,       /* a rule produced nonsense (loop, stack going down) */
	UNWIND_MAX,       /* out[] is full */
};

/* Walks the stack from `regs` (ip, sp at least): writes the sampled ip then
 * each return address into out[] (at most max entries), returns the count,
 * and tells why it stopped in *why. */
size_t unwind_stack(const struct unwind_space *as, const struct unwind_regs *regs,
		    const struct unwind_memory *mem, uint64_t *out, size_t max, enum unwind_stop *why);

#endif
