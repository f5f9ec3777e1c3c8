/* The profile model: call stacks with weights, symbolized, whatever
 * produced them (a CPU recording, perf.data, a heap trace).
 *
 *   modules    interned: path, short name, build-id
 *   locations  interned source locations (function, file:line, module,
 *              inlined / kernel / jit / unknown)
 *   frames     one raw address each, expanded to its locations (inlined first)
 *   rstacks    resolved stacks: a run of frames, leaf first
 *   nodes      the stack table: a trie of locations (node = parent + loc,
 *              root = outermost caller) that tree and folded renderers walk
 *   weights    named value columns with units ("period"/ns, "peak"/bytes);
 *              every sample carries one value per column
 *   samples    a resolved stack + values + labels (time, pid, tid, cpu, comm)
 *   meta       key/value strings (event, cmdline, ...)
 *
 * Readers fill it through the builder functions below (profile_new,
 * profile_add_module, profile_intern_loc, profile_node_child,
 * profile_add_weight, profile_add_sample); renderers read it with a chosen
 * weight (prof_value). */
#ifndef SONDE_PROFILE_MODEL_H
#define SONDE_PROFILE_MODEL_H
#include <stdbool.h>
#include <stdint.h>

#include "util/hashmap.h"
#include "util/vec.h"

struct symbolizer;

struct prof_module {
	uint32_t name;  /* string id: short name ("libc.so.6", "[kernel.kallsyms]") */
	uint32_t path;  /* string id: full path as mapped */
	int sym_handle; /* symbolizer module, or -1 */
	bool kernel;
	bool from_file; /* symbolized from its ELF file (sym_handle, or a heap
			 * trace's view): its locations may have files, lines
			 * and inlined frames */
	uint8_t build_id[20]; /* as recorded; build_id_len 0: none */
	uint8_t build_id_len;
	uint64_t map_start, map_len, map_pgoff; /* its first mapping (exports name it) */
};

/* One source location. `func` is the demangled function (or "[unknown]"). */
struct prof_loc {
	uint32_t func, file, line;
	uint32_t module;
	uint64_t sym_offset; /* offset into the out-of-line symbol */
	bool inlined;        /* inlined into the next (outer) location */
	bool kernel;
	bool unknown; /* no symbol found */
	bool jit;     /* JIT-compiled code: named by its perf map, or folded text's _[j] */
};

/* One raw frame of a resolved stack: its address and its locations
 * prof->frame_locs[loc_first .. loc_first+loc_n) (innermost first). */
struct prof_frame {
	uint64_t addr;
	uint32_t loc_first, loc_n;
};

struct prof_rstack {
	uint32_t frame_first, frame_n; /* into prof->frames, leaf first */
	uint32_t node;                 /* trie node of the leaf location */
	bool truncated;
};

struct prof_node {
	uint32_t parent; /* 0 = root */
	uint32_t loc;
	uint32_t depth;
};

/* A weight column: what a sample's value counts. Values are stored as
 * 64-bit patterns: signed columns may go below zero (a heap stack's leaked
 * bytes), unsigned ones reach 2^64 - 1 (folded counts). */
struct prof_weight {
	uint32_t name; /* string id: "period", "allocations", "peak", ... */
	uint32_t unit; /* string id: "ns", "events", "count", "bytes" */
	bool is_signed;
};

/* The pseudo-weight "samples": 1 per sample, whatever the columns hold. */
#define PROF_WEIGHT_SAMPLES UINT32_MAX

struct prof_sample {
	uint64_t time;
	uint32_t pid, tid, cpu;
	uint32_t comm;   /* string id: thread name at sample time */
	uint32_t rstack; /* index into prof->rstacks */
	uint8_t cpumode;
};

/* A module whose recorded build is nowhere: its file changed or is gone
 * since the recording and the build-id cache has no copy (stale.c). */
struct prof_stale {
	uint32_t module;
	uint64_t samples; /* samples with a frame in it */
};

struct profile {
	struct interner strs;
	VEC(struct prof_module) modules;
	VEC(struct prof_loc) locs;
	VEC(uint32_t) frame_locs;
	VEC(struct prof_frame) frames;
	VEC(struct prof_rstack) rstacks;
	VEC(struct prof_node) nodes; /* nodes.v[0] is the root */
	VEC(struct prof_sample) samples;
	VEC(struct prof_weight) weights;
	VEC(int64_t) values;  /* samples.n x weights.n, one row per sample */
	bool count_weight;    /* "samples" is a weight users may choose (CPU data) */
	bool from_text;       /* read from folded / perf script text: no threads
			       * (no command root), frames named as written;
			       * no frames either (frame_n 0, text has no
			       * addresses): a stack's locations are its node's
			       * path (profile_node_path), its trie is final */
	VEC(char *) meta_keys;
	VEC(char *) meta_vals;

