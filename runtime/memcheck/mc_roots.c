/* The root set of the live process and the scan (mc_roots.h): threads are
 * stopped by a signal whose handler saves their registers and waits;
 * /proc/self/maps gives the writable mappings, minus the heap, the caller's
 * exclusions and each known stack below its stack pointer. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* built outside the Makefile by the tests */
#endif
#include "mc_roots.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>
#include <linux/futex.h>

#define PAGE 4096u
#define RED_ZONE 128u
#define ARENA_ALIGN (64ull << 20) /* glibc's HEAP_MAX_SIZE on 64-bit */
#define MAX_THREADS 8192
#define ACK_BUDGET_NS 500000000ll /* all threads together */
#define LEAVE_BUDGET_NS 200000000ll

#if defined(__x86_64__)
#define NREGS 16 /* gregs[REG_R8..REG_RSP]: every general-purpose register */
#elif defined(__aarch64__)
#define NREGS 32 /* x0..x30, sp */
#else
#define NREGS 0
#endif

/* ---- small helpers ---- */

struct own_map {
	void *p;
	size_t n;
};

static void *map_anon(size_t n)
{
	void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

static long long now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000ll + t.tv_nsec;
}

static pid_t my_tid(void)
{
	return (pid_t)syscall(SYS_gettid);
}

/* ---- stopping threads ---- */

enum { T_SENT = 1, T_ACKED, T_LEFT, T_DEAD };

struct thr {
	pid_t tid;
	int state; /* T_*, atomic */
	uint64_t sp;
	uint64_t regs[NREGS ? NREGS : 1];
};

static struct {
	int busy;     /* one scan at a time */
	int released; /* futex word: stopped threads wait on it */
	int inside;   /* handlers running: the slots stay mapped until 0 */
	pid_t pid;
	struct thr *thr;
	size_t nthr;
} ctl;

static void save_regs(struct thr *t, const ucontext_t *uc)
{
#if defined(__x86_64__)
	for (int i = 0; i < NREGS; i++)
		t->regs[i] = (uint64_t)uc->uc_mcontext.gregs[REG_R8 + i];
	t->sp = (uint64_t)uc->uc_mcontext.gregs[REG_RSP];
#elif defined(__aarch64__)
	for (int i = 0; i < 31; i++)
		t->regs[i] = uc->uc_mcontext.regs[i];
	t->regs[31] = uc->uc_mcontext.sp;
	t->sp = uc->uc_mcontext.sp;
#else
	(void)uc;
	t->sp = (uint64_t)(uintptr_t)&t; /* roughly: this handler's frame */
#endif
}

static void on_stop(int sig, siginfo_t *si, void *ucv)
{
	int saved_errno = errno;
	__atomic_add_fetch(&ctl.inside, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&ctl.released, __ATOMIC_SEQ_CST) || si->si_code != SI_TKILL ||
	    si->si_pid != ctl.pid)
		goto out;
	pid_t tid = my_tid();
	struct thr *t = NULL;
	size_t n = __atomic_load_n(&ctl.nthr, __ATOMIC_ACQUIRE);
	for (size_t i = 0; i < n; i++)
		if (ctl.thr[i].tid == tid)
			t = &ctl.thr[i];
	if (!t)
		goto out;
	save_regs(t, ucv);
	__atomic_store_n(&t->state, T_ACKED, __ATOMIC_RELEASE);
	/* Wait until released: the scan reads memory this thread could free. */
	while (!__atomic_load_n(&ctl.released, __ATOMIC_ACQUIRE)) {
		struct timespec to = {0, 50000000};
		syscall(SYS_futex, &ctl.released, FUTEX_WAIT_PRIVATE, 0, &to, NULL, 0);
	}
	__atomic_store_n(&t->state, T_LEFT, __ATOMIC_RELEASE);
out:
	__atomic_sub_fetch(&ctl.inside, 1, __ATOMIC_SEQ_CST);
	errno = saved_errno;
	(void)sig;
}

static int is_skipped(pid_t tid, const pid_t *skip, size_t nskip)
{
	for (size_t i = 0; i < nskip; i++)
		if (skip[i] == tid)
			return 1;
	return 0;
}

