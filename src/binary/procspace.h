/* Per-process address spaces for unwinding samples: which ELF file is
 * mapped where in each pid, kept current from mmap/exec/fork/exit events
 * (the maps are binary/addrspace.h's), with one cfi_table per file shared
 * by all processes.
 *
 * Used by the recorder (unwinding each sample's stack copy as it arrives)
 * and by the perf.data importer (for `perf record --call-graph dwarf`). */
#ifndef SONDE_BINARY_PROCSPACE_H
#define SONDE_BINARY_PROCSPACE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "binary/unwind.h"

struct procspaces;

struct procspaces *procspaces_new(void);
void procspaces_free(struct procspaces *ps);

/* An executable mapping of `path` at [start, start+len) from file offset
 * pgoff. Non-file maps ("[vdso]" is read from our own process, since the
 * kernel maps the same image everywhere; "//anon", "[heap]") are kept so
 * that addresses in them are known but have no CFI. */
void procspaces_mmap(struct procspaces *ps, uint32_t pid, uint64_t start, uint64_t len, uint64_t pgoff,
		     const char *path);
void procspaces_exec(struct procspaces *ps, uint32_t pid);
void procspaces_fork(struct procspaces *ps, uint32_t parent_pid, uint32_t child_pid);
void procspaces_exit(struct procspaces *ps, uint32_t pid);

/* perf's x86-64 user register numbering (enum perf_event_x86_regs). */
enum {
	PERF_X86_AX, PERF_X86_BX, PERF_X86_CX, PERF_X86_DX, PERF_X86_SI, PERF_X86_DI,
	PERF_X86_BP, PERF_X86_SP, PERF_X86_IP, PERF_X86_FLAGS, PERF_X86_CS, PERF_X86_SS,
	PERF_X86_DS, PERF_X86_ES, PERF_X86_FS, PERF_X86_GS,
	PERF_X86_R8, PERF_X86_R9, PERF_X86_R10, PERF_X86_R11, PERF_X86_R12, PERF_X86_R13,
	PERF_X86_R14, PERF_X86_R15,
};
/* The registers sonde asks the kernel for: the general-purpose ones + ip. */
#define PROCSPACE_REGS_MASK                                                                       \
	((1ull << PERF_X86_AX) | (1ull << PERF_X86_BX) | (1ull << PERF_X86_CX) | (1ull << PERF_X86_DX) | \
	 (1ull << PERF_X86_SI) | (1ull << PERF_X86_DI) | (1ull << PERF_X86_BP) | (1ull << PERF_X86_SP) | \
	 (1ull << PERF_X86_IP) | (0xffull << PERF_X86_R8))

/* Unwinds one user stack: `regs` holds popcount(mask) values in ascending
 * register-number order (as PERF_SAMPLE_REGS_USER delivers them), `stack`
 * the copy of user memory starting at the sampled SP. Writes the ip then
 * the return addresses into out[], returns the count; *truncated tells
 * that the walk ran out of stack copy before reaching the outermost frame. */
size_t procspaces_unwind(struct procspaces *ps, uint32_t pid, const uint64_t *regs, uint64_t mask,
			 const uint8_t *stack, size_t stack_len, uint64_t *out, size_t max, bool *truncated);

/* Bytes of stack copy the last procspaces_unwind actually read (UINT64_MAX
 * if it ran out): what sizes the default stack copy. */
uint64_t procspaces_last_need(const struct procspaces *ps);

#endif
