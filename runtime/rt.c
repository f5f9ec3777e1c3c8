/* libsonde-rt.so: the heap-tracing runtime `sonde heap` preloads into the
 * target (docs/heap-runtime.md). It interposes the malloc family and C++
 * operator new/delete, records each call with its call stack into a
 * per-thread buffer, and writes the buffers as chunks
 * (runtime/heap_protocol.h) to the pipe named by SONDE_HEAP_FD.
 *
 * Without SONDE_HEAP_FD every function passes straight through. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "heap_protocol.h"
#include "mc_check.h"
#include "mc_describe.h"
#include "mc_fatal.h"
#include "mc_freed.h"
#include "mc_guard.h"
#include "mc_insn.h"
#include "mc_redzone.h"
#include "mc_slab.h"
#include "mc_trace.h"
#include "rt.h"
#include "rt_children.h"
#include "rt_key.h"

#define EXPORT __attribute__((visibility("default")))
#define NOINLINE __attribute__((noinline))

#define RT_BUF (64u << 10)
#define MAX_NODE_REC 24 /* 'S' + 3 varints (id, parent: u32; ip: u64) */
#define MAX_EVENT_REC 64
/* Memcheck mode: freed redzone blocks larger than this skip the
 * quarantine (the C library unmaps blocks that big). */
#define MC_FREED_GIVE_BACK (4u << 20)
/* --trace-malloc's arguments */
#define U(x) ((uint64_t)(uintptr_t)(x))

struct rt_real rt_real;

/* ---- state ---------------------------------------------------------------------- */

enum { ST_UNINIT, ST_INIT, ST_ON, ST_OFF };

struct rt_thread {
	_Atomic int busy; /* the owner is appending to buf */
	uint32_t index;
	int tid;
	unsigned epoch;
	int dtor_rounds;
	size_t pos; /* bytes used in buf (the chunk header is buf[0..16)) */
	uint64_t last_seq;
	/* The timer sends an idle thread's buffer up to sent (send_idle_locked):
	 * sent_key is the running key there. gen counts the owner's appends,
	 * so the timer reads pos and last_seq as a pair. */
	size_t sent;
	uint64_t sent_key;
	uint32_t gen;
	uint64_t clock; /* this thread's last event key */
	uint64_t mc_allocs, mc_frees, mc_bytes, mc_freed; /* memcheck mode's counts (it sends no events); freed: bytes */
	uint32_t age_next, age_end; /* memcheck mode: the ages this thread may hand out */
	struct mc_ring *mc_ring; /* memcheck mode's quarantine (kept when the state is reused) */
	bool defs;      /* buf holds definition records (HEAP_CHUNK_DEFS) */
	bool clock_keys; /* buf holds clock keys (HEAP_CHUNK_CLOCK) */
	uint64_t key_step; /* the time step it registered in (rt_key_need_clock) */
	struct rt_thread *next;
	char name[16];
	uint8_t buf[RT_BUF + 16]; /* + the key record a chunk resumes with after the timer sent part of it */
	struct rt_stack_cache sc;
	struct rt_info_cache ic;
};

static __thread struct rt_thread *t_self RT_TLS;
/* volatile: libc declares many functions leaf (__THROW), so GCC would drop
 * a store around a call such as dlsym that does call back into our malloc. */
static __thread volatile int t_guard RT_TLS; /* inside a hook or the runtime: pass through */
static __thread int t_exited RT_TLS;    /* the thread's state was released */
static __thread volatile int t_resolving RT_TLS; /* inside dlsym: serve from the arena */

static _Atomic int g_state;
/* The program has (or had) more than one thread: shared structures need
 * their locks. Set before the second thread exists (pthread_create below,
 * or found at start-up), never cleared. */
_Atomic int rt_multi;
static _Atomic int g_resolved;
static _Atomic int g_stopped;  /* no more events are taken */
static _Atomic int g_finished; /* rt_finish ran */
static _Atomic unsigned g_epoch;
static int g_fd = -1;
static dev_t g_fd_dev;
static ino_t g_fd_ino;
static pid_t g_pid;
static uint64_t g_start_ns;
static bool g_memcheck; /* SONDE_MEMCHECK=1: checked blocks, leak check at exit */
static bool g_leak_check = true; /* SONDE_MEMCHECK=noleak: no leak check */
static bool g_no_mismatch;     /* --show-mismatched-frees=no */
static int g_exit_first = -1;  /* --exit-on-first-error: the exit status, -1: off */
static _Atomic int g_exiting;  /* the first error stops the program (no checks at exit) */
static pid_t g_timer_tid;
static bool g_follow_exec, g_exit_written, g_timer_started;
static pthread_key_t g_key;

/* g_lock serialises writes to the fd and the thread registry. */
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static _Atomic int g_lock_owner;
static struct rt_thread *g_threads, *g_free_threads;
static uint32_t g_next_index = 1; /* 0: the runtime's own chunks */
static uint64_t g_gone_clock;     /* the last event key of threads that ended (under g_lock) */
static struct { uint64_t allocs, frees, bytes, freed; } g_gone_mc; /* memcheck counts of threads that ended (under g_lock) */

static int my_tid(void)
{
	return (int)syscall(SYS_gettid);
}

static void lock(void)
{
	pthread_mutex_lock(&g_lock);
	atomic_store_explicit(&g_lock_owner, my_tid(), memory_order_relaxed);
}

static void unlock(void)
{
	atomic_store_explicit(&g_lock_owner, 0, memory_order_relaxed);
	pthread_mutex_unlock(&g_lock);
}