/* Signals every thread of /proc/self/task not yet signalled; returns how
 * many were new (-1 if the directory cannot be read). */
static int signal_new_threads(const pid_t *skip, size_t nskip, int sig)
{
	int fd = open("/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	char buf[4096] __attribute__((aligned(8)));
	pid_t self = my_tid();
	int added = 0;
	for (;;) {
		long got = syscall(SYS_getdents64, fd, buf, sizeof buf);
		if (got <= 0)
			break;
		for (long off = 0; off < got;) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);
			off += d->d_reclen;
			pid_t tid = 0;
			const char *c = d->d_name;
			if (*c < '0' || *c > '9')
				continue;
			for (; *c >= '0' && *c <= '9'; c++)
				tid = tid * 10 + (*c - '0');
			if (tid == self || is_skipped(tid, skip, nskip))
				continue;
			int known = 0;
			for (size_t i = 0; i < ctl.nthr && !known; i++)
				known = ctl.thr[i].tid == tid;
			if (known || ctl.nthr >= MAX_THREADS)
				continue;
			struct thr *t = &ctl.thr[ctl.nthr];
			t->tid = tid;
			t->state = T_SENT;
			__atomic_store_n(&ctl.nthr, ctl.nthr + 1, __ATOMIC_RELEASE);
			if (syscall(SYS_tgkill, ctl.pid, tid, sig) != 0)
				t->state = T_DEAD; /* already gone */
			added++;
		}
	}
	close(fd);
	return added;
}

/* Stops every other thread (bounded wait); returns 1 if all answered. */
static int stop_world(const pid_t *skip, size_t nskip, int sig)
{
	long long deadline = now_ns() + ACK_BUDGET_NS;
	for (int round = 0; round < 8; round++) {
		int added = signal_new_threads(skip, nskip, sig);
		if (added < 0)
			return 0; /* threads unknown: never read memory directly */
		if (!added && round > 0)
			break;
		for (int spins = 0;; spins++) {
			size_t waiting = 0;
			for (size_t i = 0; i < ctl.nthr; i++)
				waiting += __atomic_load_n(&ctl.thr[i].state, __ATOMIC_ACQUIRE) == T_SENT;
			if (!waiting || now_ns() > deadline)
				break;
			if (spins < 100) {
				sched_yield();
			} else {
				struct timespec ts = {0, 100000};
				nanosleep(&ts, NULL);
			}
		}
	}
	for (size_t i = 0; i < ctl.nthr; i++)
		if (__atomic_load_n(&ctl.thr[i].state, __ATOMIC_ACQUIRE) == T_SENT)
			return 0;
	return 1;
}

/* Releases the stopped threads; returns 1 when no handler can still touch
 * the slots (they may be unmapped and the old action restored). */
static int resume_world(void)
{
	__atomic_store_n(&ctl.released, 1, __ATOMIC_SEQ_CST);
	syscall(SYS_futex, &ctl.released, FUTEX_WAKE_PRIVATE, 0x7fffffff, NULL, NULL, 0);
	long long deadline = now_ns() + LEAVE_BUDGET_NS;
	for (;;) {
		int busy = __atomic_load_n(&ctl.inside, __ATOMIC_SEQ_CST) != 0;
		for (size_t i = 0; i < ctl.nthr && !busy; i++)
			busy = __atomic_load_n(&ctl.thr[i].state, __ATOMIC_ACQUIRE) == T_ACKED;
		if (!busy)
			break;
		if (now_ns() > deadline)
			return 0;
		sched_yield();
	}
	/* A thread that never answered still has the signal pending: keep our
	 * handler (it returns at once now), since the default action kills. */
	for (size_t i = 0; i < ctl.nthr; i++)
		if (ctl.thr[i].state == T_SENT)
			return 0;
	return 1;
}

/* ---- /proc/self/maps ---- */

enum { SEG_R = 1, SEG_W = 2, SEG_X = 4, SEG_FILE = 8, SEG_HEAP = 16, SEG_DEV = 32, SEG_ANON = 64 };

struct seg {
	uint64_t start, end;
	unsigned flags;
	uint64_t root_from; /* a known stack pointer's page: scan from here */
};

struct maps {
	struct seg *s;
	size_t n, bytes;
};

