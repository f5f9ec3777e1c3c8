/* The runtime's core (runtime/core/): threads and their buffers, the
 * writer and the timer thread, init, fork, exec, signals and the end of
 * the stream. The modes (runtime/heap/, runtime/memcheck/) record through
 * the inline helpers here; the hooks (runtime/hooks/) call the mode chosen
 * at init through struct rt_ops (rt_ops.h). */
#ifndef SONDE_RT_CORE_H
#define SONDE_RT_CORE_H
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "heap_protocol.h"
#include "rt.h"
#include "rt_encode.h"
#include "rt_key.h"

#define EXPORT __attribute__((visibility("default")))
#define NOINLINE __attribute__((noinline))

#define RT_BUF (64u << 10)
#define MAX_NODE_REC 24 /* 'S' + 3 varints (id, parent: u32; ip: u64) */
#define MAX_EVENT_REC 64

/* ---- state ---------------------------------------------------------------------- */

enum { ST_UNINIT, ST_INIT, ST_ON, ST_OFF };

#define RT_MODE_STATE 48 /* bytes of struct rt_thread a mode keeps its own */

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
	/* The mode's own per-thread state (at most RT_MODE_STATE bytes, its
	 * layout the mode's): here, beside the fields every call touches, so
	 * the hot path follows no pointer and reads no other cache line. Zero
	 * when the state is made; a state is reused only after
	 * rt_ops->thread_gone saw it, which resets what must not carry over
	 * to the next thread. */
	_Alignas(8) unsigned char mode[RT_MODE_STATE];
	bool defs;      /* buf holds definition records (HEAP_CHUNK_DEFS) */
	bool clock_keys; /* buf holds clock keys (HEAP_CHUNK_CLOCK) */
	uint64_t key_step; /* the time step it registered in (rt_key_need_clock) */
	struct rt_thread *next;
	char name[16];
	uint8_t buf[RT_BUF + 16]; /* + the key record a chunk resumes with after the timer sent part of it */
	struct rt_stack_cache sc;
	struct rt_info_cache ic;
};

extern __thread struct rt_thread *t_self RT_TLS;
extern _Atomic int rt_state;
extern _Atomic int rt_stopped;  /* no more events are taken */
extern _Atomic int rt_finished; /* rt_finish ran */
extern _Atomic unsigned rt_epoch;
extern pid_t rt_pid;
extern uint64_t rt_start_ns;
extern pid_t rt_timer_tid;

/* The threads (rt_thread.c), under the global lock. */
extern struct rt_thread *rt_threads;
extern uint64_t rt_gone_clock; /* the last event key of threads that ended */

/* ---- the global lock and the stream (rt_writer.c) ---- */

/* The global lock serialises writes to the fd and the thread registry. */
void rt_lock(void);
void rt_unlock(void);
/* From a signal handler: never waits on ourselves, and not forever. */
bool rt_lock_bounded(void);
/* Whether the calling thread holds the global lock. */
bool rt_lock_held(void);
int rt_my_tid(void);
uint64_t rt_now_ns(void);
/* Global-lock holders: a chunk of thread index 0; a thread's buffer as a
 * chunk (what the timer sent already left out); idle threads' buffers up
 * to their last record (the timer). */
void rt_write_global_locked(const uint8_t *payload, size_t len);
void rt_write_thread_chunk(struct rt_thread *t);
void rt_send_idle_locked(unsigned epoch);
/* The owner flushes its own buffer (never inside its busy section). */
void rt_flush_own(struct rt_thread *t);
/* The runtime ran out of memory (rt_out_of_memory): the stream ends. */
bool rt_runtime_lost(void);
/* The stream's descriptor, taken from fd (moved out of the program's way;
 * kept across exec when follow_exec). */
void rt_writer_start(int fd, bool follow_exec);
/* A forked child: not traced, its copy of the buffers is the parent's. */
void rt_writer_forked(void);
/* The stream ended (HR_EXIT written). */
extern bool rt_exit_written;

/* ---- threads (rt_thread.c) ---- */

struct rt_thread *rt_thread_new(void);
void rt_threads_start(void); /* at init: the key whose destructor ends a thread */

static inline struct rt_thread *rt_self(void)
{
	struct rt_thread *t = t_self;
	return RT_LIKELY(t) ? t : rt_thread_new();
}

/* ---- init and the end (rt_init.c, rt_finish.c) ---- */

void rt_init(void);
/* Ends the stream: every buffer, the mode's checks at exit, HR_EXIT (how:
 * enum heap_exit); from_signal: the lock is taken without waiting forever. */
void rt_finish(int how, int signo, bool from_signal);
void rt_start_timer(void);
/* The end of the stream for _exit (rt_exit.c): the leak check in memcheck
 * mode, everything flushed, the exit record. The caller's ip, sp and bp
 * (0: unknown) name where the checks at exit ran. */