/* From a signal handler: never wait on ourselves, and not forever. */
static bool lock_bounded(void)
{
	if (atomic_load_explicit(&g_lock_owner, memory_order_relaxed) == my_tid())
		return false;
	for (int i = 0; i < 2000; i++) {
		if (pthread_mutex_trylock(&g_lock) == 0) {
			atomic_store_explicit(&g_lock_owner, my_tid(), memory_order_relaxed);
			return true;
		}
		struct timespec ts = { 0, 100000 };
		nanosleep(&ts, NULL);
	}
	return false;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- encoding ----------------------------------------------------------------- */

static inline size_t put_varint(uint8_t *p, uint64_t v)
{
	size_t n = 0;
	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

size_t rt_put_varint(uint8_t *p, uint64_t v)
{
	return put_varint(p, v);
}

/* Errors in the order they were found, across threads (a thread's records
 * reach the stream when its buffer is flushed). */
static _Atomic uint64_t g_error_seq;

size_t rt_put_error(uint8_t *p, const struct rt_error *e)
{
	uint8_t *q = p;
	*q++ = HR_ERROR;
	*q++ = e->kind;
	*q++ = e->how;
	q += put_varint(q, e->where);
	q += put_varint(q, e->addr);
	q += put_varint(q, e->info);
	q += put_varint(q, e->free_stack);
	q += put_varint(q, e->size);
	q += put_varint(q, e->block);
	q += put_varint(q, e->free_how);
	q += put_varint(q, rt_thread_num());
	char name[16];
	q += rt_put_str(q, name, rt_thread_name(name));
	q += put_varint(q, atomic_fetch_add(&g_error_seq, 1) + 1);
	return (size_t)(q - p);
}

size_t rt_put_str(uint8_t *p, const char *s, size_t len)
{
	size_t n = put_varint(p, len);
	memcpy(p + n, s, len);
	return n + len;
}

static void put_u32le(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* ---- the early arena (allocations made while dlsym resolves the real functions) ---- */

static _Alignas(64) char g_arena[256 << 10];
static _Atomic size_t g_arena_pos;

static inline bool in_arena(const void *p)
{
	return (const char *)p >= g_arena && (const char *)p < g_arena + sizeof g_arena;
}

static void *arena_alloc(size_t n, size_t align)
{
	if (align < 16)
		align = 16;
	if (n > sizeof g_arena)
		return NULL;
	for (;;) {
		size_t pos = atomic_load(&g_arena_pos);
		size_t start = (pos + 16 + align - 1) & ~(align - 1);
		size_t end = start + ((n + 15) & ~(size_t)15);
		if (end > sizeof g_arena)
			return NULL;
		if (atomic_compare_exchange_weak(&g_arena_pos, &pos, end)) {
			memcpy(g_arena + start - sizeof(size_t), &n, sizeof n);
			return g_arena + start;
		}
	}
}

static size_t arena_size(const void *p)
{
	size_t n;
	memcpy(&n, (const char *)p - sizeof n, sizeof n);
	return n;
}

/* Whether p is a block arena_alloc handed out (a pointer into the middle
 * of the arena is a wild one: its size word is no size). */
static inline bool arena_block(const void *p)
{
	if (!in_arena(p))
		return false;
	size_t off = (size_t)((const char *)p - g_arena), end = atomic_load(&g_arena_pos);
	return off >= 16 && !(off & 15) && off < end && arena_size(p) <= end - off;
}

static void resolve(void)
{
	t_resolving = 1;
	struct rt_real r;
	r.malloc = dlsym(RTLD_NEXT, "malloc");
	r.free = dlsym(RTLD_NEXT, "free");
	r.calloc = dlsym(RTLD_NEXT, "calloc");
	r.realloc = dlsym(RTLD_NEXT, "realloc");
	r.reallocarray = dlsym(RTLD_NEXT, "reallocarray");
	r.posix_memalign = dlsym(RTLD_NEXT, "posix_memalign");
	r.aligned_alloc = dlsym(RTLD_NEXT, "aligned_alloc");
	r.memalign = dlsym(RTLD_NEXT, "memalign");
	r.valloc = dlsym(RTLD_NEXT, "valloc");
	r.pvalloc = dlsym(RTLD_NEXT, "pvalloc");
	r.malloc_usable_size = dlsym(RTLD_NEXT, "malloc_usable_size");
	t_resolving = 0;
	if (!r.malloc || !r.free || !r.calloc || !r.realloc || !r.memalign || !r.posix_memalign) {
		static const char msg[] = "libsonde-rt: cannot find the real malloc\n";
		ssize_t w = write(2, msg, sizeof msg - 1);
		(void)w;
		abort();
	}
	rt_real = r;
	atomic_store_explicit(&g_resolved, 1, memory_order_release);
}

/* False while this thread is inside dlsym (use the arena). */
static inline bool real_ready(void)
{
	if (RT_LIKELY(atomic_load_explicit(&g_resolved, memory_order_acquire)))
		return true;
	if (t_resolving)
		return false;
	resolve();
	return true;
}

/* ---- writing ------------------------------------------------------------------ */

/* Writes all of p (SIGPIPE blocked: a dead reader turns tracing off instead
 * of killing the program). Called with g_lock held. */
static bool write_all(const uint8_t *p, size_t n)
{
	if (g_fd < 0)
		return false;
	struct stat st;
	if (fstat(g_fd, &st) != 0 || st.st_dev != g_fd_dev || st.st_ino != g_fd_ino) {
		/* the program closed our fd with a raw system call (rt_fdguard.c
		 * stops the C library's calls), and may have reused the number:
		 * sonde sees the stream end without its exit record */
		rt_fd_unguard(g_fd);
		g_fd = -1;
		atomic_store(&g_state, ST_OFF);
		return false;
	}
	sigset_t block, old, pend;
	sigemptyset(&block);
	sigaddset(&block, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	bool pending_before = sigpending(&pend) == 0 && sigismember(&pend, SIGPIPE);
	bool ok = true;
	while (n) {
		ssize_t w = write(g_fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) { /* the program made the pipe non-blocking */
			struct pollfd pfd = { g_fd, POLLOUT, 0 };
			poll(&pfd, 1, -1);
			continue;
		}
		if (w <= 0) {
			if (errno == EPIPE && !pending_before) {
				struct timespec zero = { 0, 0 };
				sigtimedwait(&block, NULL, &zero);
			}
			ok = false;
			break;
		}
		p += w;
		n -= (size_t)w;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!ok) {
		rt_fd_close_own(g_fd);
		g_fd = -1;
		atomic_store(&g_state, ST_OFF);
	}
	return ok;
}

/* ---- the runtime out of memory: HR_LOST ---------------------------------------- */

/* rt_out_of_memory claims, fills, then marks ready; the next writer sends. */
static _Atomic int g_lost_claim, g_lost_ready;
static uint64_t g_lost_ms, g_lost_bytes, g_lost_errno;

void rt_out_of_memory(size_t n, int err)
{
	if (atomic_exchange(&g_lost_claim, 1) || atomic_load(&g_state) != ST_ON)
		return;
	g_lost_ms = (now_ns() - g_start_ns) / 1000000u;
	g_lost_bytes = n;
	g_lost_errno = (uint64_t)err;
	atomic_store(&g_stopped, 1); /* no more events: the trace ends cleanly here */
	atomic_store(&g_lost_ready, 1); /* the timer ends the stream */
}

static bool runtime_lost(void)
{
	return atomic_load(&g_lost_ready) != 0;
}

static uint64_t limit_or_zero(int res)
{
	uint64_t v = rt_rlimit_program(res);
	return v == (uint64_t)RLIM_INFINITY ? 0 : v;
}

static void fill_header(uint8_t *h, size_t payload, uint32_t index, uint32_t flags);

/* g_lock held: HR_LOST goes out once, before whatever is written next. */
static void send_lost_locked(void)
{
	if (RT_LIKELY(atomic_load_explicit(&g_lost_ready, memory_order_relaxed) != 1))
		return;
	atomic_store(&g_lost_ready, 2);
	uint8_t b[HEAP_CHUNK_HEADER + 64], *p = b + HEAP_CHUNK_HEADER;
	*p++ = HR_LOST;
	*p++ = HLOST_NOMEM;
	p += put_varint(p, g_lost_ms);
	p += put_varint(p, g_lost_bytes);
	p += put_varint(p, g_lost_errno);
	p += put_varint(p, limit_or_zero(RLIMIT_AS));
	p += put_varint(p, limit_or_zero(RLIMIT_DATA));
	fill_header(b, (size_t)(p - b) - HEAP_CHUNK_HEADER, 0, HEAP_CHUNK_DEFS);
	write_all(b, (size_t)(p - b));
}

static void fill_header(uint8_t *h, size_t payload, uint32_t index, uint32_t flags)
{
	put_u32le(h, HEAP_CHUNK_MAGIC);
	put_u32le(h + 4, (uint32_t)payload);
	put_u32le(h + 8, index);
	put_u32le(h + 12, flags);
}

/* With g_lock held: a forked child (through a path that ran no atfork
 * handler) must not write into its parent's stream. */
static bool may_write(void)
{
	if (g_exit_written || g_fd < 0)
		return false;
	if (getpid() != g_pid) {
		atomic_store(&g_state, ST_OFF);
		g_fd = -1;
		return false;
	}
	return true;
}

/* g_lock held. What the timer sent already is left out; the rest starts
 * with the running key in force where it stopped. */
static void write_thread_chunk(struct rt_thread *t)
{
	if (t->pos > t->sent && t->sent > HEAP_CHUNK_HEADER) {
		uint8_t key[11];
		size_t k = 0;
		if (t->sent_key) {
			key[k++] = HR_KEY;
			k += put_varint(key + k, t->sent_key);
		}
		memmove(t->buf + HEAP_CHUNK_HEADER + k, t->buf + t->sent, t->pos - t->sent);
		memcpy(t->buf + HEAP_CHUNK_HEADER, key, k);
		t->pos = HEAP_CHUNK_HEADER + k + (t->pos - t->sent);
		t->defs = true; /* what is left may hold definitions */
	} else if (t->sent > HEAP_CHUNK_HEADER) {
		t->pos = HEAP_CHUNK_HEADER; /* all of it went out */
	}
	if (t->pos > HEAP_CHUNK_HEADER && may_write()) {
		send_lost_locked();
		fill_header(t->buf, t->pos - HEAP_CHUNK_HEADER, t->index,
			    (t->defs ? HEAP_CHUNK_DEFS : 0) | (t->clock_keys ? HEAP_CHUNK_CLOCK : 0));
		write_all(t->buf, t->pos);
	}
	t->pos = t->sent = HEAP_CHUNK_HEADER;
	t->last_seq = t->sent_key = 0;
	t->defs = false;
	t->clock_keys = false;
}

/* g_lock held, the timer: the buffer of a thread that has made no event
 * for two time steps (blocked, or waiting to be killed) is sent up to its
 * last complete record, without touching the owner's state but sent and
 * sent_key (write_thread_chunk, under the same lock, starts from there).
 * A program killed by SIGKILL leaves what it did until then. */
static void send_idle_locked(unsigned epoch)
{
	static uint8_t b[HEAP_CHUNK_HEADER + 11 + RT_BUF];
	for (struct rt_thread *t = g_threads; t; t = t->next) {
		if (epoch - __atomic_load_n(&t->epoch, __ATOMIC_RELAXED) < 2)
			continue;
		uint32_t gen = __atomic_load_n(&t->gen, __ATOMIC_ACQUIRE);
		if (atomic_load_explicit(&t->busy, memory_order_acquire))
			continue;
		size_t pos = __atomic_load_n(&t->pos, __ATOMIC_RELAXED);
		uint64_t key = __atomic_load_n(&t->last_seq, __ATOMIC_RELAXED);
		atomic_thread_fence(memory_order_acquire);
		/* an append in between (x86: its busy store is seen before its
		 * stores to pos and last_seq) */
		if (atomic_load_explicit(&t->busy, memory_order_relaxed) ||
		    __atomic_load_n(&t->gen, __ATOMIC_RELAXED) != gen || pos <= t->sent || pos > RT_BUF)
			continue;
		size_t n = HEAP_CHUNK_HEADER;
		if (t->sent_key) {
			b[n++] = HR_KEY;
			n += put_varint(b + n, t->sent_key);
		}
		memcpy(b + n, t->buf + t->sent, pos - t->sent);
		n += pos - t->sent;
		fill_header(b, n - HEAP_CHUNK_HEADER, t->index, HEAP_CHUNK_DEFS | (t->clock_keys ? HEAP_CHUNK_CLOCK : 0));
		write_all(b, n);
		t->sent = pos;
		t->sent_key = key;
	}
}

static void write_global_locked(const uint8_t *payload, size_t len)
{
	if (!len || !may_write())
		return;
	send_lost_locked();
	uint8_t stackbuf[4096];
	uint8_t *b = len + HEAP_CHUNK_HEADER <= sizeof stackbuf ? stackbuf : rt_xmalloc(len + HEAP_CHUNK_HEADER);
	fill_header(b, len, 0, HEAP_CHUNK_DEFS);
	memcpy(b + HEAP_CHUNK_HEADER, payload, len);
	write_all(b, len + HEAP_CHUNK_HEADER);
	if (b != stackbuf)
		rt_xfree(b);
}

void rt_emit_global(const uint8_t *payload, size_t len)
{
	lock();
	write_global_locked(payload, len);
	unlock();
}

/* The owner flushes its own buffer (never inside its busy section). */
static void flush_own(struct rt_thread *t)
{
	if (t->pos <= HEAP_CHUNK_HEADER)
		return;
	lock();
	write_thread_chunk(t);
	unlock();
}

/* ---- /proc ------------------------------------------------------------------------ */

static ssize_t read_file(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, cap - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = 0;
	return n;
}

/* From /proc/self/stat: resident set (KiB) and the number of threads. */
static bool self_stat(uint64_t *rss, uint64_t *nthreads)
{
	char buf[1024];
	/* thread-self: after the main thread's pthread_exit, /proc/self (the
	 * zombie leader) has no memory figures */
	if (read_file("/proc/thread-self/stat", buf, sizeof buf) <= 0 &&
	    read_file("/proc/self/stat", buf, sizeof buf) <= 0)
		return false;
	char *p = strrchr(buf, ')');
	if (!p)
		return false;
	p++;
	uint64_t field[24] = { 0 };
	for (int i = 3; i <= 24 && *p; i++) { /* field numbers as in proc(5) */
		while (*p == ' ')
			p++;
		uint64_t v = 0;
		while (*p && *p != ' ') {
			if (*p >= '0' && *p <= '9')
				v = v * 10 + (uint64_t)(*p - '0');
			p++;
		}
		field[i - 1] = v;
	}
	*nthreads = field[19];
	*rss = field[23] * (uint64_t)sysconf(_SC_PAGESIZE) / 1024;
	return true;
}

/* The main thread left with pthread_exit and every other thread of the
 * program has ended: only the timer keeps the process alive. */
static bool only_timer_left(uint64_t nthreads)
{
	if (nthreads > 2)
		return false;
	if (nthreads <= 1)
		return true;
	char path[64], buf[512];
	snprintf(path, sizeof path, "/proc/self/task/%d/stat", (int)g_pid);
	if (read_file(path, buf, sizeof buf) <= 0)
		return false;
	char *p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] == 'Z';
}

static uint64_t peak_rss_kib(void)
{
	char buf[4096];
	if (read_file("/proc/thread-self/status", buf, sizeof buf) <= 0 &&
	    read_file("/proc/self/status", buf, sizeof buf) <= 0)
		return 0;
	char *p = strstr(buf, "VmHWM:");
	if (!p)
		return 0;
	p += 6;
	while (*p == ' ' || *p == '\t')
		p++;
	uint64_t v = 0;
	while (*p >= '0' && *p <= '9')
		v = v * 10 + (uint64_t)(*p++ - '0');
	return v;
}

static void thread_name(int tid, char *out, size_t cap)
{
	char path[64], buf[64];
	snprintf(path, sizeof path, "/proc/self/task/%d/comm", tid);
	ssize_t n = read_file(path, buf, sizeof buf);
	if (n <= 0) {
		out[0] = 0;
		return;
	}
	if (buf[n - 1] == '\n')
		buf[--n] = 0;
	size_t k = (size_t)n < cap - 1 ? (size_t)n : cap - 1;
	memcpy(out, buf, k);
	out[k] = 0;
}

/* ---- threads ---------------------------------------------------------------------- */

static void append_thread_rec(struct rt_thread *t)
{
	t->defs = true;
	uint8_t *p = t->buf + t->pos;
	*p++ = HR_THREAD;
	p += put_varint(p, t->index);
	p += put_varint(p, (uint64_t)t->tid);
	p += rt_put_str(p, t->name, strlen(t->name));
	t->pos = (size_t)(p - t->buf);
	__atomic_store_n(&t->gen, t->gen + 1, __ATOMIC_RELEASE);
}

static void thread_dtor(void *arg);

static NOINLINE struct rt_thread *thread_new(void)
{
	if (t_exited)
		return NULL;
	lock();
	struct rt_thread *t = g_free_threads;
	if (t)
		g_free_threads = t->next;
	unlock();
	if (!t) {
		void *m = rt_map(sizeof *t);
		if (!m)
			return NULL;
		t = m;
	}
	atomic_store_explicit(&t->busy, 1, memory_order_relaxed);
	t->tid = my_tid();
	t->epoch = atomic_load_explicit(&g_epoch, memory_order_relaxed);
	t->dtor_rounds = 0;
	t->pos = t->sent = HEAP_CHUNK_HEADER;
	t->last_seq = t->sent_key = 0;
	t->clock_keys = false;
	t->key_step = 0;
	t->mc_allocs = t->mc_frees = t->mc_bytes = t->mc_freed = 0;
	t->age_next = t->age_end = 0;
	thread_name(t->tid, t->name, sizeof t->name);
	rt_stack_thread_init(&t->sc);
	lock();
	if (g_threads)
		atomic_store(&rt_multi, 1); /* a thread not made by pthread_create (raw clone): lock from now on */
	t->index = g_next_index++;
	t->next = g_threads;
	g_threads = t;
	unlock();
	append_thread_rec(t);
	atomic_store_explicit(&t->busy, 0, memory_order_release);
	pthread_setspecific(g_key, t);
	t_self = t;
	return t;
}

static inline struct rt_thread *self_get(void)
{
	struct rt_thread *t = t_self;
	return RT_LIKELY(t) ? t : thread_new();
}

/* Thread exit: flush in every destructor round (later destructors of other
 * keys may still free memory), release the state in the last one. */
static void thread_dtor(void *arg)
{
	struct rt_thread *t = arg;
	int g = t_guard;
	t_guard = 1;
	if (++t->dtor_rounds < PTHREAD_DESTRUCTOR_ITERATIONS) {
		flush_own(t);
		pthread_setspecific(g_key, t);
		t_guard = g;
		return;
	}
	char name[16];
	thread_name(t->tid, name, sizeof name);
	if (name[0] && strcmp(name, t->name) && atomic_load(&g_state) == ST_ON) {
		/* renamed after its first allocation: say so again (later wins) */
		memcpy(t->name, name, sizeof t->name);
		if (t->pos + 64 > RT_BUF)
			flush_own(t);
		atomic_store_explicit(&t->busy, 1, memory_order_relaxed);
		append_thread_rec(t);
		atomic_store_explicit(&t->busy, 0, memory_order_release);
	}
	lock();
	write_thread_chunk(t);
	if (t->clock > g_gone_clock)
		g_gone_clock = t->clock;
	g_gone_mc.allocs += t->mc_allocs;
	g_gone_mc.frees += t->mc_frees;
	g_gone_mc.bytes += t->mc_bytes;
	g_gone_mc.freed += t->mc_freed;
	t->mc_allocs = t->mc_frees = t->mc_bytes = t->mc_freed = 0;
	if (!g_finished) {
		struct rt_thread **pp = &g_threads;
		while (*pp && *pp != t)
			pp = &(*pp)->next;
		if (*pp) {
			*pp = t->next;
			t->next = g_free_threads;
			g_free_threads = t;
		}
	}
	unlock();
	t_self = NULL;
	t_exited = 1;
	if (g_memcheck)
		mc_slab_thread_exit();
	t_guard = g;
}

/* ---- events ------------------------------------------------------------------------ */

/* Event keys (the "seq" of the protocol): rt_key.h. The time base is
 * the key clock as the timer thread last read it (every 10 ms): while one
 * thread has events, they take it with a plain load. */
static _Atomic uint64_t g_time_base;
static _Atomic uint64_t g_key_word = RT_KEY_WORD_INIT; /* rt_key_need_clock */

static inline uint64_t time_base(void)
{
	return atomic_load_explicit(&g_time_base, memory_order_relaxed);
}

static inline uint64_t key_floor(struct rt_thread *t)
{
	/* memcheck mode sends no events: their order does not matter */
	bool clock = t && rt_threaded() && !g_memcheck && rt_key_need_clock(&g_key_word, &t->key_step);
	uint64_t base = time_base(); /* after the step's acquire: its base */
	if (!clock)
		return rt_key_at(t ? t->clock : 1, rt_key_base(base));
	t->clock_keys = true;
	return rt_key_at(t->clock, rt_key_clock(base));
}

/* Reserves room and enters the busy section. False if tracing stopped
 * (busy section already left). */
static inline bool ev_begin(struct rt_thread *t, size_t need)
{
	if (RT_UNLIKELY(t->pos + need > RT_BUF))
		flush_own(t);
	/* Dekker with rt_finish: with other threads around, the exchange (a
	 * locked instruction) orders the store of busy before the load of
	 * g_stopped (x86-64); alone, only a signal handler on this very thread
	 * can look, and it sees our stores in order. */
	if (rt_threaded())
		atomic_exchange_explicit(&t->busy, 1, memory_order_seq_cst);
	else
		atomic_store_explicit(&t->busy, 1, memory_order_relaxed);
	atomic_signal_fence(memory_order_seq_cst);
	if (RT_UNLIKELY(atomic_load_explicit(&g_stopped, memory_order_relaxed))) {
		atomic_store_explicit(&t->busy, 0, memory_order_release);
		return false;
	}
	return true;
}

static inline uint8_t *ev_nodes(struct rt_thread *t, uint8_t *p)
{
	struct rt_stack_cache *c = &t->sc;
	if (c->n_new)
		t->defs = true;
	for (size_t i = 0; i < c->n_new; i++) {
		*p++ = HR_STACK;
		p += put_varint(p, c->new_nodes[i].id);
		p += put_varint(p, c->new_nodes[i].parent);
		p += put_varint(p, c->new_nodes[i].ip);
	}
	c->n_new = 0;
	return p;
}

/* Ends a busy section that wrote only definitions (stack nodes, infos,
 * memcheck errors): the running key stays as it is. */
static inline void ev_end_defs(struct rt_thread *t, uint8_t *p)
{
	t->pos = (size_t)(p - t->buf);
	t->defs = true;
	__atomic_store_n(&t->gen, t->gen + 1, __ATOMIC_RELEASE); /* send_idle_locked */
	atomic_store_explicit(&t->busy, 0, memory_order_release);
}

static inline void ev_end(struct rt_thread *t, uint8_t *p, uint64_t seq)
{
	t->pos = (size_t)(p - t->buf);
	t->last_seq = seq;
	t->clock = seq;
	__atomic_store_n(&t->gen, t->gen + 1, __ATOMIC_RELEASE); /* send_idle_locked */
	atomic_store_explicit(&t->busy, 0, memory_order_release);
	unsigned e = atomic_load_explicit(&g_epoch, memory_order_relaxed);
	if (RT_UNLIKELY(t->epoch != e)) {
		t->epoch = e;
		flush_own(t);
	}
}

struct caller {
	uint64_t ip, sp, bp;
};

/* The hook's caller, from inside the hook (the runtime keeps frame
 * pointers: the return address is at rbp+8, the caller's rsp is rbp+16). */
#define CALLER()                                                                              \
	((struct caller){ (uint64_t)(uintptr_t)__builtin_return_address(0),                       \
			  (uint64_t)(uintptr_t)__builtin_frame_address(0) + 16,                   \
			  *(uint64_t *)__builtin_frame_address(0) })

/* An HR_KEY record when the event's key differs from the chunk's
 * running key (rare: keys move only with time or another thread). */
static inline uint8_t *put_key(struct rt_thread *t, uint8_t *p, uint64_t key)
{
	if (key != t->last_seq) {
		*p++ = HR_KEY;
		p += put_varint(p, key - t->last_seq);
		t->last_seq = key;
	}
	return p;
}

static inline uint8_t free_rec(int kind)
{
	kind = HK_FREE_BASE(kind);
	return kind == HK_DELETE ? HR_DELETE : kind == HK_DELETE_ARRAY ? HR_DELETE_ARRAY : HR_FREE;
}

static inline uint8_t *put_info_rec(uint8_t *p, uint32_t info, int kind, uint64_t size, uint32_t stack)
{
	*p++ = HR_INFO;
	p += put_varint(p, info);
	*p++ = (uint8_t)(kind & ~RT_KIND_THREAD_VECTOR);
	p += put_varint(p, rt_reported_size(kind, size));
	p += put_varint(p, stack);
	return p;
}

/* ---- live blocks: a slab slot's info cell (memcheck mode), else the live map ---- */

/* The info cell of the slot block ptr starts (NULL: none). */
static inline uint32_t *slab_cell(void *ptr)
{
	return mc_slab_cell((uint64_t)(uintptr_t)ptr - MC_RZ_FRONT);
}

/* Memcheck mode: a new block's age, its place in allocation order. The
 * leak check forms cliques in that order, as valgrind does in address
 * order (its allocator hands out rising addresses to a program that frees
 * little). Threads take ages in runs of 64, so only one call in 64 touches
 * the shared counter; ages of different threads interleave by runs. */
static _Atomic uint32_t g_next_age = 1;

static inline uint32_t next_age(struct rt_thread *t)
{
	if (RT_UNLIKELY(!t))
		return atomic_fetch_add_explicit(&g_next_age, 1, memory_order_relaxed);
	if (RT_UNLIKELY(t->age_next == t->age_end)) {
		t->age_next = atomic_fetch_add_explicit(&g_next_age, 64, memory_order_relaxed);
		t->age_end = t->age_next + 64;
	}
	return t->age_next++;
}

/* rt_ptrmap_put's contract; a slot's cell cannot hold a stale block (the
 * slot was free). age: memcheck mode's, kept with the block (the map keeps
 * it as its tag, since memcheck mode has no keys to order). */
static inline uint32_t live_put(void *ptr, uint32_t info, uint32_t age, uint64_t *key)
{
	uint32_t *cell = slab_cell(ptr);
	if (cell) {
		cell[0] = info;
		cell[1] = age;
		return 0;
	}
	uint32_t tag = g_memcheck ? age : t_self ? t_self->index : 0;
	return rt_ptrmap_put((uint64_t)(uintptr_t)ptr, info, tag, key);
}

static inline uint32_t live_take(void *ptr, uint64_t *key)
{
	if (mc_slab_owns((uint64_t)(uintptr_t)ptr)) { /* never in the live map */
		uint32_t *cell = slab_cell(ptr);
		if (!cell)
			return 0;
		/* two threads freeing one block at once: only one gets it */
		if (rt_threaded())
			return __atomic_exchange_n(cell, 0, __ATOMIC_RELAXED);
		uint32_t info = *cell;
		*cell = 0;
		return info;
	}
	return rt_ptrmap_take((uint64_t)(uintptr_t)ptr, t_self ? t_self->index : 0, key);
}

static inline uint32_t live_get(void *ptr)
{
	if (mc_slab_owns((uint64_t)(uintptr_t)ptr)) {
		uint32_t *cell = slab_cell(ptr);
		return cell ? *cell : 0;
	}
	return rt_ptrmap_get((uint64_t)(uintptr_t)ptr);
}

void rt_live_foreach(void (*fn)(uint64_t ptr, uint32_t info, uint32_t age, void *ctx), void *ctx)
{
	rt_ptrmap_foreach(fn, ctx);
	mc_slab_foreach_live(MC_RZ_FRONT, fn, ctx);
}

/* The info of a new block: its stack, interned with kind and size, and
 * the block entered into the live map (which sets *key). *stale: a block
 * recorded at the same address whose free we never saw. */
static inline uint32_t new_block(struct rt_thread *t, int kind, size_t size, void *ptr, struct caller c,
				 bool *is_new, uint32_t *stack, uint32_t *stale, uint64_t *key)
{
	*stack = rt_capture(&t->sc, c.ip, c.sp, c.bp);
	uint32_t info = rt_info_intern(&t->ic, kind, size, *stack, is_new);
	*stale = info ? live_put(ptr, info, g_memcheck ? next_age(t) : 0, key) : 0;
	return info;
}

/* The bytes a block of this info counts for (memcheck mode's totals). */
static uint64_t info_bytes(uint32_t info)
{
	uint64_t size = 0;
	uint32_t stack;
	int kind = 0;
	return rt_info_get(info, &size, &stack, &kind) ? rt_reported_size(kind, size) : 0;
}

/* Memcheck mode's allocation: the block's info (and what it needs) as
 * definitions, the counts kept here; no event (its report needs none).
 * old_info: the block a realloc moved from (-1: none). */
static NOINLINE void mc_rec_block(struct rt_thread *t, int kind, size_t size, void *ptr, int64_t old_info,
				  struct caller c)
{
	bool is_new;
	uint32_t stack, stale;
	uint64_t key = key_floor(t);
	uint32_t info = new_block(t, kind, size, ptr, c, &is_new, &stack, &stale, &key);
	t->mc_allocs++;
	t->mc_bytes += rt_reported_size(kind, size);
	if (old_info >= 0) { /* valgrind counts a moving realloc as a free too */
		t->mc_frees++;
		t->mc_freed += old_info ? info_bytes((uint32_t)old_info) : 0;
	}
	if (!is_new && !t->sc.n_new)
		return;
	if (!ev_begin(t, t->sc.n_new * MAX_NODE_REC + MAX_EVENT_REC))
		return;
	uint8_t *p = ev_nodes(t, t->buf + t->pos);
	if (is_new)
		p = put_info_rec(p, info, kind, size, stack);
	ev_end_defs(t, p);
}

/* An allocation event (with the records it depends on). old_info: the
 * block realloc moved from (HR_REALLOC), or -1 for a plain allocation;
 * floor: a key the event's key must reach (realloc: the old block's). */
static NOINLINE void rec_block(int kind, size_t size, void *ptr, int64_t old_info, uint64_t floor, struct caller c)
{
	struct rt_thread *t = self_get();
	if (!t)
		return;
	if (RT_UNLIKELY(g_memcheck)) {
		mc_rec_block(t, kind, size, ptr, old_info, c);
		return;
	}
	bool is_new;
	uint32_t stack, stale;
	uint64_t key = key_floor(t);
	if (key < floor)
		key = floor;
	uint32_t info = new_block(t, kind, size, ptr, c, &is_new, &stack, &stale, &key);
	if (!ev_begin(t, t->sc.n_new * MAX_NODE_REC + MAX_EVENT_REC))
		return;
	uint8_t *p = ev_nodes(t, t->buf + t->pos);
	if (is_new) {
		p = put_info_rec(p, info, kind, size, stack);
		t->defs = true;
	}
	if (old_info > 0 && key > floor) {
		/* the live map put the new block after the old one's free: the
		 * free keeps its own key (another thread may already reuse the
		 * old address after it), so the realloc is sent as both */
		p = put_key(t, p, floor);
		*p++ = HR_FREE;
		p += put_varint(p, (uint64_t)old_info);
		old_info = -1;
	}
	p = put_key(t, p, key);
	if (RT_UNLIKELY(stale)) {
		*p++ = HR_FREE;
		p += put_varint(p, stale);
	}
	if (old_info < 0) {
		*p++ = HR_ALLOC;
		p += put_varint(p, info);
	} else {
		*p++ = HR_REALLOC;
		p += put_varint(p, (uint64_t)old_info);
		p += put_varint(p, info);
	}
	ev_end(t, p, key);
}

static inline void rec_alloc(int kind, size_t size, void *ptr, struct caller c)
{
	rec_block(kind, size, ptr, -1, 0, c);
}

/* A block leaves the live map: its info, and the key of its free. */
static inline uint32_t take_block(void *ptr, uint64_t *key)
{
	*key = key_floor(t_self);
	return live_take(ptr, key);
}

/* A free of a block whose info was already taken from the live map. */
static NOINLINE void rec_free_info(uint32_t info, int kind, uint64_t key)
{
	struct rt_thread *t = self_get();
	if (t && RT_UNLIKELY(g_memcheck)) {
		t->mc_frees++;
		t->mc_freed += info_bytes(info);
		return;
	}
	if (!t || !ev_begin(t, MAX_EVENT_REC))
		return;
	if (key < t->clock)
		key = t->clock; /* the thread state was made after the key was */
	uint8_t *p = put_key(t, t->buf + t->pos, key);
	*p++ = free_rec(kind);
	p += put_varint(p, info);
	ev_end(t, p, key);
}

static void rec_fork(pid_t child)
{
	struct rt_thread *t = self_get();
	if (!t || !ev_begin(t, MAX_EVENT_REC))
		return;
	uint64_t key = key_floor(t);
	uint8_t *p = put_key(t, t->buf + t->pos, key);
	*p++ = HR_FORK;
	p += put_varint(p, (uint64_t)child);
	ev_end(t, p, key);
	flush_own(t);
}

/* ---- init, timer, fork, exit, signals ---------------------------------------------------- */

static void rt_init(void);

/* True if this call should be recorded (initialises on the first call). */
static inline bool tracing(void)
{
	int s = atomic_load_explicit(&g_state, memory_order_relaxed);
	if (RT_LIKELY(s == ST_ON))
		return !t_guard;
	if (s == ST_UNINIT && !t_guard) {
		rt_init();
		return atomic_load(&g_state) == ST_ON && !t_guard;
	}
	return false;
}

/* HR_LEAK records gathered into chunks of thread index 0 (g_lock held). */
struct leak_out {
	uint8_t buf[16384];
	size_t n;
};

static void emit_leak(const uint8_t *rec, size_t len, void *ctx)
{
	struct leak_out *o = ctx;
	if (o->n + len > sizeof o->buf) {
		write_global_locked(o->buf, o->n);
		o->n = 0;
	}
	memcpy(o->buf + o->n, rec, len);
	o->n += len;
}

static void leak_check_locked(void)
{
	static struct leak_out out;
	out.n = 0;
	rt_leak_check(g_timer_tid, g_leak_check, emit_leak, &out);
	if (out.n)
		write_global_locked(out.buf, out.n);
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

/* Memcheck mode's HR_MC_TOTALS at p (g_lock held). At the end (the
 * threads' buffers written) the live blocks come from the live map; on
 * the way (every 10 ms, in case the program is killed) from the counts,
 * read as their threads go on. */
static size_t put_mc_totals_locked(uint8_t *p, bool at_end)
{
	uint64_t allocs = g_gone_mc.allocs, frees = g_gone_mc.frees, bytes = g_gone_mc.bytes,
		 freed = g_gone_mc.freed, live[2] = { 0, 0 };
	for (struct rt_thread *t = g_threads; t; t = t->next) {
		allocs += __atomic_load_n(&t->mc_allocs, __ATOMIC_RELAXED);
		frees += __atomic_load_n(&t->mc_frees, __ATOMIC_RELAXED);
		bytes += __atomic_load_n(&t->mc_bytes, __ATOMIC_RELAXED);
		freed += __atomic_load_n(&t->mc_freed, __ATOMIC_RELAXED);
	}
	if (at_end) {
		rt_live_foreach(add_live, live);
	} else {
		live[0] = allocs > frees ? allocs - frees : 0;
		live[1] = bytes > freed ? bytes - freed : 0;
	}
	uint8_t *q = p;
	*q++ = HR_MC_TOTALS;
	q += put_varint(q, allocs);
	q += put_varint(q, frees);
	q += put_varint(q, bytes);
	q += put_varint(q, live[0]);
	q += put_varint(q, live[1]);
	return (size_t)(q - p);
}

static void write_mc_totals_locked(void)
{
	uint8_t rec[64];
	write_global_locked(rec, put_mc_totals_locked(rec, true));
}

static void rt_finish(int how, int signo, bool from_signal)
{
	if (atomic_exchange(&g_finished, 1))
		return;
	if (atomic_load(&g_state) != ST_ON)
		return;
	int g = t_guard;
	t_guard = 1;
	atomic_store(&g_stopped, 1); /* seq_cst: then read each busy flag */
	if (from_signal ? !lock_bounded() : (lock(), false)) {
		t_guard = g;
		return;
	}
	for (struct rt_thread *t = g_threads; t; t = t->next) {
		bool ready = false;
		for (int i = 0; i < 100000; i++) {
			if (!atomic_load_explicit(&t->busy, memory_order_acquire)) {
				ready = true;
				break;
			}
			if (t == t_self)
				break; /* we crashed inside our own append */
			sched_yield();
		}
		if (ready)
			write_thread_chunk(t);
	}
	if (!runtime_lost())
		rt_rlimit_open_up(); /* the leak check's memory is the runtime's */
	/* after HR_LOST the live map misses blocks: no verdicts from it */
	if (g_memcheck && how != HX_EXEC && !atomic_load(&g_exiting) && !runtime_lost())
		leak_check_locked();
	if (g_memcheck)
		write_mc_totals_locked();
	uint64_t last = rt_key_clock(time_base());
	if (g_gone_clock >= last)
		last = g_gone_clock + 1;
	for (struct rt_thread *t = g_threads; t; t = t->next)
		if (t->clock >= last)
			last = t->clock + 1;
	uint8_t rec[64], *p = rec;
	*p++ = HR_KEY;
	p += put_varint(p, last); /* after every event */
	*p++ = HR_EXIT;
	p += put_varint(p, (uint64_t)how);
	p += put_varint(p, (uint64_t)signo);
	p += put_varint(p, peak_rss_kib());
	write_global_locked(rec, (size_t)(p - rec));
	g_exit_written = true;
	unlock();
	atomic_store(&g_state, ST_OFF);
	t_guard = g;
}

static void *timer_main(void *arg)
{
	(void)arg;
	t_guard = 1;
	g_timer_tid = my_tid();
	uint64_t next = now_ns();
	for (;;) {
		/* out of memory (rt_out_of_memory, which may hold any lock): the
		 * stream ends here, and the hooks pass through from now on (no
		 * stacks, no tables to grow) */
		if (runtime_lost()) {
			rt_finish(HX_EXIT, 0, false);
			break;
		}
		if (atomic_load(&g_state) != ST_ON || atomic_load(&g_stopped))
			break;
		next += 10000000;
		struct timespec ts = { (time_t)(next / 1000000000u), (long)(next % 1000000000u) };
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
			;
		uint64_t now = now_ns();
		if (now > next + 100000000u)
			next = now; /* we were stopped (SIGSTOP, debugger): don't catch up */
		uint8_t rec[112], *p = rec;
		uint64_t rss = 0, nthreads = 0;
		self_stat(&rss, &nthreads);
		if (nthreads && only_timer_left(nthreads)) {
			/* what the last thread's pthread_exit would have done */
			t_guard = 0;
			exit(0);
		}
		lock();
		uint64_t base = rt_key_now();
		*p++ = HR_KEY;
		p += put_varint(p, rt_key_base(base) - 1); /* before this time step's events */
		*p++ = HR_TIME;
		p += put_varint(p, (now - g_start_ns) / 1000000u);
		p += put_varint(p, rss);
		if (g_memcheck) /* what a killed program leaves: the counts so far */
			p += put_mc_totals_locked(p, false);
		write_global_locked(rec, (size_t)(p - rec));
		send_idle_locked(atomic_load_explicit(&g_epoch, memory_order_relaxed));
		if (base > time_base())
			atomic_store_explicit(&g_time_base, base, memory_order_relaxed);
		rt_key_step(&g_key_word); /* after the base: a new step's events see it */
		unlock();
		atomic_fetch_add_explicit(&g_epoch, 1, memory_order_relaxed);
	}
	return NULL;
}

/* libc's pthread_create (ours, exported below, marks the program threaded;
 * the timer thread touches no shared allocation state). */
static rt_pthread_create_fn real_pthread_create(void)
{
	static _Atomic(rt_pthread_create_fn) real;
	rt_pthread_create_fn f = atomic_load(&real);
	if (!f) {
		int g = t_guard;
		t_guard = 1;
		f = (rt_pthread_create_fn)dlsym(RTLD_NEXT, "pthread_create");
		t_guard = g;
		atomic_store(&real, f);
	}
	return f;
}

static void start_timer(void)
{
	if (g_timer_started || atomic_load(&g_state) != ST_ON)
		return;
	g_timer_started = true;
	int g = t_guard;
	t_guard = 1;
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 64 << 10);
	pthread_t th;
	if (real_pthread_create()(&th, &attr, timer_main, NULL) == 0)
		pthread_setname_np(th, "sonde-heap");
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	t_guard = g;
}

static void atfork_child(void)
{
	/* the child is not traced: its copy of the buffers belongs to the parent */
	atomic_store(&g_state, ST_OFF);
	mc_slab_after_fork();
	if (g_fd >= 0)
		rt_fd_close_own(g_fd);
	g_fd = -1;
}

/* Every signal whose default action ends the process: the trace gets its
 * end, and memcheck's report its leak check, as valgrind's does for any of
 * them ("Process terminating with default action of signal 15"). Not
 * SIGTRAP (precise mode's) nor SIGKILL/SIGSTOP (cannot be caught), nor
 * the real-time signals. */
static const int fatal_signals[] = { SIGSEGV, SIGBUS,  SIGABRT, SIGFPE,	  SIGILL,  SIGTERM, SIGINT,
				     SIGHUP,  SIGQUIT, SIGPIPE, SIGALRM,  SIGUSR1, SIGUSR2, SIGVTALRM,
				     SIGPROF, SIGXCPU, SIGXFSZ, SIGSYS,	  SIGIO,   SIGPWR,  SIGSTKFLT };

static bool is_fault_signal(int sig)
{
	return sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL;
}

/* libc's own entry point: our exported sigaction() below must not catch
 * the runtime's calls. */
extern int __sigaction(int sig, const struct sigaction *act, struct sigaction *old);

/* Signals whose handler is ours while the program thinks it is SIG_DFL.
 * Programs decide by the current action (Rust's std installs its stack
 * overflow handler only over SIG_DFL), so ours must stay invisible. */
static volatile bool sig_hidden[NSIG];

/* Memcheck's precise mode keeps SIGSEGV and SIGTRAP for itself: the
 * program's handlers are remembered (g_prog_act) and called when a fault
 * is not a guarded block's. */
static bool g_keep[NSIG];
static struct sigaction g_prog_act[NSIG];

static bool mc_precise_fault(int sig, siginfo_t *si, ucontext_t *uc);
static void mc_report_fatal(int sig, siginfo_t *si, ucontext_t *uc);
static void mc_found_at(struct caller c, uint8_t how);
/* libc's exit(), whose frame starts the stack the checks at exit name. */
static void *g_libc_exit;

/* Runs the program's own handler for a signal we keep; false if it has none. */
static bool call_program_handler(int sig, siginfo_t *si, void *uc)
{
	struct sigaction *a = &g_prog_act[sig];
	if (!(a->sa_flags & SA_SIGINFO) && (a->sa_handler == SIG_DFL || a->sa_handler == SIG_IGN))
		return sig == SIGTRAP ? false : a->sa_handler == SIG_IGN && sig != SIGSEGV;
	bool siginfo = a->sa_flags & SA_SIGINFO;
	void (*h)(int) = a->sa_handler;
	void (*hi)(int, siginfo_t *, void *) = a->sa_sigaction;
	if (a->sa_flags & SA_RESETHAND) {
		memset(a, 0, sizeof *a);
		a->sa_handler = SIG_DFL;
	}
	if (siginfo)
		hi(sig, si, uc);
	else
		h(sig);
	return true;
}

static void fatal_handler(int sig, siginfo_t *si, void *uc)
{
	int e = errno;
	if (g_keep[sig]) {
		if (mc_precise_fault(sig, si, uc) || call_program_handler(sig, si, uc)) {
			errno = e;
			return;
		}
	}
	if (g_memcheck && uc) { /* the crashed thread's live stack ends where it faulted */
		rt_leak_check_stack_from((uint64_t)((ucontext_t *)uc)->uc_mcontext.gregs[REG_RSP]);
		if (si)
			mc_report_fatal(sig, si, uc);
	}
	rt_finish(1, sig, true);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	__sigaction(sig, &sa, NULL);
	/* blocked while we run: delivered (default action) when we return */
	raise(sig);
	errno = e;
}

static void install_signals(void)
{
	if (g_keep[SIGSEGV]) { /* precise mode: ours whatever the program installs */
		static const int kept[] = { SIGSEGV, SIGTRAP };
		for (size_t i = 0; i < 2; i++) {
			struct sigaction sa;
			memset(&sa, 0, sizeof sa);
			sa.sa_sigaction = fatal_handler;
			sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
			sigemptyset(&sa.sa_mask);
			__sigaction(kept[i], &sa, &g_prog_act[kept[i]]);
		}
	}
	for (size_t i = 0; i < sizeof fatal_signals / sizeof fatal_signals[0]; i++) {
		struct sigaction old;
		if (__sigaction(fatal_signals[i], NULL, &old) != 0)
			continue;
		if (!(old.sa_flags & SA_SIGINFO) && old.sa_handler != SIG_DFL)
			continue; /* the program's (or SIG_IGN): leave it */
		if (old.sa_flags & SA_SIGINFO)
			continue;
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_sigaction = fatal_handler;
		sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
		/* one ending at a time: a SIGTERM sent during a Ctrl-C's leak
		 * check waits (faults still come through, and end it) */
		sigemptyset(&sa.sa_mask);
		for (size_t j = 0; j < sizeof fatal_signals / sizeof fatal_signals[0]; j++)
			if (!is_fault_signal(fatal_signals[j]))
				sigaddset(&sa.sa_mask, fatal_signals[j]);
		if (__sigaction(fatal_signals[i], &sa, NULL) == 0)
			sig_hidden[fatal_signals[i]] = true;
	}
}

static void report_default(struct sigaction *old)
{
	memset(old, 0, sizeof(*old));
	old->sa_handler = SIG_DFL;
	sigemptyset(&old->sa_mask);
}

/* The program sees SIG_DFL where our crash handler sits; when it installs
 * its own, ours steps aside (the trace then relies on the periodic flush). */
EXPORT int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	if (sig > 0 && sig < NSIG && g_keep[sig]) {
		struct sigaction prev = g_prog_act[sig];
		if (act)
			g_prog_act[sig] = *act;
		if (old)
			*old = prev;
		return 0;
	}
	if (sig <= 0 || sig >= NSIG || !sig_hidden[sig])
		return __sigaction(sig, act, old);
	if (act)
		sig_hidden[sig] = false;
	int rc = __sigaction(sig, act, old);
	if (rc == 0 && old)
		report_default(old);
	return rc;
}

static uint64_t env_u64(const char *name, uint64_t dflt)
{
	const char *v = getenv(name);
	char *end;
	unsigned long long x = v && *v ? strtoull(v, &end, 10) : 0;
	return v && *v && !*end ? (uint64_t)x : dflt;
}

/* Memcheck mode's valgrind options that the runtime carries out. */
static void mc_env_options(void)
{
	mc_freed_config(env_u64("SONDE_MEMCHECK_FREELIST_VOL", 20000000),
			env_u64("SONDE_MEMCHECK_FREELIST_BIG", 1000000));
	g_no_mismatch = getenv("SONDE_MEMCHECK_NO_MISMATCH") != NULL;
	uint64_t code = env_u64("SONDE_MEMCHECK_EXIT_FIRST", UINT64_MAX);
	g_exit_first = code <= 255 ? (int)code : -1;
	uint64_t tfd = env_u64("SONDE_MEMCHECK_TRACE_FD", UINT64_MAX);
	if (rt_children_trace_fd() >= 0) { /* following exec: each image has its file */
		rt_fd_guard(rt_children_trace_fd());
		mc_trace_init(rt_children_trace_fd(), getenv("SONDE_MEMCHECK_TIME_STAMP") != NULL,
			      env_u64("SONDE_MEMCHECK_T0", now_ns()));
	} else if (tfd < INT_MAX) { /* out of the program's way, as the stream's fd */
		int fd = fcntl((int)tfd, F_DUPFD_CLOEXEC, 512);
		if (fd >= 0)
			close((int)tfd);
		rt_fd_guard(fd >= 0 ? fd : (int)tfd);
		mc_trace_init(fd >= 0 ? fd : (int)tfd, getenv("SONDE_MEMCHECK_TIME_STAMP") != NULL,
			      env_u64("SONDE_MEMCHECK_T0", now_ns()));
	}
}

static void rt_init(void)
{
	int expect = ST_UNINIT;
	if (!atomic_compare_exchange_strong(&g_state, &expect, ST_INIT))
		return;
	int g = t_guard;
	t_guard = 1;
	const char *fds = getenv("SONDE_HEAP_FD");
	char *end = "";
	long fd = fds && *fds ? strtol(fds, &end, 10) : -1;
	int sock = rt_children_connect(); /* following exec: this image's own stream */
	if (sock != -1)
		fd = sock;
	struct stat st;
	if (fd < 0 || *end || fd > INT_MAX || fstat((int)fd, &st) != 0) {
		atomic_store(&g_state, ST_OFF);
		t_guard = g;
		return;
	}
	g_follow_exec = getenv("SONDE_HEAP_FOLLOW_EXEC") != NULL;
	const char *mc = getenv("SONDE_MEMCHECK");
	g_memcheck = mc && *mc && *mc != '0';
	g_leak_check = !mc || strcmp(mc, "noleak");
	if (g_memcheck) {
		rt_leak_check_prepare();
		const char *fr = getenv("SONDE_MEMCHECK_FRAMES");
		unsigned long nf = fr && *fr ? strtoul(fr, NULL, 10) : 0;
		if (nf > 0 && nf < RT_MAX_FRAMES)
			rt_max_frames = (unsigned)nf;
		const char *pr = getenv("SONDE_MEMCHECK_PRECISE");
		unsigned every = pr && *pr ? (unsigned)strtoul(pr, NULL, 10) : 0;
		mc_guard_init(every);
		mc_slab_init();
		g_libc_exit = dlsym(RTLD_NEXT, "exit");
		rt_thread_num_init();
		mc_altstack_on(1); /* the handler must run when the stack overflows */
		g_keep[SIGSEGV] = g_keep[SIGTRAP] = every > 0;
		mc_env_options();
	}
	/* Move the fd out of the program's way (it may close or reuse low
	 * numbers); write_all checks it is still the same pipe. */
	int nfd = fcntl((int)fd, g_follow_exec ? F_DUPFD : F_DUPFD_CLOEXEC, 512);
	if (nfd < 0)
		nfd = fcntl((int)fd, g_follow_exec ? F_DUPFD : F_DUPFD_CLOEXEC, 64);
	if (nfd >= 0 && !g_follow_exec)
		close((int)fd);
	else if (nfd < 0)
		nfd = (int)fd;
	if (!g_follow_exec)
		fcntl(nfd, F_SETFD, FD_CLOEXEC);
	fstat(nfd, &st);
	rt_fd_guard(nfd);
	g_fd = nfd;
	g_fd_dev = st.st_dev;
	g_fd_ino = st.st_ino;
	g_pid = getpid();
	g_start_ns = now_ns();
	rt_key_init();
	rt_tls_init();
	atomic_store(&g_time_base, rt_key_now());
	pthread_key_create(&g_key, thread_dtor);
	pthread_atfork(NULL, NULL, atfork_child);
	install_signals();
	rt_rlimit_start();

	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n < 0)
		n = 0;
	exe[n] = 0;
	uint8_t rec[4096 + 64], *p = rec;
	*p++ = HR_HELLO;
	p += put_varint(p, HEAP_PROTOCOL_VERSION);
	p += put_varint(p, (uint64_t)g_pid);
	p += put_varint(p, (uint64_t)getppid());
	p += put_varint(p, g_start_ns);
	p += rt_put_str(p, exe, (size_t)n);
	rt_emit_global(rec, (size_t)(p - rec));
	rt_modules_init();
	atomic_store(&g_state, ST_ON);
	t_guard = g;
}

__attribute__((constructor)) static void rt_ctor(void)
{
	if (!real_ready())
		return;
	if (atomic_load(&g_state) == ST_UNINIT && !t_guard)
		rt_init();
	start_timer();
	if (!g_follow_exec && atomic_load(&g_state) != ST_UNINIT)
		unsetenv("SONDE_HEAP_FD"); /* exec'd programs are not traced */
	rt_children_ctor();
}

__attribute__((destructor)) static void rt_dtor(void)
{
	if (g_memcheck) /* our frames below this one are not the program's */
		rt_leak_check_stack_from((uint64_t)(uintptr_t)__builtin_frame_address(0));
	if (g_memcheck && atomic_load(&g_state) == ST_ON && !g_finished && !t_guard)
		mc_found_at(CALLER(), HOW_EXIT);
	if (atomic_load(&g_state) == ST_ON && !g_finished) {
		/* Like heaptrack and valgrind: let libstdc++ free its emergency
		 * exception pool, which is not the program's leak. */
		int g = t_guard;
		t_guard = 1; /* a failed dlsym allocates its error message */
		void (*freeres)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, "_ZN9__gnu_cxx9__freeresEv");
		t_guard = g;
		if (freeres)
			freeres();
		/* memcheck mode, like valgrind's --run-libc-freeres=yes: glibc
		 * frees its own one-time allocations (thread and locale caches) */
		if (g_memcheck) {
			t_guard = 1;
			void (*libc_freeres)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, "__libc_freeres");
			t_guard = g;
			if (libc_freeres)
				libc_freeres();
		}
	}
	rt_finish(0, 0, false);
}

