/* The sonde heap trace file (docs/heap-format.md): a zstd stream of
 *   "SONDEHP1" u32 version(le) u32 flags(le)
 *   the runtime's chunks, as received (src/proto/heap_protocol.h)
 *   one summary chunk written by sonde (thread index HEAP_SONDE_THREAD,
 *   record HR_SONDE_SUMMARY: wait status, wall time ns)
 * The writer compresses as it goes; the reader decompresses as it parses
 * every complete chunk (stopping with a warning at a truncated or corrupt
 * one), keeps each thread's events as runs in sequence order, and replay
 * merges the runs by sequence number. */
#ifndef SONDE_HEAP_TRACE_H
#define SONDE_HEAP_TRACE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util/hashmap.h"
#include "util/vec.h"
#include "varint.h"

#define HEAP_TRACE_MAGIC "SONDEHP1"
#define HEAP_TRACE_VERSION 3     /* 3: modules carry their build-id */
#define HEAP_TRACE_VERSION_MIN 2 /* the oldest this reader reads */
#define HEAP_TRACE_HEADER 16
#define HEAP_SONDE_THREAD 0xffffffffu
#define HR_SONDE_SUMMARY 'Z' /* wait status, wall time ns (sonde's own record) */
#define HR_SONDE_COMMAND 'C' /* the command line (str), first chunk after the header */

/* ---- writer ---- */
struct heap_writer;
/* Opens (creates/truncates) path and writes the header. NULL + error() on failure. */
struct heap_writer *heap_writer_open(const char *path, int level);
/* The same on an open descriptor (closed by heap_writer_close); name is
 * the file's name for messages. */
struct heap_writer *heap_writer_open_fd(int fd, const char *name, int level);
/* Adds raw bytes (runtime chunks) to the stream. Returns 0 or -1 (error printed). */
int heap_writer_add(struct heap_writer *w, const void *data, size_t n);
/* Makes everything added so far decodable from the file (zstd flush). */
int heap_writer_flush(struct heap_writer *w);
/* Appends sonde's command chunk (the traced command line). */
int heap_writer_command(struct heap_writer *w, const char *cmdline);
/* Appends sonde's summary chunk. */
int heap_writer_summary(struct heap_writer *w, int wait_status, uint64_t wall_ns);
/* Ends the zstd frame and closes the file. Returns 0 or -1. */
int heap_writer_close(struct heap_writer *w);

/* ---- reader ---- */
enum heap_ev_type { HEV_ALLOC, HEV_FREE, HEV_REALLOC, HEV_TIME, HEV_FORK, HEV_EXIT };

/* One event, as heap_iter_next() hands them out in global order. Blocks
 * are named by allocation info (an index into heap_trace.infos). */
struct heap_event {
	uint64_t seq;
	uint8_t type;
	uint8_t kind;   /* FREE: how it was freed (HK_FREE, HK_DELETE, ...) */
	uint32_t info;  /* ALLOC/REALLOC: the new block; FREE: the freed block (0: unknown) */
	uint32_t info2; /* REALLOC: the old block (0: none or unknown) */
	uint64_t a;     /* TIME: ms since start; FORK: child pid; EXIT: how */
	uint64_t b;     /* TIME: RSS KiB; EXIT: signal */
	uint64_t c;     /* EXIT: peak RSS KiB */
};

/* An allocation info: what every block allocated with it shares. */
struct heap_info {
	uint64_t size;
	uint32_t stack; /* trie node id */
	uint8_t kind;   /* HK_MALLOC, HK_NEW, ... */
	bool defined;   /* its HR_INFO was read */
};

/* HR_LOST: the runtime stopped recording before the program ended. */
struct heap_lost_rec {
	uint8_t reason;         /* enum heap_lost */
	uint64_t ms;            /* since the runtime's start */
	uint64_t bytes, err;    /* what it asked for, the errno it got */
	uint64_t as, data;      /* the program's RLIMIT_AS, RLIMIT_DATA (0: unlimited) */
};

