/* The heap side's symbolized view of a trace: each distinct instruction
 * pointer of the trace's stack trie resolved once (module by the loaded
 * segments, then the symbolizer), shared by the heap report, the heap
 * profile model (heap/profile.c) and memcheck. */
#ifndef SONDE_HEAP_VIEW_H
#define SONDE_HEAP_VIEW_H
#include <stdbool.h>
#include <stdint.h>

#include "binary/symbolizer.h"
#include "heap/report.h"
#include "util/hashmap.h"
#include "util/vec.h"

#define HEAP_MAX_DEPTH 512

/* One distinct instruction pointer, resolved. */
struct hloc {
	uint64_t ip;        /* as printed (return address - 1) */
	const char *module; /* full path, or NULL */
	int mod;            /* its trace module (heap_view_module), or -1 */
	const struct sym_result *sym; /* NULL when no module covers ip */
	bool stop;          /* main & co: backtraces stop here */
};

struct heap_view {
	const struct heap_trace *t;
	const struct heap_analysis *a;
	struct symbolizer *sym;
	struct addrspaces *as; /* pid 0: the modules' segments, module = trace module index */
	int *sym_modules; /* per trace module: symbolizer handle */
	VEC(struct hloc *) locs; /* one allocation each: callers keep pointers while more are added */
	struct u64map loc_index; /* ip -> loc */
	uint32_t *node_loc;      /* per trace node: loc + 1, 0 = not yet */
	/* leak suppressions applied by heap_report_suppress() */
	const struct heap_suppressions *supp;
	int64_t supp_leaked;
	bool print_supp;
	struct heap_builder *hb; /* the view's profile model (heap_profile.c), made on first use */
	/* the model's stacks go on past main to the outermost frame
	 * (__libc_start_main, _start), as pprof's users expect; set before
	 * the model is made */
	bool full_stacks;
};


/* The trace module holding ip (the one loaded last wins), or -1. */
int heap_view_module(const struct heap_view *v, uint64_t ip);
/* Node index (into t->nodes) of a stack id, or -1. */
long heap_view_node(const struct heap_view *v, uint64_t id);
/* The node of nd's caller, or -1 at the root (a node that is its own
 * parent ends the walk too). */
long heap_view_caller(const struct heap_view *v, long nd);
/* The resolved location of a node (resolved on first use). */
const struct hloc *heap_view_loc(struct heap_view *v, long node);
/* The function holding return address raw_ip by the symbol table alone
 * (no DWARF read), and its module's path; NULL when not known. */
void heap_view_name_only(struct heap_view *v, uint64_t raw_ip, const char **func, const char **module);
/* Leaf-first locations of a stack, at most max; returns the count. */
size_t heap_view_stack_locs(struct heap_view *v, uint64_t id, const struct hloc **out, size_t max);

#endif