void rt_finish_exit(uint64_t caller_ip, uint64_t caller_sp, uint64_t caller_bp);
/* The program kills itself with sig, which no handler sees (SIGKILL):
 * the stream ends as at a fatal signal (memcheck mode: the leak check). */
void rt_finish_signal(int sig);
/* Whether this process is the traced one: not a child that shares its
 * memory (vfork), whose exit must leave the parent's state alone. */
bool rt_traced_here(void);
/* Memcheck's precise mode keeps sig's handler for itself (rt_signals.c);
 * the program's handler runs when a fault is not the mode's. */
void rt_signal_keep(int sig);
void rt_install_signals(void);
/* The value of the environment variable name (decimal), else dflt. */
uint64_t rt_env_u64(const char *name, uint64_t dflt);

/* True if this call should be recorded (initialises on the first call). */
static inline bool tracing(void)
{
	int s = atomic_load_explicit(&rt_state, memory_order_relaxed);
	if (RT_LIKELY(s == ST_ON))
		return !t_guard;
	if (s == ST_UNINIT && !t_guard) {
		rt_init();
		return atomic_load(&rt_state) == ST_ON && !t_guard;
	}
	return false;
}

/* ---- events ------------------------------------------------------------------------ */

/* Event keys (the "seq" of the protocol): rt_key.h. The time base is
 * the key clock as the timer thread last read it (every 10 ms): while one
 * thread has events, they take it with a plain load. */
extern _Atomic uint64_t rt_time_base;
extern _Atomic uint64_t rt_key_word; /* rt_key_need_clock */

static inline uint64_t time_base(void)
{
	return atomic_load_explicit(&rt_time_base, memory_order_relaxed);
}

/* The program's call a hook serves: its return address, its stack pointer
 * after the return, its rbp. */
struct rt_caller {
	uint64_t ip, sp, bp;
};

/* The hook's caller, from inside the hook (the runtime keeps frame
 * pointers: the return address is at rbp+8, the caller's rsp is rbp+16). */
#define RT_CALLER()                                                                           \
	((struct rt_caller){ (uint64_t)(uintptr_t)__builtin_return_address(0),                    \
			     (uint64_t)(uintptr_t)__builtin_frame_address(0) + 16,                \
			     *(uint64_t *)__builtin_frame_address(0) })

/* Reserves room and enters the busy section. False if tracing stopped
 * (busy section already left). */
static inline bool ev_begin(struct rt_thread *t, size_t need)
{
	if (RT_UNLIKELY(t->pos + need > RT_BUF))
		rt_flush_own(t);
	/* Dekker with rt_finish: with other threads around, the exchange (a
	 * locked instruction) orders the store of busy before the load of
	 * rt_stopped (x86-64); alone, only a signal handler on this very thread
	 * can look, and it sees our stores in order. */
	if (rt_threaded())
		atomic_exchange_explicit(&t->busy, 1, memory_order_seq_cst);
	else
		atomic_store_explicit(&t->busy, 1, memory_order_relaxed);
	atomic_signal_fence(memory_order_seq_cst);
	if (RT_UNLIKELY(atomic_load_explicit(&rt_stopped, memory_order_relaxed))) {
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
		p += varint_put(p, c->new_nodes[i].id);
		p += varint_put(p, c->new_nodes[i].parent);
		p += varint_put(p, c->new_nodes[i].ip);
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
	unsigned e = atomic_load_explicit(&rt_epoch, memory_order_relaxed);
	if (RT_UNLIKELY(t->epoch != e)) {
		t->epoch = e;
		rt_flush_own(t);
	}
}

/* An HR_KEY record when the event's key differs from the chunk's
 * running key (rare: keys move only with time or another thread). */
static inline uint8_t *put_key(struct rt_thread *t, uint8_t *p, uint64_t key)
{
	if (key != t->last_seq) {
		*p++ = HR_KEY;
		p += varint_put(p, key - t->last_seq);
		t->last_seq = key;
	}
	return p;
}

/* The info of a new block: its stack (from the program's call c), interned
 * with kind and size. */
static inline uint32_t rt_block_info(struct rt_thread *t, int kind, size_t size, struct rt_caller c, bool *is_new,
				     uint32_t *stack)
{
	*stack = rt_capture(&t->sc, c.ip, c.sp, c.bp);
	return rt_info_intern(&t->ic, kind, size, *stack, is_new);
}

/* The trie nodes the thread's last capture made, written before any
 * record names them. */
static inline void rt_write_nodes(struct rt_thread *t)
{
	if (t->sc.n_new && ev_begin(t, t->sc.n_new * MAX_NODE_REC))
		ev_end_defs(t, ev_nodes(t, t->buf + t->pos));
}

#endif
