/* The guest's death by a signal as valgrind reports it: qemu's host
 * signal handler is wrapped (the engine is preloaded into qemu, so its
 * sigaction is qemu's) to keep the kernel's siginfo of the thread's last
 * fault, and qemu's own line about it ("qemu: uncaught target signal
 * ...") is not printed: `sonde cachegrind` prints valgrind's
 * "Process terminating ..." block from the dump instead. */
#include <dlfcn.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cg_plugin.h"
#include "qemu_plugin_v1.h"

static void (*qemu_handler[NSIG])(int, siginfo_t *, void *);
static __thread int last_sig, last_code;
static __thread uint64_t last_addr;
struct cg_fatal cg_fatal;

static void fault(int sig, siginfo_t *si, void *uc)
{
	last_sig = sig;
	last_code = si->si_code;
	last_addr = (uint64_t)(uintptr_t)si->si_addr;
	qemu_handler[sig](sig, si, uc);
}

QEMU_PLUGIN_EXPORT int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	static int (*next)(int, const struct sigaction *, struct sigaction *);
	if (!next)
		next = (int (*)(int, const struct sigaction *, struct sigaction *))dlsym(RTLD_NEXT, "sigaction");
	if (act && (sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE) &&
	    (act->sa_flags & SA_SIGINFO) && act->sa_sigaction != fault) {
		struct sigaction a = *act;
		qemu_handler[sig] = act->sa_sigaction;
		a.sa_sigaction = fault;
		return next(sig, &a, old);
	}
	return next(sig, act, old);
}

static bool qemu_crash_line(const char *fmt)
{
	return !strncmp(fmt, "qemu: uncaught target signal", 28);
}

static int print_unless_crash_line(FILE *f, const char *fmt, va_list ap)
{
	return qemu_crash_line(fmt) ? 0 : vfprintf(f, fmt, ap);
}

QEMU_PLUGIN_EXPORT int fprintf(FILE *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = print_unless_crash_line(f, fmt, ap);
	va_end(ap);
	return n;
}

QEMU_PLUGIN_EXPORT int __fprintf_chk(FILE *f, int flag, const char *fmt, ...)
{
	(void)flag;
	va_list ap;
	va_start(ap, fmt);
	int n = print_unless_crash_line(f, fmt, ap);
	va_end(ap);
	return n;
}

/* The thread dying of sig, running v (NULL: unknown): the kernel's words
 * when its last fault was this signal, and where it was: the instruction
 * after the last one whose access completed in the current block (the
 * faulting access never completes), or the block's first, then the
 * shadow stack's calls (their return address - 1, as valgrind's). */
void cg_fatal_note(int sig, const struct vcpu *v, int64_t guest_base)
{
	cg_fatal.sig = sig;
	if (last_sig == sig) {
		cg_fatal.has_info = true;
		cg_fatal.code = last_code;
		cg_fatal.addr = last_addr - (uint64_t)guest_base;
	}
	if (!v || !v->cur)
		return;
	const struct tb_info *tb = v->cur->tb;
	const struct insn_info *p = vcpu_last_access(v);
	uint64_t at = tb->vaddr;
	if (p && p->tb == tb)
		at = p->idx + 1u < tb->n ? tb->insn[p->idx + 1].addr : p->addr;
	cg_fatal.ip[cg_fatal.n_ip++] = at;
	for (uint32_t d = v->depth; d > 0 && cg_fatal.n_ip < CG_FATAL_IPS; d--)
		cg_fatal.ip[cg_fatal.n_ip++] = v->stack[d - 1].ret - 1;
}