static uint64_t hex(const char **p)
{
	uint64_t v = 0;
	for (;; (*p)++) {
		char c = **p;
		if (c >= '0' && c <= '9')
			v = v * 16 + (uint64_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v * 16 + (uint64_t)(c - 'a' + 10);
		else
			return v;
	}
}

static int starts(const char *s, const char *e, const char *prefix)
{
	size_t n = strlen(prefix);
	return (size_t)(e - s) >= n && !memcmp(s, prefix, n);
}

static unsigned path_flags(const char *p, const char *e)
{
	if (p == e || starts(p, e, "[anon:") || starts(p, e, "[stack"))
		return SEG_ANON;
	if (starts(p, e, "[heap]"))
		return SEG_ANON | SEG_HEAP;
	if (*p == '[')
		return 0; /* [vdso], [vvar], [vsyscall] */
	if (starts(p, e, "/dev/zero"))
		return SEG_ANON;
	if (starts(p, e, "/dev/") && !starts(p, e, "/dev/shm/"))
		return SEG_FILE | SEG_DEV; /* devices: reads may hang or act */
	return SEG_FILE;
}

/* Reads the maps text into an mmap'd buffer, then parses it in place into
 * a second mmap'd array. */
static int read_maps(struct maps *m, struct own_map *buf)
{
	size_t cap = 1 << 20, len = 0;
	char *t = map_anon(cap);
	if (!t)
		return -1;
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		munmap(t, cap);
		return -1;
	}
	for (;;) {
		if (len == cap) {
			char *n = mremap(t, cap, cap * 2, MREMAP_MAYMOVE);
			if (n == MAP_FAILED)
				break;
			t = n;
			cap *= 2;
		}
		ssize_t r = read(fd, t + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	buf->p = t;
	buf->n = cap;
	size_t lines = 0;
	for (size_t i = 0; i < len; i++)
		lines += t[i] == '\n';
	m->bytes = (lines + 1) * sizeof *m->s;
	m->s = map_anon(m->bytes);
	if (!m->s)
		return -1;
	m->n = 0;
	for (const char *p = t, *end = t + len; p < end;) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		struct seg *s = &m->s[m->n];
		s->start = hex(&p);
		p++;
		s->end = hex(&p);
		p++;
		s->flags = (p[0] == 'r' ? SEG_R : 0) | (p[1] == 'w' ? SEG_W : 0) |
			   (p[2] == 'x' ? SEG_X : 0);
		s->root_from = s->start;
		/* offset, dev, inode, then the path (may be absent) */
		for (int field = 0; field < 4 && p < eol; field++) {
			while (p < eol && *p != ' ')
				p++;
			while (p < eol && *p == ' ')
				p++;
		}
		s->flags |= path_flags(p, eol);
		m->n++;
		p = eol + 1;
	}
	return 0;
}

static struct seg *find_seg(const struct maps *m, uint64_t a)
{
	size_t lo = 0, hi = m->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (a < m->s[mid].start)
			hi = mid;
		else if (a >= m->s[mid].end)
			lo = mid + 1;
		else
			return &m->s[mid];
	}
	return NULL;
}

/* ---- reading memory ---- */

struct reader {
	const struct maps *maps;
	int direct;     /* every thread stopped: anonymous memory cannot vanish */
	int no_vm_read; /* process_vm_readv refused (seccomp): read directly */
	pid_t pid;
};

static const void *mem_read(void *ctx, uint64_t addr, size_t len, void *buf)
{
	struct reader *r = ctx;
	const struct seg *s = find_seg(r->maps, addr);
	int inside = s && (s->flags & SEG_R) && addr + len <= s->end && !(s->flags & SEG_DEV);
	if (inside && ((r->direct && (s->flags & SEG_ANON)) || r->no_vm_read))
		return (const void *)(uintptr_t)addr;
	if (r->no_vm_read)
		return NULL;
	/* The kernel copies what it can and reports a fault: no signal here. */
	struct iovec local = {buf, len}, remote = {(void *)(uintptr_t)addr, len};
	ssize_t got = process_vm_readv(r->pid, &local, 1, &remote, 1, 0);
	if (got == (ssize_t)len)
		return buf;
	if (got < 0 && (errno == ENOSYS || errno == EPERM)) {
		r->no_vm_read = 1;
		return inside ? (const void *)(uintptr_t)addr : NULL;
	}
	return NULL;
}

