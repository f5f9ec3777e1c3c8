/* Fatal signals: every signal whose default action ends the process gets
 * a handler of ours that ends the stream first (memcheck mode: its report
 * of the crash and the leak check), hidden from the program, which still
 * sees SIG_DFL and may install its own; and the signals a mode keeps for
 * itself (memcheck's precise mode: SIGSEGV, SIGTRAP). */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <ucontext.h>

#include "rt_core.h"
#include "rt_ops.h"

/* Every signal whose default action ends the process: the trace gets its
 * end, and memcheck's report its leak check, as valgrind's does for any of
 * them ("Process terminating with default action of signal 15"). Not
 * SIGTRAP (precise mode's) nor SIGKILL/SIGSTOP (cannot be caught), nor
 * the real-time signals. */
static const int fatal_signals[] = { SIGSEGV, SIGBUS,  SIGABRT, SIGFPE,	  SIGILL,  SIGTERM, SIGINT,
				     SIGHUP,  SIGQUIT, SIGPIPE, SIGALRM,  SIGUSR1, SIGUSR2, SIGVTALRM,
				     SIGPROF, SIGXCPU, SIGXFSZ, SIGSYS,	  SIGIO,   SIGPWR,  SIGSTKFLT };

static bool is_fault_signal(int sig)
{
	return sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL;
}

/* libc's own entry point: our exported sigaction() below must not catch
 * the runtime's calls. */
extern int __sigaction(int sig, const struct sigaction *act, struct sigaction *old);

/* Signals whose handler is ours while the program thinks it is SIG_DFL.
 * Programs decide by the current action (Rust's std installs its stack
 * overflow handler only over SIG_DFL), so ours must stay invisible. */
static volatile bool sig_hidden[NSIG];

/* Memcheck's precise mode keeps SIGSEGV and SIGTRAP for itself: the
 * program's handlers are remembered (g_prog_act) and called when a fault
 * is not a guarded block's. */
static bool g_keep[NSIG];
static struct sigaction g_prog_act[NSIG];

void rt_signal_keep(int sig)
{
	g_keep[sig] = true;
}

/* Runs the program's own handler for a signal we keep; false if it has none. */
static bool call_program_handler(int sig, siginfo_t *si, void *uc)
{
	struct sigaction *a = &g_prog_act[sig];
	if (!(a->sa_flags & SA_SIGINFO) && (a->sa_handler == SIG_DFL || a->sa_handler == SIG_IGN))
		return sig == SIGTRAP ? false : a->sa_handler == SIG_IGN && sig != SIGSEGV;
	bool siginfo = a->sa_flags & SA_SIGINFO;
	void (*h)(int) = a->sa_handler;
	void (*hi)(int, siginfo_t *, void *) = a->sa_sigaction;
	if (a->sa_flags & SA_RESETHAND) {
		memset(a, 0, sizeof *a);
		a->sa_handler = SIG_DFL;
	}
	if (siginfo)
		hi(sig, si, uc);
	else
		h(sig);
	return true;
}

static void fatal_handler(int sig, siginfo_t *si, void *uc)
{
	int e = errno;
	if (g_keep[sig]) {
		if (rt_ops->kept_signal(sig, si, (ucontext_t *)uc) || call_program_handler(sig, si, uc)) {
			errno = e;
			return;
		}
	}
	if (rt_ops->fatal && uc)
		rt_ops->fatal(sig, si, (ucontext_t *)uc);
	rt_finish(1, sig, true);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	__sigaction(sig, &sa, NULL);
	/* blocked while we run: delivered (default action) when we return */
	raise(sig);
	errno = e;
}

void rt_install_signals(void)
{
	if (g_keep[SIGSEGV]) { /* precise mode: ours whatever the program installs */
		static const int kept[] = { SIGSEGV, SIGTRAP };
		for (size_t i = 0; i < 2; i++) {
			struct sigaction sa;
			memset(&sa, 0, sizeof sa);
			sa.sa_sigaction = fatal_handler;
			sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
			sigemptyset(&sa.sa_mask);
			__sigaction(kept[i], &sa, &g_prog_act[kept[i]]);
		}
	}
	for (size_t i = 0; i < sizeof fatal_signals / sizeof fatal_signals[0]; i++) {
		struct sigaction old;
		if (__sigaction(fatal_signals[i], NULL, &old) != 0)
			continue;
		if (!(old.sa_flags & SA_SIGINFO) && old.sa_handler != SIG_DFL)
			continue; /* the program's (or SIG_IGN): leave it */
		if (old.sa_flags & SA_SIGINFO)
			continue;
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_sigaction = fatal_handler;
		sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
		/* one ending at a time: a SIGTERM sent during a Ctrl-C's leak
		 * check waits (faults still come through, and end it) */
		sigemptyset(&sa.sa_mask);
		for (size_t j = 0; j < sizeof fatal_signals / sizeof fatal_signals[0]; j++)
			if (!is_fault_signal(fatal_signals[j]))
				sigaddset(&sa.sa_mask, fatal_signals[j]);
		if (__sigaction(fatal_signals[i], &sa, NULL) == 0)
			sig_hidden[fatal_signals[i]] = true;
	}
}

static void report_default(struct sigaction *old)
{
	memset(old, 0, sizeof(*old));
	old->sa_handler = SIG_DFL;
	sigemptyset(&old->sa_mask);
}

/* The program sees SIG_DFL where our crash handler sits; when it installs
 * its own, ours steps aside (the trace then relies on the periodic flush). */
EXPORT int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	if (sig > 0 && sig < NSIG && g_keep[sig]) {
		struct sigaction prev = g_prog_act[sig];
		if (act)
			g_prog_act[sig] = *act;
		if (old)
			*old = prev;
		return 0;
	}
	if (sig <= 0 || sig >= NSIG || !sig_hidden[sig])
		return __sigaction(sig, act, old);
	if (act)
		sig_hidden[sig] = false;
	int rc = __sigaction(sig, act, old);
	if (rc == 0 && old)
		report_default(old);
	return rc;
}
