/* The runtime's base layer (runtime/base/): what knows nothing of the
 * modes. Private interface of libsonde-rt.so, the runtime preloaded into
 * the target by `sonde heap` and `sonde memcheck` (docs/heap-runtime.md).
 *
 *   rt_real.c   the real allocator (dlsym RTLD_NEXT), the early arena,
 *               the guard that lets the runtime's own calls through
 *   rt_alloc.c  the runtime's own allocations; the CFI tables' cfi_env
 *   rt_mem.c    the runtime's own mappings (kept out of the leak check's roots)
 *   rt_stack.c  the module list (dl_iterate_phdr), live-stack unwinding with
 *               the project's CFI parser and tables (src/binary), the stack trie
 *   rt_info.c   allocation infos: (kind, size, stack) interned to small indexes
 *   rt_ptrmap.c the live-block map, pointer -> info index
 *   rt_key.[ch] the clock of the event keys (how threads' events interleave)
 *   rt_tls.c    the thread vector ld.so allocates, at the program's own size
 *   rt_rlimit.c the program's RLIMIT_AS and RLIMIT_DATA, with the runtime's
 *               memory on top
 *   rt_proc.c   what /proc says of this process
 *   rt_encode.h the records' encoders
 *
 * Above it: core/ (rt_core.h: threads, the stream, the process), hooks/
 * (the interposed functions, rt_ops.h), heap/ and memcheck/ (the modes).
 * Everything is hidden (-fvisibility=hidden); only the interposed
 * functions are exported. */
#ifndef SONDE_RT_H
#define SONDE_RT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <sched.h>
#include <sys/types.h>

#include "binary/cfi.h"

#define RT_TLS __attribute__((tls_model("initial-exec")))

/* A spin lock for the runtime's small shared tables (no pthread mutex:
 * some are taken from signal handlers' neighbours and at exit). */
static inline void rt_spin_lock(_Atomic int *l)
{
	while (__atomic_exchange_n((int *)l, 1, __ATOMIC_ACQUIRE))
		sched_yield();
}

static inline void rt_spin_unlock(_Atomic int *l)
{
	__atomic_store_n((int *)l, 0, __ATOMIC_RELEASE);
}
extern _Atomic int rt_multi; /* more than one program thread: take the locks */

/* Whether to take locks: a single-threaded program takes none on its hot
 * paths, as a locked instruction costs more than the rest of the work (and
 * waits for the stores before it, such as a freed block's fill). rt_multi
 * is set before a second thread can exist and stays set, so a section that
 * started unlocked finishes before anyone else could enter it. */
static inline bool rt_threaded(void)
{
	return __atomic_load_n((int *)&rt_multi, __ATOMIC_RELAXED);
}

/* rt_spin_lock when threaded; returns whether it locked, for rt_spin_unlock_if. */
static inline bool rt_spin_lock_if_threaded(_Atomic int *l)
{
	if (!rt_threaded())
		return false;
	rt_spin_lock(l);
	return true;
}

static inline void rt_spin_unlock_if(bool locked, _Atomic int *l)
{
	if (locked)
		rt_spin_unlock(l);
}
#define RT_LIKELY(x) __builtin_expect(!!(x), 1)
#define RT_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* ---- the real allocator (rt_real.c) ---- */

/* Inside a hook or the runtime: every interposed function passes straight
 * through. volatile: libc declares many functions leaf (__THROW), so GCC
 * would drop a store around a call such as dlsym that does call back into
 * our malloc. */
extern __thread volatile int t_guard RT_TLS;

/* The real allocator, from dlsym(RTLD_NEXT). */
struct rt_real {
	void *(*malloc)(size_t);
	void (*free)(void *);
	void *(*calloc)(size_t, size_t);
	void *(*realloc)(void *, size_t);
	void *(*reallocarray)(void *, size_t, size_t);
	int (*posix_memalign)(void **, size_t, size_t);
	void *(*aligned_alloc)(size_t, size_t);
	void *(*memalign)(size_t, size_t);
	void *(*valloc)(size_t);
	void *(*pvalloc)(size_t);
	size_t (*malloc_usable_size)(void *);
};
extern struct rt_real rt_real;
extern _Atomic int rt_resolved;
/* Looks the real allocator up (false while this thread is inside dlsym:
 * the early arena serves it). */