/* ---- memcheck mode ------------------------------------------------------------------ */

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
static NOINLINE void rec_mc_error_where(struct rt_error e)
{
	struct rt_thread *t = self_get();
	if (!t || !ev_begin(t, t->sc.n_new * MAX_NODE_REC + RT_ERROR_REC))
		return;
	uint8_t *p = ev_nodes(t, t->buf + t->pos);
	p += rt_put_error(p, &e);
	ev_end_defs(t, p);
	if (RT_UNLIKELY(g_exit_first >= 0) && !atomic_load(&g_finished))
		exit_on_first_error();
	/* sent at once, as valgrind prints it: a program killed later, or
	 * blocked for good, still shows it */
	else if (atomic_load_explicit(&g_lock_owner, memory_order_relaxed) != my_tid())
		flush_own(t);
}

/* The same with the stack of the current call as where. */
static NOINLINE void rec_mc_error(struct rt_error e, struct caller c)
{
	struct rt_thread *t = self_get();
	if (!t)
		return;
	e.where = rt_capture(&t->sc, c.ip, c.sp, c.bp);
	rec_mc_error_where(e);
}

/* The trie nodes the thread's last capture made, written before any
 * record names them. */
static void write_nodes(struct rt_thread *t)
{
	if (t->sc.n_new && ev_begin(t, t->sc.n_new * MAX_NODE_REC))
		ev_end_defs(t, ev_nodes(t, t->buf + t->pos));
}

