/* Raw mode, the alternate screen and the restore-on-every-exit machinery
 * (see term.h for why it is done by hand). */
#include "tui/term.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "util/write_all.h"

/* Leave: reset SGR, show the cursor, leave the alternate screen. */
static const char LEAVE_SEQ[] = "\033[0m\033[?25h\033[?1049l";
/* Enter: alternate screen, hide the cursor, clear it. */
static const char ENTER_SEQ[] = "\033[?1049h\033[?25l\033[H\033[2J";

static int tty_fd = -1;
static struct termios saved_termios;
static volatile sig_atomic_t active;
static int event_pipe[2] = { -1, -1 };
static volatile sig_atomic_t resized;
static bool handlers_installed;

static const int deadly_signals[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT };
static const int crash_signals[] = { SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL };

/* Delivers sig again with its default action (die, dump core, stop) from
 * inside its handler; returns only after a stop, once continued. */
static void raise_default(int sig)
{
	signal(sig, SIG_DFL);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
}

/* Async-signal-safe: tcsetattr and write only. */
static void restore_tty(void)
{
	if (!active)
		return;
	active = 0;
	tcsetattr(tty_fd, TCSAFLUSH, &saved_termios);
	write_all(tty_fd, LEAVE_SEQ, sizeof LEAVE_SEQ - 1);
}

static int take_tty(void)
{
	struct termios raw = saved_termios;
	raw.c_iflag &= ~(tcflag_t)(BRKINT | ICRNL | INPCK | ISTRIP | IXON);
	raw.c_oflag &= ~(tcflag_t)OPOST;
	raw.c_cflag |= CS8;
	raw.c_lflag &= ~(tcflag_t)(ECHO | ICANON | IEXTEN | ISIG);
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	if (tcsetattr(tty_fd, TCSAFLUSH, &raw) < 0)
		return -1;
	active = 1;
	write_all(tty_fd, ENTER_SEQ, sizeof ENTER_SEQ - 1);
	return 0;
}

static void notify(void)
{
	resized = 1;
	int saved = errno;
	if (event_pipe[1] >= 0 && write(event_pipe[1], "r", 1) < 0) {
		/* full pipe: an event is already waiting */
	}
	errno = saved;
}

/* Restore, then die of the same signal with its default action. */
static void on_fatal(int sig)
{
	int saved = errno;
	restore_tty();
	raise_default(sig);
	errno = saved;
}

static void on_stop(int sig)
{
	int saved = errno;
	bool was_active = active;
	restore_tty();
	raise_default(SIGTSTP);
	/* continued */
	signal(SIGTSTP, on_stop);
	if (was_active && take_tty() == 0)
		notify();
	errno = saved;
}

static void on_cont(int sig)
{
	notify(); /* a stop we did not see (SIGSTOP): redraw anyway */
}

static void on_winch(int sig)
{
	notify();
}

static void install(int sig, void (*fn)(int), int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = fn;
	sa.sa_flags = flags;
	sigfillset(&sa.sa_mask); /* one handler at a time touches the tty */
	sigaction(sig, &sa, NULL);
}

static void install_handlers(void)
{
	if (handlers_installed)
		return;
	handlers_installed = true;
	if (pipe2(event_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		event_pipe[0] = event_pipe[1] = -1;
	atexit(term_leave);
	for (size_t i = 0; i < sizeof deadly_signals / sizeof deadly_signals[0]; i++)
		install(deadly_signals[i], on_fatal, 0);
	/* SA_RESETHAND too: a crash inside the handler is not caught again */
	for (size_t i = 0; i < sizeof crash_signals / sizeof crash_signals[0]; i++)
		install(crash_signals[i], on_fatal, SA_RESETHAND | SA_NODEFER);
	install(SIGTSTP, on_stop, SA_RESTART);
	install(SIGCONT, on_cont, SA_RESTART);
	install(SIGWINCH, on_winch, SA_RESTART);
}

int term_enter(int fd, char *err, unsigned long errlen)
{
	if (!isatty(fd)) {
		snprintf(err, errlen, "the terminal view needs a terminal, and this is not one");
		return -1;
	}
	if (tcgetattr(fd, &saved_termios) < 0) {
		snprintf(err, errlen, "cannot read the terminal's settings: %s", strerror(errno));
		return -1;
	}
	tty_fd = fd;
	install_handlers();
	if (take_tty() < 0) {
		snprintf(err, errlen, "cannot set the terminal to raw mode: %s", strerror(errno));
		return -1;
	}
	return 0;
}

void term_leave(void)
{
	sigset_t all, old;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	restore_tty();
	sigprocmask(SIG_SETMASK, &old, NULL);
}

void term_size(int *rows, int *cols)
{
	struct winsize ws;
	*rows = 24;
	*cols = 80;
	if (tty_fd >= 0 && ioctl(tty_fd, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0) {
		*rows = ws.ws_row;
		*cols = ws.ws_col;
	}
}

bool term_take_resized(void)
{
	char drain[64];
	if (event_pipe[0] >= 0)
		while (read(event_pipe[0], drain, sizeof drain) > 0)
			;
	if (!resized)
		return false;
	resized = 0;
	return true;
}

int term_event_fd(void)
{
	return event_pipe[0];
}

void term_suspend(void)
{
	raise(SIGTSTP);
}

int term_write(const void *buf, unsigned long len)
{
	return write_all(tty_fd, buf, len);
}
