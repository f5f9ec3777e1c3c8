/* The cachegrind engine: a qemu-user TCG plugin (API v1) that counts
 * every instruction's executions from one callback per translation block,
 * simulates I1 per instruction fetch and D1 per load and store with
 * cachegrind's rules (src/cachesim/), predicts branches as cachegrind
 * does, keeps a shadow call stack from calls and returns, and writes its
 * counts at exit for `sonde cachegrind` (src/proto/cg_dump_format.h).
 *
 * Arguments: out=PREFIX (the dump goes to PREFIX.PID), cache=0|1,
 * branch=0|1, follow=0|1 (exec'd programs too), i1=, d1=, ll=SIZE:ASSOC:LINE. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cg_plugin.h"
#include "qemu_plugin_v1.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

struct cg_config cg_cfg;

/* vCPU states in chunks that never move, so the hot path reads them
 * without a lock; linux-user gives each guest thread a new index, and
 * reuses a dead thread's, whose counts then carry on. */
#define CHUNK 256
#define MAX_CHUNKS 4096
static struct vcpu **chunks[MAX_CHUNKS];
static unsigned n_vcpus;
/* the vCPUs of dead threads whose index a new thread took: their counts
 * stay theirs (per-thread totals), the caches go on with the new thread */
static struct vcpu **retired;
static unsigned n_retired;
static pthread_mutex_t vcpu_lock = PTHREAD_MUTEX_INITIALIZER;
static int64_t guest_base = INT64_MIN;
/* set while the dump is written: other threads still running (a guest
 * dying of a signal) leave their tables alone meanwhile */
static volatile int stopping;
static uint32_t i1_line_bits;
static __thread struct vcpu *self; /* this thread's, for its fatal signal */

static void drain(struct vcpu *v);

static inline struct vcpu *vcpu_get(unsigned i)
{
	return chunks[i / CHUNK][i % CHUNK];
}

static void fatal(const char *msg)
{
	fprintf(stderr, "sonde cachegrind engine: %s\n", msg);
	_exit(125);
}

static void vcpu_init(qemu_plugin_id_t id, unsigned idx)
{
	(void)id;
	if (idx / CHUNK >= MAX_CHUNKS)
		fatal("too many threads");
	pthread_mutex_lock(&vcpu_lock);
	if (!chunks[idx / CHUNK] && !(chunks[idx / CHUNK] = calloc(CHUNK, sizeof(struct vcpu *))))
		fatal("out of memory");
	struct vcpu *v = chunks[idx / CHUNK][idx % CHUNK];
	if (!v) {
		if (!(v = malloc(sizeof(*v))) || !vcpu_setup(v))
			fatal("out of memory");
		chunks[idx / CHUNK][idx % CHUNK] = v;
	} else if (v->tid) {
		struct vcpu *nv = malloc(sizeof(*nv)), **r = realloc(retired, (n_retired + 1) * sizeof(*r));
		if (!nv || !r)
			fatal("out of memory");
		retired = r;
		if (v->n_mrefs) /* the dead thread's last references, its own */
			drain(v);
		*nv = *v;
		if (!vcpu_tables(nv))
			fatal("out of memory");
		v->n_refs = 0; /* queued LL references now nv's to run */
		retired[n_retired++] = v;
		chunks[idx / CHUNK][idx % CHUNK] = v = nv;
	}
	v->depth = 0;
	v->node = 0;
	v->cur = NULL;
	v->pend.insn = NULL;
	if (idx + 1 > n_vcpus)
		n_vcpus = idx + 1;
	pthread_mutex_unlock(&vcpu_lock);
}

/* The LL references queued, simulated in order, the sets some
 * references ahead prefetched. */
#define AHEAD 12
static void simulate(struct vcpu *v)
{
	const struct simref *r = v->refs;
	uint32_t n = v->n_refs;
	for (uint32_t i = 0; i < n; i++) {
		if (i + AHEAD < n)
			cache_prefetch(&v->ll, r[i + AHEAD].addr);
		if (cache_ref_is_miss(&v->ll, r[i].addr, r[i].size))
			(*r[i].miss)++;
	}
	v->n_refs = 0;
}

/* A reference to an L1 (i1 or d1): a miss bumps miss[0] and queues the
 * LL reference that bumps miss[1] on its own miss. */
