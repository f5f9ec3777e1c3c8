/* Heap report: heaptrack_print's text layout, folded stacks weighted by a
 * cost, the size histogram, and massif.out export (massif.c). They render
 * the trace's profile model (heap/heap_profile.h), which the view builds
 * once its analysis is final. */
#ifndef SONDE_HEAP_REPORT_H
#define SONDE_HEAP_REPORT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "heap/analysis.h"
#include "heap/suppress.h"
#include "heap/trace.h"

enum heap_cost_type { HC_ALLOCATIONS, HC_TEMPORARY, HC_LEAKED, HC_PEAK };

struct heap_report_opts {
	size_t peak_limit;     /* -n: entries per section (10) */
	size_t sub_peak_limit; /* -s: backtraces per merged entry (5) */
	bool merged;           /* merge backtraces by allocation site (default) */
	bool print_allocators, print_peaks, print_temporary, print_leaks;
	bool shorten_templates;
	bool peak_time; /* sonde's own: when the peak was reached, under the peak line */
	bool no_inline;
	const char *label; /* file name for "reading file ..." */
	bool stale_warnings; /* sonde's own: name rebuilt binaries in the header */
};

void heap_report_opts_init(struct heap_report_opts *o);
/* Parses "allocations|temporary|leaked|peak"; returns -1 if unknown. */
int heap_cost_type_parse(const char *s);

/* A loaded trace, analysed and ready to symbolize. */
struct heap_view;
struct heap_view *heap_view_new(const struct heap_trace *t, const struct heap_analysis *a, bool no_inline);
/* Functions named by their symbols, as valgrind names them (memcheck),
 * rather than by DWARF, as heaptrack does (binary/symbolizer.h). */
void heap_view_symbol_names(struct heap_view *v);
void heap_view_free(struct heap_view *v);
/* Symbolizes the trace's stack nodes ahead of the report, until *stop is
 * set: run it on another thread while the analysis replays the events
 * (the view must not be used elsewhere until it returns; it reads the
 * trace, never the analysis). */
void heap_view_prefetch(struct heap_view *v, const _Atomic bool *stop);
/* heap_analyze(t, an) with the view's symbolization on another thread
 * meanwhile (loading debug info dominates small reports). */
void heap_analyze_symbolizing(const struct heap_trace *t, struct heap_analysis *an, struct heap_view *v);

/* Leak suppressions (a must be the view's analysis): the leaked bytes of
 * every stack that matches one move out of a's costs and total into the
 * suppressions' counts; the totals then print "suppressed leaks: N" and,
 * with print_stats, the "Suppressions used:" table. Call before printing. */
void heap_report_suppress(struct heap_view *v, struct heap_analysis *a, struct heap_suppressions *s, bool print_stats);

/* Warns about each module whose recorded build is nowhere (its file was
 * rebuilt or removed and the build-id cache has no copy), as "warning: "
 * lines in out, or on stderr when out is NULL. Call after symbolizing. */
void heap_view_warn_stale(struct heap_view *v, FILE *out);

/* heaptrack_print's text report. */
void heap_report_print(FILE *out, struct heap_view *v, const struct heap_report_opts *o);
/* Only the totals block ("total runtime: ..."). */
void heap_report_totals(FILE *out, struct heap_view *v, bool peak_time);
/* Folded stacks "main;f;g COST" (root first, inlined frames annotated _[i]),
 * merged and sorted; zero-cost stacks are left out. */
void heap_report_folded(FILE *out, struct heap_view *v, enum heap_cost_type cost);
/* heaptrack_print --print-flamegraph's own format ("main (fx.c);f (fx.c); 3"). */
void heap_report_folded_heaptrack(FILE *out, struct heap_view *v, enum heap_cost_type cost);
/* "size\tcount" lines (heaptrack_print -H). */
void heap_report_histogram(FILE *out, const struct heap_analysis *a);
/* valgrind massif.out (ms_print reads it). cmd: the "cmd:" line. */
int heap_report_massif(FILE *out, struct heap_view *v, const char *cmd, double threshold_pct);

/* heaptrack's byte formatting: 1000-based, "123B", "1.23K", "4.56M". */
void heap_format_bytes(char *buf, size_t n, int64_t bytes);

/* One frame of a symbolized stack. func is NULL when unknown (then ip tells
 * the address); inlined: this frame was inlined into the one before it. */
struct heap_frame {
	const char *func, *file, *module;
	unsigned line;
	bool inlined;
	uint64_t ip;
};
/* The source file and line where the function holding return address ip
 * starts (valgrind's "in frame #1, created by main (x.c:3)"). */
bool heap_view_func_entry(struct heap_view *v, uint64_t ip, const char **file, unsigned *line);
/* A stack's frames innermost first (the allocator's caller first, inlined
 * frames expanded, not stopping at main); returns the count, at most max.
 * The stack is resolved into the view's profile model (heap_profile.c), so
 * these lines come from the same frame table as every heap renderer's.
 * Strings live as long as the view. */
size_t heap_view_frames(struct heap_view *v, uint32_t stack, struct heap_frame *out, size_t max);
/* The same, but the frames past the first `main` come from the symbol
 * table alone (function names, no inlined frames or lines): memcheck shows
 * and matches frames up to main only, and those callers' DWARF (glibc's,
 * compressed in libc6-dbg) can cost more than a small program's report. */
size_t heap_view_frames_to_main(struct heap_view *v, uint32_t stack, struct heap_frame *out, size_t max);

#endif
