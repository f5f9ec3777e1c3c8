/* Memcheck mode: the program dies of a signal. What valgrind says then
 * ("Process terminating with default action of signal 11 (SIGSEGV)",
 * "Access not within mapped region at address 0x0", the faulting stack,
 * and first an "Invalid write of size 4" for the access itself) is
 * gathered here from the signal's siginfo and machine context, and sent
 * as an HR_FATAL record; the handler (mc_mode.c) adds the stacks. Every thread
 * gets an alternate signal stack, so the handler runs even when the
 * program overflowed its own. */
#ifndef SONDE_RT_MC_FATAL_H
#define SONDE_RT_MC_FATAL_H
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <ucontext.h>

/* The error valgrind reports before the signal, if any. */
enum mc_fault_access { MC_ACC_NONE, MC_ACC_READ, MC_ACC_WRITE, MC_ACC_JUMP };

struct mc_fault {
	int sig, code;       /* si_code as delivered (<= 0: sent by a process, not the kernel) */
	uint64_t addr;       /* si_addr: the address, or the instruction for SIGILL/SIGFPE */
	uint64_t ip, sp, bp; /* the interrupted context */
	enum mc_fault_access access;
	unsigned size;       /* READ/WRITE: bytes the instruction accesses (0: not decoded) */
	bool fetch;          /* the fault was an instruction fetch (a jump to a bad address) */
	uint64_t grow_to;    /* a stack overflow: the page the stack could not grow to (0: none) */
};

/* Reads the fault from the handler's arguments. */
void mc_fault_read(int sig, const siginfo_t *si, const ucontext_t *uc, struct mc_fault *f);
/* The HR_FATAL record of f with its stack (0: none), the calling thread's
 * number and name; returns its length (at most MC_FATAL_REC). */
#define MC_FATAL_REC 128
size_t mc_fault_put(uint8_t *p, const struct mc_fault *f, uint32_t where);

/* The calling thread's alternate signal stack, kept per thread number
 * (valgrind's, rt_thread_num.c) and reused by the next thread with it;
 * none when the thread has one of its own. Off: at its exit. */
void mc_altstack_on(uint32_t num);
void mc_altstack_off(void);

#endif
