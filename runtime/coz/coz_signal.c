/* Signals. SIGPROF carries the sampler's batches, so the program may
 * neither take it over nor block it (coz does the same); waiting for a
 * signal is blocking, sending one to this process is waking (coz paper
 * Table 2). The signals that kill, while the program leaves them at their
 * default, end the profile the way exit does before the process dies of
 * them: a Ctrl-C or a crash keeps the runtime and samples records. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "coz_rt.h"

static const int flushed[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
#define NFLUSHED (sizeof(flushed) / sizeof(*flushed))

int coz_real_sigaction(int sig, const struct sigaction *sa, struct sigaction *old)
{
	return COZ_REAL(sigaction)(sig, sa, old);
}

/* 0: running, 1: ending the profile, 2: ended. A second fatal signal
 * (sonde passes a kill on; another thread may take it) waits for the
 * first one's profile before it lets the process die. */
static int fatal_state;

static void on_fatal(int sig)
{
	int expect = 0;
	if (__atomic_compare_exchange_n(&fatal_state, &expect, 1, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		coz_profiler_stop();
		__atomic_store_n(&fatal_state, 2, __ATOMIC_RELEASE);
	} else {
		for (int i = 0; i < 500 && __atomic_load_n(&fatal_state, __ATOMIC_ACQUIRE) != 2; i++)
			coz_sleep(10000000ull); /* 5 s at most */
	}
	struct sigaction dfl;
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	coz_real_sigaction(sig, &dfl, NULL);
	raise(sig); /* blocked in here: the default action comes when this returns */
}

void coz_flush_on_fatal_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fatal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask); /* a second one waits on this thread until the first is done */
	for (size_t i = 0; i < NFLUSHED; i++)
		sigaddset(&sa.sa_mask, flushed[i]);
	for (size_t i = 0; i < NFLUSHED; i++) {
		struct sigaction old;
		if (coz_real_sigaction(flushed[i], NULL, &old) == 0 && old.sa_handler == SIG_DFL)
			coz_real_sigaction(flushed[i], &sa, NULL);
	}
}

/* The program sees the default it left, not sonde's handler. */
static void hide_own(struct sigaction *old)
{
	if (old && old->sa_handler == on_fatal) {
		memset(old, 0, sizeof(*old));
		old->sa_handler = SIG_DFL;
	}
}

COZ_API int sigaction(int sig, const struct sigaction *sa, struct sigaction *old)
{
	if (sig == SIGPROF) {
		if (old) {
			memset(old, 0, sizeof(*old));
			old->sa_handler = SIG_DFL;
		}
		return 0; /* coz: silently kept */
	}
	struct sigaction mine;
	if (sa) {
		mine = *sa;
		sigdelset(&mine.sa_mask, SIGPROF);
		sa = &mine;
	}
	int r = coz_real_sigaction(sig, sa, old);
	hide_own(old);
	return r;
}

COZ_API sighandler_t signal(int sig, sighandler_t h)
{
	if (sig == SIGPROF)
		return SIG_DFL;
	sighandler_t r = COZ_REAL(signal)(sig, h);
	return r == on_fatal ? SIG_DFL : r;
}

static const sigset_t *without_sigprof(int how, const sigset_t *set, sigset_t *copy)
{
	if (!set || how == SIG_UNBLOCK)
		return set;
	*copy = *set;
	sigdelset(copy, SIGPROF);
	return copy;
}

COZ_API int sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
	sigset_t copy;
	return COZ_REAL(sigprocmask)(how, without_sigprof(how, set, &copy), old);
}

COZ_API int pthread_sigmask(int how, const sigset_t *set, sigset_t *old)
{
	sigset_t copy;
	return COZ_REAL(pthread_sigmask)(how, without_sigprof(how, set, &copy), old);
}

COZ_API int kill(pid_t pid, int sig)
{
	if (pid == getpid())
		coz_catch_up();
	return COZ_REAL(kill)(pid, sig);
}

COZ_API int pthread_kill(pthread_t t, int sig)
{
	coz_catch_up();
	return COZ_REAL(pthread_kill)(t, sig);
}

COZ_API int pthread_sigqueue(pthread_t t, int sig, const union sigval v)
{
	coz_catch_up();
	return COZ_REAL(pthread_sigqueue)(t, sig, v);
}

/* A wait ended by a signal this process sent was ended by another thread. */
COZ_API int sigtimedwait(const sigset_t *set, siginfo_t *info, const struct timespec *timeout)
{
	sigset_t copy;
	siginfo_t mine;
	coz_pre_block();
	int r = COZ_REAL(sigtimedwait)(without_sigprof(SIG_BLOCK, set, &copy), &mine, timeout);
	coz_post_block(r > 0 && mine.si_pid == getpid());
	if (r > 0 && info)
		*info = mine;
	return r;
}

COZ_API int sigwaitinfo(const sigset_t *set, siginfo_t *info) { return sigtimedwait(set, info, NULL); }

COZ_API int sigwait(const sigset_t *set, int *sig)
{
	int r;
	while ((r = sigtimedwait(set, NULL, NULL)) < 0)
		if (errno != EINTR) /* sigwait is never interrupted */
			return errno;
	*sig = r;
	return 0;
}

/* Who sent the waking signal is unknown here: the delays are paid. */
COZ_API int sigsuspend(const sigset_t *mask)
{
	sigset_t copy;
	coz_pre_block();
	int r = COZ_REAL(sigsuspend)(without_sigprof(SIG_SETMASK, mask, &copy));
	coz_post_block(false);
	return r;
}
