/* Real unwinding of this test's own stack (a copy taken in a nested call
 * chain, in a signal handler), synthetic stacks for the PLT expression,
 * frame-pointer fallback and the stop reasons, and the step cost. */
#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "binary/cfi.h"
#include "binary/symbolizer.h"
#include "unit.h"

#if defined(__clang__)
#define NOFP __attribute__((noinline))
#define NOCLONE
#else
#define NOFP __attribute__((noinline, optimize("omit-frame-pointer")))
#define NOCLONE __attribute__((noclone))
#endif
#define NOINLINE __attribute__((noinline)) NOCLONE

/* ---- the address space of this process ---------------------------------- */

#define MAX_MAPS 512
struct space {
	struct unwind_map maps[MAX_MAPS];
	char *paths[MAX_MAPS];
	uint64_t pgoff[MAX_MAPS];
	int mod[MAX_MAPS];
	size_t n;
	struct cfi_table *tabs[MAX_MAPS];
	size_t ntabs;
	struct unwind_space as;
	struct symbolizer *sym;
};

static struct space sp_self;

static void space_build(struct space *s)
{
	memset(s, 0, sizeof(*s));
	FILE *f = fopen("/proc/self/maps", "r");
	char line[1024];
	while (f && fgets(line, sizeof(line), f) && s->n < MAX_MAPS) {
		unsigned long lo, hi, off;
		char perms[8], path[800] = "";
		if (sscanf(line, "%lx-%lx %7s %lx %*s %*s %799s", &lo, &hi, perms, &off, path) < 4 || !strchr(perms, 'x'))
			continue;
		struct cfi_table *t = NULL;
		uint64_t vaddr = 0;
		if (path[0] == '/') {
			for (size_t i = 0; i < s->n; i++)
				if (s->paths[i] && !strcmp(s->paths[i], path))
					t = s->maps[i].cfi;
			if (!t) {
				t = cfi_table_load(path);
				s->tabs[s->ntabs++] = t;
			}
			if (!cfi_table_offset_to_vaddr(t, off, &vaddr))
				continue;
		} else if (!strcmp(path, "[vdso]")) {
			t = cfi_table_from_memory((const void *)lo, hi - lo);
			s->tabs[s->ntabs++] = t;
			if (!cfi_table_offset_to_vaddr(t, 0, &vaddr))
				vaddr = 0;
		}
		s->maps[s->n] = (struct unwind_map){ lo, hi, (int64_t)(lo - vaddr), t };
		s->paths[s->n] = path[0] ? strdup(path) : NULL;
		s->pgoff[s->n] = off;
		s->mod[s->n] = -1;
		s->n++;
	}
	if (f)
		fclose(f);
	s->as = (struct unwind_space){ s->maps, s->n };
	s->sym = symbolizer_new();
}

static void space_free(struct space *s)
{
	for (size_t i = 0; i < s->ntabs; i++)
		cfi_table_free(s->tabs[i]);
	for (size_t i = 0; i < s->n; i++)
		free(s->paths[i]);
	symbolizer_free(s->sym);
}

/* Function name of a return address (ip-1) or the sampled ip. */
static const char *name_of(struct space *s, uint64_t ip, bool exact)
{
	uint64_t a = exact ? ip : ip - 1;
	for (size_t i = 0; i < s->n; i++) {
		if (a < s->maps[i].start || a >= s->maps[i].end || !s->paths[i] || s->paths[i][0] != '/')
			continue;
		if (s->mod[i] < 0)
			s->mod[i] = symbolizer_module(s->sym, s->paths[i], NULL, 0);
		const struct sym_result *r = symbolizer_lookup(s->sym, s->mod[i], a - (uint64_t)s->maps[i].bias);
		return r && r->frames[r->nr - 1].func ? r->frames[r->nr - 1].func : "?";
	}
	Dl_info di;
	if (dladdr((void *)a, &di) && di.dli_sname)
		return di.dli_sname;
	return "?";
}

/* ---- snapshots ------------------------------------------------------------- */