bool rt_resolve(void);
/* False while this thread is inside dlsym (use the arena). */
static inline bool rt_real_ready(void)
{
	if (RT_LIKELY(__atomic_load_n((int *)&rt_resolved, __ATOMIC_ACQUIRE)))
		return true;
	return rt_resolve();
}
/* The next definition of name after the runtime (dlsym RTLD_NEXT, its
 * allocations not recorded). */
void *rt_real_sym(const char *name);

/* The real allocator's aligned functions by kind (HK_ALIGNED_ALLOC,
 * HK_MEMALIGN, HK_VALLOC, HK_PVALLOC; align: a page for the last two). */
void *rt_real_aligned(int kind, size_t align, size_t n);
/* What pvalloc(n) allocates: whole pages, at least one. */
static inline size_t rt_pvalloc_size(size_t n, size_t pg)
{
	size_t rn = (n + pg - 1) & ~(pg - 1);
	return rn ? rn : pg;
}
typedef int (*rt_pthread_create_fn)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);
/* libc's pthread_create (core/rt_finish.c). */
rt_pthread_create_fn rt_real_pthread_create(void);

/* The early arena: allocations made while dlsym resolves the real
 * functions (a block's size word before it; never freed). */
extern char rt_arena[256 << 10];
void *rt_arena_alloc(size_t n, size_t align);
size_t rt_arena_size(const void *p);
static inline bool rt_in_arena(const void *p)
{
	return (const char *)p >= rt_arena && (const char *)p < rt_arena + sizeof rt_arena;
}
/* Whether p is a block rt_arena_alloc handed out (a pointer into the
 * middle of the arena is a wild one: its size word is no size). */
bool rt_arena_block_slow(const void *p);
static inline bool rt_arena_block(const void *p)
{
	return RT_UNLIKELY(rt_in_arena(p)) && rt_arena_block_slow(p);
}

/* Allocation through the real allocator for the runtime's own data (never
 * recorded). Never NULL: aborts on exhaustion. */
void *rt_xmalloc(size_t n);
void *rt_xcalloc(size_t n, size_t m);
void *rt_xrealloc(void *p, size_t n);
void rt_xfree(void *p);
/* The CFI tables' host functions in the runtime (rt_alloc.c). */
extern const struct cfi_env rt_cfi_env;

/* ---- stacks (rt_stack.c) ---- */

#define RT_MAX_FRAMES 128
#define RT_RULE_CACHE 1024 /* per thread, power of 2 */
#define RT_NODE_CACHE 2048 /* per thread, power of 2 */
#define RT_READ_LOG 512    /* stack words the last walk read */

struct rt_rule_slot {
	uint64_t key; /* look-up address (ip - 1 for return addresses) */
	struct cfi_rule rule;
	uint32_t map; /* index into the module snapshot + 1, 0: none */
};

struct rt_node_slot {
	uint64_t ip;
	uint32_t parent, id;
};

/* The last walk of one kind of call: its inputs and every stack word it
 * read. When the next walk starts from the same registers and those words
 * still hold the same values, it would find the same stack: skipped. */
struct rt_last_walk {
	uint64_t last_ip0, last_sp, last_bp;
	bool last_bp_used, last_valid;
	size_t n_read;
	uint64_t read_addr[RT_READ_LOG], read_val[RT_READ_LOG];
	size_t last_n;               /* the last captured stack (innermost first) */
	uint64_t last_ip[RT_MAX_FRAMES];
	uint32_t last_id[RT_MAX_FRAMES];
};

/* Walks kept apart: allocations and frees come from different call sites,
 * and alternating them would defeat a single "same as last time" check. */
enum rt_walk_kind { RT_WALK_ALLOC, RT_WALK_FREE, RT_WALKS };

/* A few recent walks per kind, by (ip, sp): a program that allocates from
 * several call sites in turn finds each one's stack again by re-reading
 * the words that walk read, not by unwinding. */
#define RT_WALK_CACHE 16       /* entries per kind, power of 2 */
#define RT_WALK_CACHE_READS 48 /* walks that read more are not kept */
struct rt_walk_entry {
	uint64_t ip0, sp, bp;
	uint32_t leaf; /* the stack's trie node */
	uint16_t n_read;
	bool bp_used, valid;
	uint64_t read_addr[RT_WALK_CACHE_READS], read_val[RT_WALK_CACHE_READS];
};

