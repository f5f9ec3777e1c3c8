/* Build-ids of mapped files, and the list of them for the build-id cache. */
#include "collect/mapped_files.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "binary/elf_symbols.h"
#include "collect/kparse.h"
#include "profile/format.h"

/* The build-id of the file open at fd; when ino is known, only if fd is
 * that inode (a file replaced since it was mapped is another build). The
 * device is compared only when it agrees: overlayfs reports the upper
 * inode to stat and the real one in the mapping. */
static int fd_build_id(int fd, uint64_t dev, uint64_t ino, uint8_t id[20])
{
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return 0;
	if (ino && st.st_dev == dev && st.st_ino != ino)
		return 0;
	elf_version(EV_CURRENT);
	Elf *e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	size_t len = e && elf_kind(e) == ELF_K_ELF ? elf_build_id(e, id, 20) : 0;
	if (e)
		elf_end(e);
	return (int)len;
}

int mapped_build_id(uint32_t pid, uint64_t start, uint64_t end, const char *path, uint64_t dev, uint64_t ino,
		    uint8_t id[20])
{
	char mf[96];
	snprintf(mf, sizeof(mf), "/proc/%" PRIu32 "/map_files/%" PRIx64 "-%" PRIx64, pid, start, end);
	int len = 0;
	int fd = open(mf, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		len = fd_build_id(fd, 0, 0, id);
		close(fd);
		if (len)
			return len;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	len = fd_build_id(fd, dev, ino, id);
	close(fd);
	return len;
}

void mapped_files_note(struct mapped_files *mf, struct sd_mmap *m, const struct kmmap2 *k)
{
	if (m->filename[0] != '/')
		return; /* anonymous memory, [vdso], [stack]: no file */
	if (k && !m->build_id_len) {
		uint64_t dev = makedev(k->maj, k->min);
		uint64_t key = hash_u64(dev ^ hash_u64(k->ino ^ hash_u64(k->ino_generation)));
		const struct mapped_id *got;
		for (;; key = hash_u64(key + 1)) {
			bool fresh;
			uint64_t *slot = u64map_upsert(&mf->by_inode, key, mf->ids.n + 1, &fresh);
			if (fresh) {
				struct mapped_id read = { dev, k->ino, k->ino_generation, { 0 }, 0 };
				read.len = (uint8_t)mapped_build_id(m->pid, m->start, m->start + m->len, m->filename,
								    dev, k->ino, read.id);
				vec_push(&mf->ids, read);
				got = &mf->ids.v[mf->ids.n - 1];
				break;
			}
			got = &mf->ids.v[*slot - 1];
			if (got->dev == dev && got->ino == k->ino && got->generation == k->ino_generation)
				break;
		}
		memcpy(m->build_id, got->id, got->len);
		m->build_id_len = got->len;
	}
	buildid_list_add(&mf->list, m->filename, m->build_id, m->build_id_len);
}

void mapped_files_free(struct mapped_files *mf)
{
	buildid_list_free(&mf->list);
	u64map_free(&mf->by_inode);
	vec_free(&mf->ids);
}