struct snap {
	struct unwind_regs regs;
	uint8_t *stack;
	uint64_t base;
	size_t len;
};

static struct snap g_snap, g_sigsnap;
static uint64_t stack_top;

static void find_stack_top(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[1024];
	while (f && fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;
		if (strstr(line, "[stack]") && sscanf(line, "%lx-%lx", &lo, &hi) == 2)
			stack_top = hi;
	}
	if (f)
		fclose(f);
}

__attribute__((no_sanitize_address)) static size_t copy_raw(uint8_t *dst, uint64_t src, size_t len)
{
	for (size_t i = 0; i < len; i++)
		dst[i] = *(volatile const uint8_t *)(uintptr_t)(src + i);
	return len;
}

/* Copies [sp, stack top) without touching it through instrumented loads
 * (ASan poisons parts of live frames). */
static NOINLINE void snap_copy(struct snap *s)
{
	uint64_t sp = s->regs.r[UNW_RSP];
	size_t len = stack_top > sp ? stack_top - sp : 0;
	if (len > (512u << 10))
		len = 512u << 10;
	s->stack = malloc(len ? len : 1);
	struct iovec local = { s->stack, len }, remote = { (void *)sp, len };
	ssize_t got = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
	if (got <= 0) /* no process_vm_readv (seccomp): copy by hand */
		got = (ssize_t)copy_raw(s->stack, sp, len);
	s->base = sp;
	s->len = got > 0 ? (size_t)got : 0;
}

#define CAPTURE(s)                                                                      \
	do {                                                                            \
		__asm__ volatile("lea 1f(%%rip), %%rax\n\t"                             \
				 "movq %%rax, 128(%0)\n\t"                              \
				 "movq %%rsp, 56(%0)\n\t"                               \
				 "movq %%rbp, 48(%0)\n\t"                               \
				 "movq %%rbx, 24(%0)\n\t"                               \
				 "movq %%r12, 96(%0)\n\t"                               \
				 "movq %%r13, 104(%0)\n\t"                              \
				 "movq %%r14, 112(%0)\n\t"                              \
				 "movq %%r15, 120(%0)\n\t"                              \
				 "1:\n\t"                                               \
				 :                                                      \
				 : "r"((s)->regs.r)                                     \
				 : "rax", "memory");                                    \
		(s)->regs.valid = (1u << UNW_RIP) | (1u << UNW_RSP) | (1u << UNW_RBP) |  \
				  (1u << UNW_RBX) | (0xfu << UNW_R12);                  \
		snap_copy(s);                                                           \
	} while (0)

static bool snap_read(void *ctx, uint64_t addr, uint64_t *v)
{
	const struct snap *s = ctx;
	if (addr < s->base || addr - s->base > s->len || s->len - (addr - s->base) < 8)
		return false;
	memcpy(v, s->stack + (addr - s->base), 8);
	return true;
}

static volatile int sink;

static NOINLINE int leaf(int x)
{
	CAPTURE(&g_snap);
	sink = x;
	return x + 1;
}

static NOFP NOCLONE int mid_nofp(int x)
{
	volatile char buf[200];
	buf[x & 127] = (char)x;
	int r = leaf(x + buf[3]);
	return r + buf[x & 63];
}

static NOINLINE int level3(int x)
{
	return mid_nofp(x) * 3 + sink;
}

static NOINLINE int level2(int x)
{
	return level3(x + 1) * 5 + sink;
}

static NOINLINE int level1(int x)
{
	return level2(x + 2) * 7 + sink;
}

static int find_name(struct space *s, const uint64_t *pcs, size_t n, const char *name, int from)
{
	/* Exact match too: the frame after a signal frame is not a return address,
	 * and __restore_rt's return address is its first byte. */
	for (size_t i = (size_t)from; i < n; i++)
		if (strstr(name_of(s, pcs[i], i == 0), name) || strstr(name_of(s, pcs[i], true), name))
			return (int)i;
	return -1;
}