/* The per-thread state the stack code uses (part of struct rt_thread). */
struct rt_stack_cache {
	uint64_t stack_lo, stack_hi; /* the thread's stack, from pthread_getattr_np */
	uint32_t rule_gen;           /* module generation the rule cache is valid for */
	struct rt_last_walk walks[RT_WALKS];
	struct rt_last_walk *w;      /* the walk in progress */
	struct rt_walk_entry recent[RT_WALKS][RT_WALK_CACHE];
	/* trie nodes this thread created and has not written yet */
	size_t n_new;
	struct rt_node_slot new_nodes[RT_MAX_FRAMES];
	struct rt_rule_slot rules[RT_RULE_CACHE];
	struct rt_node_slot nodes[RT_NODE_CACHE];
};

void rt_stack_thread_init(struct rt_stack_cache *c);
/* Frames a captured stack keeps, innermost first (RT_MAX_FRAMES; memcheck
 * mode keeps only what its reports show, like valgrind's --num-callers). */
extern unsigned rt_max_frames;
/* Unwinds from the caller of a hook (its return address, the hook's CFA and
 * the caller's rbp) and interns the stack; returns the trie leaf (0: none).
 * New trie nodes are left in c->new_nodes for the caller to write. */
uint32_t rt_capture(struct rt_stack_cache *c, uint64_t ip, uint64_t sp, uint64_t bp);
/* The same, remembering the walk under kind (rt_capture: RT_WALK_ALLOC). */
uint32_t rt_capture_kind(struct rt_stack_cache *c, enum rt_walk_kind kind, uint64_t ip, uint64_t sp, uint64_t bp);
/* The stack from the first frame whose return address first() accepts
 * (0: no such frame), at most rt_max_frames deep; new trie nodes as
 * rt_capture leaves them. The walks rt_capture remembers are not used. */
uint32_t rt_capture_from(struct rt_stack_cache *c, uint64_t ip, uint64_t sp, uint64_t bp,
			 bool (*first)(uint64_t ip));
/* The stack of ip called from the stack parent (0: ip alone): one more
 * innermost frame, its node left in c->new_nodes if new. */
uint32_t rt_stack_child(struct rt_stack_cache *c, uint32_t parent, uint64_t ip);
/* The frame (0: the innermost, as rt_capture counts from the same
 * registers) whose part of the stack holds addr; -1 if none. */
int rt_stack_frame_holding(struct rt_stack_cache *c, uint64_t ip, uint64_t sp, uint64_t bp, uint64_t addr);
/* The mapping of /proc/self/maps holding addr (plain system calls: safe
 * in a signal handler). */
bool rt_mapping_of(uint64_t addr, uint64_t *lo, uint64_t *hi);
/* Builds the module list (HR_MODULE records go out through rt_emit_global). */
void rt_modules_init(void);
void rt_modules_mark_dirty(void);

/* ---- allocation infos (rt_info.c) and live blocks (rt_ptrmap.c) ---- */

#define RT_INFO_CACHE 1024 /* per thread, power of 2 */

struct rt_info_slot {
	uint64_t size;
	uint32_t stack, info; /* info 0: empty */
	uint8_t kind;
};

struct rt_info_cache {
	struct rt_info_slot slots[RT_INFO_CACHE];
};

/* The info index of (kind, size, stack), >= 1; 0 when out of memory.
 * *is_new: this call created it, so the caller must send its HR_INFO. */
uint32_t rt_info_intern(struct rt_info_cache *c, int kind, uint64_t size, uint32_t stack, bool *is_new);
/* What an info stands for; false for an unknown index. */
bool rt_info_get(uint32_t info, uint64_t *size, uint32_t *stack, int *kind);
/* The size an info stands for (0 if unknown). */
uint64_t rt_info_size(uint32_t info);
/* Calls fn for every live block with the tag rt_ptrmap_put kept (the
 * caller stops other threads first). */
void rt_ptrmap_foreach(void (*fn)(uint64_t ptr, uint32_t info, uint32_t tag, void *ctx), void *ctx);

/* ---- the runtime's own memory (rt_mem.c) ---- */

/* Anonymous read-write memory (NULL when out of memory), recorded so the
 * leak check leaves it out of the roots. */
void *rt_map(size_t n);
/* Bytes mapped through rt_map and rt_map_note, still mapped. */
uint64_t rt_map_bytes(void);
/* Records memory mapped elsewhere the same way. */
void rt_map_note(void *m, size_t n);
void rt_unmap(void *p, size_t n);
/* The recorded ranges: pairs out[2i], out[2i+1] = [start, end), at most max
 * pairs; returns the count. */
size_t rt_map_ranges(uint64_t *out, size_t max);

