/* Memcheck mode's process side: its start (valgrind's options the
 * runtime carries out), errors as HR_ERROR records, the counts, the checks
 * at exit (damage, then the leak check) as the stream ends, the program's
 * crash reported as valgrind reports it, precise mode's faults, and the
 * mode's struct rt_ops. */
#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <ucontext.h>
#include <unistd.h>

#include "mc_check.h"
#include "mc_describe.h"
#include "mc_fatal.h"
#include "mc_freed.h"
#include "mc_guard.h"
#include "mc_insn.h"
#include "mc_mode.h"
#include "mc_slab.h"
#include "mc_trace.h"
#include "rt_children.h"
#include "rt_ops.h"

static bool g_leak_check = true; /* SONDE_MEMCHECK=noleak...: no leak check */
static int g_exit_first = -1;    /* --exit-on-first-error: the exit status, -1: off */
static _Atomic int g_exiting;    /* the first error stops the program (no checks at exit) */
/* memcheck counts of threads that ended (under the global lock) */
static struct { uint64_t allocs, frees, bytes, freed; } g_gone_mc;
/* libc's exit(), whose frame starts the stack the checks at exit name. */
static void *g_libc_exit;

/* ---- errors ---------------------------------------------------------------------- */

/* Errors in the order they were found, across threads (a thread's records
 * reach the stream when its buffer is flushed). */
static _Atomic uint64_t g_error_seq;

size_t rt_put_error(uint8_t *p, const struct rt_error *e)
{
	uint8_t *q = p;
	*q++ = HR_ERROR;
	*q++ = e->kind;
	*q++ = e->how;
	q += varint_put(q, e->where);
	q += varint_put(q, e->addr);
	q += varint_put(q, e->info);
	q += varint_put(q, e->free_stack);
	q += varint_put(q, e->size);
	q += varint_put(q, e->block);
	q += varint_put(q, e->free_how);
	q += varint_put(q, rt_thread_num());
	char name[16];
	q += rt_put_str(q, name, rt_thread_name(name));
	q += varint_put(q, atomic_fetch_add(&g_error_seq, 1) + 1);
	return (size_t)(q - p);
}

/* --exit-on-first-error: the error is in the stream; the program stops
 * there with the given status, without the checks at exit (valgrind's
 * "Exit program on first error"). */
static void exit_on_first_error(void)
{
	if (atomic_exchange(&g_exiting, 1))
		return;
	rt_finish(HX_EXIT, 0, true);
	syscall(SYS_exit_group, g_exit_first);
}

/* Memcheck mode: an HR_ERROR record (as a definition: it carries no key). */
NOINLINE void mc_rec_error_where(struct rt_error e)
{
	struct rt_thread *t = rt_self();
	if (!t || !ev_begin(t, t->sc.n_new * MAX_NODE_REC + RT_ERROR_REC))
		return;
	uint8_t *p = ev_nodes(t, t->buf + t->pos);
	p += rt_put_error(p, &e);
	ev_end_defs(t, p);
	if (RT_UNLIKELY(g_exit_first >= 0) && !atomic_load(&rt_finished))
		exit_on_first_error();
	/* sent at once, as valgrind prints it: a program killed later, or
	 * blocked for good, still shows it */
	else if (!rt_lock_held())
		rt_flush_own(t);
}

/* The same with the stack of the current call as where. */
NOINLINE void mc_rec_error(struct rt_error e, struct rt_caller c)
{
	struct rt_thread *t = rt_self();
	if (!t)
		return;
	e.where = rt_capture(&t->sc, c.ip, c.sp, c.bp);
	mc_rec_error_where(e);
}

/* The stack of the current call (memcheck mode keeps the stack of every
 * free for reports on the block later). */
uint32_t mc_call_stack(struct rt_caller c)
{
	struct rt_thread *t = rt_self();
	if (!t)
		return 0;
	uint32_t s = rt_capture_kind(&t->sc, RT_WALK_FREE, c.ip, c.sp, c.bp);
	rt_write_nodes(t);
	return s;
}

