/* exit, _exit and _Exit, interposed: the stream ends (_exit: the runtime
 * finishes here, as no destructor will run), and memcheck mode learns where
 * the program stood when it called them.
 *
 * Why the caller's stack pointer and registers: valgrind checks leaks at
 * the exit syscall. The exiting thread's registers are no roots then
 * (valgrind counts them as gone with the thread); its roots are the stack
 * words above the stack pointer that hold defined values. The frames the
 * program left before the call are gone (below the stack pointer), and
 * frames made since (exit's own, the runtime's) hold only what they wrote:
 * their unwritten slots are undefined to valgrind, however stale a pointer
 * they still contain. The runtime cannot tell a written slot from a stale
 * one, so it scans the stack from the caller's frame up and adds, as
 * roots, the caller's registers that those frames save on the stack under
 * valgrind: exit's frames save every callee-saved register; after _exit
 * only valgrind's own freeres wrapper, which runs before its check, saves
 * rbx and rbp (valgrind 3.19 built by gcc: r12-r15 held by the caller at
 * _exit are not found). Caller-saved registers are never found. */
#include <dlfcn.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "rt_core.h"
#include "rt_ops.h"

#define EXPORT __attribute__((visibility("default")))
#define HIDDEN __attribute__((visibility("hidden"), used))

/* The saved registers, in the order the x86-64 entry below stores them. */
enum { R_AX, R_BX, R_CX, R_DX, R_SI, R_DI, R_BP, R_SP, R_8, R_9, R_10, R_11, R_12, R_13, R_14, R_15, NSAVED };

static void note_caller(const uint64_t *regs, bool libc_exit)
{
	static const int saved[] = { R_BX, R_BP, R_12, R_13, R_14, R_15 };
	size_t n = libc_exit ? 6 : 2;
	uint64_t w[6];
	for (size_t i = 0; i < n; i++)
		w[i] = regs[saved[i]];
	if (rt_ops->exit_regs)
		rt_ops->exit_regs(regs[R_SP], w, n);
}

HIDDEN __attribute__((noreturn)) void rt_exit_entry(int status, const uint64_t *regs)
{
	if (rt_traced_here()) { /* a vfork child's _exit ends only the child */
		uint64_t ip = 0, sp = 0, bp = 0;
		if (regs) {
			note_caller(regs, false);
			ip = *(const uint64_t *)(uintptr_t)regs[R_SP]; /* the return address */
			sp = regs[R_SP] + 8;
			bp = regs[R_BP];
		}
		rt_finish_exit(ip, sp, bp);
	}
	syscall(SYS_exit_group, status);
	__builtin_unreachable();
}

HIDDEN __attribute__((noreturn)) void rt_exit_libc_entry(int status, const uint64_t *regs)
{
	static void (*real_exit)(int);
	if (!real_exit)
		real_exit = (void (*)(int))rt_real_sym("exit");
	if (regs && rt_traced_here())
		note_caller(regs, true);
	if (!real_exit) /* no libc exit to hand over to: end as _exit would */
		rt_exit_entry(status, NULL);
	real_exit(status);
	__builtin_unreachable();
}

#if defined(__x86_64__)
/* Entry points that save every general-purpose register (R_SP: the stack
 * pointer at entry, pointing at the return address) below the stack
 * pointer, then call the C side with the status still in edi. 136 bytes:
 * 16 slots and 8 more, so the call is made with a 16-byte aligned stack.
 * With CFI, so stacks taken in exit's handlers unwind through them. */
#ifdef __CET__
#define ENDBR "endbr64\n"
#else
#define ENDBR ""
#endif
#define EXIT_ENTRY(name, target)                                                      \
	__asm__(".text\n"                                                             \
		".globl " #name "\n"                                                  \
		".type " #name ", @function\n" #name ":\n" ENDBR                      \
		".cfi_startproc\n"                                                    \
		"subq $136, %rsp\n"                                                   \
		".cfi_adjust_cfa_offset 136\n"                                        \
		"movq %rax, 0(%rsp)\n"                                                \
		"movq %rbx, 8(%rsp)\n"                                                \
		"movq %rcx, 16(%rsp)\n"                                               \
		"movq %rdx, 24(%rsp)\n"                                               \
		"movq %rsi, 32(%rsp)\n"                                               \
		"movq %rdi, 40(%rsp)\n"                                               \
		"movq %rbp, 48(%rsp)\n"                                               \
		"leaq 136(%rsp), %rax\n"                                              \
		"movq %rax, 56(%rsp)\n"                                               \
		"movq %r8, 64(%rsp)\n"                                                \
		"movq %r9, 72(%rsp)\n"                                                \
		"movq %r10, 80(%rsp)\n"                                               \
		"movq %r11, 88(%rsp)\n"                                               \
		"movq %r12, 96(%rsp)\n"                                               \
		"movq %r13, 104(%rsp)\n"                                              \
		"movq %r14, 112(%rsp)\n"                                              \
		"movq %r15, 120(%rsp)\n"                                              \
		"movq %rsp, %rsi\n"                                                   \
		"call " #target "\n"                                                  \
		"ud2\n"                                                               \
		".cfi_endproc\n"                                                      \
		".size " #name ", .-" #name "\n")
EXIT_ENTRY(_exit, rt_exit_entry);
EXIT_ENTRY(_Exit, rt_exit_entry);
EXIT_ENTRY(exit, rt_exit_libc_entry);
#else
/* Elsewhere the caller's registers are not saved: the leak check scans the
 * runtime's frames too, as before. */
EXPORT __attribute__((noreturn)) void _exit(int status)
{
	rt_exit_entry(status, NULL);
}

EXPORT __attribute__((noreturn)) void _Exit(int status)
{
	rt_exit_entry(status, NULL);
}

EXPORT __attribute__((noreturn)) void exit(int status)
{
	rt_exit_libc_entry(status, NULL);
}
#endif
