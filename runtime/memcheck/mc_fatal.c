/* Memcheck mode: the facts of a fatal signal and the alternate signal
 * stacks (mc_fatal.h). Runs in the signal handler: system calls and the
 * runtime's own tables only. */
#include <errno.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "heap_protocol.h"
#include "mc_fatal.h"
#include "mc_insn.h"
#include "mc_mode.h"
#include "rt.h"
#include "rt_encode.h"

#define PF_WRITE 0x2 /* the page fault's error code: a write */
#define PF_FETCH 0x10 /* an instruction fetch */
#define STACK_REDZONE 128 /* what code may use below the stack pointer */

/* Copies up to n bytes at addr without faulting; returns how many. */
static size_t safe_copy(uint8_t *out, uint64_t addr, size_t n)
{
	struct iovec local = { out, n }, remote = { (void *)(uintptr_t)addr, n };
	ssize_t got = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
	if (got >= 0)
		return (size_t)got;
	if (errno != ENOSYS && errno != EPERM)
		return 0;
	/* refused (seccomp): the faulting instruction's own page is mapped */
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE), left = page - (addr & (page - 1));
	if (left < n)
		n = (size_t)left;
	for (size_t i = 0; i < n; i++)
		out[i] = ((const volatile uint8_t *)(uintptr_t)addr)[i];
	return n;
}

/* The main thread's first stack pointer (glibc's): its stack mapping,
 * which the kernel grows down to the stack size limit. */
extern void *__libc_stack_end;

/* A fault just below the main thread's stack, near its stack pointer: the
 * stack could not grow (valgrind's "Stack overflow in thread #1: can't
 * grow stack to 0x..."). Other threads' stacks end at a guard page: a
 * permissions fault, which valgrind reports as such. */
static bool stack_overflow(const struct mc_fault *f)
{
	uint64_t lo, hi;
	return f->addr + STACK_REDZONE >= f->sp && getpid() == (pid_t)syscall(SYS_gettid) &&
	       rt_mapping_of((uint64_t)(uintptr_t)__libc_stack_end, &lo, &hi) && f->addr < lo;
}

void mc_fault_read(int sig, const siginfo_t *si, const ucontext_t *uc, struct mc_fault *f)
{
	const greg_t *g = uc->uc_mcontext.gregs;
	*f = (struct mc_fault){ .sig = sig, .code = si->si_code, .addr = (uint64_t)(uintptr_t)si->si_addr };
	f->ip = (uint64_t)g[REG_RIP];
	f->sp = (uint64_t)g[REG_RSP];
	f->bp = (uint64_t)g[REG_RBP];
	if (sig == SIGILL && f->code > 0) /* valgrind decodes every instruction itself: any it cannot run is an illegal opcode */
		f->code = ILL_ILLOPC;
	/* the error valgrind reports first: an access to memory no mapping
	 * holds (a jump to it; a read or write that does not overflow the
	 * stack), or a jump to memory that is not code */
	if (sig != SIGSEGV || (f->code != SEGV_MAPERR && f->code != SEGV_ACCERR))
		return;
	f->fetch = (g[REG_ERR] & PF_FETCH) || f->addr == f->ip;
	if (f->fetch) {
		f->access = MC_ACC_JUMP;
		return;
	}
	if (f->code != SEGV_MAPERR)
		return;
	if (stack_overflow(f)) {
		uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
		f->grow_to = f->addr & ~(page - 1);
		return;
	}
	f->access = (g[REG_ERR] & PF_WRITE) ? MC_ACC_WRITE : MC_ACC_READ;
	uint8_t code[15];
	struct mc_access acc;
	if (mc_insn_access(code, safe_copy(code, f->ip, sizeof code), &acc))
		f->size = acc.size;
}

static size_t put_zigzag(uint8_t *p, int64_t v)
{
	return varint_put(p, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

size_t mc_fault_put(uint8_t *p, const struct mc_fault *f, uint32_t where)
{
	uint8_t *q = p;
	struct rlimit stack, core;
	uint64_t stack_size = getrlimit(RLIMIT_STACK, &stack) == 0 && stack.rlim_cur != RLIM_INFINITY ? stack.rlim_cur : 0;
	bool dumps = getrlimit(RLIMIT_CORE, &core) == 0 && core.rlim_cur != 0;
	*q++ = HR_FATAL;
	q += varint_put(q, (uint64_t)f->sig);
	q += put_zigzag(q, f->code);
	q += varint_put(q, f->addr);
	q += varint_put(q, where);
	*q++ = (uint8_t)((f->fetch ? HF_FETCH : 0) | (dumps ? HF_CORE : 0));
	q += varint_put(q, f->grow_to);
	q += varint_put(q, stack_size);
	q += varint_put(q, rt_thread_num());
	char name[16];
	q += rt_put_str(q, name, rt_thread_name(name));
	return (size_t)(q - p);
}

/* ---- alternate signal stacks ---- */

#define ALT_SLOTS 1024 /* thread numbers (rt_thread_num.c gives fewer) */
#define ALT_SIZE (256u << 10)

static _Atomic(uint8_t *) g_alt[ALT_SLOTS];
static __thread uint8_t *t_alt RT_TLS; /* the one this thread runs with */

void mc_altstack_on(uint32_t num)
{
	stack_t cur;
	if (num >= ALT_SLOTS || sigaltstack(NULL, &cur) != 0 || !(cur.ss_flags & SS_DISABLE))
		return;
	uint8_t *m = atomic_load(&g_alt[num]);
	if (!m) {
		/* a guard page below: a handler that overflows faults there */
		size_t page = (size_t)sysconf(_SC_PAGESIZE);
		uint8_t *r = mmap(NULL, ALT_SIZE + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
				  -1, 0);
		if (r == MAP_FAILED)
			return;
		mprotect(r, page, PROT_NONE);
		uint8_t *expect = NULL;
		if (!atomic_compare_exchange_strong(&g_alt[num], &expect, r + page)) {
			munmap(r, ALT_SIZE + page);
			m = expect;
		} else {
			rt_map_note(r, ALT_SIZE + page); /* the handler's frames are no roots */
			m = r + page;
		}
	}
	stack_t ss = { .ss_sp = m, .ss_size = ALT_SIZE, .ss_flags = 0 };
	if (sigaltstack(&ss, NULL) == 0)
		t_alt = m;
}

void mc_altstack_off(void)
{
	stack_t cur;
	if (!t_alt || sigaltstack(NULL, &cur) != 0 || cur.ss_sp != t_alt)
		return; /* the program put its own in place */
	stack_t ss = { .ss_sp = NULL, .ss_size = 0, .ss_flags = SS_DISABLE };
	sigaltstack(&ss, NULL);
	t_alt = NULL;
}