/* ---- the program's end ------------------------------------------------------------ */

static bool in_libc_exit(uint64_t ip)
{
	Dl_info di;
	return g_libc_exit && dladdr((void *)(uintptr_t)(ip - 1), &di) && di.dli_saddr == g_libc_exit;
}

/* Memcheck mode: the program is ending (c: the runtime's caller there);
 * the damage the checks at exit find is reported with this stack: from
 * libc's exit() on (how HOW_EXIT: exit() or main's return), else the
 * whole of it. */
static NOINLINE void mc_found_at(struct rt_caller c, uint8_t how)
{
	struct rt_thread *t = rt_self();
	if (!t)
		return;
	int g = t_guard;
	t_guard = 1;
	uint32_t where = how == HOW_EXIT ? rt_capture_from(&t->sc, c.ip, c.sp, c.bp, in_libc_exit) : 0;
	if (!where)
		where = rt_capture_kind(&t->sc, RT_WALK_FREE, c.ip, c.sp, c.bp);
	rt_write_nodes(t);
	rt_leak_check_found_at(where, how);
	t_guard = g;
}

/* HR_LEAK records gathered into chunks of thread index 0 (global lock held). */
struct leak_out {
	uint8_t buf[16384];
	size_t n;
};

static void emit_leak(const uint8_t *rec, size_t len, void *ctx)
{
	struct leak_out *o = ctx;
	if (o->n + len > sizeof o->buf) {
		rt_write_global_locked(o->buf, o->n);
		o->n = 0;
	}
	memcpy(o->buf + o->n, rec, len);
	o->n += len;
}

static void leak_check_locked(void)
{
	static struct leak_out out;
	out.n = 0;
	rt_leak_check(rt_timer_tid, g_leak_check, emit_leak, &out);
	if (out.n)
		rt_write_global_locked(out.buf, out.n);
}


static void add_live(uint64_t ptr, uint32_t info, uint32_t age, void *ctx)
{
	(void)ptr;
	(void)age;
	uint64_t *live = ctx;
	uint64_t size = 0;
	uint32_t stack;
	int kind = 0;
	rt_info_get(info, &size, &stack, &kind);
	live[0]++;
	live[1] += rt_reported_size(kind, size);
}

/* Memcheck mode's HR_MC_TOTALS at p (global lock held). At the end (the
 * threads' buffers written) the live blocks come from the live map; on
 * the way (every 10 ms, in case the program is killed) from the counts,
 * read as their threads go on. */
static size_t put_mc_totals_locked(uint8_t *p, bool at_end)
{
	uint64_t allocs = g_gone_mc.allocs, frees = g_gone_mc.frees, bytes = g_gone_mc.bytes,
		 freed = g_gone_mc.freed, live[2] = { 0, 0 };
	for (struct rt_thread *t = rt_threads; t; t = t->next) {
		const struct mc_thread *m = mc_thread(t);
		allocs += __atomic_load_n(&m->allocs, __ATOMIC_RELAXED);
		frees += __atomic_load_n(&m->frees, __ATOMIC_RELAXED);
		bytes += __atomic_load_n(&m->bytes, __ATOMIC_RELAXED);
		freed += __atomic_load_n(&m->freed, __ATOMIC_RELAXED);
	}
	if (at_end) {
		rt_live_foreach(add_live, live);
	} else {
		live[0] = allocs > frees ? allocs - frees : 0;
		live[1] = bytes > freed ? bytes - freed : 0;
	}
	uint8_t *q = p;
	*q++ = HR_MC_TOTALS;
	q += varint_put(q, allocs);
	q += varint_put(q, frees);
	q += varint_put(q, bytes);
	q += varint_put(q, live[0]);
	q += varint_put(q, live[1]);
	return (size_t)(q - p);
}