static void print_chain(struct space *s, const uint64_t *pcs, size_t n, enum unwind_stop why)
{
	for (size_t i = 0; i < n; i++)
		printf("#   %2zu %#lx %s\n", i, (unsigned long)pcs[i], name_of(s, pcs[i], i == 0));
	printf("#   stop %d\n", why);
}

static NOINLINE void test_self_unwind(void)
{
	level1(1);
	struct unwind_memory mem = { snap_read, &g_snap };
	uint64_t pcs[128];
	enum unwind_stop why;
	size_t n = unwind_stack(&sp_self.as, &g_snap.regs, &mem, pcs, 128, &why);
	if (why != UNWIND_END || n < 8)
		print_chain(&sp_self, pcs, n, why);
	CHECK_INT(why, UNWIND_END);
	int a = find_name(&sp_self, pcs, n, "leaf", 0);
	int b = find_name(&sp_self, pcs, n, "mid_nofp", a);
	int c = find_name(&sp_self, pcs, n, "level3", b);
	int d = find_name(&sp_self, pcs, n, "level2", c);
	int e = find_name(&sp_self, pcs, n, "level1", d);
	int f = find_name(&sp_self, pcs, n, "test_self_unwind", e);
	int g = find_name(&sp_self, pcs, n, "main", f);
	int h = find_name(&sp_self, pcs, n, "__libc_start_call_main", g);
	if (a != 0 || b != 1 || c != 2 || d != 3 || e != 4 || f != 5 || g < 6 || h < 0)
		print_chain(&sp_self, pcs, n, why);
	CHECK_INT(a, 0);
	CHECK_INT(b, 1);
	CHECK_INT(c, 2);
	CHECK_INT(d, 3);
	CHECK_INT(e, 4);
	CHECK_INT(f, 5);
	CHECK(g >= 6);
	CHECK(h > g);

	/* Without rbp (not sampled) it still works: nothing here needs it. */
	struct unwind_regs r2 = g_snap.regs;
	r2.valid &= ~(1u << UNW_RBP);
	uint64_t pcs2[128];
	size_t n2 = unwind_stack(&sp_self.as, &r2, &mem, pcs2, 128, &why);
	const struct unwind_map *lm = NULL;
	for (size_t i = 0; i < sp_self.n; i++)
		if (pcs[0] >= sp_self.maps[i].start && pcs[0] < sp_self.maps[i].end)
			lm = &sp_self.maps[i];
	CHECK(lm && lm->cfi);
	struct cfi_rule lr = cfi_table_rule(lm->cfi, pcs[0] - (uint64_t)lm->bias);
	if (lr.kind == CFI_RULE_CFA && lr.cfa_reg == UNW_RBP) { /* frame-pointer build (SAN=1) */
		CHECK_INT(why, UNWIND_BAD);
		CHECK_INT(n2, 1);
	} else {
		CHECK_INT(n2, n);
		CHECK(!memcmp(pcs, pcs2, n * sizeof(*pcs)));
	}

	/* A stack copy too short: truncated, with the first frames right. */
	struct snap shorty = g_snap;
	shorty.len = 400;
	struct unwind_memory m2 = { snap_read, &shorty };
	n2 = unwind_stack(&sp_self.as, &g_snap.regs, &m2, pcs2, 128, &why);
	CHECK_INT(why, UNWIND_TRUNCATED);
	CHECK(n2 >= 2 && n2 < n);
	CHECK(!memcmp(pcs, pcs2, n2 * sizeof(*pcs)));
	/* out[] too small. */
	n2 = unwind_stack(&sp_self.as, &g_snap.regs, &mem, pcs2, 3, &why);
	CHECK_INT(why, UNWIND_MAX);
	CHECK_INT(n2, 3);
	n2 = unwind_stack(&sp_self.as, &g_snap.regs, &mem, pcs2, 0, &why);
	CHECK_INT(why, UNWIND_MAX);
	CHECK_INT(n2, 0);

	/* Step cost: the whole chain, warm cache. */
	struct timespec t0, t1;
	const int iters = 200000;
	size_t frames = 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < iters; i++)
		frames += unwind_stack(&sp_self.as, &g_snap.regs, &mem, pcs2, 128, &why);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double ns = (double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec);
	printf("# warm unwind: %zu frames/stack, %.1f ns/frame, %.0f ns/stack\n", n, ns / (double)frames,
	       ns / iters);
	/* Cold: a fresh table each time for the test binary (parse + run FDEs). */
	uint64_t total_lookups = 0, total_hits = 0;
	for (size_t i = 0; i < sp_self.ntabs; i++) {
		struct cfi_stats st;
		cfi_table_stats(sp_self.tabs[i], &st);
		total_lookups += st.lookups;
		total_hits += st.hits;
	}
	printf("# cache: %lu lookups, %lu hits\n", (unsigned long)total_lookups, (unsigned long)total_hits);
}