/* The stack of the current call (memcheck mode keeps the stack of every
 * free for reports on the block later). */
static uint32_t call_stack(struct caller c)
{
	struct rt_thread *t = self_get();
	if (!t)
		return 0;
	uint32_t s = rt_capture_kind(&t->sc, RT_WALK_FREE, c.ip, c.sp, c.bp);
	write_nodes(t);
	return s;
}

static bool in_libc_exit(uint64_t ip)
{
	Dl_info di;
	return g_libc_exit && dladdr((void *)(uintptr_t)(ip - 1), &di) && di.dli_saddr == g_libc_exit;
}

/* Memcheck mode: the program is ending (c: the runtime's caller there);
 * the damage the checks at exit find is reported with this stack: from
 * libc's exit() on (how HOW_EXIT: exit() or main's return), else the
 * whole of it. */
static NOINLINE void mc_found_at(struct caller c, uint8_t how)
{
	struct rt_thread *t = self_get();
	if (!t)
		return;
	int g = t_guard;
	t_guard = 1;
	uint32_t where = how == HOW_EXIT ? rt_capture_from(&t->sc, c.ip, c.sp, c.bp, in_libc_exit) : 0;
	if (!where)
		where = rt_capture_kind(&t->sc, RT_WALK_FREE, c.ip, c.sp, c.bp);
	write_nodes(t);
	rt_leak_check_found_at(where, how);
	t_guard = g;
}

