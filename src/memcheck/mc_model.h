/* What `sonde memcheck` found, ready to print in valgrind's shapes (text,
 * XML) and to match against valgrind suppressions. Filled by the command
 * (src/cmd/memcheck.c) from the runtime's records, with stacks already
 * symbolized; printed by mc_text.c / mc_xml.c. */
#ifndef SONDE_MEMCHECK_MODEL_H
#define SONDE_MEMCHECK_MODEL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/vec.h"

/* One frame, innermost first, as valgrind prints it:
 * "at 0x4848899: malloc (vg_replace_malloc.c:381)" /
 * "by 0x109163: main (leak.c:12)" / "by 0x48A3D8F: (below main) (libc_start_call_main.h:58)" /
 * "by 0x10915F: ??? (in /tmp/a.out)". */
struct mc_frame {
	uint64_t ip;
	const char *func;   /* demangled; NULL: unknown ("???") */
	const char *file;   /* basename as valgrind prints it, or NULL */
	unsigned line;      /* 0: unknown */
	const char *object; /* the module's path ("in /lib/x86_64-linux-gnu/libc.so.6") */
	const char *mangled; /* for suppressions' fun: lines (valgrind matches mangled names); NULL = func */
	const char *dir;    /* the source file's directory (XML <dir>), or NULL */
};

struct mc_stack {
	VEC(struct mc_frame) frames;
};

enum mc_leak_kind { MC_DEFINITE, MC_INDIRECT, MC_POSSIBLE, MC_REACHABLE, MC_LEAK_KINDS };

/* A loss record: the blocks of one kind allocated from one stack. */
struct mc_loss {
	enum mc_leak_kind kind;
	uint64_t bytes;          /* direct bytes */
	uint64_t indirect_bytes; /* MC_DEFINITE/MC_POSSIBLE: bytes of the blocks only they reach */
	uint64_t blocks;
	struct mc_stack alloc;   /* where the blocks were allocated */
	bool suppressed;         /* a suppression matched (filled by the matcher) */
	const char *supp_name;
	uint64_t age;            /* when its allocation stack was first seen (valgrind's
				  * ExeContext order: the last tie-break of the sort) */
};

/* valgrind's leak-check heuristics: interior pointers they accept reach a
 * block like a start pointer (--leak-check-heuristics). */
enum mc_heuristic { MC_HEURISTIC_NONE, MC_STDSTRING, MC_LENGTH64, MC_NEWARRAY, MC_MULTIPLEINHERITANCE, MC_HEURISTICS };
#define MC_HEURISTICS_ALL (((1u << MC_HEURISTICS) - 1) & ~1u)

enum mc_error_kind {
	MC_INVALID_FREE,   /* "Invalid free() / delete / delete[] / realloc()" */
	MC_MISMATCHED_FREE,/* "Mismatched free() / delete / delete []" */
	MC_INVALID_READ,   /* "Invalid read of size N" */
	MC_INVALID_WRITE,  /* "Invalid write of size N" */
	MC_OVERLAP,        /* "Source and destination overlap in memcpy(0x.., 0x.., N)" */
	MC_FISHY_VALUE,    /* "Argument 'size' of function malloc has a fishy (possibly negative) value: -3" */
	MC_BAD_ALIGNMENT,  /* "Invalid alignment value: 3 (should be power of 2)" */
	MC_REALLOC_ZERO,   /* "realloc() with size 0" */
	MC_INVALID_JUMP,   /* "Jump to the invalid address stated on the next line" */
	MC_ERROR_KINDS
};

/* Where an address lies relative to a heap block (valgrind's "Address 0x.. is
 * 4 bytes after a block of size 10 alloc'd"). */
enum mc_addr_rel { MC_ADDR_NONE, MC_ADDR_INSIDE, MC_ADDR_AFTER, MC_ADDR_BEFORE, MC_ADDR_STACK };

struct mc_error {
	enum mc_error_kind kind;
	uint64_t size;           /* READ/WRITE: access size; OVERLAP: length; FISHY: the value (as signed) */
	uint64_t addr;
	uint64_t addr2;          /* OVERLAP: the source */
	const char *func;        /* OVERLAP / FISHY: the function named in the message ("memcpy", "malloc") */
	const char *arg;         /* FISHY: the argument's name; NULL: "size" */
	const char *how;         /* INVALID/MISMATCHED FREE: "free()", "delete", "delete[]", "realloc()" */
	struct mc_stack where;   /* the faulting call */
	/* the block the address relates to (rel != NONE) */
	enum mc_addr_rel rel;
	uint64_t offset;         /* bytes inside/after/before; MC_ADDR_STACK: the thread whose stack it is */
	unsigned stack_frame;    /* MC_ADDR_STACK: the frame of `where` whose part of the stack it is (0: unknown) */
	const char *frame_file;  /* ...and where its function starts (basename; NULL: unknown) */
	unsigned frame_line;
	uint64_t block_size;
	bool block_freed;        /* "free'd" (with free_stack) rather than only "alloc'd" */
	struct mc_stack alloc_stack;
	struct mc_stack free_stack;
	const char *note;        /* a last aux line: how the runtime found it (redzone, quarantine), or NULL */
	bool suppressed;
	const char *supp_name;
	uint64_t count;          /* occurrences merged into this context (0 counts as 1) */
	int tid;                 /* valgrind's number of the thread it happened in (0 prints 1) */
	const char *thread_name; /* that thread's name if it was given one (NULL: none) */
};