static unsigned mem_seg(void *ctx, uint64_t addr, uint64_t *end)
{
	struct reader *r = ctx;
	const struct seg *s = find_seg(r->maps, addr);
	if (!s)
		return 0;
	*end = s->end;
	return ((s->flags & SEG_R) ? MC_SEG_R : 0) | ((s->flags & SEG_X) ? MC_SEG_X : 0) |
	       ((s->flags & SEG_FILE) ? MC_SEG_FILE : 0);
}

/* ---- exclusions ---- */

struct excl {
	struct mc_range *r;
	size_t n, cap;
};

static void excl_add(struct excl *x, uint64_t start, uint64_t end)
{
	if (start >= end)
		return;
	if (x->n && start <= x->r[x->n - 1].end && start >= x->r[x->n - 1].start) {
		if (end > x->r[x->n - 1].end)
			x->r[x->n - 1].end = end; /* blocks come sorted: merge */
		return;
	}
	if (x->n < x->cap)
		x->r[x->n++] = (struct mc_range){start, end};
}

static void excl_sort_merge(struct excl *x)
{
	/* Shell sort: no malloc (qsort may call it). */
	for (size_t gap = x->n / 2; gap; gap /= 2)
		for (size_t i = gap; i < x->n; i++) {
			struct mc_range v = x->r[i];
			size_t j = i;
			for (; j >= gap && x->r[j - gap].start > v.start; j -= gap)
				x->r[j] = x->r[j - gap];
			x->r[j] = v;
		}
	size_t k = 0;
	for (size_t i = 0; i < x->n; i++) {
		if (k && x->r[i].start <= x->r[k - 1].end) {
			if (x->r[i].end > x->r[k - 1].end)
				x->r[k - 1].end = x->r[i].end;
		} else {
			x->r[k++] = x->r[i];
		}
	}
	x->n = k;
}

static uint64_t pg_down(uint64_t a)
{
	return a & ~(uint64_t)(PAGE - 1);
}

static uint64_t pg_up(uint64_t a)
{
	return (a + PAGE - 1) & ~(uint64_t)(PAGE - 1);
}

static void excl_add_mem(struct excl *x, const void *p, size_t n)
{
	if (p && n)
		excl_add(x, pg_down((uintptr_t)p), pg_up((uintptr_t)p + n));
}

/* A glibc thread arena heap starts at a 64 MiB boundary with its heap_info:
 * arena pointer, previous heap, size, mprotect'd size. */
static uint64_t arena_end(struct reader *rd, const struct seg *s, uint64_t a)
{
	uint64_t w[4];
	const uint64_t *p = mem_read(rd, a, sizeof w, w);
	if (!p || !p[0] || p[0] % 8 || !p[2] || p[2] % PAGE || p[2] > ARENA_ALIGN)
		return 0;
	uint64_t n = p[3] > p[2] && p[3] <= ARENA_ALIGN ? p[3] : p[2];
	return a + n < s->end ? a + n : s->end;
}

/* Heap memory is not a root: [heap] and thread arenas whole (their free
 * chunks hold stale pointers), mmap'd chunks by their pages. */
static void exclude_heap(struct excl *x, struct reader *rd, const struct maps *m,
			 const struct mc_block *b, size_t n)
{
	uint64_t last_arena = 1;
	for (size_t i = 0; i < n; i++) {
		struct seg *s = find_seg(m, b[i].start);
		if (!s)
			continue;
		if (s->flags & SEG_HEAP) {
			excl_add(x, s->start, s->end);
			continue;
		}
		uint64_t a = b[i].start & ~(ARENA_ALIGN - 1);
		if (a >= s->start && a != last_arena) {
			uint64_t e = arena_end(rd, s, a);
			if (e > b[i].start) {
				last_arena = a;
				excl_add(x, a, e);
				continue;
			}
		} else if (a == last_arena) {
			continue;
		}
		uint64_t lo = b[i].start >= 16 ? pg_down(b[i].start - 16) : 0;
		uint64_t hi = pg_up(b[i].start + (b[i].size ? b[i].size : 1));
		excl_add(x, lo < s->start ? s->start : lo, hi > s->end ? s->end : hi);
	}
}