/* A block live at exit as the leak check classified it (HR_LEAK). */
struct heap_leak {
	uint32_t info;
	uint8_t state;     /* enum heap_leak_state */
	uint64_t indirect; /* definitely/possibly lost: bytes of the blocks only it reaches */
	uint8_t heur;      /* enum heap_leak_heur: reached through an interior pointer it accepted */
};

/* A heap error the runtime caught (HR_ERROR, memcheck mode). */
struct heap_error_rec {
	uint8_t kind, how;   /* enum heap_error; what how holds depends on the kind */
	uint32_t where;      /* stack of the call (0: found at exit) */
	uint64_t addr;
	uint32_t info;       /* the block it concerns (0: none) */
	uint32_t free_stack; /* where that block was freed (0: not freed) */
	uint64_t size;       /* access size, value or length (per kind) */
	uint64_t block;      /* the block's start (OVERLAP: the source) */
	uint8_t free_how;    /* the function that freed the block (HK_FREE, HK_DELETE | HK_SIZED ...) */
	uint32_t thread;     /* valgrind's number of the thread that found it (1: main) */
	char thread_name[16]; /* that thread's name if it was given one ("": none) */
	uint64_t order;      /* its place among all threads' errors, as they were found */
};

/* A fatal signal the runtime's handler saw (HR_FATAL, memcheck mode). */
struct heap_fatal_rec {
	int signo, code;      /* code: si_code (<= 0: sent by a process) */
	uint64_t addr;        /* si_addr */
	uint32_t where;       /* the interrupted instruction's stack (0: none) */
	uint8_t flags;        /* HF_* */
	uint64_t grow_to;     /* a stack overflow: the page the stack could not grow to */
	uint64_t stack_limit; /* the main thread's stack limit (0: unlimited) */
	uint32_t thread;      /* valgrind's number of the thread */
	char thread_name[16]; /* "" unless it was given one */
};

struct heap_segment {
	uint64_t vaddr, memsz, flags;
};

struct heap_module {
	uint64_t bias;
	char *path;
	VEC(struct heap_segment) segs;
	uint8_t build_id[20]; /* trace version 3; build_id_len 0: not known */
	uint8_t build_id_len;
};

struct heap_stack_node {
	uint64_t id, parent, ip;
};

struct heap_thread {
	uint32_t index, tid;
	char *name;
};

/* A chunk payload in heap_trace.data (its sequence deltas start from zero). */
struct heap_span {
	uint64_t off;
	uint32_t len;
};

/* A run: the chunks of one thread that hold events, in the order the
 * thread wrote them, left as the runtime encoded them until replay. */
struct heap_run {
	uint32_t thread;
	VEC(struct heap_span) spans;
};

struct heap_trace {
	/* HR_HELLO */
	bool have_hello;
	uint64_t version, pid, ppid, start_ns;
	char *exe;
	VEC(struct heap_module) modules;
	VEC(struct heap_stack_node) nodes;
	struct u64map node_index; /* node id -> index into nodes */
	VEC(struct heap_thread) threads;
	VEC(struct heap_info) infos; /* by info index; [0] is "unknown" */
	size_t infos_defined;        /* HR_INFO records applied */
	VEC(struct heap_run) runs;
	VEC(struct heap_leak) leaks; /* HR_LEAK records (memcheck mode) */
	VEC(struct heap_error_rec) errors; /* HR_ERROR records (memcheck mode), in stream order */
	bool have_fatal;                  /* HR_FATAL (memcheck mode): the last one */
	struct heap_fatal_rec fatal;
	struct u64map thread_run; /* thread index -> its current run */
	uint8_t *data; /* the uncompressed trace (mmap'd) */
	size_t data_n, data_cap;
	/* HR_MC_TOTALS (memcheck mode: counts instead of events) */
	bool have_mc_totals;
	uint64_t mc_allocs, mc_frees, mc_bytes, mc_live_blocks, mc_live_bytes;
	/* HR_TIME: the last one (the runtime's last sign of life) */
	uint64_t last_time_ms;
	/* HR_LOST: the runtime stopped recording (the first one) */
	bool have_lost;
	struct heap_lost_rec lost;
	/* HR_EXIT */
	bool have_exit;
	uint64_t exit_how, exit_signal, exit_peak_rss_kib;
	/* sonde's summary */
	bool have_summary;
	int wait_status;
	uint64_t wall_ns;
	char *cmdline; /* from sonde's command chunk, or NULL */
	/* damage */
	bool truncated;     /* ended inside a chunk / inside the zstd frame */
	bool corrupt;       /* a chunk or record did not decode; stopped there */
	bool bad_header;    /* not a sonde heap trace */
	uint64_t chunks;    /* complete chunks parsed */
	uint64_t bytes;     /* uncompressed bytes seen */
	char damage[160];   /* description of the first problem */
};