/* A fatal signal as valgrind describes it: "Access not within mapped
 * region at address 0x0" (event and address from the signal), and for a
 * stack overflow "Stack overflow in thread #1: can't grow stack to 0x..". */
struct mc_fatal {
	bool known;              /* the runtime's handler reported the signal */
	int code;                /* si_code as valgrind gives it (<= 0: sent by a process, not the kernel) */
	uint64_t addr;
	bool core;               /* ": dumping core" */
	uint64_t grow_to;        /* a stack overflow: the page the stack could not grow to (0: none) */
	uint64_t stack_limit;    /* the main thread's stack size (0: unlimited) */
	int tid;                 /* valgrind's number of the thread */
	const char *thread_name; /* NULL: none */
};

struct mc_result {
	int pid, ppid;
	const char *exe;
	char **argv;             /* the command line (for the preamble and XML) */
	int argc;
	/* HEAP SUMMARY */
	uint64_t in_use_bytes, in_use_blocks;
	uint64_t allocs, frees, bytes_allocated;
	bool leak_checked;       /* a leak check ran (not --leak-check=no, not killed) */
	const char *cut;         /* the run ended without the runtime's end (killed, its channel
				  * lost, out of memory): why, and the counts are what it saw
				  * until then (NULL: complete) */
	VEC(struct mc_loss) losses;
	/* blocks a heuristic reached, any kind (LEAK SUMMARY's "of which
	 * reachable via heuristic"), by enum mc_heuristic */
	uint64_t heur_bytes[MC_HEURISTICS], heur_blocks[MC_HEURISTICS];
	VEC(struct mc_error) errors;
	/* the program's end */
	bool exited;             /* exited normally with exit_code */
	int exit_code;
	int signal;              /* killed by this signal (0: none) */
	bool execed;             /* it exec'd another program (which sonde did not check) */
	struct mc_stack signal_stack; /* where the fatal signal hit (may be empty) */
	struct mc_fatal fatal;   /* what the runtime saw of it (fatal.known: anything) */
	bool reads_unchecked;    /* invalid reads were not checked (no --precise): the text says so once */
	/* sonde's own command line up to the program, for XML <vargv>:
	 * vargv[0] the executable, then the options */
	char **vargv;
	int vargc;
	bool log_to_file;         /* --log-file: the preamble names the parent pid */
	bool stamped;             /* --time-stamp=yes: lines carry stamp_ms (ms since the start) */
	int64_t stamp_ms;
};

/* Frees the vectors (stacks, losses, errors); the strings they point to
 * belong to whoever filled the result (the symbolizer's caches). */
void mc_result_free(struct mc_result *r);
void mc_stack_free(struct mc_stack *s);

/* "definitely lost", "indirectly lost", "possibly lost", "still reachable". */
const char *mc_leak_kind_text(enum mc_leak_kind k);
/* The word in match-leak-kinds: lines: definite, indirect, possible, reachable. */
const char *mc_leak_kind_word(enum mc_leak_kind k);
/* "stdstring", "length64", "newarray", "multipleinheritance" ("none" for 0). */
const char *mc_heuristic_name(int h);
/* A --leak-check-heuristics set ("stdstring,length64", "all", "none") into
 * bits 1 << enum mc_heuristic; false if it is not one. */
bool mc_parse_heuristics(const char *s, unsigned *out);

/* How many frames of s valgrind shows: at most max_frames (--num-callers),
 * and none after `main` or after the first below-main function. */
size_t mc_stack_shown(const struct mc_stack *s, unsigned max_frames);
/* The name valgrind prints for frame i of a stack: "(below main)" for
 * __libc_start_main and friends, NULL for an unknown function. */
const char *mc_frame_name(const struct mc_frame *f);
/* The name suppressions' fun: lines match: the mangled name, or
 * "(below main)"; NULL when unknown. */
const char *mc_frame_supp_name(const struct mc_frame *f);

/* Records one occurrence of an error: merged into an earlier context with
 * the same kind, details and first 4 frames (valgrind's rule), else
 * appended. The stacks are moved into the result (or freed on a merge). */
void mc_result_add_error(struct mc_result *r, struct mc_error *e);

/* Merges loss records of one kind whose allocation stacks agree in their
 * first `frames` frames (--leak-resolution: low 2, med 4, high
 * --num-callers; the first record keeps its stack, as valgrind keeps its
 * first block's), then sorts them in valgrind's order: by total bytes
 * (direct + indirect), then kind (still reachable, possibly, indirectly,
 * definitely lost), blocks, and the age of the allocation stack. */
void mc_result_group_losses(struct mc_result *r, unsigned frames);

#endif
