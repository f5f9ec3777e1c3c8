/* Memcheck's guard-page mode: what the instruction at a faulting RIP does
 * to its memory operand, so the SIGSEGV handler can say "Invalid read of
 * size N" / "Invalid write of size N" as valgrind does. A small x86-64
 * decoder for what compilers emit for ordinary loads and stores (general
 * purpose, x87, SSE, AVX, AVX-512 moves and common arithmetic). Pure: no
 * allocation, no locks, no mutable state; safe in a signal handler. */
#ifndef SONDE_RT_MC_INSN_H
#define SONDE_RT_MC_INSN_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mc_access {
	unsigned size;    /* bytes accessed through the memory operand (1, 2, 4, 8, 10, 16,
			   * 32, 64, or e.g. 28/108/512 for x87/fxsave state); 0: unknown */
	bool read, write; /* reads / writes its memory operand (both for read-modify-write:
			   * add [m],r, inc [m], xchg, cmpxchg, xadd) */
	unsigned length;  /* total instruction length in bytes */
};

/* Decodes the instruction at code (avail bytes readable; never reads
 * beyond code[avail - 1], nor past the end of the instruction: it reads
 * prefixes, opcode, ModRM and SIB and skips displacement and immediate,
 * so a fault handler may pass 15 for a RIP near the end of a mapping).
 * Returns false, with *out zeroed, when it cannot tell: unknown or
 * invalid opcode, no memory operand (mod == 3, or none in the encoding),
 * or fewer than the instruction's length bytes available.
 * An instruction whose memory operand is only an address (lea, nop,
 * prefetch) gives true with size 0 and neither read nor write. String
 * instructions: movs and stos report the write to [rdi], lods, cmps and
 * scas a read. */
bool mc_insn_access(const uint8_t *code, size_t avail, struct mc_access *out);

#endif