/* The checks at exit, then the totals, as the stream ends (global lock
 * held, every buffer written). */
static void mc_finish(int how)
{
	/* after HR_LOST the live map misses blocks: no verdicts from it */
	if (how != HX_EXEC && !atomic_load(&g_exiting) && !rt_runtime_lost())
		leak_check_locked();
	uint8_t rec[64];
	rt_write_global_locked(rec, put_mc_totals_locked(rec, true));
}

/* What a killed program leaves: the counts so far, every time step. */
static size_t mc_timer_recs(uint8_t *p)
{
	return put_mc_totals_locked(p, false);
}

static void mc_thread_gone(struct rt_thread *t)
{
	struct mc_thread *m = mc_thread(t);
	g_gone_mc.allocs += m->allocs;
	g_gone_mc.frees += m->frees;
	g_gone_mc.bytes += m->bytes;
	g_gone_mc.freed += m->freed;
	/* the next thread's counts and ages start afresh; the ring stays */
	struct mc_ring *ring = m->ring;
	memset(m, 0, sizeof *m);
	m->ring = ring;
}

/* ---- signals ---------------------------------------------------------------------- */

/* Precise mode: the page a thread opened to step over a faulting access. */
static __thread uint64_t t_step_page RT_TLS;

#define EFLAGS_TF 0x100

/* Precise mode: a fault on a guarded block's page is reported as valgrind's
 * "Invalid read/write of size N" with the instruction's stack; the page
 * opens for that one instruction (single-stepped with the trap flag) and
 * the program goes on, as under valgrind. */
static bool mc_precise_fault(int sig, siginfo_t *si, ucontext_t *uc)
{
	if (!uc)
		return false;
	greg_t *g = uc->uc_mcontext.gregs;
	if (sig == SIGTRAP) {
		if (!t_step_page)
			return false;
		mc_guard_close_page(t_step_page);
		t_step_page = 0;
		g[REG_EFL] &= ~(greg_t)EFLAGS_TF;
		return true;
	}
	uint64_t addr = (uint64_t)(uintptr_t)si->si_addr, block;
	if (sig != SIGSEGV || t_guard || t_step_page || !mc_guard_find(addr, &block))
		return false;
	struct mc_access acc;
	bool known = mc_insn_access((const uint8_t *)(uintptr_t)g[REG_RIP], 15, &acc);
	bool write = (g[REG_ERR] & 2) != 0; /* the page fault's own verdict; the decoder gives the size */
	struct rt_error e = { .kind = write ? HE_INVALID_WRITE : HE_INVALID_READ, .addr = addr,
			      .size = known ? acc.size : 0, .block = block };
	e.info = mc_live_get((void *)(uintptr_t)block);
	if (!e.info) {
		struct mc_freed_block f;
		if (mc_freed_find(block, &f)) {
			e.info = f.info;
			e.free_stack = f.free_stack;
			e.free_how = f.how;
		}
	}
	if (tracing()) {
		t_guard = 1;
		/* the faulting instruction is the innermost frame: the unwinder
		 * looks up ip - 1, as for a return address */
		mc_rec_error(e, (struct rt_caller){ (uint64_t)g[REG_RIP] + 1, (uint64_t)g[REG_RSP], (uint64_t)g[REG_RBP] });
		t_guard = 0;
	}
	mc_guard_open_page(addr);
	t_step_page = addr;
	g[REG_EFL] |= EFLAGS_TF;
	return true;
}

/* Memcheck mode: the program dies of sig. valgrind's report of it: the
 * access (an invalid read, write or jump, with the heap block near the
 * address), then the signal and the stack where it struck; the checks at
 * exit that follow name that stack too. Only for a fault of the
 * program's: one inside a hook (t_guard) may have left the runtime's
 * tables half changed. */
