/* pprof's profile.proto (github.com/google/pprof, proto/profile.proto),
 * gzip-compressed as pprof and the fleet-wide profilers that read it
 * (Pyroscope, Parca, Cloud Profiler) expect.
 *
 * A builder: declare the sample types, then add mappings, functions,
 * locations and samples through it; each returns a dense id, and equal
 * mappings, functions, locations and samples (same stack and labels) are
 * merged, samples by summing their values. Strings are interned into the
 * string table; bytes that are not UTF-8 are kept as Latin-1 characters
 * (protobuf strings must be UTF-8). Adapters from sonde's profiles sit in
 * files of their own (render/pprof_profile.c: the profile model, every
 * tool's; render/pprof_folded.c: folded text). */
#ifndef SONDE_RENDER_PPROF_H
#define SONDE_RENDER_PPROF_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct pb;
struct pprof;

struct pprof *pprof_new(void);
void pprof_free(struct pprof *pp);

/* A string's index in the string table (0 is ""; NULL is "" too). */
int64_t pprof_string(struct pprof *pp, const char *s);

/* One value per sample, e.g. ("cpu", "nanoseconds"); returns its index.
 * Declare every type before the first sample. */
size_t pprof_sample_type(struct pprof *pp, const char *type, const char *unit);
/* The type a viewer shows first (pprof takes the last one otherwise). */
void pprof_default_sample_type(struct pprof *pp, const char *type);
/* What one sampled occurrence stands for, e.g. ("cpu", "nanoseconds"), 1000000. */
void pprof_period(struct pprof *pp, const char *type, const char *unit, int64_t period);
/* Start of the collection (ns since the epoch) and its length (ns); 0: unknown. */
void pprof_time(struct pprof *pp, int64_t time_ns, int64_t duration_ns);
void pprof_comment(struct pprof *pp, const char *text);

struct pprof_mapping {
	uint64_t start, limit, offset; /* address range and file offset; 0: unknown */
	const char *file;              /* path, or "[kernel.kallsyms]", "[vdso]" */
	const char *build_id;          /* hex, or NULL */
	/* what its locations carry: set, pprof does not try to symbolize them */
	bool has_functions, has_filenames, has_line_numbers, has_inline_frames;
};
/* Returns the mapping's id (1, 2, ...). */
uint64_t pprof_mapping(struct pprof *pp, const struct pprof_mapping *m);
/* pprof reads mapping[0] as the main binary: this one is written first. */
void pprof_main_mapping(struct pprof *pp, uint64_t mapping);
/* Hex of a build-id into out (2 * n + 1 bytes); returns out, or NULL when n is 0. */
char *pprof_hex(char *out, const uint8_t *id, size_t n);

/* Returns the function's id; system_name: the mangled name (NULL: none). */
uint64_t pprof_function(struct pprof *pp, const char *name, const char *system_name, const char *file,
			int64_t start_line);

/* One line of a location: innermost (inlined) first, the function they
 * were inlined into last. */
struct pprof_line {
	uint64_t function;
	int64_t line;
};
/* Returns the location's id; mapping 0: none. */
uint64_t pprof_location(struct pprof *pp, uint64_t mapping, uint64_t address, const struct pprof_line *lines,
			size_t n);

/* A sample's label: a string (str set) or a number (num, its unit or NULL). */
struct pprof_label {
	const char *key, *str;
	int64_t num;
	const char *unit;
};
/* A sample: its location ids leaf first, one value per sample type. */
void pprof_sample(struct pprof *pp, const uint64_t *locs, size_t n, const int64_t *values,
		  const struct pprof_label *labels, size_t nlabels);
/* Samples added so far (after merging). */
size_t pprof_sample_count(const struct pprof *pp);

/* The Profile message, uncompressed, appended to out. */
void pprof_encode(struct pprof *pp, struct pb *out);
/* The gzip-compressed profile to out. 0, or -1 with errno set. */
int pprof_write_gz(struct pprof *pp, FILE *out);
/* The same into a new file at path ("-": standard output, not a terminal),
 * placed when complete (util/outfile.h). 0, or -1 after a one-line error. */
int pprof_write_file(struct pprof *pp, const char *path);

#endif
