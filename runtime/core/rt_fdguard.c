/* The runtime's own descriptors (the stream to sonde, --trace-malloc's
 * file), kept out of the program's reach: programs close every descriptor
 * they did not open (a loop up to 1024, close_range, closefrom) or dup2 over
 * them, and a lost stream would end the trace without a word. As valgrind
 * does for its own descriptors, a close of one of ours, or a dup2/dup3
 * onto it, fails with EBADF; close_range and closefrom close the rest of
 * their range. A raw system call still gets through: write_all (rt_writer.c)
 * finds the stream gone and sonde says so.
 *
 * Only in the traced process: a child made without fork's handlers
 * (vfork, _Fork, clone) has its own descriptor table, its copy is its own. */
#include <errno.h>
#include <limits.h>
#include <stdatomic.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "rt_core.h"

#define EXPORT __attribute__((visibility("default")))
#define MAX_GUARDED 4

/* fd + 1 (0: a free entry). */
static _Atomic int g_guarded[MAX_GUARDED];

extern int __close(int fd);
extern int __dup2(int fd, int fd2);

void rt_fd_guard(int fd)
{
	if (fd < 0)
		return;
	for (int i = 0; i < MAX_GUARDED; i++) {
		int expect = 0;
		if (atomic_load(&g_guarded[i]) == fd + 1 ||
		    atomic_compare_exchange_strong(&g_guarded[i], &expect, fd + 1))
			return;
	}
}

void rt_fd_unguard(int fd)
{
	for (int i = 0; i < MAX_GUARDED; i++) {
		int expect = fd + 1;
		atomic_compare_exchange_strong(&g_guarded[i], &expect, 0);
	}
}

int rt_fd_close_own(int fd)
{
	rt_fd_unguard(fd);
	return __close(fd);
}

/* Whether fd is ours in this process (the common answer, no, costs a
 * few loads). */
static bool guarded(int fd)
{
	if (fd < 0)
		return false;
	bool hit = false;
	for (int i = 0; i < MAX_GUARDED; i++)
		hit |= atomic_load_explicit(&g_guarded[i], memory_order_relaxed) == fd + 1;
	return hit && rt_traced_here();
}

/* Ours in [first, last], ascending; returns how many. */
static int guarded_in(unsigned first, unsigned last, unsigned out[MAX_GUARDED])
{
	int n = 0;
	for (int i = 0; i < MAX_GUARDED; i++) {
		int g = atomic_load_explicit(&g_guarded[i], memory_order_relaxed) - 1;
		if (g >= 0 && (unsigned)g >= first && (unsigned)g <= last)
			out[n++] = (unsigned)g;
	}
	if (n && !rt_traced_here())
		return 0;
	for (int i = 1; i < n; i++) /* at most four: insertion sort */
		for (int j = i; j > 0 && out[j - 1] > out[j]; j--) {
			unsigned x = out[j];
			out[j] = out[j - 1];
			out[j - 1] = x;
		}
	return n;
}

static int refuse(void)
{
	errno = EBADF;
	return -1;
}

EXPORT int close(int fd)
{
	if (guarded(fd))
		return refuse();
	return __close(fd);
}

EXPORT int dup2(int fd, int fd2)
{
	if (fd != fd2 && guarded(fd2))
		return refuse();
	return __dup2(fd, fd2);
}

EXPORT int dup3(int fd, int fd2, int flags)
{
	if (fd != fd2 && guarded(fd2))
		return refuse();
	return (int)syscall(SYS_dup3, fd, fd2, flags);
}

/* [a, b] with flags, as the kernel's close_range; for a piece between two
 * of ours where the kernel has no close_range (before Linux 5.9): one by
 * one (such a piece is bounded by our descriptor's number). */
static int close_piece(unsigned a, unsigned b, unsigned flags, bool bounded)
{
	long r = syscall(SYS_close_range, a, b, flags);
	if (r == 0 || errno != ENOSYS || !bounded || flags)
		return (int)r;
	for (unsigned fd = a; fd <= b; fd++)
		__close((int)fd);
	return 0;
}

/* close_range over [first, last] except ours: the pieces around them. */
static int close_around(unsigned first, unsigned last, unsigned flags, const unsigned *ours, int n)
{
	int rc = 0;
	unsigned from = first;
	for (int i = 0; i < n; i++) {
		if (ours[i] > from && close_piece(from, ours[i] - 1, flags, true) < 0 && !rc)
			rc = -1;
		from = ours[i] + 1;
	}
	if (from > first && from - 1 == last) /* the range ended on one of ours */
		return rc;
	if (close_piece(from, last, flags, last != UINT_MAX) < 0 && !rc)
		rc = -1;
	return rc;
}

EXPORT int close_range(unsigned first, unsigned last, int flags)
{
	unsigned ours[MAX_GUARDED];
	int n = first <= last ? guarded_in(first, last, ours) : 0;
	if (!n) /* invalid arguments get the kernel's answer too */
		return (int)syscall(SYS_close_range, first, last, flags);
	return close_around(first, last, (unsigned)flags, ours, n);
}

EXPORT void closefrom(int lowfd)
{
	static void (*real)(int);
	unsigned first = lowfd < 0 ? 0 : (unsigned)lowfd, ours[MAX_GUARDED];
	int n = guarded_in(first, UINT_MAX, ours);
	if (!real)
		real = (void (*)(int))rt_real_sym("closefrom");
	if (!n) {
		if (real)
			real(lowfd);
		else
			close_piece(first, UINT_MAX, 0, false);
		return;
	}
	/* the pieces below our last one; above it the C library's own
	 * closefrom, which finds the open descriptors where the kernel has
	 * no close_range */
	unsigned top = ours[n - 1];
	if (top > first)
		close_around(first, top - 1, 0, ours, n - 1);
	if (top < UINT_MAX && real)
		real((int)(top + 1));
	else if (top < UINT_MAX)
		close_piece(top + 1, UINT_MAX, 0, false);
}