static NOINLINE void mc_report_fatal(int sig, siginfo_t *si, ucontext_t *uc)
{
	if (t_guard || atomic_load(&rt_state) != ST_ON || rt_finished)
		return;
	t_guard = 1;
	struct rt_thread *t = rt_self();
	if (!t) {
		t_guard = 0;
		return;
	}
	struct mc_fault f;
	mc_fault_read(sig, si, uc, &f);
	/* a thread state made here took the signal stack for the thread's;
	 * the main thread's stack may have grown since */
	uint64_t lo, hi;
	if ((f.sp < t->sc.stack_lo || f.sp >= t->sc.stack_hi) && rt_mapping_of(f.sp, &lo, &hi)) {
		t->sc.stack_lo = lo;
		t->sc.stack_hi = hi;
	}
	uint32_t where;
	/* the faulting instruction is the innermost frame: the unwinder looks
	 * up ip - 1, as for a return address */
	if (f.grow_to) { /* the stack pointer is past the stack: that frame alone, as valgrind */
		where = rt_stack_child(&t->sc, 0, f.ip + 1);
	} else if (f.fetch) { /* the bad address, called from the return address on the stack */
		uint64_t ret = 0;
		struct iovec local = { &ret, 8 }, remote = { (void *)(uintptr_t)f.sp, 8 };
		where = process_vm_readv(getpid(), &local, 1, &remote, 1, 0) == 8 && ret
				? rt_capture(&t->sc, ret, f.sp + 8, f.bp)
				: 0;
		where = rt_stack_child(&t->sc, where, f.addr + 1);
	} else {
		where = rt_capture(&t->sc, f.ip + 1, f.sp, f.bp);
	}
	rt_write_nodes(t);
	if (f.access != MC_ACC_NONE) {
		struct mc_heap_desc d;
		mc_describe_heap(f.addr, &d);
		uint8_t kind = f.access == MC_ACC_JUMP	  ? HE_INVALID_JUMP
			       : f.access == MC_ACC_WRITE ? HE_INVALID_WRITE
							  : HE_INVALID_READ;
		mc_rec_error_where((struct rt_error){ .kind = kind, .where = where, .addr = f.addr, .size = f.size,
						      .info = d.info, .block = d.block, .free_stack = d.free_stack,
						      .free_how = d.free_how });
	}
	if (ev_begin(t, MC_FATAL_REC))
		ev_end_defs(t, t->buf + t->pos + mc_fault_put(t->buf + t->pos, &f, where));
	rt_leak_check_found_at(where, HOW_FATAL);
	t_guard = 0;
}

/* Called by libsonde-mcstr.so (memcheck mode's string functions) when a
 * copy's source and destination overlap; ip/sp/bp name its caller. */
EXPORT void sonde_rt_mc_overlap(int fn, const void *dst, const void *src, size_t len_plus1, uint64_t ip, uint64_t sp,
				uint64_t bp)
{
	if (rt_ops != &rt_mc_ops || !tracing())
		return;
	t_guard = 1;
	mc_rec_error((struct rt_error){ .kind = HE_OVERLAP, .how = (uint8_t)fn, .addr = (uint64_t)(uintptr_t)dst,
					.block = (uint64_t)(uintptr_t)src, .size = len_plus1 },
		     (struct rt_caller){ ip, sp, bp });
	t_guard = 0;
}

/* Memcheck mode: main runs inside a wrapper so the leak check can tell
 * main's returned frame from live stack. After main returns, the words
 * below the wrapper's frame are dead (main's locals, what exit's handlers
 * left): the main thread's stack is scanned from there, as valgrind, which
 * checks after the program's last instruction, would see it. */
typedef int (*main_fn)(int, char **, char **);
static main_fn g_real_main;

static int main_wrapper(int argc, char **argv, char **envp)
{
	int r = g_real_main(argc, argv, envp);
	rt_leak_check_stack_from((uint64_t)(uintptr_t)__builtin_frame_address(0));
	return r;
}