/* ---- a signal handler's stack ---------------------------------------------- */

static volatile sig_atomic_t got_signal;
static volatile unsigned long spins;

static NOINLINE void on_signal(int sig)
{
	CAPTURE(&g_sigsnap);
	sink = sig;
	got_signal = 1;
}

static NOFP NOCLONE void spin_victim(void)
{
	while (!got_signal)
		spins++;
}

static void *killer(void *arg)
{
	usleep(20000);
	pthread_kill(*(pthread_t *)arg, SIGUSR1);
	return NULL;
}

static NOINLINE void test_signal_unwind(void)
{
	struct sigaction sa, old;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGUSR1, &sa, &old);
	pthread_t self = pthread_self(), th;
	got_signal = 0;
	pthread_create(&th, NULL, killer, &self);
	spin_victim();
	pthread_join(th, NULL);
	sigaction(SIGUSR1, &old, NULL);
	struct unwind_memory mem = { snap_read, &g_sigsnap };
	uint64_t pcs[128];
	enum unwind_stop why;
	size_t n = unwind_stack(&sp_self.as, &g_sigsnap.regs, &mem, pcs, 128, &why);
	int a = find_name(&sp_self, pcs, n, "on_signal", 0);
	int b = find_name(&sp_self, pcs, n, "restore_rt", a);
	int c = find_name(&sp_self, pcs, n, "spin_victim", b);
	int d = find_name(&sp_self, pcs, n, "test_signal_unwind", c);
	int e = find_name(&sp_self, pcs, n, "main", d);
	if (why != UNWIND_END || a != 0 || b != 1 || c != 2 || d != 3 || e < 4)
		print_chain(&sp_self, pcs, n, why);
	CHECK_INT(why, UNWIND_END);
	CHECK_INT(a, 0);
	CHECK_INT(b, 1);
	CHECK_INT(c, 2);
	CHECK_INT(d, 3);
	CHECK(e >= 4);
}

/* ---- synthetic stacks --------------------------------------------------------- */

struct buf {
	uint8_t b[4096];
	size_t n;
};
static void put(struct buf *b, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		b->b[b->n++] = (uint8_t)(v >> (8 * i));
}
static void raw(struct buf *b, const uint8_t *p, size_t n)
{
	memcpy(b->b + b->n, p, n);
	b->n += n;
}

#define EHV 0x10000ull
static size_t cie_std(struct buf *eh)
{
	static const uint8_t c[] = { 1, 'z', 'R', 0, 1, 0x78, 16, 1, 0x03, 0x0c, 7, 8, 0x90, 1, 0, 0 };
	size_t off = eh->n;
	put(eh, sizeof(c) + 4, 4);
	put(eh, 0, 4);
	raw(eh, c, sizeof(c));
	return off;
}
/* FDE with udata4 absolute addresses. */
static void fde(struct buf *eh, size_t cie, uint32_t pc, uint32_t len, const uint8_t *ins, size_t n)
{
	size_t off = eh->n;
	put(eh, 0, 4);
	put(eh, (uint32_t)(eh->n - cie), 4);
	put(eh, pc, 4);
	put(eh, len, 4);
	put(eh, 0, 1);
	raw(eh, ins, n);
	while ((eh->n - off) % 4)
		put(eh, 0, 1);
	uint32_t l = (uint32_t)(eh->n - off - 4);
	memcpy(eh->b + off, &l, 4);
}