/* Records a live block put by thread index me (0: unknown), kept as its
 * tag (memcheck mode, which has no keys, passes the block's age instead);
 * returns the info of a block still recorded at the same address (whose
 * free was never seen), else 0. *key: in, the lowest key the allocation
 * may have; out, its key: once threaded, above every key a block was taken
 * with on its stripe, so it sorts after the free of the block that had its
 * address before (rt_key.h). */
uint32_t rt_ptrmap_put(uint64_t ptr, uint32_t info, uint32_t me, uint64_t *key);
/* Removes a block; returns its info, 0 if it was not recorded. *key: in,
 * the lowest key the free may have; out, its key: when another thread (or
 * an unknown one) put the block, above every key a block was put with on
 * its stripe, so the free sorts after its allocation. */
uint32_t rt_ptrmap_take(uint64_t ptr, uint32_t me, uint64_t *key);
/* The info of a live block, 0 if ptr is none (the map is not changed). */
uint32_t rt_ptrmap_get(uint64_t ptr);
/* A live block whose bytes (size of its info), widened by slack on both
 * sides, hold addr: its info, its start in *ptr; 0 if none. Scans the
 * whole map (reports on wild addresses only); addr is never read. */
uint32_t rt_ptrmap_find_near(uint64_t addr, uint64_t slack, uint64_t (*size)(uint32_t info), uint64_t *ptr);

/* ---- the thread vector (rt_tls.c) ---- */

/* In an allocation info's kind, inside the runtime only: ld.so's vector
 * of a new thread's TLS blocks, whose last entry is the runtime's own
 * module: reported 16 bytes smaller (rt_reported_size). */
#define RT_KIND_THREAD_VECTOR 0x80
/* Finds ld.so (at init, before the program's threads). */
void rt_tls_init(void);
/* The kind of calloc(n, m) called from caller: HK_CALLOC, with
 * RT_KIND_THREAD_VECTOR for ld.so's per-thread vector. */
int rt_tls_calloc_kind(uint64_t caller, size_t n, size_t m);

/* What reports show of a block of kind and size. */
static inline uint64_t rt_reported_size(int kind, uint64_t size)
{
	return (kind & RT_KIND_THREAD_VECTOR) && size >= 16 ? size - 16 : size;
}

/* ---- /proc about this process (rt_proc.c) ---- */

/* Reads the file at path into buf (NUL-terminated); its length, -1 on error. */
ssize_t rt_read_file(const char *path, char *buf, size_t cap);
/* From /proc/self/stat: resident set (KiB) and the number of threads. */
bool rt_self_stat(uint64_t *rss, uint64_t *nthreads);
/* The peak resident set (VmHWM, KiB; 0 if unknown). */
uint64_t rt_peak_rss_kib(void);
/* The name of thread tid ("" if unknown). */
void rt_proc_thread_name(int tid, char *out, size_t cap);

/* ---- the program's memory limits (rt_rlimit.c) ---- */

/* From now on the program's RLIMIT_AS and RLIMIT_DATA are kept with the
 * runtime's own memory on top (called once tracing starts). */
void rt_rlimit_start(void);
/* The runtime needs n more bytes (writable: counted as data too) and the
 * program's limit is in the way: raises what the kernel enforces (up to
 * the room kept); false if there was nothing to raise. Never blocks. */
bool rt_rlimit_make_room(size_t n, bool writable);
/* The program is ending: the checks at exit get all the room. */
void rt_rlimit_open_up(void);
/* Before exec: the new program gets the limits this one set. */
void rt_rlimit_before_exec(void);
/* The program's soft limit for res (its own if it set one, else the
 * kernel's; RLIM_INFINITY: none). */
uint64_t rt_rlimit_program(int res);

/* The runtime could not get n bytes of its own (errno err): it stops
 * recording, and sonde is told (HR_LOST). Any thread, any lock held. */
void rt_out_of_memory(size_t n, int err);

/* ---- the runtime's descriptors (rt_fdguard.c) ---- */

/* The program's close, close_range, closefrom, dup2 and dup3 leave fd
 * alone from now on (in the traced process). */
void rt_fd_guard(int fd);
void rt_fd_unguard(int fd);
/* Closes one of the runtime's own descriptors (guarded or not). */
int rt_fd_close_own(int fd);

/* ---- what the core provides (core/rt_writer.c) ---- */

/* Writes one chunk (thread index 0, the runtime's own records) under the
 * global lock. */
void rt_emit_global(const uint8_t *payload, size_t len);

#endif