/* Events of all runs merged by sequence number. */
struct heap_iter {
	const struct heap_trace *t;
	struct heap_cursor *cur; /* one per run */
	uint32_t *heap;          /* min-heap of cursor indexes by next seq */
	size_t n;
	uint32_t top;            /* the cursor being drained, outside the heap */
	uint32_t last_run;       /* the cursor of the event returned last */
	bool have_top;
	uint64_t damaged;        /* chunks whose events stopped decoding part way */
};

void heap_trace_init(struct heap_trace *t);
void heap_trace_free(struct heap_trace *t);
/* Parses uncompressed trace bytes (with or without the file header), once per trace.
 * Never fails: damage is recorded in t's flags. */
void heap_trace_parse(struct heap_trace *t, const uint8_t *buf, size_t n, bool expect_header);
/* The info of an event (a zeroed "unknown" one for an undefined index). */
const struct heap_info *heap_trace_info(const struct heap_trace *t, uint32_t info);

/* Replay: every event in global order. */
void heap_iter_init(struct heap_iter *it, const struct heap_trace *t);
bool heap_iter_next(struct heap_iter *it, struct heap_event *ev);
/* The run (index into heap_trace.runs) of the event heap_iter_next gave last. */
uint32_t heap_iter_run(const struct heap_iter *it);
void heap_iter_free(struct heap_iter *it);

/* Steps *pp over a definition record whose type byte was just read (H M S
 * I N W G C L O) in a trace of the given version; false if it is not one or
 * does not decode before end. */
bool heap_skip_def(const uint8_t **pp, const uint8_t *end, uint8_t type, uint64_t version);

/* Rewrites the trace at path (zstd level) with the fewest key records that
 * replay in the same order (trace_compact.c), with progress on a TTY.
 * Returns 1 if it rewrote the file, 0 if there was nothing to gain (or the
 * trace is damaged: left as it is), -1 on an error (printed; the file is
 * left as it was). */
int heap_trace_compact(const char *path, int level, bool progress);
/* Reads a trace file (zstd-compressed or raw). Returns 0, or -1 with an
 * error printed when nothing usable was found. Damage is warned about. */
int heap_trace_read_file(struct heap_trace *t, const char *path, bool quiet);

/* The build-ids of the modules in one chunk of the runtime's own
 * (HEAP_CHUNK_DEFS, thread index 0), for the recorder's build-id cache.
 * *version is the stream's protocol version, which HR_HELLO sets. Only
 * HR_HELLO and HR_MODULE records are read: the runtime sends modules in
 * chunks of their own. */
struct buildid_list;
void heap_chunk_modules(const uint8_t *payload, size_t n, uint64_t *version, struct buildid_list *out);

/* The traced command line, or NULL. */
const char *heap_trace_cmdline(const struct heap_trace *t);

/* Decodes an HR_LOST record after its type byte; false if it does not
 * decode before end. */
bool heap_lost_decode(const uint8_t **pp, const uint8_t *end, struct heap_lost_rec *out);

/* Varint fields of an event record (or HR_KEY) of this type, or -1 if the
 * type is neither. */
int heap_event_fields(uint8_t type);

/* Reads a varint (proto/varint.h writes them), for tests too. Returns
 * bytes used, 0 on truncation/overflow. */
size_t heap_get_varint(const uint8_t *p, size_t n, uint64_t *out);

#endif