	uint64_t total_period;  /* sum of weight 0 */
	uint64_t lost;          /* samples lost (LOST records) */
	uint64_t truncated_stacks; /* samples whose stack was cut short */
	uint64_t first_time, last_time;
	bool finished;          /* a FINISH record was read */
	int exit_status;        /* from FINISH, or -1 */
	bool file_truncated;    /* the file ended inside a record */
	bool file_corrupt;      /* a record did not decode; stopped there */
	uint64_t records;       /* complete records read */
	VEC(struct prof_stale) stale; /* modules reports warn about */

	/* internal indexes */
	struct u64map loc_index, node_index;
	struct symbolizer *sym;
};

struct profile_opts {
	bool no_inline; /* don't expand inlined frames, no source lines */
	bool progress;  /* show progress on a TTY */
};

/* ---- building (readers) ---- */

/* An empty model: the trie's root, string 0 = "", no weights yet. */
struct profile *profile_new(void);
/* A module named by its path (the short name is the last component). */
uint32_t profile_add_module(struct profile *p, const char *path, bool kernel);
uint32_t profile_intern_loc(struct profile *p, const struct prof_loc *l);
/* The trie node for `loc` called from `parent` (0 = root), made on first use. */
uint32_t profile_node_child(struct profile *p, uint32_t parent, uint32_t loc);
/* The locations of trie node `node`'s path, root first, into out (room for
 * nodes.v[node].depth of them); returns how many. */
uint32_t profile_node_path(const struct profile *p, uint32_t node, uint32_t *out);
/* Appends the locations of one symbolized address to frame_locs,
 * innermost first, and returns how many: one "[unknown]" location when the
 * symbolizer found no function (res NULL too), else one per frame, a
 * function it did not name called `unnamed` (NULL: string 0). */
struct sym_result;
uint32_t profile_add_sym_locs(struct profile *p, const struct sym_result *res, uint32_t module, const char *unnamed);
/* Adds a signed weight column (before any sample); returns its index. */
uint32_t profile_add_weight(struct profile *p, const char *name, const char *unit);
/* The same for an unsigned column: values are uint64_t cast to int64_t. */
uint32_t profile_add_weight_unsigned(struct profile *p, const char *name, const char *unit);
/* Appends a sample with one value per weight column. */
void profile_add_sample(struct profile *p, const struct prof_sample *s, const int64_t *values);
void profile_add_meta(struct profile *p, const char *key, const char *val);

/* ---- reading (renderers) ---- */

/* A sample's value in weight w (an index, or PROF_WEIGHT_SAMPLES): an
 * unsigned column's value, or a signed one's where below zero counts as
 * nothing (widths, percentages). */
static inline uint64_t prof_value(const struct profile *p, size_t sample, uint32_t w)
{
	if (w == PROF_WEIGHT_SAMPLES)
		return 1;
	int64_t v = p->values.v[sample * p->weights.n + w];
	if (!p->weights.v[w].is_signed)
		return (uint64_t)v;
	return v > 0 ? (uint64_t)v : 0;
}
/* The value as a signed number: a signed column's as the reader gave it (a
 * heap stack's leaked bytes may be < 0), an unsigned one's up to INT64_MAX. */
static inline int64_t prof_value_signed(const struct profile *p, size_t sample, uint32_t w)
{
	if (w == PROF_WEIGHT_SAMPLES)
		return 1;
	int64_t v = p->values.v[sample * p->weights.n + w];
	return p->weights.v[w].is_signed || v >= 0 ? v : INT64_MAX;
}
/* The weight called `name` ("samples" on CPU data too); -1 if none. */
int64_t profile_weight_find(const struct profile *p, const char *name);
/* The names users may choose, "a, b or c", for messages. */
void profile_weight_list(const struct profile *p, char *buf, size_t n);
const char *profile_weight_name(const struct profile *p, uint32_t w);
const char *profile_weight_unit(const struct profile *p, uint32_t w);

/* Loads and symbolizes a recording. Returns NULL after printing a one-line
 * error (via error()) when the file cannot be used at all; a truncated or
 * partly corrupt file loads what was complete and sets the flags above. */
struct profile *profile_load(const char *path, const struct profile_opts *opts);
void profile_free(struct profile *p);

const char *profile_meta(const struct profile *p, const char *key);
static inline const char *prof_str(const struct profile *p, uint32_t id) { return interned(&p->strs, id); }
/* The out-of-line location of a frame (its last location). */
static inline const struct prof_loc *prof_frame_outer(const struct profile *p, const struct prof_frame *f)
{
	return &p->locs.v[p->frame_locs.v[f->loc_first + f->loc_n - 1]];
}
/* Event name of the recording ("cpu-clock"), never NULL. */
const char *profile_event(const struct profile *p);
/* Prints a warning about truncation/corruption if any, once. */
void profile_warn_damage(const struct profile *p, const char *path);

/* Fills p->stale (profile_load does, after symbolizing). */
void profile_find_stale(struct profile *p);
/* The warning about a stale module, one line without prefix: the file,
 * both build-ids, the samples it costs and what to do. */
void profile_stale_message(const struct profile *p, const struct prof_stale *st, char *buf, size_t n);
/* Those warnings on stderr, for outputs without a header. */
void profile_warn_stale(const struct profile *p);

#endif