/* ---- the scan ---- */

uint64_t mc_scan_stack_from;
const uint64_t *mc_scan_regs;
size_t mc_scan_nregs;
const uint32_t *mc_scan_order;

static void scan_minus(struct mc_mark *mk, uint64_t lo, uint64_t hi, const struct excl *x,
		       struct mc_scan_stats *st)
{
	size_t a = 0, b = x->n;
	while (a < b) { /* first exclusion ending after lo */
		size_t mid = a + (b - a) / 2;
		if (x->r[mid].end <= lo)
			a = mid + 1;
		else
			b = mid;
	}
	for (size_t i = a; i < x->n && lo < hi && x->r[i].start < hi; i++) {
		if (x->r[i].start > lo) {
			mc_mark_range(mk, lo, x->r[i].start - lo);
			st->root_ranges++;
		}
		if (x->r[i].end > lo)
			lo = x->r[i].end;
	}
	if (lo < hi) {
		mc_mark_range(mk, lo, hi - lo);
		st->root_ranges++;
	}
}

static void set_stack_start(const struct maps *m, uint64_t sp)
{
	struct seg *s = find_seg(m, sp);
	if (!s)
		return;
	uint64_t from = sp >= RED_ZONE ? sp - RED_ZONE : 0;
	if (from < s->start)
		from = s->start;
	if (s->root_from == s->start || from < s->root_from)
		s->root_from = from; /* several stacks in one mapping: the lowest */
}

static uint64_t current_sp(void)
{
	uint64_t sp;
#if defined(__x86_64__)
	__asm__ volatile("mov %%rsp, %0" : "=r"(sp));
#elif defined(__aarch64__)
	__asm__ volatile("mov %0, sp" : "=r"(sp));
#else
	volatile char here;
	sp = (uint64_t)(uintptr_t)&here - 256;
#endif
	return sp;
}

