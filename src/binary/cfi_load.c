/* CFI tables for sonde itself: cfi_table.c's tables with sonde's
 * allocator, zlib/zstd for compressed .debug_frame sections, and the
 * search for a separate debug file (build-id directories, .gnu_debuglink,
 * SONDE_DEBUG_DIRS) with libelf. The preloaded runtime has none of these
 * and passes its own struct cfi_env. */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "binary/cfi.h"
#include "binary/cfi_table.h"
#include "binary/elf_symbols.h"
#include "util/die.h"

#define CFI_MAX_DECOMPRESSED (512u << 20)

static void *decompress(const uint8_t *d, size_t len, size_t *out_len)
{
	Elf64_Chdr ch;
	if (len < sizeof(ch))
		return NULL;
	memcpy(&ch, d, sizeof(ch));
	if (ch.ch_size == 0 || ch.ch_size > CFI_MAX_DECOMPRESSED)
		return NULL;
	uint8_t *out = malloc(ch.ch_size);
	if (!out)
		return NULL;
	bool ok = false;
	if (ch.ch_type == ELFCOMPRESS_ZLIB) {
		uLongf dl = (uLongf)ch.ch_size;
		ok = uncompress(out, &dl, d + sizeof(ch), (uLong)(len - sizeof(ch))) == Z_OK && dl == ch.ch_size;
	} else if (ch.ch_type == 2 /* ELFCOMPRESS_ZSTD */) {
		size_t r = ZSTD_decompress(out, ch.ch_size, d + sizeof(ch), len - sizeof(ch));
		ok = !ZSTD_isError(r) && r == ch.ch_size;
	}
	if (!ok) {
		free(out);
		return NULL;
	}
	*out_len = ch.ch_size;
	return out;
}

/* A candidate debug file: taken if its build-id (when both have one) is
 * the binary's. */
static bool try_debug_file(struct cfi_table *t, const char *path, const uint8_t *bid, size_t bid_len)
{
	if (bid_len) {
		int fd;
		Elf *e = elf_open_file(path, &fd);
		if (!e)
			return false;
		uint8_t got[ELF_BUILD_ID_MAX];
		size_t got_len = elf_build_id(e, got, sizeof(got));
		elf_close_file(e, fd);
		if (got_len && (got_len != bid_len || memcmp(got, bid, bid_len)))
			return false;
	}
	return cfi_table_debug_file(t, path);
}

static void find_debug(struct cfi_table *t, const char *path)
{
	int fd;
	Elf *e = elf_open_file(path, &fd);
	if (!e)
		return;
	uint8_t bid[ELF_BUILD_ID_MAX];
	size_t bid_len = elf_build_id(e, bid, sizeof(bid));
	char link[256];
	uint32_t crc;
	bool have_link = elf_debuglink(e, link, sizeof(link), &crc);
	elf_close_file(e, fd);
	const char *roots_env = getenv("SONDE_DEBUG_DIRS");
	char *roots = xasprintf("%s%s/usr/lib/debug", roots_env ? roots_env : "", roots_env ? ":" : "");
	char hex[2 * ELF_BUILD_ID_MAX + 1];
	for (size_t i = 0; i < bid_len; i++)
		snprintf(hex + 2 * i, 3, "%02x", bid[i]);
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	if (slash)
		*slash = 0;
	else
		strcpy(dir, ".");
	bool found = false;
	for (char *save = NULL, *root = strtok_r(roots, ":", &save); root && !found;
	     root = strtok_r(NULL, ":", &save)) {
		if (bid_len >= 2) {
			char *p = xasprintf("%s/.build-id/%.2s/%s.debug", root, hex, hex + 2);
			found = try_debug_file(t, p, bid, bid_len);
			free(p);
		}
		if (!found && have_link) {
			char *p = xasprintf("%s%s%s/%s", root, dir[0] == '/' ? "" : "/", dir, link);
			found = try_debug_file(t, p, bid, bid_len);
			free(p);
		}
	}
	if (!found && have_link) {
		char *p = xasprintf("%s/.debug/%s", dir, link);
		try_debug_file(t, p, bid, bid_len);
		free(p);
	}
	free(dir);
	free(roots);
}

static const struct cfi_env sonde_env = { xmalloc, xrealloc, free, decompress, find_debug };

struct cfi_table *cfi_table_load(const char *path)
{
	return cfi_table_open(&sonde_env, path);
}

struct cfi_table *cfi_table_from_memory(const void *elf, size_t len)
{
	return cfi_table_image(&sonde_env, elf, len);
}

struct cfi_table *cfi_table_from_sections(const uint8_t *eh_frame, size_t eh_len, uint64_t eh_vaddr,
					  const uint8_t *hdr, size_t hdr_len, uint64_t hdr_vaddr,
					  const uint8_t *debug_frame, size_t dbg_len)
{
	return cfi_table_sections(&sonde_env, eh_frame, eh_len, eh_vaddr, hdr, hdr_len, hdr_vaddr, debug_frame,
				  dbg_len);
}