/* Memcheck mode, before a free: false if p is no live block (reported:
 * the caller must not free it); a mismatched free is reported and goes on.
 * *size: the block's. */
static bool mc_check_free(void *p, uint32_t info, int how, struct caller c, uint64_t *size)
{
	uint64_t a = (uint64_t)(uintptr_t)p;
	if (!info) {
		/* valgrind's description: a block near it, live or recently freed */
		struct mc_heap_desc d;
		uint64_t on_stack = 0, frame = 0;
		struct rt_thread *t = self_get();
		/* else "Address 0x.. is on thread 1's stack" (the live part, and
		 * the 128-byte red zone below the stack pointer) */
		if (!mc_describe_heap(a, &d) && t && a + 128 >= c.sp && a < t->sc.stack_hi) {
			on_stack = rt_thread_num();
			/* "in frame #1, created by main": frame 0 of the walk is #1 */
			frame = (uint64_t)(rt_stack_frame_holding(&t->sc, c.ip, c.sp, c.bp, a) + 1);
		}
		rec_mc_error((struct rt_error){ .kind = HE_INVALID_FREE, .how = (uint8_t)how, .addr = a, .info = d.info,
						.free_stack = d.free_stack, .block = d.info ? d.block : frame,
						.size = on_stack, .free_how = d.free_how }, c);
		return false;
	}
	uint32_t stack;
	int akind;
	*size = 0;
	if (rt_info_get(info, size, &stack, &akind)) {
		akind &= ~RT_KIND_THREAD_VECTOR;
		bool is_new = akind == HK_NEW, is_new_array = akind == HK_NEW_ARRAY;
		int base = HK_FREE_BASE(how);
		bool ok = base == HK_DELETE ? is_new : base == HK_DELETE_ARRAY ? is_new_array : !is_new && !is_new_array;
		if (!ok && !g_no_mismatch)
			rec_mc_error((struct rt_error){ .kind = HE_MISMATCHED_FREE, .how = (uint8_t)how, .addr = a,
							.info = info, .block = a }, c);
	}
	return true;
}

