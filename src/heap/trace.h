/* The sonde heap trace file (docs/heap-format.md): a zstd stream of
 *   "SONDEHP1" u32 version(le) u32 flags(le)
 *   the runtime's chunks, as received (runtime/heap_protocol.h)
 *   one summary chunk written by sonde (thread index HEAP_SONDE_THREAD,
 *   record HR_SONDE_SUMMARY: wait status, wall time ns)
 * The writer compresses as it goes; the reader decompresses, parses every
 * complete chunk (stopping with a warning at a truncated or corrupt one)
 * and restores the global event order by sequence number. */
#ifndef SONDE_HEAP_TRACE_H
#define SONDE_HEAP_TRACE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util/hashmap.h"
#include "util/vec.h"

#define HEAP_TRACE_MAGIC "SONDEHP1"
#define HEAP_TRACE_VERSION 1
#define HEAP_TRACE_HEADER 16
#define HEAP_SONDE_THREAD 0xffffffffu
#define HR_SONDE_SUMMARY 'Z' /* wait status, wall time ns (sonde's own record) */
#define HR_SONDE_COMMAND 'C' /* the command line (str), first chunk after the header */

/* ---- writer ---- */
struct heap_writer;
/* Opens (creates/truncates) path and writes the header. NULL + error() on failure. */
struct heap_writer *heap_writer_open(const char *path, int level);
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

struct heap_event {
	uint64_t seq;
	uint64_t ptr;  /* ALLOC/FREE: the pointer; REALLOC: new ptr; TIME: ms; FORK: pid; EXIT: how */
	uint64_t ptr2; /* REALLOC: old ptr; TIME: RSS KiB; EXIT: peak RSS KiB */
	uint64_t size; /* ALLOC/REALLOC: size; EXIT: signal */
	uint32_t stack; /* trie node id (as sent by the runtime) */
	uint8_t type, kind;
};

struct heap_segment {
	uint64_t vaddr, memsz, flags;
};

struct heap_module {
	uint64_t bias;
	char *path;
	VEC(struct heap_segment) segs;
};

struct heap_stack_node {
	uint64_t id, parent, ip;
};

struct heap_thread {
	uint32_t index, tid;
	char *name;
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
	VEC(struct heap_event) events; /* sorted by seq after heap_trace_finish() */
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

void heap_trace_init(struct heap_trace *t);
void heap_trace_free(struct heap_trace *t);
/* Parses uncompressed trace bytes (with or without the file header).
 * Never fails: damage is recorded in t's flags. Call heap_trace_finish() after. */
void heap_trace_parse(struct heap_trace *t, const uint8_t *buf, size_t n, bool expect_header);
/* Parses one runtime chunk stream (no file header); returns bytes consumed
 * (up to the end of the last complete chunk). */
size_t heap_trace_parse_chunks(struct heap_trace *t, const uint8_t *buf, size_t n);
/* Sorts events by sequence number (stable), builds indexes. */
void heap_trace_finish(struct heap_trace *t);
/* Reads a trace file (zstd-compressed or raw). Returns 0, or -1 with an
 * error printed when nothing usable was found. Damage is warned about. */
int heap_trace_read_file(struct heap_trace *t, const char *path, bool quiet);

/* The traced command line, or NULL. */
const char *heap_trace_cmdline(const struct heap_trace *t);

/* Varint helpers, shared with tests. Returns bytes used, 0 on truncation/overflow. */
size_t heap_get_varint(const uint8_t *p, size_t n, uint64_t *out);
size_t heap_put_varint(uint8_t *p, uint64_t v);

#endif
