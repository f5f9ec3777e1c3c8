/* The runtime's own functions that stand first in every allocation, free
 * and copy stack, as valgrind shows its replacements ("at 0x4848899:
 * malloc (in /usr/lib/sonde/libsonde-rt.so)"): their addresses in the
 * traced process, their objects, and the mangled names suppressions match
 * ("fun:_Znwm"). */
#ifndef SONDE_MEMCHECK_ENTRY_H
#define SONDE_MEMCHECK_ENTRY_H
#include <stdbool.h>
#include <stdint.h>

#include "heap/trace.h"
#include "memcheck/mc_model.h"

#define MC_ENTRY_MAX 40

struct mc_entries {
	char *rt_path, *str_path; /* libsonde-rt.so, libsonde-mcstr.so */
	size_t n;
	struct {
		const char *name; /* the ELF symbol */
		uint64_t ip;      /* in the traced process, 0 if unknown */
	} sym[MC_ENTRY_MAX];
};

/* Finds the two objects' load addresses in the trace and reads their
 * symbol tables; rt_path: the runtime the run preloaded (may be NULL). */
void mc_entries_init(struct mc_entries *e, const struct heap_trace *t, const char *rt_path);
void mc_entries_free(struct mc_entries *e);
/* The first frame of a stack for func, a name valgrind prints ("malloc",
 * "operator new(unsigned long)", "strcpy"). */
struct mc_frame mc_entry_frame(const struct mc_entries *e, const char *func);

#endif
