#include "collect/interrupt.h"

#include <signal.h>
#include <time.h>

#include "util/die.h"

static const int g_sigs[4] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
static volatile sig_atomic_t g_ints, g_target;

static void on_signal(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	pid_t t = (pid_t)g_target;
	if (sig == SIGINT && ++g_ints > 1)
		return; /* a repeat: interrupt_poll's SIGKILL */
	/* sent by a process (kill: si_code <= 0), not by the terminal, whose
	 * signals reach the command's process group by themselves */
	if (t > 0 && si && si->si_code <= 0)
		kill(t, sig);
}

void interrupt_watch(struct interrupt *in, pid_t target)
{
	in->target = target;
	in->first_int_ns = 0;
	in->termed = in->killed = false;
	g_ints = 0;
	g_target = target;
	struct sigaction sa = { 0 };
	sa.sa_sigaction = on_signal;
	sa.sa_flags = SA_SIGINFO; /* no SA_RESTART: a blocking wait returns to interrupt_poll */
	sigemptyset(&sa.sa_mask);
	for (int i = 0; i < 4; i++)
		sigaction(g_sigs[i], &sa, &in->old[i]);
}

bool interrupt_poll(struct interrupt *in, const char *cmd)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	uint64_t now = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	/* SIGTERM and the like went on already (the handler) */
	return interrupt_escalate(in, (unsigned)g_ints, 0, now, cmd);
}

bool interrupt_seen(const struct interrupt *in)
{
	(void)in;
	return g_ints != 0;
}

void interrupt_unwatch(struct interrupt *in)
{
	g_target = 0;
	for (int i = 0; i < 4; i++)
		sigaction(g_sigs[i], &in->old[i], NULL);
}

bool interrupt_escalate(struct interrupt *in, unsigned ints, unsigned terms, uint64_t now_ns, const char *cmd)
{
	if (in->target <= 0 || in->killed)
		return in->killed;
	if (ints && !in->first_int_ns)
		in->first_int_ns = now_ns;
	if (ints >= 2) {
		kill(in->target, SIGKILL);
		in->killed = true;
		note("interrupted again: sending SIGKILL to '%s'", cmd);
		return true;
	}
	bool stale = in->first_int_ns && now_ns - in->first_int_ns >= 1000000000ull;
	if ((terms || stale) && !in->termed) {
		kill(in->target, SIGTERM);
		in->termed = true;
		if (stale && !terms)
			note("'%s' is still running a second after Ctrl-C: sending SIGTERM (Ctrl-C again: SIGKILL)",
			     cmd);
	}
	return false;
}
