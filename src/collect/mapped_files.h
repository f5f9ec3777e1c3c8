/* The files a recording maps, listed for the build-id cache. Each MMAP
 * record should carry its file's build-id: the kernel gives it (since
 * Linux 5.12, and only when the note is in memory), else it is read from
 * the mapping itself here, once per inode. */
#ifndef SONDE_COLLECT_MAPPED_FILES_H
#define SONDE_COLLECT_MAPPED_FILES_H
#include <stdint.h>

#include "binary/buildid_cache.h"
#include "util/hashmap.h"
#include "util/vec.h"

struct kmmap2;
struct sd_mmap;

struct mapped_id {
	uint64_t dev, ino, generation;
	uint8_t id[20];
	uint8_t len;
};

struct mapped_files {
	struct buildid_list list;
	struct u64map by_inode; /* hash(dev, ino, generation) -> index + 1 into ids */
	VEC(struct mapped_id) ids;
};

/* Completes m's build-id when the kernel record k gave none (k NULL: m
 * came from /proc, as read there), then lists m's file. */
void mapped_files_note(struct mapped_files *mf, struct sd_mmap *m, const struct kmmap2 *k);
/* The build-id of the file mapped at [start, end) in pid: through
 * /proc/PID/map_files (the very file mapped; needs privileges), else the
 * file at path if it is still that inode (ino 0: unknown, trust the path).
 * Returns its length (0: none found). */
int mapped_build_id(uint32_t pid, uint64_t start, uint64_t end, const char *path, uint64_t dev, uint64_t ino,
		    uint8_t id[20]);
void mapped_files_free(struct mapped_files *mf);

#endif
