/* Memcheck mode of the runtime (SONDE_MEMCHECK=1): the leak check at exit. */
#ifndef SONDE_RT_MC_CHECK_H
#define SONDE_RT_MC_CHECK_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The calling thread's stack below sp is dead or the runtime's own (main
 * has returned; the exit path entered the runtime): the leak check scans
 * it from sp up. */
void rt_leak_check_stack_from(uint64_t sp);
/* Where the checks at exit run, for their reports' first stack: how
 * (HOW_EXIT, HOW_UEXIT, HOW_FATAL) and the stack of the exit call or of
 * the crash (0: none). The last call wins. */
void rt_leak_check_found_at(uint32_t where, uint8_t how);
/* The same from the program's own call (exit, _exit): regs[0..n) are its
 * register values then, roots of the leak check. */
void rt_leak_check_caller(uint64_t sp, const uint64_t *regs, size_t n);
/* At start-up, in memcheck mode (finds what the check must not scan). */
void rt_leak_check_prepare(void);
/* The checks at exit: damage in the redzones of live blocks and in the
 * freed blocks held in quarantine (HR_ERROR records); then, if leaks, the
 * leak check: classifies every live block the runtime knows and hands
 * each verdict to emit as an HR_LEAK record. skip_tid: a service thread
 * not to stop (0: none). Returns the number of blocks classified. */
size_t rt_leak_check(pid_t skip_tid, bool leaks, void (*emit)(const uint8_t *rec, size_t len, void *ctx), void *ctx);

#endif
