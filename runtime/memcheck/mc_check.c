/* Memcheck mode (SONDE_MEMCHECK=1): at exit, the leak check over the live
 * blocks the runtime knows, its verdicts sent as HR_LEAK records. The
 * scan itself (roots, marking, cliques) is mc_roots.c and mc_mark.c. */
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "heap_protocol.h"
#include "mc_check.h"
#include "mc_freed.h"
#include "mc_redzone.h"
#include "mc_roots.h"
#include "mc_mode.h"
#include "rt.h"
#include "rt_encode.h"

struct collect {
	struct mc_block *b;
	uint32_t *info, *age;
	size_t n, cap;
};

static void count_block(uint64_t ptr, uint32_t info, uint32_t age, void *ctx)
{
	(void)ptr;
	(void)info;
	(void)age;
	(*(size_t *)ctx)++;
}

static void add_block(uint64_t ptr, uint32_t info, uint32_t age, void *ctx)
{
	struct collect *c = ctx;
	uint64_t size;
	uint32_t stack;
	int kind;
	if (c->n == c->cap || !rt_info_get(info, &size, &stack, &kind))
		return;
	c->b[c->n] = (struct mc_block){ ptr, size };
	c->age[c->n] = age;
	c->info[c->n++] = info;
}

/* Heap sort by start address, blocks, infos and ages together: no malloc
 * (this may run in a crash handler). */
static void swap(struct collect *c, size_t i, size_t j)
{
	struct mc_block tb = c->b[i];
	c->b[i] = c->b[j];
	c->b[j] = tb;
	uint32_t ti = c->info[i];
	c->info[i] = c->info[j];
	c->info[j] = ti;
	ti = c->age[i];
	c->age[i] = c->age[j];
	c->age[j] = ti;
}

static void sift(struct collect *c, size_t i, size_t n)
{
	for (;;) {
		size_t l = 2 * i + 1, m = i;
		if (l < n && c->b[l].start > c->b[m].start)
			m = l;
		if (l + 1 < n && c->b[l + 1].start > c->b[m].start)
			m = l + 1;
		if (m == i)
			return;
		swap(c, i, m);
		i = m;
	}
}

static void sort_blocks(struct collect *c)
{
	for (size_t i = c->n / 2; i-- > 0;)
		sift(c, i, c->n);
	for (size_t k = c->n; k-- > 1;) {
		swap(c, 0, k);
		sift(c, 0, k);
	}
}

/* The block indices by age (then address): allocation order, the order
 * valgrind's address order stands for. Heap sort again. */
static bool older(const struct collect *c, uint32_t a, uint32_t b)
{
	return c->age[a] != c->age[b] ? c->age[a] < c->age[b] : a < b;
}

static void sift_order(const struct collect *c, uint32_t *o, size_t i, size_t n)
{
	for (;;) {
		size_t l = 2 * i + 1, m = i;
		if (l < n && older(c, o[m], o[l]))
			m = l;
		if (l + 1 < n && older(c, o[m], o[l + 1]))
			m = l + 1;
		if (m == i)
			return;
		uint32_t t = o[i];
		o[i] = o[m];
		o[m] = t;
		i = m;
	}
}

static void age_order(const struct collect *c, uint32_t *o)
{
	for (size_t i = 0; i < c->n; i++)
		o[i] = (uint32_t)i;
	for (size_t i = c->n / 2; i-- > 0;)
		sift_order(c, o, i, c->n);
	for (size_t k = c->n; k-- > 1;) {
		uint32_t t = o[0];
		o[0] = o[k];
		o[k] = t;
		sift_order(c, o, 0, k);
	}
}

/* The HR_LEAK state byte: the kind, and the heuristic that reached the
 * block (HL_HEUR_SHIFT). */
static uint8_t state_of(uint8_t kind)
{
	uint8_t h = (uint8_t)(MC_HEUR(kind) << HL_HEUR_SHIFT);
	switch (MC_KIND(kind)) {
	case MC_DEFINITE: return HL_DEFINITE | h;
	case MC_INDIRECT: return HL_INDIRECT | h;
	case MC_POSSIBLE: return HL_POSSIBLE | h;
	default: return HL_REACHABLE | h;
	}
}

_Static_assert((int)MC_HEUR_STDSTRING == (int)HLH_STDSTRING && (int)MC_HEUR_LENGTH64 == (int)HLH_LENGTH64 &&
		       (int)MC_HEUR_NEWARRAY == (int)HLH_NEWARRAY && (int)MC_HEUR_MULTIINH == (int)HLH_MULTIINH,
	       "HR_LEAK carries mc_mark's heuristic numbers");

#define MAX_EXCLUDE 8200

/* Our own writable segments, found at start-up: dl_iterate_phdr takes the
 * loader's lock, which a crashing thread may hold. */
static struct mc_range g_own[4];
static size_t g_nown;

/* Where the scanning thread's live stack starts: the words below are the
 * runtime's own frames or dead ones. The highest mark a thread left wins,
 * with the register values that came with it. */
static uint64_t g_from_sp;
static pid_t g_from_tid;
static uint64_t g_from_regs[16];
static size_t g_from_nregs;

