/* Ending a command sonde runs when the user asks to stop (Ctrl-C), the
 * same for every command that runs one (record, stat, heap, memcheck).
 *
 * A terminal's Ctrl-C reaches the whole foreground job, the command
 * included, so sonde does not forward SIGINT itself at first. A command
 * still running a second later (it ignores SIGINT, was started from a
 * script with `&`, or the SIGINT was sent to sonde alone) gets SIGTERM;
 * a second Ctrl-C gets it SIGKILL. Each step says so on stderr, once. */
#ifndef SONDE_COLLECT_INTERRUPT_H
#define SONDE_COLLECT_INTERRUPT_H
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <signal.h>

struct interrupt {
	pid_t target;
	uint64_t first_int_ns; /* when the first Ctrl-C came (0: none yet) */
	bool termed, killed;
	struct sigaction old[4]; /* interrupt_watch: SIGINT, SIGTERM, SIGHUP, SIGQUIT's before */
};

/* ints, terms: how many SIGINT and SIGTERM/SIGHUP sonde got so far (its
 * handlers count them); now_ns: CLOCK_MONOTONIC. Call it at least every
 * 100 ms while waiting for the command. Returns true once the command
 * was sent SIGKILL. */
bool interrupt_escalate(struct interrupt *in, unsigned ints, unsigned terms, uint64_t now_ns, const char *cmd);

/* sonde's own handlers while target runs, for commands that wait in a
 * plain loop (heap, memcheck, stat): they count SIGINTs, and pass SIGINT,
 * SIGTERM, SIGHUP and SIGQUIT on to the command at once when another
 * process sent them (the terminal's reach the command by themselves).
 * Blocking calls return EINTR on them. One watch at a time. */
void interrupt_watch(struct interrupt *in, pid_t target);
/* interrupt_escalate with what the handlers counted; true once SIGKILLed. */
bool interrupt_poll(struct interrupt *in, const char *cmd);
/* Whether a Ctrl-C came. */
bool interrupt_seen(const struct interrupt *in);
/* The handlers that were there before. */
void interrupt_unwatch(struct interrupt *in);

#endif
