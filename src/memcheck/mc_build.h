/* From a heap trace recorded in memcheck mode to the model valgrind-shaped
 * output is printed from (src/memcheck/mc_model.h). */
#ifndef SONDE_MEMCHECK_BUILD_H
#define SONDE_MEMCHECK_BUILD_H
#include <stddef.h>

#include "heap/analysis.h"
#include "heap/report.h"
#include "heap/trace.h"
#include "memcheck/mc_entry.h"
#include "memcheck/mc_model.h"

/* Fills r's heap summary and loss records (one per leak kind, allocation
 * function and allocation stack, like valgrind's --leak-resolution=high),
 * frames symbolized through v, at most num_callers frames each, the first
 * being the allocation function "in" the runtime (entries). */
void mc_build_leaks(struct mc_result *r, const struct heap_trace *t, const struct heap_analysis *a,
		    struct heap_view *v, const struct mc_entries *entries, size_t num_callers);

/* The heap errors the runtime caught (HR_ERROR records), in the order they
 * happened, merged into contexts the way valgrind merges them. Call after
 * mc_build_leaks: invalid frees join the summary's count of frees. */
void mc_build_errors(struct mc_result *r, const struct heap_trace *t, struct heap_view *v,
		     const struct mc_entries *entries, size_t num_callers);

/* The fatal signal the runtime saw (HR_FATAL), when it is the one the
 * program died of (r->signal): valgrind's details and its stack. */
void mc_build_fatal(struct mc_result *r, const struct heap_trace *t, struct heap_view *v,
		    const struct mc_entries *entries, size_t num_callers);

/* The allocation function valgrind names for an allocation kind ("malloc",
 * "operator new[](unsigned long)", ...). */
const char *mc_alloc_fn(int kind);

#endif
