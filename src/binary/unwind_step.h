/* One step of the stack walker: a frame undone by its full CFI row
 * (expressions, signal frames) or by frame pointers. Shared by the
 * recorder's walker (unwind.c) and the preloaded runtime's walk of the
 * live stack (runtime/base/rt_stack.c), which applies compact rules itself. */
#ifndef SONDE_BINARY_UNWIND_STEP_H
#define SONDE_BINARY_UNWIND_STEP_H
#include "binary/cfi.h"

#define UNW_BIT(r) (1u << (r))
/* Registers a call clobbers: unknown in the caller's frame unless CFI says. */
#define UNW_CALLER_SAVED                                                                                  \
	(UNW_BIT(UNW_RAX) | UNW_BIT(UNW_RDX) | UNW_BIT(UNW_RCX) | UNW_BIT(UNW_RSI) | UNW_BIT(UNW_RDI) | \
	 UNW_BIT(UNW_R8) | UNW_BIT(UNW_R9) | UNW_BIT(UNW_R10) | UNW_BIT(UNW_R11))

enum unwind_step { STEP_OK, STEP_END, STEP_TRUNC, STEP_BAD, STEP_NOINFO };

/* The caller's registers from row (r: in, the frame's; out, the caller's). */
enum unwind_step unwind_step_row(const struct cfi_row *row, struct unwind_regs *r, const struct unwind_memory *mem);
/* The caller's registers by the frame-pointer chain. */
enum unwind_step unwind_step_fp(struct unwind_regs *r, const struct unwind_memory *mem);

#endif
