/* RLIMIT_AS and RLIMIT_DATA as the program sets them, with the runtime's
 * own memory on top.
 *
 * The kernel counts the runtime's mappings against the program's limits:
 * memcheck mode reserves 36 GiB of address space for its slots at start,
 * so a program that lowers RLIMIT_AS to 256 MiB would have every later
 * mapping fail, the runtime's and its own. So the kernel is given the
 * program's limit plus what the runtime has mapped plus some room (soft:
 * ROOM_SOFT, hard: ROOM_HARD); getrlimit and prlimit show the program its
 * own values. When the runtime needs more, the soft limit is raised as
 * far as the hard one (rt_rlimit_make_room). Before exec the program's own
 * values go back to the kernel, so the new program runs under them.
 *
 * The cost: the program's own allocations fail up to ROOM_SOFT later than
 * without sonde, and in memcheck mode small blocks (its slots) do not
 * count at all; children started with posix_spawn, system or popen run
 * with the runtime's room added; /proc/self/limits shows the kernel's
 * values. */
#include <errno.h>
#include <stdatomic.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "rt.h"

#define EXPORT __attribute__((visibility("default")))
#define ROOM_SOFT (32ull << 20)
#define ROOM_HARD (1ull << 30)
#define STEP (1ull << 20) /* a raise makes this much more room than asked */

static const int resources[] = { RLIMIT_AS, RLIMIT_DATA };
#define NRES 2

static _Atomic int g_on;   /* rt_rlimit_start ran: the runtime's memory is in this image */
static _Atomic int g_lock; /* a leaf: taken with no other lock of ours inside */
static struct {
	bool set; /* the program set this limit since the runtime started */
	struct rlimit prog;
} g_lim[NRES];

static int slot(int res)
{
	for (int i = 0; i < NRES; i++)
		if (resources[i] == res)
			return i;
	return -1;
}

static int kernel(int res, const struct rlimit *set, struct rlimit *old)
{
	return (int)syscall(SYS_prlimit64, 0, res, set, old);
}

static rlim_t plus(rlim_t a, uint64_t b)
{
	return a == RLIM_INFINITY || a + b < a || a + b == RLIM_INFINITY ? RLIM_INFINITY : a + b;
}

void rt_rlimit_start(void)
{
	atomic_store(&g_on, 1);
}

/* The program sets limit i: the kernel gets it with the runtime's room. */
static int set_program(int i, const struct rlimit *r)
{
	if (r->rlim_cur > r->rlim_max) {
		errno = EINVAL;
		return -1;
	}
	int res = resources[i];
	struct rlimit now, k;
	if (kernel(res, NULL, &now) < 0)
		return -1;
	uint64_t mine = rt_map_bytes();
	k.rlim_max = plus(r->rlim_max, mine + ROOM_HARD);
	rlim_t prog_max = g_lim[i].set ? g_lim[i].prog.rlim_max : now.rlim_max;
	/* lowering or keeping its hard limit must not need privileges the
	 * program lacks: never above the kernel's current hard limit then */
	if (r->rlim_max <= prog_max && k.rlim_max > now.rlim_max)
		k.rlim_max = now.rlim_max;
	k.rlim_cur = plus(r->rlim_cur, mine + ROOM_SOFT);
	if (k.rlim_cur > k.rlim_max)
		k.rlim_cur = k.rlim_max;
	if (kernel(res, &k, NULL) < 0)
		return -1;
	g_lim[i].set = true;
	g_lim[i].prog = *r;
	return 0;
}

/* prlimit's work for this process: old gets the program's view, new is set. */
static int limits(int res, const struct rlimit *set, struct rlimit *old)
{
	int i = slot(res);
	/* a forked child keeps the runtime's memory: its room too */
	if (i < 0 || !atomic_load(&g_on))
		return kernel(res, set, old);
	rt_spin_lock(&g_lock);
	int rc = 0;
	if (old) {
		if (g_lim[i].set)
			*old = g_lim[i].prog;
		else
			rc = kernel(res, NULL, old);
	}
	if (rc == 0 && set)
		rc = set_program(i, set);
	rt_spin_unlock(&g_lock);
	return rc;
}

bool rt_rlimit_make_room(size_t n, bool writable)
{
	if (!atomic_load(&g_on) || __atomic_exchange_n((int *)&g_lock, 1, __ATOMIC_ACQUIRE))
		return false;
	bool raised = false;
	for (int i = 0; i < NRES; i++) {
		struct rlimit k;
		if (!g_lim[i].set || (!writable && resources[i] == RLIMIT_DATA) || kernel(resources[i], NULL, &k) < 0 ||
		    k.rlim_cur >= k.rlim_max)
			continue;
		rlim_t want = plus(k.rlim_cur, n + STEP);
		k.rlim_cur = want < k.rlim_max ? want : k.rlim_max;
		raised |= kernel(resources[i], &k, NULL) == 0;
	}
	rt_spin_unlock(&g_lock);
	return raised;
}

void rt_rlimit_open_up(void)
{
	if (!atomic_load(&g_on))
		return;
	rt_spin_lock(&g_lock);
	for (int i = 0; i < NRES; i++) {
		struct rlimit k;
		if (g_lim[i].set && kernel(resources[i], NULL, &k) == 0 && k.rlim_cur < k.rlim_max) {
			k.rlim_cur = k.rlim_max;
			kernel(resources[i], &k, NULL);
		}
	}
	rt_spin_unlock(&g_lock);
}

void rt_rlimit_before_exec(void)
{
	if (!atomic_load(&g_on))
		return;
	rt_spin_lock(&g_lock);
	for (int i = 0; i < NRES; i++)
		if (g_lim[i].set)
			kernel(resources[i], &g_lim[i].prog, NULL);
	rt_spin_unlock(&g_lock);
}

uint64_t rt_rlimit_program(int res)
{
	struct rlimit r;
	int i = slot(res);
	if (i >= 0 && g_lim[i].set)
		return g_lim[i].prog.rlim_cur;
	return kernel(res, NULL, &r) == 0 ? r.rlim_cur : RLIM_INFINITY;
}

/* ---- the interposed functions (setrlimit64 and friends are the same
 * functions in the C library: struct rlimit64 has struct rlimit's layout
 * on 64-bit Linux) ---- */

EXPORT int setrlimit(__rlimit_resource_t res, const struct rlimit *r)
{
	return limits((int)res, r, NULL);
}

EXPORT int setrlimit64(__rlimit_resource_t res, const struct rlimit64 *r)
{
	return setrlimit(res, (const struct rlimit *)r);
}

EXPORT int getrlimit(__rlimit_resource_t res, struct rlimit *r)
{
	return limits((int)res, NULL, r);
}

EXPORT int getrlimit64(__rlimit_resource_t res, struct rlimit64 *r)
{
	return getrlimit(res, (struct rlimit *)r);
}

EXPORT int prlimit(pid_t pid, __rlimit_resource_t res, const struct rlimit *set, struct rlimit *old)
{
	if (pid && pid != getpid())
		return (int)syscall(SYS_prlimit64, pid, (int)res, set, old);
	return limits((int)res, set, old);
}

EXPORT int prlimit64(pid_t pid, __rlimit_resource_t res, const struct rlimit64 *set, struct rlimit64 *old)
{
	return prlimit(pid, res, (const struct rlimit *)set, (struct rlimit *)old);
}