/* Memcheck mode: a block that left the quarantine is checked for writes
 * after its free, then really freed. where, how: the call that pushed it
 * out (a free or realloc of another block). */
static void mc_release_freed(const struct mc_freed_block *b, uint32_t where, int how)
{
	struct mc_damage d;
	void *p = (void *)(uintptr_t)b->ptr;
	if (!mc_rz_freed_intact(p, b->size, &d))
		rec_mc_error_where((struct rt_error){ .kind = HE_FREED_WRITE, .how = (uint8_t)how, .where = where,
						      .addr = d.addr, .size = d.len, .info = b->info,
						      .free_stack = b->free_stack, .block = b->ptr, .free_how = b->how });
	mc_rz_release(p, b->size);
}

/* Memcheck mode: a live block is freed (already out of the live map):
 * its redzones are checked, then it goes into the quarantine filled with
 * the freed pattern. */
static void mc_retire(void *p, uint32_t info, uint64_t size, int how, struct caller c)
{
	uint64_t a = (uint64_t)(uintptr_t)p;
	uint32_t fstack = call_stack(c);
	struct mc_damage before, after;
	if (mc_rz_check(p, size, &before, &after)) {
		if (before.len)
			rec_mc_error_where((struct rt_error){ .kind = HE_OVERRUN, .how = (uint8_t)how, .where = fstack,
							      .addr = before.addr, .size = before.len, .info = info, .block = a });
		if (after.len)
			rec_mc_error_where((struct rt_error){ .kind = HE_OVERRUN, .how = (uint8_t)how, .where = fstack,
							      .addr = after.addr, .size = after.len, .info = info, .block = a });
	}
	struct mc_freed_block b = { a, size, info, fstack, (uint8_t)how }, out[4];
	/* every block waits, --freelist-vol decides how long; a guarded one
	 * whose pages went back waits at no cost. A redzone block over
	 * MC_FREED_GIVE_BACK goes back to the C library at once (remembered,
	 * not held): held, only its first and last bytes would be checked;
	 * given back, it is unmapped and any later access faults, reported as
	 * valgrind's invalid read or write of that block. */
	int held = size <= MC_FREED_GIVE_BACK ? MC_HELD : MC_NOT_HELD;
	if ((held || (!mc_slab_owns(a) && mc_guard_owns(p))) && mc_rz_fill_freed(p, size))
		held = MC_HELD_FREE_OF_COST;
	struct rt_thread *t = self_get();
	if (t && !t->mc_ring)
		t->mc_ring = mc_ring_new();
	size_t n = mc_freed_note(t ? t->mc_ring : NULL, &b, held, out, 4);
	for (size_t i = 0; i < n; i++)
		mc_release_freed(&out[i], fstack, how);
	if (!held)
		mc_rz_release(p, size);
}

/* Memcheck mode, a free or realloc outside tracing (after the exit
 * report, in a forked child, inside the runtime): a block from the
 * checking allocator is released as such, anything else goes to the real
 * allocator. */
static bool mc_release_untraced(void *p)
{
	uint64_t key;
	uint32_t info = take_block(p, &key);
	if (!info) /* a slot or guarded block that is no live block: the C library would abort on it */
		return mc_slab_owns((uint64_t)(uintptr_t)p) || mc_guard_owns(p);
	mc_rz_release(p, rt_info_size(info));
	return true;
}

/* Memcheck mode: malloc's "fishy (possibly negative) value" check. */
static inline bool mc_fishy(uint64_t v, int fn, int arg, struct caller c)
{
	if (RT_LIKELY((int64_t)v >= 0))
		return false;
	rec_mc_error((struct rt_error){ .kind = HE_FISHY, .how = (uint8_t)fn, .size = v, .block = (uint64_t)arg }, c);
	return true;
}

/* Memcheck mode: an alignment that is no power of two (or, for
 * posix_memalign, no multiple of sizeof(void *)). */
static inline bool mc_bad_align(size_t align, int fn, struct caller c)
{
	bool ok = align && !(align & (align - 1)) && (fn != HK_POSIX_MEMALIGN || align % sizeof(void *) == 0);
	if (ok)
		return false;
	rec_mc_error((struct rt_error){ .kind = HE_BAD_ALIGN, .how = (uint8_t)fn, .size = align }, c);
	return true;
}