struct fake {
	uint64_t base;
	uint64_t w[64];
};
static bool fake_read(void *ctx, uint64_t addr, uint64_t *v)
{
	struct fake *f = ctx;
	if (addr < f->base || addr >= f->base + sizeof(f->w) || (addr & 7))
		return false;
	*v = f->w[(addr - f->base) / 8];
	return true;
}

static void test_synthetic(void)
{
	static struct buf eh;
	eh.n = 0;
	size_t cie = cie_std(&eh);
	/* .plt at 0x1020: PLT0 pushes, then entries of 16 bytes: CFA depends on rip. */
	static const uint8_t plt[] = { 0x0e, 16, 0x46, 0x0e, 24, 0x4a, 0x0f, 11, 0x77, 8, 0x80, 0, 0x3f, 0x1a,
				       0x3b, 0x2a, 0x33, 0x24, 0x22 };
	fde(&eh, cie, 0x1020, 0x100, plt, sizeof(plt));
	/* f at 0x2000: push rbp (rbp at cfa-16), CFA=rsp+16 from +1. */
	static const uint8_t fi[] = { 0x41, 0x0e, 16, 0x86, 2 };
	fde(&eh, cie, 0x2000, 0x100, fi, sizeof(fi));
	/* _start at 0x3000: RA undefined. */
	static const uint8_t st[] = { 0x07, 16 };
	fde(&eh, cie, 0x3000, 0x100, st, sizeof(st));
	/* g at 0x4000: CFA = rsp - 64 (sp going down: garbage). */
	static const uint8_t gi[] = { 0x12, 7, 8 };
	fde(&eh, cie, 0x4000, 0x100, gi, sizeof(gi));
	/* h at 0x5000: CFA = rsp, RA at CFA+0 (sp never moves). */
	static const uint8_t hi[] = { 0x0c, 7, 0, 0x90, 0 };
	fde(&eh, cie, 0x5000, 0x100, hi, sizeof(hi));
	put(&eh, 0, 4);
	struct cfi_table *t = cfi_table_from_sections(eh.b, eh.n, EHV, NULL, 0, 0, NULL, 0);
	const int64_t bias = 0x400000;
	struct unwind_map maps[] = { { 0x401000, 0x406000, bias, t } };
	struct unwind_space as = { maps, 1 };
	struct fake f = { .base = 0x7000 };
	struct unwind_memory mem = { fake_read, &f };
	uint64_t pcs[16];
	enum unwind_stop why;

	/* In a PLT entry before its push (offset 6 of entry 1: 0x1036): CFA = rsp+8. */
	f.w[0] = bias + 0x2050;    /* RA into f */
	f.w[1] = 0x7100;           /* f's saved rbp at its cfa-16 */
	f.w[2] = bias + 0x3010;    /* f's RA into _start */
	struct unwind_regs r = { .valid = (1u << UNW_RIP) | (1u << UNW_RSP) };
	r.r[UNW_RIP] = bias + 0x1036;
	r.r[UNW_RSP] = 0x7000;
	size_t n = unwind_stack(&as, &r, &mem, pcs, 16, &why);
	CHECK_INT(why, UNWIND_END);
	CHECK_INT(n, 3);
	CHECK_INT(pcs[1], bias + 0x2050);
	CHECK_INT(pcs[2], bias + 0x3010);
	/* After the push (offset 11, 0x103b): CFA = rsp+16. */
	f.w[0] = 1;
	f.w[1] = bias + 0x2050;
	f.w[2] = 0x7100;
	f.w[3] = bias + 0x3010;
	r.r[UNW_RIP] = bias + 0x103b;
	n = unwind_stack(&as, &r, &mem, pcs, 16, &why);
	CHECK_INT(why, UNWIND_END);
	CHECK_INT(n, 3);
	CHECK_INT(pcs[1], bias + 0x2050);

	/* No map: frame-pointer chain, ending at a zero return address. */
	memset(f.w, 0, sizeof(f.w));
	f.w[4] = 0x7040;           /* [bp] = next bp */
	f.w[5] = 0x1234;           /* [bp+8] = RA (no map either) */
	f.w[8] = 0;                /* next frame: bp 0 */
	f.w[9] = 0;                /* RA 0: end */
	r.valid |= 1u << UNW_RBP;
	r.r[UNW_RIP] = 0x99;
	r.r[UNW_RBP] = 0x7020;
	n = unwind_stack(&as, &r, &mem, pcs, 16, &why);
	CHECK_INT(why, UNWIND_END);
	CHECK_INT(n, 2);
	CHECK_INT(pcs[1], 0x1234);
	/* bp below sp: no info. */
	r.r[UNW_RBP] = 0x6000;
	n = unwind_stack(&as, &r, &mem, pcs, 16, &why);
	CHECK_INT(why, UNWIND_NO_INFO);
	CHECK_INT(n, 1);
	/* bp chain pointing at itself: the next bp is below sp. */
	f.w[4] = 0x7020;
	f.w[5] = 0x1234;
	r.r[UNW_RBP] = 0x7020;
	n = unwind_stack(&as, &r, &mem, pcs, 16, &why);
	CHECK_INT(why, UNWIND_NO_INFO);
	CHECK_INT(n, 2);
	/* A rule that keeps sp (CFA = rsp, RA at CFA): bad on the second time. */
	f.w[0] = bias + 0x5001;
	r.r[UNW_RIP] = bias + 0x5000;
	n = unwind_stack(&as, &r, &mem, pcs, 16, &why);
	CHECK_INT(why, UNWIND_BAD);
	CHECK_INT(n, 2);
	/* A rule moving sp down: bad. */
	r.r[UNW_RIP] = bias + 0x4010;
	r.r[UNW_RSP] = 0x7100;
	f.w[(0x70b8 - 0x7000) / 8] = bias + 0x2050;
	n = unwind_stack(&as, &r, &mem, pcs, 16, &why);
	CHECK_INT(why, UNWIND_BAD);
	CHECK_INT(n, 1);
	r.r[UNW_RSP] = 0x7000;
	/* CFA rule on a register we don't have. */
	r.r[UNW_RIP] = bias + 0x2050;
	r.valid = (1u << UNW_RIP) | (1u << UNW_RSP);
	f.w[1] = 0x1;
	n = unwind_stack(&as, &r, &mem, pcs, 16, &why);
	CHECK(n >= 1);
	cfi_table_free(t);
}

