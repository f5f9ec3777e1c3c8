/* The build-id cache: a copy of each ELF file a recording mapped, named by
 * its build-id, so that a report symbolizes the build that ran even after
 * the file was rebuilt or deleted (perf keeps ~/.debug for the same reason).
 *
 * Layout: DIR/ab/cdef0123... (the build-id in hex, split after the first
 * byte as under /usr/lib/debug/.build-id), each entry a whole copy of the
 * file. DIR is $SONDE_BUILDID_DIR, else $XDG_CACHE_HOME/sonde/buildid, else
 * ~/.cache/sonde/buildid. An entry's mtime says when it was last recorded
 * or used; past the size bound the least recently used entries go.
 * docs/symbols.md describes it for users. */
#ifndef SONDE_BINARY_BUILDID_CACHE_H
#define SONDE_BINARY_BUILDID_CACHE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gelf.h>

#include "util/hashmap.h"
#include "util/vec.h"

#define BUILDID_MAX 20 /* what recordings store (a SHA-1) */

/* Equal build-ids; a shorter one padded with zero bytes (as some tools
 * store them) equals its unpadded self. */
bool buildid_equal(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);
/* Lower-case hex of a build-id into out (2 * len + 1 bytes). */
void buildid_hex(const uint8_t *id, size_t len, char *out);

/* The files a recording mapped, each (path, build-id) once. */
struct buildid_file {
	char *path;
	uint8_t id[BUILDID_MAX];
	size_t len;
};
struct buildid_list {
	VEC(struct buildid_file) files;
	struct u64map index; /* hash(path, id) -> index + 1 */
};
/* Adds a file unless it is already listed. Names that are no file
 * ("[vdso]", "//anon") and empty build-ids are ignored. */
void buildid_list_add(struct buildid_list *l, const char *path, const uint8_t *id, size_t len);
void buildid_list_free(struct buildid_list *l);

/* The cache directory (malloc'd), or NULL when there is no home to put it in. */
char *buildid_cache_dir(void);
/* DIR/ab/cdef... (malloc'd); NULL for a build-id under 2 bytes. */
char *buildid_cache_entry(const char *dir, const uint8_t *id, size_t len);

struct buildid_cache_limits {
	uint64_t max_bytes; /* all entries together; 0: cache nothing */
	uint64_t max_file;  /* a bigger file is not cached */
};
/* $SONDE_BUILDID_CACHE_SIZE (bytes, with K, M or G; default 2G); files over
 * a quarter of it are left out, so one file never empties the cache. */
void buildid_cache_default_limits(struct buildid_cache_limits *lim);

struct buildid_store_stats {
	unsigned added, kept, skipped; /* skipped: not ELF, too big, changed, unreadable */
	uint64_t bytes_added;
};
/* Copies the listed files into the cache at dir (those already there are
 * marked used), each through a temporary file renamed into place, then
 * removes the least recently used entries beyond lim->max_bytes. A file
 * whose build-id on disk is not the listed one (it changed since it was
 * mapped) is skipped. Returns 0, or -1 after one warning line when the
 * cache cannot be written; the caller carries on either way. */
int buildid_cache_store(const char *dir, const struct buildid_list *l, const struct buildid_cache_limits *lim,
			struct buildid_store_stats *st);
/* What a recorder calls at the end: the default directory and limits. */
void buildid_cache_record(const struct buildid_list *l);

/* The cached copy of a build: DIR's entry (dir may be NULL), else perf's
 * cache ($PERF_BUILDID_DIR or ~/.debug). Returns the opened ELF (and *fd)
 * only if it carries that build-id, and marks a sonde entry used; NULL
 * when no cache has it. */
Elf *buildid_cache_open(const char *dir, const uint8_t *id, size_t len, int *fd);

#endif