/* The allocation behind a traced hook: in memcheck mode with redzones. */
static inline void *blk_alloc(size_t n, size_t align)
{
	if (RT_UNLIKELY(g_memcheck))
		return mc_rz_alloc(n, align);
	return align ? rt_real.memalign(align, n) : rt_real.malloc(n);
}

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
	if (sig != SIGSEGV || !g_memcheck || t_guard || t_step_page || !mc_guard_find(addr, &block))
		return false;
	struct mc_access acc;
	bool known = mc_insn_access((const uint8_t *)(uintptr_t)g[REG_RIP], 15, &acc);
	bool write = (g[REG_ERR] & 2) != 0; /* the page fault's own verdict; the decoder gives the size */
	struct rt_error e = { .kind = write ? HE_INVALID_WRITE : HE_INVALID_READ, .addr = addr,
			      .size = known ? acc.size : 0, .block = block };
	e.info = live_get((void *)(uintptr_t)block);
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
		rec_mc_error(e, (struct caller){ (uint64_t)g[REG_RIP] + 1, (uint64_t)g[REG_RSP], (uint64_t)g[REG_RBP] });
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
	if (t_guard || atomic_load(&g_state) != ST_ON || g_finished)
		return;
	t_guard = 1;
	struct rt_thread *t = self_get();
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
	write_nodes(t);
	if (f.access != MC_ACC_NONE) {
		struct mc_heap_desc d;
		mc_describe_heap(f.addr, &d);
		uint8_t kind = f.access == MC_ACC_JUMP	  ? HE_INVALID_JUMP
			       : f.access == MC_ACC_WRITE ? HE_INVALID_WRITE
							  : HE_INVALID_READ;
		rec_mc_error_where((struct rt_error){ .kind = kind, .where = where, .addr = f.addr, .size = f.size,
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
	if (!g_memcheck || !tracing())
		return;
	t_guard = 1;
	rec_mc_error((struct rt_error){ .kind = HE_OVERLAP, .how = (uint8_t)fn, .addr = (uint64_t)(uintptr_t)dst,
					.block = (uint64_t)(uintptr_t)src, .size = len_plus1 },
		     (struct caller){ ip, sp, bp });
	t_guard = 0;
}

/* ---- the interposed functions ----------------------------------------------------------- */

EXPORT void *malloc(size_t n)
{
	if (RT_UNLIKELY(!real_ready()))
		return arena_alloc(n, 16);
	if (!tracing())
		return rt_real.malloc(n);
	t_guard = 1;
	void *p = NULL;
	if (!RT_UNLIKELY(g_memcheck) || !mc_fishy(n, HK_MALLOC, 0, CALLER()))
		p = blk_alloc(n, 0);
	if (RT_UNLIKELY(mc_trace_on))
		mc_trace("malloc(%u) = %p", (uint64_t)n, U(p));
	if (p)
		rec_alloc(HK_MALLOC, n, p, CALLER());
	else
		errno = ENOMEM;
	t_guard = 0;
	return p;
}

static inline void free_kind(void *p, int kind, struct caller c)
{
	if (!p || RT_UNLIKELY(arena_block(p))) {
		if (!p && RT_UNLIKELY(mc_trace_on) && tracing()) /* valgrind traces free(0x0) too */
			mc_trace("%s(0x0)", mc_trace_free_name(kind));
		return;
	}
	if (RT_UNLIKELY(!real_ready()))
		return;
	if (!tracing()) {
		if (!RT_UNLIKELY(g_memcheck) || !mc_release_untraced(p))
			rt_real.free(p);
		return;
	}
	t_guard = 1;
	/* out of the live map before the real free: the address may be reused
	 * by another thread the moment free returns */
	uint64_t key;
	uint32_t info = take_block(p, &key);
	if (RT_UNLIKELY(g_memcheck)) {
		if (RT_UNLIKELY(mc_trace_on))
			mc_trace("%s(%p)", mc_trace_free_name(kind), U(p));
		uint64_t size;
		if (mc_check_free(p, info, kind, c, &size)) {
			rec_free_info(info, kind, key);
			mc_retire(p, info, size, kind, c);
		} /* else not a live block: freeing it would corrupt the heap */
		t_guard = 0;
		return;
	}
	rec_free_info(info, kind, key);
	rt_real.free(p);
	t_guard = 0;
}

EXPORT void free(void *p)
{
	free_kind(p, HK_FREE, CALLER());
}

EXPORT void *calloc(size_t n, size_t m)
{
	if (RT_UNLIKELY(!real_ready())) {
		if (m && n > SIZE_MAX / m)
			return NULL;
		return arena_alloc(n * m, 16); /* static: already zero */
	}
	if (!tracing())
		return rt_real.calloc(n, m);
	t_guard = 1;
	void *p;
	if (RT_UNLIKELY(g_memcheck)) {
		/* like valgrind: an overflowing product fails quietly */
		p = NULL;
		bool over = m && n > SIZE_MAX / m;
		if (!over && !mc_fishy(n, HK_CALLOC, 1, CALLER()) && !mc_fishy(m, HK_CALLOC, 0, CALLER()) &&
		    (p = mc_rz_alloc(n * m, 0)))
			memset(p, 0, n * m);
		if (!p)
			errno = ENOMEM;
		if (RT_UNLIKELY(mc_trace_on)) /* valgrind's line stops short on an overflow */
			mc_trace(over ? "calloc(%u,%u)" : "calloc(%u,%u) = %p", (uint64_t)n, (uint64_t)m, U(p));
	} else {
		p = rt_real.calloc(n, m);
	}
	if (p) {
		struct caller c = CALLER();
		rec_alloc(rt_tls_calloc_kind(c.ip, n, m), n * m, p, c);
	}
	t_guard = 0;
	return p;
}

static void *realloc_arena(void *old, size_t n)
{
	size_t on = arena_size(old);
	void *p = rt_real.malloc(n ? n : 1);
	if (p)
		memcpy(p, old, on < n ? on : n);
	return p;
}

/* realloc and reallocarray: the old block leaves the live map before the
 * real call (once it returns, another thread may be handed its address)
 * and goes back if the call failed. */
static inline uint32_t realloc_take(void *old, uint64_t *key)
{
	*key = 0;
	return old ? take_block(old, key) : 0;
}

static inline void realloc_done(void *old, uint32_t oinfo, uint64_t key, void *p, size_t n, struct caller c)
{
	if (p)
		rec_block(HK_REALLOC, n, p, oinfo, key, c);
	else if (old && n == 0)
		rec_free_info(oinfo, HK_FREE, key); /* realloc(p, 0) freed p */
	else if (oinfo)
		live_put(old, oinfo, 0, &key); /* failed: p is still live */
}

/* Memcheck mode's realloc: like valgrind's, it always moves the block
 * (a stale pointer to the old one then points into the quarantine) and
 * never touches a pointer that is no live block. */
static NOINLINE void *mc_realloc(void *old, size_t n, int kind, struct caller c)
{
	if (!tracing()) {
		uint64_t key;
		uint32_t oinfo = old ? take_block(old, &key) : 0;
		if (!oinfo && (mc_slab_owns((uint64_t)(uintptr_t)old) || mc_guard_owns(old))) { /* no live block: as if invalid */
			errno = ENOMEM;
			return NULL;
		}
		if (!oinfo)
			return rt_real.realloc(old, n);
		uint64_t on = rt_info_size(oinfo);
		void *p = rt_real.malloc(n ? n : 1);
		if (p) {
			memcpy(p, old, on < n ? on : n);
			mc_rz_release(old, on);
		}
		return p;
	}
	t_guard = 1;
	void *p = NULL;
	uint64_t key = 0, on = 0;
	uint32_t oinfo = 0;
	if (mc_fishy(n, HK_REALLOC, 0, c))
		goto out;
	if (old) {
		oinfo = take_block(old, &key);
		if (!mc_check_free(old, oinfo, HK_REALLOC, c, &on))
			goto out; /* reported; the pointer is not touched */
		if (n == 0) { /* glibc frees the block and returns NULL */
			if (RT_UNLIKELY(mc_trace_on))
				mc_trace("realloc(%p,0)free(%p)%n = 0", U(old), U(old));
			rec_free_info(oinfo, HK_FREE, key);
			mc_retire(old, oinfo, on, HK_REALLOC, c);
			goto out;
		}
	}
	p = mc_rz_alloc(n, 0);
	if (RT_UNLIKELY(mc_trace_on)) {
		if (old)
			mc_trace("realloc(%p,%u) = %p", U(old), (uint64_t)n, U(p));
		else
			mc_trace("realloc(0x0,%u)malloc(%u) = %p", (uint64_t)n, (uint64_t)n, U(p));
	}
	if (!p) {
		if (oinfo) /* back as a new block: the clique order may differ a little */
			live_put(old, oinfo, next_age(t_self), &key);
		goto out;
	}
	if (old) {
		memcpy(p, old, on < n ? on : n);
		rec_block(HK_REALLOC, n, p, oinfo, key, c);
		mc_retire(old, oinfo, on, HK_REALLOC, c);
	} else {
		rec_alloc(kind, n, p, c);
	}
out:
	t_guard = 0;
	if (!p && n)
		errno = ENOMEM;
	return p;
}

EXPORT void *realloc(void *old, size_t n)
{
	if (RT_UNLIKELY(!real_ready())) {
		void *p = arena_alloc(n, 16);
		if (p && old && arena_block(old)) {
			size_t on = arena_size(old);
			memcpy(p, old, on < n ? on : n);
		}
		return p;
	}
	bool arena = old && arena_block(old);
	if (RT_UNLIKELY(g_memcheck) && !arena)
		return mc_realloc(old, n, HK_REALLOC, CALLER());
	if (!tracing())
		return arena ? realloc_arena(old, n) : rt_real.realloc(old, n);
	t_guard = 1;
	void *p;
	if (arena) {
		p = realloc_arena(old, n);
		if (p)
			rec_block(HK_REALLOC, n, p, 0, 0, CALLER());
	} else {
		uint64_t key;
		uint32_t oinfo = realloc_take(old, &key);
		p = rt_real.realloc(old, n);
		realloc_done(old, oinfo, key, p, n, CALLER());
	}
	t_guard = 0;
	return p;
}

EXPORT void *reallocarray(void *old, size_t n, size_t m)
{
	if (m && n > SIZE_MAX / m) {
		errno = ENOMEM;
		return NULL;
	}
	if (RT_UNLIKELY(!real_ready()) || (old && arena_block(old)) || !rt_real.reallocarray)
		return realloc(old, n * m);
	if (RT_UNLIKELY(g_memcheck))
		return mc_realloc(old, n * m, old ? HK_REALLOC : HK_REALLOCARRAY, CALLER());
	if (!tracing())
		return rt_real.reallocarray(old, n, m);
	t_guard = 1;
	void *p;
	if (old) {
		uint64_t key;
		uint32_t oinfo = realloc_take(old, &key);
		p = rt_real.reallocarray(old, n, m);
		realloc_done(old, oinfo, key, p, n * m, CALLER());
	} else {
		p = rt_real.reallocarray(old, n, m);
		if (p)
			rec_alloc(HK_REALLOCARRAY, n * m, p, CALLER());
	}
	t_guard = 0;
	return p;
}

EXPORT int posix_memalign(void **out, size_t align, size_t n)
{
	if (RT_UNLIKELY(!real_ready())) {
		void *p = arena_alloc(n, align);
		if (!p)
			return ENOMEM;
		*out = p;
		return 0;
	}
	if (!tracing())
		return rt_real.posix_memalign(out, align, n);
	t_guard = 1;
	int r;
	if (RT_UNLIKELY(g_memcheck)) {
		void *p = NULL;
		if (mc_bad_align(align, HK_POSIX_MEMALIGN, CALLER()))
			r = EINVAL;
		else if (mc_fishy(n, HK_POSIX_MEMALIGN, 0, CALLER()) || !(p = mc_rz_alloc(n, align)))
			r = ENOMEM;
		else
			r = 0;
		if (RT_UNLIKELY(mc_trace_on))
			mc_trace("memalign(al %u, size %u) = %p", (uint64_t)align, (uint64_t)n, U(p));
		if (r == 0)
			rec_alloc(HK_POSIX_MEMALIGN, n, p, CALLER());
		t_guard = 0;
		if (r == 0) /* the program's pointer: a bad one faults as the program's write (valgrind's too) */
			*out = p;
		return r;
	}
	r = rt_real.posix_memalign(out, align, n);
	if (r == 0)
		rec_alloc(HK_POSIX_MEMALIGN, n, *out, CALLER());
	t_guard = 0;
	return r;
}

/* Memcheck mode's memalign and aligned_alloc: glibc rounds a bad
 * alignment up to a power of two (memalign) or fails (aligned_alloc). */
static NOINLINE void *mc_aligned(int kind, size_t align, size_t n, struct caller c)
{
	if (mc_bad_align(align, kind, c)) {
		if (kind == HK_ALIGNED_ALLOC || align > ((size_t)1 << 40)) {
			errno = EINVAL;
			return NULL;
		}
		size_t a = 16;
		while (a < align)
			a <<= 1;
		align = a;
	}
	if (mc_fishy(n, kind, 0, c)) {
		errno = ENOMEM;
		return NULL;
	}
	return mc_rz_alloc(n, align);
}

#define ALIGNED_HOOK(name, kind, call)                          \
	EXPORT void *name(size_t align, size_t n)               \
	{                                                       \
		if (RT_UNLIKELY(!real_ready()))                 \
			return arena_alloc(n, align);           \
		if (!tracing())                                 \
			return call;                            \
		t_guard = 1;                                    \
		void *p = RT_UNLIKELY(g_memcheck) ? mc_aligned(kind, align, n, CALLER()) : call; \
		if (RT_UNLIKELY(mc_trace_on))                   \
			mc_trace("memalign(al %u, size %u) = %p", (uint64_t)align, (uint64_t)n, U(p)); \
		if (p)                                          \
			rec_alloc(kind, n, p, CALLER());        \
		t_guard = 0;                                    \
		return p;                                       \
	}

ALIGNED_HOOK(aligned_alloc, HK_ALIGNED_ALLOC,
	     rt_real.aligned_alloc ? rt_real.aligned_alloc(align, n) : rt_real.memalign(align, n))
ALIGNED_HOOK(memalign, HK_MEMALIGN, rt_real.memalign(align, n))

EXPORT void *valloc(size_t n)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	if (RT_UNLIKELY(!real_ready()))
		return arena_alloc(n, pg);
	void *(*real)(size_t) = rt_real.valloc;
	if (!tracing())
		return real ? real(n) : rt_real.memalign(pg, n);
	t_guard = 1;
	void *p = RT_UNLIKELY(g_memcheck) ? mc_rz_alloc(n, pg) : real ? real(n) : rt_real.memalign(pg, n);
	if (RT_UNLIKELY(mc_trace_on))
		mc_trace("memalign(al %u, size %u) = %p", (uint64_t)pg, (uint64_t)n, U(p));
	if (p)
		rec_alloc(HK_VALLOC, n, p, CALLER());
	t_guard = 0;
	return p;
}

EXPORT void *pvalloc(size_t n)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	size_t rn = (n + pg - 1) & ~(pg - 1);
	if (!rn)
		rn = pg;
	if (RT_UNLIKELY(!real_ready()))
		return arena_alloc(rn, pg);
	void *(*real)(size_t) = rt_real.pvalloc;
	if (!tracing())
		return real ? real(n) : rt_real.memalign(pg, rn);
	t_guard = 1;
	void *p = RT_UNLIKELY(g_memcheck) ? mc_rz_alloc(rn, pg) : real ? real(n) : rt_real.memalign(pg, rn);
	if (RT_UNLIKELY(mc_trace_on))
		mc_trace("memalign(al %u, size %u) = %p", (uint64_t)pg, (uint64_t)rn, U(p));
	if (p)
		rec_alloc(HK_PVALLOC, rn, p, CALLER());
	t_guard = 0;
	return p;
}

EXPORT size_t malloc_usable_size(void *p)
{
	if (!p)
		return 0;
	if (in_arena(p))
		return arena_block(p) ? arena_size(p) : 0;
	if (RT_UNLIKELY(!real_ready()))
		return 0;
	if (RT_UNLIKELY(g_memcheck)) { /* a checked block has exactly its size */
		uint32_t info = live_get(p);
		/* while tracing, every block of the program's is known: anything
		 * else is no block, and the C library would read its header
		 * (valgrind answers 0) */
		if (info || mc_slab_owns((uint64_t)(uintptr_t)p) || mc_guard_owns(p) ||
		    (atomic_load_explicit(&g_state, memory_order_relaxed) == ST_ON && !t_guard)) {
			size_t size = info ? rt_info_size(info) : 0;
			if (RT_UNLIKELY(mc_trace_on) && tracing())
				mc_trace("malloc_usable_size(%p) = %u", U(p), (uint64_t)size);
			return size;
		}
	}
	return rt_real.malloc_usable_size ? rt_real.malloc_usable_size(p) : 0;
}

/* ---- C++ operator new / delete ------------------------------------------------------- */

/* The throwing forms on failure: libstdc++'s own operator runs the
 * new-handler loop and throws std::bad_alloc (through our frame). */
static void *cxx_fallback(const char *sym, size_t n, size_t align, bool aligned)
{
	t_guard = 0;
	void *f = dlsym(RTLD_NEXT, sym);
	if (!f)
		abort();
	if (aligned)
		return ((void *(*)(size_t, size_t))f)(n, align);
	return ((void *(*)(size_t))f)(n);
}

/* operator new's allocation while tracing (checked in memcheck mode). */
static inline void *mc_new(int kind, size_t n, size_t al, struct caller c)
{
	if (!RT_UNLIKELY(g_memcheck))
		return blk_alloc(n ? n : 1, al);
	if (mc_fishy(n, kind, 0, c) || (al && mc_bad_align(al, kind, c)))
		return NULL;
	return mc_rz_alloc(n, al);
}

