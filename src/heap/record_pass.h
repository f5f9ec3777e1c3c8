/* Passing the runtime's chunk stream into a trace (record.c's pipe,
 * record_children.c's sockets). */
#ifndef SONDE_HEAP_RECORD_PASS_H
#define SONDE_HEAP_RECORD_PASS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "binary/buildid_cache.h"
#include "heap/trace_end.h"

struct heap_writer;

/* Passes complete chunks through; keeps a partial one buffered. Once the
 * framing is lost (bad magic), everything is passed through raw. The
 * modules the runtime announces are listed for the build-id cache. */
struct heap_passer {
	uint8_t *buf;
	size_t n, cap;
	bool raw;
	uint64_t version; /* the runtime's protocol version, from HR_HELLO */
	struct buildid_list modules;
	uint64_t chunk_bytes, clock_bytes; /* all chunks', those with clock keys' */
	struct heap_end_facts end;         /* what the runtime's own chunks say of its end */
};

/* Adds n bytes of the stream; writes what completes chunks to w. */
int heap_pass_data(struct heap_passer *ps, struct heap_writer *w, const uint8_t *data, size_t n);

#endif
