/* Whether a heap trace covers the program's whole run, and if not, the one
 * line that says what was lost: `sonde heap` when it ends, `sonde heap
 * report` on the file, and `sonde memcheck` instead of a leak summary the
 * runtime could not make. A trace is cut when the runtime's stream has no
 * end record (HR_EXIT) although sonde saw the program end (its summary),
 * or when the runtime said it stopped (HR_LOST). */
#ifndef SONDE_HEAP_TRACE_END_H
#define SONDE_HEAP_TRACE_END_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "heap/trace.h"

/* What the runtime's own records (thread index 0) and sonde's summary say
 * of the end. */
struct heap_end_facts {
	bool hello;       /* the runtime started (HR_HELLO) */
	bool exit;        /* its end record (HR_EXIT) */
	uint64_t version; /* the stream's protocol version (HR_HELLO) */
	uint64_t last_ms; /* its last HR_TIME: ms since its start */
	bool lost;        /* HR_LOST: it stopped recording */
	struct heap_lost_rec lost_rec;
	bool summary;     /* sonde saw the program end */
	bool oom_kills;   /* the kernel's OOM killer killed a process meanwhile (seen live, not in the trace) */
	int wait_status;
	uint64_t wall_ns; /* from the launch to the program's end */
};

enum heap_cut {
	HEAP_CUT_NONE,    /* complete (or nothing to say: no runtime, no summary) */
	HEAP_CUT_NOMEM,   /* the runtime ran out of memory and stopped (HR_LOST) */
	HEAP_CUT_KILLED,  /* a signal the runtime could not see ended the program (SIGKILL) */
	HEAP_CUT_STOPPED, /* the stream stopped while the program ran on: its descriptor was taken */
	HEAP_CUT_NO_END,  /* the program ended without the runtime's end record (a raw exit?) */
};

/* Who speaks: the trace's reader (heap, heap report) or memcheck. */
enum heap_end_voice { HEAP_END_TRACE, HEAP_END_CHECK };

/* The facts of a trace that was read. */
void heap_end_facts_of(const struct heap_trace *t, struct heap_end_facts *f);
/* Adds what one runtime chunk of thread index 0 says (for sonde heap,
 * which passes the chunks through without reading them). */
void heap_end_facts_chunk(struct heap_end_facts *f, const uint8_t *payload, size_t n);
enum heap_cut heap_end_judge(const struct heap_end_facts *f);
/* The statement for a cut trace (no "sonde: " prefix, no newline); app:
 * the command as run. Caller frees. */
char *heap_end_text(const struct heap_end_facts *f, enum heap_cut cut, const char *app, enum heap_end_voice v);

/* The same in a few words, for memcheck's HEAP SUMMARY ("the program was
 * killed by SIGKILL"). Caller frees. */
char *heap_end_short(const struct heap_end_facts *f, enum heap_cut cut);

#endif
