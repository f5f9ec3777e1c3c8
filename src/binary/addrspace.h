/* Per-process address spaces: which module is mapped where in each pid,
 * kept current from mmap, exec and fork events applied in time order.
 *
 * The one place addresses become (module, offset): the recorder's unwinder
 * (procspace.c: a cfi_table per module), the recording loader
 * (profile/load.c: a symbolizer module per file) and the heap view (a
 * module per loaded object, by its segments) keep their maps here. What a
 * module is belongs to the caller: an id it chose, and a bias. */
#ifndef SONDE_BINARY_ADDRSPACE_H
#define SONDE_BINARY_ADDRSPACE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One mapping [start, end). Trimming a map (a later one covers part of it)
 * keeps both biases: they relate addresses, not the map's start. */
struct as_map {
	uint64_t start, end;
	int64_t off_bias; /* start - file offset: address - off_bias = offset in the file */
	int64_t bias;     /* the caller's: e.g. runtime address - ELF vaddr */
	uint32_t module;  /* the caller's module id */
};

struct addrspaces;

struct addrspaces *addrspaces_new(void);
void addrspaces_free(struct addrspaces *as);

/* A new mapping in pid: what it covers of older ones is dropped or
 * trimmed, as mmap(MAP_FIXED) does. Empty or wrapping maps are ignored. */
void addrspaces_mmap(struct addrspaces *as, uint32_t pid, const struct as_map *m);
/* exec: the process starts over with no maps. */
void addrspaces_exec(struct addrspaces *as, uint32_t pid);
/* fork: a new process has a copy of its parent's maps (a thread, child ==
 * parent, changes nothing). */
void addrspaces_fork(struct addrspaces *as, uint32_t parent, uint32_t child);
/* exit: the maps go (the pid's generation stays). */
void addrspaces_exit(struct addrspaces *as, uint32_t pid);

/* The map covering addr in pid, or NULL. */
const struct as_map *addrspaces_find(const struct addrspaces *as, uint32_t pid, uint64_t addr);
/* pid's maps, sorted by start, non-overlapping (valid until the next change). */
const struct as_map *addrspaces_maps(const struct addrspaces *as, uint32_t pid, size_t *n);
/* A number that changes whenever pid's maps do: what was resolved against
 * one generation holds while it lasts. 0 for a pid never seen. */
uint32_t addrspaces_gen(const struct addrspaces *as, uint32_t pid);

#endif