void rt_leak_check_caller(uint64_t sp, const uint64_t *regs, size_t n)
{
	pid_t tid = (pid_t)syscall(SYS_gettid);
	if (g_from_tid != tid || sp > g_from_sp) {
		g_from_tid = tid;
		g_from_sp = sp;
		if (n > sizeof g_from_regs / sizeof *g_from_regs)
			n = sizeof g_from_regs / sizeof *g_from_regs;
		if (n)
			memcpy(g_from_regs, regs, n * sizeof *regs);
		g_from_nregs = n;
	}
}

/* The stack the checks at exit name as where they found damage. */
static uint32_t g_found_where;
static uint8_t g_found_how = HOW_EXIT;

void rt_leak_check_found_at(uint32_t where, uint8_t how)
{
	g_found_where = where;
	g_found_how = how;
}

void rt_leak_check_stack_from(uint64_t sp)
{
	rt_leak_check_caller(sp, NULL, 0);
}

/* --leak-check-heuristics (SONDE_MEMCHECK's heuristics=: the MC_HEUR_ALL
 * bits that are on; unset: valgrind's default, all). */
static unsigned g_heuristics = MC_HEUR_ALL;

void rt_leak_check_prepare(void)
{
	g_nown = mc_object_data_ranges((const void *)&rt_leak_check_prepare, g_own, 4);
	g_heuristics = (unsigned)mc_setting("heuristics", MC_HEUR_ALL) & MC_HEUR_ALL;
}

struct emitter {
	void (*emit)(const uint8_t *rec, size_t len, void *ctx);
	void *ctx;
};

static void emit_error(const struct emitter *o, const struct rt_error *e)
{
	uint8_t rec[RT_ERROR_REC];
	o->emit(rec, rt_put_error(rec, e), o->ctx);
}

/* Writes into redzones of live blocks, and into freed blocks still held. */
static void check_live(const struct emitter *o, const struct collect *c)
{
	for (size_t i = 0; i < c->n; i++) {
		struct mc_damage d[2];
		const struct mc_block *b = &c->b[i];
		if (!mc_rz_check((const void *)(uintptr_t)b->start, b->size, &d[0], &d[1]))
			continue;
		for (int k = 0; k < 2; k++)
			if (d[k].len)
				emit_error(o, &(struct rt_error){ .kind = HE_OVERRUN, .how = g_found_how,
								  .where = g_found_where, .addr = d[k].addr,
								  .size = d[k].len, .info = c->info[i], .block = b->start });
	}
}

static void check_freed(const struct mc_freed_block *b, void *ctx)
{
	struct mc_damage d;
	if (!mc_rz_freed_intact((const void *)(uintptr_t)b->ptr, b->size, &d))
		emit_error(ctx, &(struct rt_error){ .kind = HE_FREED_WRITE, .how = g_found_how, .where = g_found_where,
						    .addr = d.addr, .size = d.len,
						    .info = b->info, .free_stack = b->free_stack, .block = b->ptr,
						    .free_how = b->how });
}

size_t rt_leak_check(pid_t skip_tid, bool leaks, void (*emit)(const uint8_t *rec, size_t len, void *ctx), void *ctx)
{
	struct emitter out = { emit, ctx };
	mc_freed_foreach_held(check_freed, &out);
	size_t n = 0;
	rt_live_foreach(count_block, &n);
	if (!n)
		return 0;
	struct collect c = { 0 };
	c.cap = n;
	c.b = rt_map(n * sizeof(*c.b));
	c.info = rt_map(n * sizeof(*c.info));
	c.age = rt_map(n * sizeof(*c.age));
	uint32_t *order = rt_map(n * sizeof(*order));
	uint8_t *state = rt_map(n);
	uint64_t *indirect = rt_map(n * sizeof(*indirect));
	static struct mc_range ex[MAX_EXCLUDE];
	if (!c.b || !c.info || !c.age || !order || !state || !indirect)
		return 0;
	rt_live_foreach(add_block, &c);
	sort_blocks(&c);
	age_order(&c, order);
	check_live(&out, &c);
	if (!leaks)
		return 0;
	/* not roots: the runtime's mmaps (the live map holds every block's
	 * address) and its own globals */
	static uint64_t pairs[2 * 8192];
	size_t nex = rt_map_ranges(pairs, 8192);
	for (size_t i = 0; i < nex; i++)
		ex[i] = (struct mc_range){ pairs[2 * i], pairs[2 * i + 1] };
	for (size_t i = 0; i < g_nown && nex < MAX_EXCLUDE; i++)
		ex[nex++] = g_own[i];
	struct mc_scan_stats st;
	pid_t skip[1] = { skip_tid };
	bool mine = g_from_tid == (pid_t)syscall(SYS_gettid);
	mc_scan_stack_from = mine ? g_from_sp : 0;
	mc_scan_regs = g_from_regs;
	mc_scan_nregs = mine ? g_from_nregs : 0;
	mc_scan_order = order;
	if (mc_leak_scan(c.b, c.n, ex, nex, skip, skip_tid ? 1 : 0, g_heuristics, state, indirect, &st) < 0)
		return 0;
	/* in allocation order, as valgrind makes its loss records in address
	 * order: with --leak-resolution low or med, a record's stack is its
	 * oldest block's */
	uint8_t rec[32];
	for (size_t k = 0; k < c.n; k++) {
		size_t i = order[k];
		uint8_t *p = rec;
		*p++ = HR_LEAK;
		*p++ = state_of(state[i]);
		p += varint_put(p, c.info[i]);
		p += varint_put(p, indirect[i]);
		emit(rec, (size_t)(p - rec), ctx);
	}
	return c.n;
}