static inline void l1_ref(struct vcpu *v, struct cache *l1, uint64_t addr, uint32_t size, uint64_t *miss)
{
	if (!cache_ref_is_miss(l1, addr, size))
		return;
	miss[0]++;
	if (v->n_refs == SIMREFS)
		simulate(v);
	v->refs[v->n_refs++] = (struct simref){ addr, &miss[1], size };
}

/* The pending load or store, counted and queued; cachegrind caps an
 * access at 16 bytes. */
static void flush_pending(struct vcpu *v)
{
	struct pending *p = &v->pend;
	uint32_t size = p->size > CACHE_MIN_LINE ? CACHE_MIN_LINE : p->size;
	p->ctr[p->store ? CGR_DW : CGR_DR]++;
	l1_ref(v, &v->d1, p->addr, size, &p->ctr[p->store ? CGR_D1MW : CGR_D1MR]);
	p->insn = NULL;
}

/* The access's size and direction. qemu 7.2 packs them as (MemOp << 4 |
 * mmu index) | rw << 16; read so they cost no call into qemu, once the
 * API has agreed on enough accesses of both kinds (else through it). */
static int packed_ok; /* 0: checking, 1: agreed, -1: differs */
static unsigned packed_seen[2];

static inline void meminfo(qemu_plugin_meminfo_t info, unsigned *shift, bool *store)
{
	if (packed_ok == 1) {
		*shift = (info >> 4) & 7;
		*store = (info >> 16) & QEMU_PLUGIN_MEM_W;
		return;
	}
	*shift = qemu_plugin_mem_size_shift(info);
	*store = qemu_plugin_mem_is_store(info);
	if (packed_ok < 0)
		return;
	if (((info >> 4) & 7) != *shift || !!((info >> 16) & QEMU_PLUGIN_MEM_W) != *store)
		packed_ok = -1;
	else if (++packed_seen[*store] > 1000 && packed_seen[!*store] > 1000)
		packed_ok = 1;
}

/* One load or store, counted and simulated: the pieces qemu splits a
 * wide access or a read-modify-write into are merged first. */
static void data_ref(struct vcpu *v, const struct memref *r)
{
	struct pending *p = &v->pend;
	if (p->insn == r->insn) {
		/* the next piece of a wide access */
		if (r->store == p->store && r->addr == p->addr + p->size) {
			p->size += r->size;
			return;
		}
		/* a read-modify-write's store: cachegrind counts one read */
		if (r->store && !p->store && r->addr == p->addr + p->wdone && p->wdone + r->size <= p->size) {
			p->wdone += r->size;
			return;
		}
	}
	if (p->insn)
		flush_pending(v);
	p->insn = r->insn;
	p->addr = r->addr;
	p->size = r->size;
	p->wdone = 0;
	p->store = r->store;
	p->ctr = r->ctr;
}

/* A block's start: the previous block's last access is complete; its
 * fetches go to I1. */
static void block_ref(struct vcpu *v, struct blk *b)
{
	if (v->pend.insn)
		flush_pending(v);
	const struct tb_info *tb = b->tb;
	for (uint32_t i = 0; i < tb->n_fetch; i++) {
		const struct fetch *f = &tb->fetch[i];
		l1_ref(v, &v->i1, f->addr, f->size, &b->ic[f->idx].c[CGR_I1MR]);
	}
}

/* The references queued since the last time, simulated in order. */
static void drain(struct vcpu *v)
{
	const struct memref *r = v->mrefs;
	for (uint32_t i = 0, n = v->n_mrefs; i < n; i++) {
		if (r[i].insn)
			data_ref(v, &r[i]);
		else
			block_ref(v, r[i].blk);
	}
	v->n_mrefs = 0;
}

static void mem_access(unsigned vi, qemu_plugin_meminfo_t info, uint64_t vaddr, void *ud)
{
	static uint64_t scratch[CGR_N];
	const struct insn_info *in = ud;
	if (stopping)
		return;
	struct vcpu *v = vcpu_get(vi);
	unsigned shift;
	bool store;
	meminfo(info, &shift, &store);
	if (in->stack_slot && store == (in->tb->end != END_RET))
		v->end_sp = vaddr; /* a call's push, a return's pop */
	if (!cg_cfg.cache)
		return;
	struct memref *r = &v->mrefs[v->n_mrefs++];
	r->insn = in;
	r->ctr = v->cur && v->cur->tb == in->tb ? v->cur->ic[in->idx].c : scratch;
	r->addr = vaddr;
	r->size = 1u << shift;
	r->store = store;
	if (v->n_mrefs == MEMREFS)
		drain(v);
}