#define NEW_HOOK(name, kind, fallback)                                         \
	EXPORT void *name(size_t n)                                            \
	{                                                                      \
		if (RT_UNLIKELY(!real_ready()))                                \
			return arena_alloc(n, 16);                             \
		bool tr = tracing();                                           \
		int g = t_guard;                                               \
		t_guard = 1;                                                   \
		void *p = tr ? mc_new(kind, n, 0, CALLER()) : rt_real.malloc(n ? n : 1); \
		if (tr && RT_UNLIKELY(mc_trace_on))                            \
			mc_trace(#name "(%u) = %p", (uint64_t)n, U(p));        \
		if (p && tr)                                                   \
			rec_alloc(kind, n, p, CALLER());                       \
		t_guard = g;                                                   \
		if (!p && fallback)                                            \
			return cxx_fallback(#name, n, 0, false);               \
		return p;                                                      \
	}
#define NEW_NOTHROW_HOOK(name, kind)                                           \
	EXPORT void *name(size_t n, const void *nt)                            \
	{                                                                      \
		(void)nt;                                                      \
		if (RT_UNLIKELY(!real_ready()))                                \
			return arena_alloc(n, 16);                             \
		bool tr = tracing();                                           \
		int g = t_guard;                                               \
		t_guard = 1;                                                   \
		void *p = tr ? mc_new(kind, n, 0, CALLER()) : rt_real.malloc(n ? n : 1); \
		if (tr && RT_UNLIKELY(mc_trace_on))                            \
			mc_trace(#name "(%u) = %p", (uint64_t)n, U(p));        \
		if (p && tr)                                                   \
			rec_alloc(kind, n, p, CALLER());                       \
		t_guard = g;                                                   \
		return p;                                                      \
	}
#define NEW_ALIGNED_HOOK(name, kind)                                                   \
	EXPORT void *name(size_t n, size_t al)                                         \
	{                                                                              \
		if (RT_UNLIKELY(!real_ready()))                                        \
			return arena_alloc(n, al);                                     \
		bool tr = tracing();                                                   \
		int g = t_guard;                                                       \
		t_guard = 1;                                                           \
		void *p = tr ? mc_new(kind, n, al, CALLER()) : rt_real.memalign(al, n ? n : 1); \
		if (tr && RT_UNLIKELY(mc_trace_on))                                    \
			mc_trace(#name "(size %u, al %u) = %p", (uint64_t)n, (uint64_t)al, U(p)); \
		if (p && tr)                                                           \
			rec_alloc(kind, n, p, CALLER());                               \
		t_guard = g;                                                           \
		if (!p)                                                                \
			return cxx_fallback(#name, n, al, true);                       \
		return p;                                                              \
	}
#define NEW_ALIGNED_NOTHROW_HOOK(name, kind)                                           \
	EXPORT void *name(size_t n, size_t al, const void *nt)                         \
	{                                                                              \
		(void)nt;                                                              \
		if (RT_UNLIKELY(!real_ready()))                                        \
			return arena_alloc(n, al);                                     \
		bool tr = tracing();                                                   \
		int g = t_guard;                                                       \
		t_guard = 1;                                                           \
		void *p = tr ? mc_new(kind, n, al, CALLER()) : rt_real.memalign(al, n ? n : 1); \
		if (tr && RT_UNLIKELY(mc_trace_on))                                    \
			mc_trace(#name "(size %u, al %u) = %p", (uint64_t)n, (uint64_t)al, U(p)); \
		if (p && tr)                                                           \
			rec_alloc(kind, n, p, CALLER());                               \
		t_guard = g;                                                           \
		return p;                                                              \
	}

NEW_HOOK(_Znwm, HK_NEW, true)
NEW_HOOK(_Znam, HK_NEW_ARRAY, true)
NEW_NOTHROW_HOOK(_ZnwmRKSt9nothrow_t, HK_NEW)
NEW_NOTHROW_HOOK(_ZnamRKSt9nothrow_t, HK_NEW_ARRAY)
NEW_ALIGNED_HOOK(_ZnwmSt11align_val_t, HK_NEW)
NEW_ALIGNED_HOOK(_ZnamSt11align_val_t, HK_NEW_ARRAY)
NEW_ALIGNED_NOTHROW_HOOK(_ZnwmSt11align_val_tRKSt9nothrow_t, HK_NEW)
NEW_ALIGNED_NOTHROW_HOOK(_ZnamSt11align_val_tRKSt9nothrow_t, HK_NEW_ARRAY)

/* delete: (p), (p, size), (p, align), (p, size, align), (p, nothrow), (p, align, nothrow) */
#define DELETE_HOOK(name, kind, ...)             \
	EXPORT void name(void *p, ##__VA_ARGS__) \
	{                                        \
		free_kind(p, kind, CALLER());    \
	}

DELETE_HOOK(_ZdlPv, HK_DELETE)
DELETE_HOOK(_ZdaPv, HK_DELETE_ARRAY)
DELETE_HOOK(_ZdlPvm, HK_DELETE | HK_SIZED, size_t n)
DELETE_HOOK(_ZdaPvm, HK_DELETE_ARRAY | HK_SIZED, size_t n)
DELETE_HOOK(_ZdlPvSt11align_val_t, HK_DELETE | HK_ALIGNED, size_t al)
DELETE_HOOK(_ZdaPvSt11align_val_t, HK_DELETE_ARRAY | HK_ALIGNED, size_t al)
DELETE_HOOK(_ZdlPvmSt11align_val_t, HK_DELETE | HK_SIZED | HK_ALIGNED, size_t n, size_t al)
DELETE_HOOK(_ZdaPvmSt11align_val_t, HK_DELETE_ARRAY | HK_SIZED | HK_ALIGNED, size_t n, size_t al)
DELETE_HOOK(_ZdlPvRKSt9nothrow_t, HK_DELETE | HK_NOTHROW, const void *nt)
DELETE_HOOK(_ZdaPvRKSt9nothrow_t, HK_DELETE_ARRAY | HK_NOTHROW, const void *nt)
DELETE_HOOK(_ZdlPvSt11align_val_tRKSt9nothrow_t, HK_DELETE | HK_ALIGNED | HK_NOTHROW, size_t al, const void *nt)
DELETE_HOOK(_ZdaPvSt11align_val_tRKSt9nothrow_t, HK_DELETE_ARRAY | HK_ALIGNED | HK_NOTHROW, size_t al, const void *nt)

/* ---- process events ------------------------------------------------------------------ */

void *rt_real_sym(const char *name)
{
	int g = t_guard;
	t_guard = 1;
	void *f = dlsym(RTLD_NEXT, name);
	t_guard = g;
	return f;
}
EXPORT pid_t fork(void)
{
	static pid_t (*real_fork)(void);
	if (!real_fork)
		real_fork = (pid_t(*)(void))rt_real_sym("fork");
	pid_t pid = real_fork();
	if (pid > 0 && tracing()) {
		t_guard = 1;
		rec_fork(pid);
		t_guard = 0;
	}
	return pid;
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

EXPORT int __libc_start_main(main_fn main, int argc, char **argv, void (*init)(void), void (*fini)(void),
			     void (*rtld_fini)(void), void *stack_end)
{
	typedef int (*start_fn)(main_fn, int, char **, void (*)(void), void (*)(void), void (*)(void), void *);
	start_fn real = (start_fn)rt_real_sym("__libc_start_main");
	if (g_memcheck && main) {
		g_real_main = main;
		main = main_wrapper;
	}
	return real(main, argc, argv, init, fini, rtld_fini, stack_end);
}

EXPORT int pthread_create(pthread_t *th, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
	/* before the thread exists: clone orders this store before its start */
	atomic_store(&rt_multi, 1);
	if (g_memcheck && atomic_load(&g_state) == ST_ON)
		return rt_thread_num_create(real_pthread_create(), th, attr, fn, arg);
	return real_pthread_create()(th, attr, fn, arg);
}

EXPORT int dlclose(void *h)
{
	static int (*real_dlclose)(void *);
	if (!real_dlclose)
		real_dlclose = (int (*)(void *))rt_real_sym("dlclose");
	int r = real_dlclose(h);
	rt_modules_mark_dirty();
	return r;
}

/* exec: the new image is not traced (the fd is close-on-exec), so this
 * image's stream ends here: everything is flushed and HR_EXIT says how=2.
 * If exec fails, tracing stays off. Not in a vfork child (shared memory,
 * other pid): its exec must not end the parent's trace. */
static void before_exec(const char *file, bool search, char *const argv[], char *const envp[])
{
	if (atomic_load(&g_state) == ST_ON && getpid() == g_pid)
		rt_finish(2, 0, false);
	rt_children_exec(file, search, argv, envp);
	rt_rlimit_before_exec();
}

#define REAL(type, name) ((type)rt_real_sym(name))
typedef int (*execve_fn)(const char *, char *const[], char *const[]);
typedef int (*execv_fn)(const char *, char *const[]);

EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
	execve_fn real = REAL(execve_fn, "execve");
	before_exec(path, false, argv, envp);
	return real(path, argv, envp);
}

EXPORT int execv(const char *path, char *const argv[])
{
	execv_fn real = REAL(execv_fn, "execv");
	before_exec(path, false, argv, environ);
	return real(path, argv);
}

EXPORT int execvp(const char *file, char *const argv[])
{
	execv_fn real = REAL(execv_fn, "execvp");
	before_exec(file, true, argv, environ);
	return real(file, argv);
}

EXPORT int execvpe(const char *file, char *const argv[], char *const envp[])
{
	execve_fn real = REAL(execve_fn, "execvpe");
	before_exec(file, true, argv, envp);
	return real(file, argv, envp);
}

EXPORT int fexecve(int fd, char *const argv[], char *const envp[])
{
	int (*real)(int, char *const[], char *const[]) =
		REAL(int (*)(int, char *const[], char *const[]), "fexecve");
	before_exec(NULL, false, argv, envp);
	return real(fd, argv, envp);
}

/* execl, execlp, execle: collect the list, then the v forms above. */
#define COLLECT_ARGS(arg0, last, envp_out)                                   \
	size_t argc_ = 1;                                                    \
	va_list ap_;                                                         \
	va_start(ap_, arg0);                                                 \
	while (va_arg(ap_, const char *))                                    \
		argc_++;                                                     \
	va_end(ap_);                                                         \
	char **argv_ = __builtin_alloca((argc_ + 1) * sizeof(char *));       \
	argv_[0] = (char *)arg0;                                             \
	va_start(ap_, arg0);                                                 \
	for (size_t i_ = 1; i_ <= argc_; i_++)                               \
		argv_[i_] = va_arg(ap_, char *);                             \
	if (last)                                                            \
		envp_out = va_arg(ap_, char **);                             \
	va_end(ap_);

EXPORT int execl(const char *path, const char *arg, ...)
{
	char **envp = NULL;
	COLLECT_ARGS(arg, 0, envp)
	(void)envp;
	return execv(path, argv_);
}

EXPORT int execlp(const char *file, const char *arg, ...)
{
	char **envp = NULL;
	COLLECT_ARGS(arg, 0, envp)
	(void)envp;
	return execvp(file, argv_);
}

EXPORT int execle(const char *path, const char *arg, ...)
{
	char **envp = NULL;
	COLLECT_ARGS(arg, 1, envp)
	return execve(path, argv_, envp);
}

/* _exit and _Exit (rt_exit.c): no destructor will run, so finish here;
 * caller_ip, sp, bp: the program's call (0: unknown), which the checks at
 * exit name as where they found damage. */
void rt_finish_exit(uint64_t caller_ip, uint64_t caller_sp, uint64_t caller_bp)
{
	if (caller_ip && g_memcheck && atomic_load(&g_state) == ST_ON && !g_finished && !t_guard)
		mc_found_at((struct caller){ caller_ip, caller_sp, caller_bp }, HOW_UEXIT);
	rt_finish(0, 0, false);
}

void rt_finish_signal(int sig)
{
	if (atomic_load(&g_state) != ST_ON || t_guard)
		return;
	if (g_memcheck) /* the runtime's frames below this one are not the program's */
		rt_leak_check_stack_from((uint64_t)(uintptr_t)__builtin_frame_address(0));
	rt_finish(HX_SIGNAL, sig, false);
}

bool rt_traced_here(void)
{
	return getpid() == g_pid;
}
