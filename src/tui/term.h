/* The terminal, taken over for a full-screen view and always given back.
 *
 * sonde draws its own screens instead of using ncurses: a watch view needs
 * a handful of xterm/ECMA-48 sequences (cursor position, erase line, SGR,
 * the alternate screen, cursor show/hide) that every terminal in use
 * understands, so there is no terminfo database to depend on; and the
 * terminal must be restored from a signal handler when the program
 * crashes, which needs the restore bytes computed beforehand and written
 * with write(2) alone: a library's endwin() is not async-signal-safe.
 *
 * term_enter puts the tty in raw mode (no echo, no line editing, no
 * signals from keys: ctrl-c arrives as a key), switches to the alternate
 * screen and hides the cursor. The terminal is restored on every way out:
 * exit() (atexit), SIGTERM/SIGINT/SIGHUP/SIGQUIT (restore, then die of the
 * same signal), crashes (SIGSEGV/SIGBUS/SIGABRT/SIGFPE/SIGILL: restore,
 * then the signal again, so the core dump and exit status stay the
 * crash's), and SIGTSTP (restore, stop, take it over again on SIGCONT). */
#ifndef SONDE_TUI_TERM_H
#define SONDE_TUI_TERM_H
#include <stdbool.h>

/* Takes over the terminal on fd (a tty, opened read-write). 0, or -1 with
 * a one-line reason in err (not a terminal, tcsetattr refused). */
int term_enter(int fd, char *err, unsigned long errlen);
/* Gives the terminal back (idempotent; also run at exit). */
void term_leave(void);
/* The terminal's size, from TIOCGWINSZ (80x24 when it cannot say). */
void term_size(int *rows, int *cols);
/* True once after the size changed (SIGWINCH) or the program continued
 * after a stop (SIGCONT): the caller redraws everything. */
bool term_take_resized(void);
/* A file descriptor that becomes readable when term_take_resized would be
 * true, for poll loops (a self-pipe; drained by term_take_resized). */
int term_event_fd(void);
/* Stops the program the way ctrl-z would in cooked mode (raw mode turns
 * it into a key): the terminal is given back, and taken again on fg. */
void term_suspend(void);
/* Writes all of buf to the terminal (EINTR retried). 0, or -1. */
int term_write(const void *buf, unsigned long len);

#endif