/* Frames at or below a stack slot now written again are dead (a longjmp
 * or an unwind left them); a slot far away is another stack, left alone. */
#define SAME_STACK (16u << 20)
static void drop_dead(struct vcpu *v, uint64_t sp)
{
	while (v->depth && v->stack[v->depth - 1].sp && v->stack[v->depth - 1].sp <= sp &&
	       sp - v->stack[v->depth - 1].sp < SAME_STACK) {
		v->node = v->stack[v->depth - 1].node;
		v->depth--;
	}
}

static void push(struct vcpu *v, uint64_t callee, uint64_t ret, uint64_t sp)
{
	if (sp)
		drop_dead(v, sp);
	if (v->depth == v->cap) {
		if (v->cap >= (1u << 22))
			return; /* deeper calls charge to the deepest node kept */
		struct frame *s = realloc(v->stack, 2 * v->cap * sizeof(*s));
		if (!s)
			fatal("out of memory");
		v->stack = s;
		v->cap *= 2;
	}
	v->stack[v->depth++] = (struct frame){ v->node, ret, sp };
	v->node = vcpu_child(v, v->node, callee);
}

/* A return (or a longjmp or an unwind, found later by a return past
 * them) goes back to the frame whose return address it reaches. */
static void pop_to(struct vcpu *v, uint64_t target, uint64_t sp)
{
	/* the frame whose slot the return read, when known */
	for (uint32_t d = v->depth; sp && d > 0; d--) {
		if (v->stack[d - 1].sp == sp && v->stack[d - 1].ret == target) {
			v->node = v->stack[d - 1].node;
			v->depth = d - 1;
			return;
		}
	}
	for (uint32_t d = v->depth; d > 0; d--) {
		if (v->stack[d - 1].ret == target) {
			v->node = v->stack[d - 1].node;
			v->depth = d - 1;
			return;
		}
	}
}

/* How the previous block ended, now that its successor is known. */
static void resolve_end(struct vcpu *v, const struct blk *prev, uint64_t to)
{
	const struct tb_info *pt = prev->tb;
	uint64_t *last = ((struct blk *)prev)->ic[pt->n - 1].c;
	uint64_t at = pt->insn[pt->n - 1].addr;
	switch (v->pend_end) {
	case END_COND:
	case END_REP: {
		uint64_t taken_to = v->pend_end == END_REP ? at : pt->target;
		if (!cg_cfg.branch || (to != taken_to && to != pt->next))
			break;
		last[CGR_BC]++;
		last[CGR_BCM] += branch_cond(v->bp, at, to == taken_to);
		break;
	}
	case END_ICALL:
	case END_IJMP:
		if (cg_cfg.branch) {
			last[CGR_BI]++;
			last[CGR_BIM] += branch_indirect(v->bp, at, to);
		}
		if (v->pend_end == END_ICALL)
			push(v, to, pt->next, v->end_sp);
		else if (v->depth && pt->vaddr == v->nodes[v->node].entry)
			/* a call through a PLT stub: the stack names where it leads */
			v->node = vcpu_child(v, v->nodes[v->node].parent, to);
		break;
	case END_CALL:
		push(v, to, pt->next, v->end_sp);
		break;
	case END_RET:
		pop_to(v, to, v->end_sp);
		break;
	}
}