/* The vDSO from memory: its own sections, eh_frame_hdr included. */
static void test_vdso(void)
{
	unsigned long base = getauxval(AT_SYSINFO_EHDR);
	if (!base) {
		printf("SKIP test_vdso: no vdso\n");
		return;
	}
	struct unwind_map *m = NULL;
	for (size_t i = 0; i < sp_self.n; i++)
		if (sp_self.maps[i].start == base)
			m = &sp_self.maps[i];
	CHECK(m != NULL);
	struct cfi_stats st;
	cfi_table_stats(m->cfi, &st);
	CHECK(st.has_hdr);
	CHECK(st.fde_count >= 2);
	void *fn = dlsym(RTLD_DEFAULT, "clock_gettime");
	(void)fn;
	/* Some address in the vdso text has a rule. */
	int found = 0;
	for (uint64_t a = m->start; a < m->end; a += 4) {
		struct cfi_rule r = cfi_table_rule(m->cfi, a - (uint64_t)m->bias);
		if (r.kind == CFI_RULE_CFA)
			found++;
	}
	CHECK(found > 10);
}

int main(void)
{
	find_stack_top();
	space_build(&sp_self);
	RUN(test_self_unwind);
	RUN(test_signal_unwind);
	RUN(test_synthetic);
	RUN(test_vdso);
	space_free(&sp_self);
	UNIT_EXIT();
}