static rt_main_fn mc_wrap_main(rt_main_fn main)
{
	g_real_main = main;
	return main_wrapper;
}

/* The crashed thread's live stack ends where it faulted. */
static void mc_fatal(int sig, siginfo_t *si, ucontext_t *uc)
{
	rt_leak_check_stack_from((uint64_t)uc->uc_mcontext.gregs[REG_RSP]);
	if (si)
		mc_report_fatal(sig, si, uc);
}

static int mc_thread_create(pthread_t *th, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
	return rt_thread_num_create(rt_real_pthread_create(), th, attr, fn, arg);
}

/* ---- start ------------------------------------------------------------------------- */

/* Memcheck mode's valgrind options that the runtime carries out. */
static void mc_env_options(void)
{
	mc_freed_config(mc_setting("freelist_vol", 20000000),
			mc_setting("freelist_big", 1000000));
	mc_no_mismatch = mc_setting("no_mismatch", 0) != 0;
	uint64_t code = mc_setting("exit_first", UINT64_MAX);
	g_exit_first = code <= 255 ? (int)code : -1;
	uint64_t tfd = mc_setting("trace_fd", UINT64_MAX);
	if (rt_children_trace_fd() >= 0) { /* following exec: each image has its file */
		rt_fd_guard(rt_children_trace_fd());
		mc_trace_init(rt_children_trace_fd(), mc_setting("time_stamp", 0) != 0,
			      mc_setting("t0", rt_now_ns()));
	} else if (tfd < INT_MAX) { /* out of the program's way, as the stream's fd */
		int fd = fcntl((int)tfd, F_DUPFD_CLOEXEC, 512);
		if (fd >= 0)
			close((int)tfd);
		rt_fd_guard(fd >= 0 ? fd : (int)tfd);
		mc_trace_init(fd >= 0 ? fd : (int)tfd, mc_setting("time_stamp", 0) != 0,
			      mc_setting("t0", rt_now_ns()));
	}
}

static void mc_init(void)
{
	g_leak_check = mc_leak_check_wanted();
	rt_leak_check_prepare();
	uint64_t nf = mc_setting("frames", 0);
	if (nf > 0 && nf < RT_MAX_FRAMES)
		rt_max_frames = (unsigned)nf;
	unsigned every = (unsigned)mc_setting("precise", 0);
	mc_guard_init(every);
	mc_slab_init();
	g_libc_exit = dlsym(RTLD_NEXT, "exit");
	rt_thread_num_init();
	mc_altstack_on(1); /* the handler must run when the stack overflows */
	if (every > 0) { /* precise mode: faults on guard pages are reported */
		rt_signal_keep(SIGSEGV);
		rt_signal_keep(SIGTRAP);
	}
	mc_env_options();
}

const struct rt_ops rt_mc_ops = {
	.malloc = mc_malloc,
	.calloc = mc_calloc,
	.free = mc_free,
	.posix_memalign = mc_posix_memalign,
	.aligned = mc_aligned_op,
	.cxx_new = mc_cxx_new,
	.rec_block = mc_rec_block_op,
	.free_null = mc_free_null,
	.realloc = mc_realloc_op,
	.reallocarray = mc_reallocarray,
	.free_untraced = mc_free_untraced,
	.usable_size = mc_usable_size,
	.key_floor = mc_key_floor,
	.init = mc_init,
	.thread_gone = mc_thread_gone,
	.thread_exit = mc_slab_thread_exit,
	.forked = mc_slab_after_fork,
	.thread_create = mc_thread_create,
	.wrap_main = mc_wrap_main,
	.stack_from = rt_leak_check_stack_from,
	.exit_regs = rt_leak_check_caller,
	.found_at = mc_found_at,
	.kept_signal = mc_precise_fault,
	.fatal = mc_fatal,
	.finish = mc_finish,
	.timer_recs = mc_timer_recs,
	.libc_freeres = true,
};