static void tb_exec(unsigned vi, void *ud)
{
	const struct tb_info *tb = ud;
	if (stopping)
		return;
	struct vcpu *v = vcpu_get(vi);
	if (__builtin_expect(!v->tid, 0)) {
		v->tid = (int)syscall(SYS_gettid);
		self = v;
	}
	if (v->cur)
		resolve_end(v, v->cur, tb->vaddr);
	v->end_sp = 0;
	struct blk *prev = v->cur, *b;
	if (prev && prev->succ_tb == tb && prev->succ_node == v->node) {
		b = prev->succ;
	} else {
		b = vcpu_blk(v, v->node, tb);
		if (prev) {
			prev->succ_tb = tb;
			prev->succ_node = v->node;
			prev->succ = b;
		}
	}
	b->exec++;
	v->cur = b;
	v->pend_end = tb->end;
	if (!cg_cfg.cache)
		return;
	struct memref *r = &v->mrefs[v->n_mrefs++];
	r->insn = NULL;
	r->blk = b;
	if (v->n_mrefs == MEMREFS)
		drain(v);
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *qtb)
{
	(void)id;
	size_t n = qemu_plugin_tb_n_insns(qtb);
	if (n == 0)
		return;
	struct tb_info *tb = calloc(1, sizeof(*tb) + n * sizeof(struct insn_info));
	if (!tb)
		fatal("out of memory");
	tb->vaddr = qemu_plugin_tb_vaddr(qtb);
	tb->n = (uint32_t)n;
	uint64_t prev_line = UINT64_MAX;
	for (size_t i = 0; i < n; i++) {
		struct qemu_plugin_insn *qi = qemu_plugin_tb_get_insn(qtb, i);
		struct insn_info *in = &tb->insn[i];
		in->addr = qemu_plugin_insn_vaddr(qi);
		in->size = (uint8_t)qemu_plugin_insn_size(qi);
		in->idx = (uint16_t)i;
		in->tb = tb;
		/* a fetch wholly inside the line the previous one ended in hits
		 * (that line is the most recent of its set): not simulated */
		uint64_t first = in->addr >> i1_line_bits, last = (in->addr + in->size - 1) >> i1_line_bits;
		in->fetch = !(first == prev_line && last == prev_line);
		prev_line = last;
		if (in->fetch)
			tb->n_fetch++;
		if (i == 0 && guest_base == INT64_MIN)
			guest_base = (int64_t)((uintptr_t)qemu_plugin_insn_haddr(qi) - in->addr);
		if (i == n - 1) {
			tb->next = in->addr + in->size;
			tb->end = cg_decode_end(qemu_plugin_insn_data(qi), in->size, in->addr, &tb->target);
			in->stack_slot = tb->end == END_CALL || tb->end == END_ICALL || tb->end == END_RET;
		}
		if (cg_cfg.cache || in->stack_slot)
			qemu_plugin_register_vcpu_mem_cb(qi, mem_access, QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_MEM_RW, in);
	}
	tb->fetch = malloc((tb->n_fetch ? tb->n_fetch : 1) * sizeof(*tb->fetch));
	if (!tb->fetch)
		fatal("out of memory");
	for (uint32_t i = 0, k = 0; i < tb->n; i++)
		if (tb->insn[i].fetch)
			tb->fetch[k++] = (struct fetch){ tb->insn[i].addr, tb->insn[i].idx, tb->insn[i].size };
	qemu_plugin_register_vcpu_tb_exec_cb(qtb, tb_exec, QEMU_PLUGIN_CB_NO_REGS, tb);
	cg_maps_note(tb->vaddr, guest_base);
}

static bool installed, dumped;

/* The counts so far into the dump; final: the process ends (no second
 * dump), else an exec that may fail, the exit's dump then replacing it. */
static void dump_now(bool final)
{
	pthread_mutex_lock(&vcpu_lock);
	if (dumped) {
		pthread_mutex_unlock(&vcpu_lock);
		return;
	}
	dumped = final;
	stopping = 1;
	unsigned n = n_vcpus + n_retired;
	struct vcpu **all = calloc(n ? n : 1, sizeof(*all));
	if (!all)
		fatal("out of memory");
	for (unsigned i = 0; i < n; i++) {
		all[i] = i >= n_vcpus ? retired[i - n_vcpus] : chunks[i / CHUNK] ? chunks[i / CHUNK][i % CHUNK] : NULL;
		if (all[i] && all[i]->n_mrefs)
			drain(all[i]);
		if (all[i] && all[i]->pend.insn)
			flush_pending(all[i]);
		if (all[i] && all[i]->n_refs)
			simulate(all[i]);
	}
	cg_dump(all, n);
	free(all);
	stopping = !final ? 0 : 1;
	pthread_mutex_unlock(&vcpu_lock);
}

static void at_exit(qemu_plugin_id_t id, void *ud)
{
	(void)id;
	(void)ud;
	dump_now(true);
}

/* execve replaces the process without an exit: like valgrind, which runs
 * no tool's end for an image that execs, nothing is written for it; with
 * --trace-children=yes the new program runs under qemu and the engine. */
static void on_syscall(qemu_plugin_id_t id, unsigned vcpu, int64_t num, uint64_t a1, uint64_t a2, uint64_t a3,
		       uint64_t a4, uint64_t a5, uint64_t a6, uint64_t a7, uint64_t a8)
{
	(void)id, (void)a3, (void)a4, (void)a5, (void)a6, (void)a7, (void)a8;
	if (num == SYS_prctl && a1 == PR_SET_NAME && guest_base == 0 && a2) {
		struct vcpu *v = vcpu_get(vcpu);
		strncpy(v->name, (const char *)(uintptr_t)a2, sizeof(v->name) - 1);
		v->name[sizeof(v->name) - 1] = 0;
		for (char *c = v->name; *c; c++) /* one line of the dump: no control bytes */
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				*c = '?';
		return;
	}
	if (num != SYS_execve)
		return;
	if (cg_cfg.follow)
		cg_follow_exec(a1, a2, a3, guest_base);
}