int mc_leak_scan(const struct mc_block *blocks, size_t n, const struct mc_range *exclude,
		 size_t nex, const pid_t *skip_tids, size_t nskip, unsigned heuristics,
		 uint8_t *state_out, uint64_t *indirect_out, struct mc_scan_stats *st)
{
	/* Spill callee-saved registers into this frame, above the stack
	 * pointer taken below: the callers' register values are roots. */
	__builtin_unwind_init();
	memset(st, 0, sizeof *st);
	if (__atomic_exchange_n(&ctl.busy, 1, __ATOMIC_SEQ_CST))
		return -1;
	uint64_t sp = mc_scan_stack_from ? mc_scan_stack_from + RED_ZONE : current_sp();
	heuristics |= MC_IGNORE_GLIBC_LINKS;
	int sig = MC_STOP_SIGNAL, ret = -1;
	struct own_map slots = {NULL, MAX_THREADS * sizeof(struct thr)};
	struct own_map maps_text = {NULL, 0};
	struct maps maps = {NULL, 0, 0};
	struct excl x = {NULL, 0, 0};
	size_t excl_bytes = 0;
	struct mc_mark mk;
	int marking = 0, restore = 0;
	struct sigaction sa, old;

	slots.p = map_anon(slots.n);
	if (!slots.p)
		goto done;
	ctl.thr = slots.p;
	ctl.nthr = 0;
	ctl.pid = getpid();
	__atomic_store_n(&ctl.released, 0, __ATOMIC_SEQ_CST);
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_stop;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigfillset(&sa.sa_mask);
	if (sigaction(sig, &sa, &old) == 0) {
		restore = 1;
		st->direct = (uint32_t)stop_world(skip_tids, nskip, sig);
	}
	for (size_t i = 0; i < ctl.nthr; i++) {
		int s = __atomic_load_n(&ctl.thr[i].state, __ATOMIC_ACQUIRE);
		st->threads_stopped += s == T_ACKED;
		st->threads_missed += s == T_SENT;
	}

	if (read_maps(&maps, &maps_text))
		goto resume;
	struct reader rd = {&maps, (int)st->direct, 0, ctl.pid};
	struct mc_mem mem = {mem_read, mem_seg, &rd};

	/* Exclusions: the caller's, ours, and the heap (bounded by the mmap'd
	 * chunks a heap can have: one entry per block at most). */
	x.cap = nex + n + 16;
	excl_bytes = x.cap * sizeof *x.r;
	x.r = map_anon(excl_bytes);
	if (!x.r)
		goto resume;
	for (size_t i = 0; i < nex; i++)
		excl_add(&x, exclude[i].start, exclude[i].end);
	excl_add_mem(&x, blocks, n * sizeof *blocks);
	excl_add_mem(&x, state_out, n);
	excl_add_mem(&x, indirect_out, n * sizeof *indirect_out);
	excl_add_mem(&x, slots.p, slots.n);
	excl_add_mem(&x, maps_text.p, maps_text.n);
	excl_add_mem(&x, maps.s, maps.bytes);
	excl_add_mem(&x, &ctl, sizeof ctl);
	excl_add_mem(&x, x.r, excl_bytes);
	excl_sort_merge(&x);
	exclude_heap(&x, &rd, &maps, blocks, n);
	excl_sort_merge(&x);

	/* Stacks: from each known stack pointer (minus the red zone) up. */
	set_stack_start(&maps, sp);
	for (size_t i = 0; i < ctl.nthr; i++)
		if (ctl.thr[i].state == T_ACKED)
			set_stack_start(&maps, ctl.thr[i].sp);

	if (mc_mark_init(&mk, blocks, n, &mem, heuristics, state_out, indirect_out))
		goto resume;
	mc_mark_set_order(&mk, mc_scan_order);
	marking = 1;
	for (size_t i = 0; i < maps.n; i++) {
		const struct seg *s = &maps.s[i];
		if ((s->flags & (SEG_R | SEG_W)) != (SEG_R | SEG_W) || (s->flags & SEG_DEV))
			continue;
		scan_minus(&mk, s->root_from, s->end, &x, st);
	}
	for (size_t i = 0; i < ctl.nthr; i++)
		if (ctl.thr[i].state == T_ACKED)
			for (int r = 0; r < NREGS; r++)
				mc_mark_word(&mk, ctl.thr[i].regs[r]);
	for (size_t r = 0; mc_scan_stack_from && r < mc_scan_nregs; r++)
		mc_mark_word(&mk, mc_scan_regs[r]);
	mc_mark_finish(&mk);
	st->mark = mk.st;
	ret = 0;
resume:
	if (restore) {
		if (resume_world()) {
			sigaction(sig, &old, NULL);
		} else {
			slots.p = NULL; /* a late handler may still look at it */
		}
	}
	if (marking)
		mc_mark_free(&mk);
	if (x.r)
		munmap(x.r, excl_bytes);
	if (maps.s)
		munmap(maps.s, maps.bytes);
	if (maps_text.p)
		munmap(maps_text.p, maps_text.n);
	if (slots.p)
		munmap(slots.p, slots.n);
done:
	__atomic_store_n(&ctl.busy, 0, __ATOMIC_SEQ_CST);
	return ret;
}

/* ---- the caller's own data ---- */

struct obj_q {
	uintptr_t addr;
	struct mc_range *out;
	size_t max, n;
};

static int obj_cb(struct dl_phdr_info *info, size_t size, void *data)
{
	struct obj_q *q = data;
	int mine = 0;
	for (int i = 0; i < info->dlpi_phnum && !mine; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t s = info->dlpi_addr + ph->p_vaddr;
		mine = ph->p_type == PT_LOAD && q->addr >= s && q->addr < s + ph->p_memsz;
	}
	if (!mine)
		return 0;
	for (int i = 0; i < info->dlpi_phnum && q->n < q->max; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_W))
			continue;
		uintptr_t s = info->dlpi_addr + ph->p_vaddr;
		q->out[q->n++] = (struct mc_range){pg_down(s), pg_up(s + ph->p_memsz)};
	}
	(void)size;
	return 1;
}

size_t mc_object_data_ranges(const void *addr, struct mc_range *out, size_t max)
{
	struct obj_q q = {(uintptr_t)addr, out, max, 0};
	dl_iterate_phdr(obj_cb, &q);
	return q.n;
}