/* qemu 7.2 runs no atexit callback when the guest dies of a signal: it
 * kills itself with kill(getpid(), sig). With the plugin preloaded into
 * qemu (sonde sets LD_PRELOAD for qemu and -U for the guest), this kill
 * comes here first and the counts are written. */
QEMU_PLUGIN_EXPORT int kill(pid_t pid, int sig)
{
	bool fatal = sig != SIGSTOP && sig != SIGTSTP && sig != SIGTTIN && sig != SIGTTOU && sig != SIGCONT &&
		     sig != SIGCHLD && sig != SIGWINCH && sig != SIGURG && sig != 0;
	if (installed && fatal && pid == getpid()) {
		pthread_mutex_lock(&vcpu_lock);
		if (!dumped && !cg_fatal.sig)
			cg_fatal_note(sig, self, guest_base);
		pthread_mutex_unlock(&vcpu_lock);
		dump_now(true);
	}
	return (int)syscall(SYS_kill, pid, sig);
}

/* fork: the child counts from zero into its own dump, its one thread
 * known by its new tid at its next block */
static void after_fork_child(void)
{
	for (unsigned i = 0; i < n_vcpus; i++) {
		struct vcpu *v = chunks[i / CHUNK] ? chunks[i / CHUNK][i % CHUNK] : NULL;
		if (v) {
			vcpu_reset_counts(v);
			v->tid = 0;
		}
	}
	n_retired = 0;
}

static bool parse_geom(const char *s, struct cache_geom *g)
{
	char buf[64];
	snprintf(buf, sizeof(buf), "%s", s);
	for (char *c = buf; *c; c++)
		if (*c == ':')
			*c = ',';
	return cache_geom_parse(buf, g) == NULL;
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv)
{
	if (info->system_emulation) {
		fprintf(stderr, "sonde cachegrind engine: runs under qemu-user only\n");
		return -1;
	}
	cg_cfg = (struct cg_config){ .i1 = { 65536, 2, 64 }, .d1 = { 65536, 2, 64 }, .ll = { 262144, 8, 64 },
				     .cache = true, .out = "cachegrind.raw" };
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		bool ok = true;
		if (!strncmp(a, "out=", 4))
			cg_cfg.out = strdup(a + 4);
		else if (!strncmp(a, "cache=", 6))
			cg_cfg.cache = a[6] == '1';
		else if (!strncmp(a, "branch=", 7))
			cg_cfg.branch = a[7] == '1';
		else if (!strncmp(a, "follow=", 7))
			cg_cfg.follow = a[7] == '1';
		else if (!strncmp(a, "execd=", 6))
			cg_cfg.execd = a[6] == '1';
		else if (!strncmp(a, "i1=", 3))
			ok = parse_geom(a + 3, &cg_cfg.i1);
		else if (!strncmp(a, "d1=", 3))
			ok = parse_geom(a + 3, &cg_cfg.d1);
		else if (!strncmp(a, "ll=", 3))
			ok = parse_geom(a + 3, &cg_cfg.ll);
		else
			ok = false;
		if (!ok) {
			fprintf(stderr, "sonde cachegrind engine: bad argument '%s'\n", a);
			return -1;
		}
	}
	i1_line_bits = (uint32_t)__builtin_ctz(cg_cfg.i1.line);
	/* kept for an exec'd program's qemu (cg_exec.c) */
	size_t len = 1;
	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	char *args = calloc(1, len);
	if (!args)
		return -1;
	for (int i = 0; i < argc; i++)
		sprintf(args + strlen(args), "%s%s", i ? "," : "", argv[i]);
	cg_cfg.args = args;
	cg_guest_cmd();
	pthread_atfork(NULL, NULL, after_fork_child);
	installed = true;
	qemu_plugin_register_vcpu_init_cb(id, vcpu_init);
	qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
	qemu_plugin_register_atexit_cb(id, at_exit, NULL);
	qemu_plugin_register_vcpu_syscall_cb(id, on_syscall);
	return 0;
}
