/* CFI tables over ELF images: .eh_frame (indexed by .eh_frame_hdr, or by
 * an index built at load time), .debug_frame (the image's own, or one from
 * a separate debug file the host finds, loaded on the first address
 * .eh_frame does not cover), and a per-table cache of compact rules.
 *
 * The ELF image is mmap'd (files) or copied (memory images) and parsed
 * here with bounds checks on every read: FDEs are parsed on demand, so
 * loading a large binary costs a few header reads. What the host provides
 * (allocation, decompression, debug files) comes through struct cfi_env:
 * the preloaded runtime compiles this file as it is. */
#include "binary/cfi_table.h"

#include <elf.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "binary/cfi.h"

#define CFI_CACHE_BITS 10
#define CFI_CACHE_SLOTS (1u << CFI_CACHE_BITS)
#define CFI_MAX_LOADS 32

/* ---- the table ------------------------------------------------------------- */

struct cache_slot {
	uint64_t key;
	struct cfi_rule rule;
};

/* A PT_LOAD segment. */
struct cfi_load {
	uint64_t offset, vaddr, filesz;
	bool exec;
};

struct cfi_table {
	const struct cfi_env *env;
	/* the image: mmap'd file or copy from env->alloc */
	void *image;
	size_t image_len;
	bool image_mapped;
	char *path; /* for finding the debug file later */

	struct cfi_load loads[CFI_MAX_LOADS];
	size_t nloads;

	struct cfi_section eh;
	struct cfi_section hdr; /* .eh_frame_hdr, if it has a usable table */
	const uint8_t *hdr_table;
	size_t hdr_count, hdr_entsz;
	uint8_t hdr_enc;
	struct cfi_fde_index eh_idx; /* when there is no usable hdr table */

	bool dbg_tried;
	struct cfi_section dbg;
	struct cfi_fde_index dbg_idx;
	void *dbg_map; /* mmap of the debug file */
	size_t dbg_map_len;
	void *dbg_buf; /* decompressed .debug_frame (env->free) */

	uint64_t lookups, hits;
	struct cache_slot cache[CFI_CACHE_SLOTS];
};

static struct cfi_table *table_new(const struct cfi_env *env)
{
	struct cfi_table *t = env->alloc(sizeof(*t));
	memset(t, 0, sizeof(*t));
	t->env = env;
	for (size_t i = 0; i < CFI_CACHE_SLOTS; i++)
		t->cache[i].key = UINT64_MAX;
	t->eh.eh = true;
	return t;
}

static size_t entsz_of(uint8_t enc)
{
	switch (enc & 0x0f) {
	case 0x02: case 0x0a: return 2;
	case 0x03: case 0x0b: return 4;
	case 0x00: case 0x04: case 0x08: case 0x0c: return 8;
	default: return 0;
	}
}

/* Parses .eh_frame_hdr; returns the eh_frame pointer it names (0 if none). */
static uint64_t setup_hdr(struct cfi_table *t, const uint8_t *hdr, size_t len, uint64_t vaddr)
{
	t->hdr = (struct cfi_section){ hdr, len, vaddr, 0, vaddr, true };
	if (!hdr || len < 4 || hdr[0] != 1)
		return 0;
	const uint8_t *p = hdr + 4, *end = hdr + len;
	uint64_t eh_ptr = 0, count = 0;
	if (!cfi_read_encoded(&p, end, hdr[1], &t->hdr, 0, &eh_ptr))
		return 0;
	if (hdr[2] == DW_EH_PE_omit || hdr[3] == DW_EH_PE_omit)
		return eh_ptr;
	if (!cfi_read_encoded(&p, end, hdr[2], &t->hdr, 0, &count))
		return eh_ptr;
	size_t es = entsz_of(hdr[3]);
	if (!es || (hdr[3] & 0x70) == 0x50)
		return eh_ptr;
	size_t room = (size_t)(end - p) / (2 * es);
	if (count > room)
		count = room;
	if (count == 0)
		return eh_ptr;
	t->hdr_table = p;
	t->hdr_count = (size_t)count;
	t->hdr_entsz = es;
	t->hdr_enc = hdr[3];
	return eh_ptr;
}

static bool hdr_entry(const struct cfi_table *t, size_t i, uint64_t *loc, uint64_t *fde)
{
	const uint8_t *p = t->hdr_table + i * 2 * t->hdr_entsz;
	const uint8_t *end = t->hdr.data + t->hdr.len;
	return cfi_read_encoded(&p, end, t->hdr_enc, &t->hdr, 0, loc) &&
	       cfi_read_encoded(&p, end, t->hdr_enc, &t->hdr, 0, fde);
}

static bool hdr_find(const struct cfi_table *t, uint64_t pc, uint64_t *off)
{
	uint64_t loc, fde;
	if (!hdr_entry(t, 0, &loc, &fde) || pc < loc)
		return false;
	size_t lo = 0, hi = t->hdr_count;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (!hdr_entry(t, mid, &loc, &fde))
			return false;
		if (loc <= pc)
			lo = mid;
		else
			hi = mid;
	}
	if (!hdr_entry(t, lo, &loc, &fde) || fde < t->eh.vaddr || fde - t->eh.vaddr >= t->eh.len)
		return false;
	*off = fde - t->eh.vaddr;
	return true;
}

/* After the sections are known: use the hdr table or build an index. */
/* After the sections are known: use the hdr table or build an index. */
static void finish_eh(struct cfi_table *t)
{
	if (!t->eh.data || !t->eh.len) {
		t->hdr_table = NULL;
		t->hdr_count = 0;
		return;
	}
	if (!t->hdr_table)
		cfi_index_build(&t->eh, &t->eh_idx, t->env->realloc);
}

/* ---- ELF parsing (own, bounds-checked; 64-bit little-endian) ---------------- */

struct elf_img {
	const uint8_t *p;
	size_t len;
	Elf64_Ehdr eh;
	size_t shnum, shstrndx;
};

static bool img_open(struct elf_img *im, const void *p, size_t len)
{
	im->p = p;
	im->len = len;
	if (len < sizeof(Elf64_Ehdr))
		return false;
	memcpy(&im->eh, p, sizeof(im->eh));
	if (memcmp(im->eh.e_ident, ELFMAG, SELFMAG) || im->eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    im->eh.e_ident[EI_DATA] != ELFDATA2LSB)
		return false;
	im->shnum = im->eh.e_shnum;
	im->shstrndx = im->eh.e_shstrndx;
	if (im->eh.e_shoff && im->eh.e_shentsize >= sizeof(Elf64_Shdr) && im->eh.e_shoff < len &&
	    len - im->eh.e_shoff >= sizeof(Elf64_Shdr)) {
		Elf64_Shdr s0;
		memcpy(&s0, im->p + im->eh.e_shoff, sizeof(s0));
		if (im->shnum == 0)
			im->shnum = s0.sh_size;
		if (im->shstrndx == SHN_XINDEX)
			im->shstrndx = s0.sh_link;
	} else {
		im->shnum = 0;
	}
	if (im->shnum && (im->shnum > (len - im->eh.e_shoff) / im->eh.e_shentsize))
		im->shnum = (len - im->eh.e_shoff) / im->eh.e_shentsize;
	return true;
}

static bool img_shdr(const struct elf_img *im, size_t i, Elf64_Shdr *sh)
{
	if (i >= im->shnum)
		return false;
	memcpy(sh, im->p + im->eh.e_shoff + i * im->eh.e_shentsize, sizeof(*sh));
	return true;
}

static size_t img_phnum(const struct elf_img *im)
{
	if (!im->eh.e_phoff || im->eh.e_phentsize < sizeof(Elf64_Phdr) || im->eh.e_phoff >= im->len)
		return 0;
	size_t n = im->eh.e_phnum, room = (im->len - im->eh.e_phoff) / im->eh.e_phentsize;
	return n < room ? n : room;
}

static void img_phdr(const struct elf_img *im, size_t i, Elf64_Phdr *ph)
{
	memcpy(ph, im->p + im->eh.e_phoff + i * im->eh.e_phentsize, sizeof(*ph));
}

/* Finds a section by name; its bytes in the image (NULL for NOBITS/out of bounds). */
static bool img_section(const struct elf_img *im, const char *name, Elf64_Shdr *out, const uint8_t **data)
{
	Elf64_Shdr strs;
	if (!img_shdr(im, im->shstrndx, &strs) || strs.sh_offset >= im->len)
		return false;
	size_t strs_len = im->len - strs.sh_offset < strs.sh_size ? im->len - strs.sh_offset : strs.sh_size;
	const char *names = (const char *)im->p + strs.sh_offset;
	size_t nlen = strlen(name);
	for (size_t i = 1; i < im->shnum; i++) {
		Elf64_Shdr sh;
		img_shdr(im, i, &sh);
		if (sh.sh_name >= strs_len || strs_len - sh.sh_name < nlen + 1 || memcmp(names + sh.sh_name, name, nlen + 1))
			continue;
		*out = sh;
		*data = NULL;
		if (sh.sh_type != SHT_NOBITS && sh.sh_offset <= im->len && sh.sh_size <= im->len - sh.sh_offset)
			*data = im->p + sh.sh_offset;
		return true;
	}
	return false;
}

/* vaddr -> bytes through PT_LOAD (for images without section headers). */
static const uint8_t *img_vaddr(const struct elf_img *im, uint64_t vaddr, size_t *avail)
{
	size_t n = img_phnum(im);
	for (size_t i = 0; i < n; i++) {
		Elf64_Phdr ph;
		img_phdr(im, i, &ph);
		if (ph.p_type != PT_LOAD || vaddr < ph.p_vaddr || vaddr - ph.p_vaddr >= ph.p_filesz)
			continue;
		uint64_t off = ph.p_offset + (vaddr - ph.p_vaddr);
		uint64_t seg_end = ph.p_offset + ph.p_filesz;
		if (off >= im->len || seg_end < off)
			return NULL;
		if (seg_end > im->len)
			seg_end = im->len;
		*avail = (size_t)(seg_end - off);
		return im->p + off;
	}
	return NULL;
}

/* The .debug_frame bytes of an image, decompressed if needed (into *buf). */
/* The .debug_frame bytes of an image, decompressed by the host if needed
 * (into *buf). */
static const uint8_t *img_debug_frame(const struct cfi_env *env, const struct elf_img *im, size_t *len, void **buf)
{
	Elf64_Shdr sh;
	const uint8_t *d;
	*buf = NULL;
	if (!img_section(im, ".debug_frame", &sh, &d) || !d || !sh.sh_size)
		return NULL;
	if (!(sh.sh_flags & SHF_COMPRESSED)) {
		*len = sh.sh_size;
		return d;
	}
	size_t dl = 0;
	uint8_t *out = env->decompress ? env->decompress(d, sh.sh_size, &dl) : NULL;
	if (!out)
		return NULL;
	*buf = out;
	*len = dl;
	return out;
}

static void load_image(struct cfi_table *t)
{
	struct elf_img im;
	if (!img_open(&im, t->image, t->image_len))
		return;
	size_t nph = img_phnum(&im);
	uint64_t gnu_eh = 0, gnu_eh_len = 0;
	bool have_gnu_eh = false;
	for (size_t i = 0; i < nph; i++) {
		Elf64_Phdr ph;
		img_phdr(&im, i, &ph);
		if (ph.p_type == PT_LOAD && t->nloads < CFI_MAX_LOADS) {
			t->loads[t->nloads++] = (struct cfi_load){ ph.p_offset, ph.p_vaddr, ph.p_filesz, (ph.p_flags & PF_X) != 0 };
		}
		else if (ph.p_type == PT_GNU_EH_FRAME) {
			gnu_eh = ph.p_vaddr;
			gnu_eh_len = ph.p_filesz;
			have_gnu_eh = true;
		}
	}
	Elf64_Shdr sh;
	const uint8_t *d;
	uint64_t text_vaddr = 0, got_vaddr = 0;
	if (img_section(&im, ".text", &sh, &d))
		text_vaddr = sh.sh_addr;
	if (img_section(&im, ".got", &sh, &d))
		got_vaddr = sh.sh_addr;
	uint64_t eh_ptr = 0;
	if (img_section(&im, ".eh_frame_hdr", &sh, &d) && d) {
		eh_ptr = setup_hdr(t, d, sh.sh_size, sh.sh_addr);
	} else if (have_gnu_eh) {
		size_t avail;
		const uint8_t *h = img_vaddr(&im, gnu_eh, &avail);
		if (h)
			eh_ptr = setup_hdr(t, h, gnu_eh_len < avail ? gnu_eh_len : avail, gnu_eh);
	}
	if (img_section(&im, ".eh_frame", &sh, &d) && d) {
		t->eh = (struct cfi_section){ d, sh.sh_size, sh.sh_addr, text_vaddr, got_vaddr, true };
	} else if (eh_ptr) {
		size_t avail;
		const uint8_t *e = img_vaddr(&im, eh_ptr, &avail);
		if (e)
			t->eh = (struct cfi_section){ e, avail, eh_ptr, text_vaddr, got_vaddr, true };
	}
	finish_eh(t);
}

struct cfi_table *cfi_table_image(const struct cfi_env *env, const void *elf, size_t len)
{
	struct cfi_table *t = table_new(env);
	if (elf && len) {
		t->image = env->alloc(len);
		memcpy(t->image, elf, len);
		t->image_len = len;
		load_image(t);
	}
	return t;
}

static void *map_file(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct stat st;
	void *p = NULL;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
		p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (p == MAP_FAILED)
			p = NULL;
		else
			*len = (size_t)st.st_size;
	}
	close(fd);
	return p;
}

struct cfi_table *cfi_table_open(const struct cfi_env *env, const char *path)
{
	struct cfi_table *t = table_new(env);
	if (!path)
		return t;
	size_t n = strlen(path) + 1;
	t->path = env->alloc(n);
	memcpy(t->path, path, n);
	size_t len = 0;
	void *p = map_file(path, &len);
	if (p) {
		t->image = p;
		t->image_len = len;
		t->image_mapped = true;
		load_image(t);
	}
	return t;
}

struct cfi_table *cfi_table_sections(const struct cfi_env *env, const uint8_t *eh_frame, size_t eh_len,
				     uint64_t eh_vaddr, const uint8_t *hdr, size_t hdr_len, uint64_t hdr_vaddr,
				     const uint8_t *debug_frame, size_t dbg_len)
{
	struct cfi_table *t = table_new(env);
	/* One buffer holds the copies: [eh_frame][hdr][debug_frame]. */
	size_t total = eh_len + hdr_len + dbg_len;
	uint8_t *buf = env->alloc(total ? total : 1);
	if (eh_len)
		memcpy(buf, eh_frame, eh_len);
	if (hdr_len)
		memcpy(buf + eh_len, hdr, hdr_len);
	if (dbg_len)
		memcpy(buf + eh_len + hdr_len, debug_frame, dbg_len);
	t->image = buf;
	t->image_len = total;
	if (hdr && hdr_len)
		setup_hdr(t, buf + eh_len, hdr_len, hdr_vaddr);
	if (eh_frame && eh_len)
		t->eh = (struct cfi_section){ buf, eh_len, eh_vaddr, 0, 0, true };
	finish_eh(t);
	t->dbg_tried = true;
	if (debug_frame && dbg_len) {
		t->dbg = (struct cfi_section){ buf + eh_len + hdr_len, dbg_len, 0, 0, 0, false };
		cfi_index_build(&t->dbg, &t->dbg_idx, env->realloc);
	}
	return t;
}

/* ---- .debug_frame, loaded on the first miss ------------------------------------ */

bool cfi_table_debug_file(struct cfi_table *t, const char *path)
{
	size_t len = 0;
	void *p = map_file(path, &len);
	if (!p)
		return false;
	struct elf_img im;
	size_t dlen = 0;
	void *buf = NULL;
	const uint8_t *d = img_open(&im, p, len) ? img_debug_frame(t->env, &im, &dlen, &buf) : NULL;
	if (!d) {
		munmap(p, len);
		return false;
	}
	t->dbg_map = p;
	t->dbg_map_len = len;
	t->dbg_buf = buf;
	t->dbg = (struct cfi_section){ d, dlen, 0, 0, 0, false };
	return true;
}

static void load_debug_frame(struct cfi_table *t)
{
	t->dbg_tried = true;
	struct elf_img im;
	if (t->image && img_open(&im, t->image, t->image_len)) {
		size_t dlen = 0;
		void *buf = NULL;
		const uint8_t *d = img_debug_frame(t->env, &im, &dlen, &buf);
		if (d) {
			t->dbg_buf = buf;
			t->dbg = (struct cfi_section){ d, dlen, 0, 0, 0, false };
		}
	}
	if (!t->dbg.data && t->path && t->image && t->env->find_debug)
		t->env->find_debug(t, t->path);
	if (t->dbg.data)
		cfi_index_build(&t->dbg, &t->dbg_idx, t->env->realloc);
}

/* ---- lookups ---------------------------------------------------------------- */

enum cfi_status cfi_table_row(struct cfi_table *t, uint64_t vaddr, struct cfi_row *row)
{
	uint64_t off;
	struct cfi_fde f;
	enum cfi_status st = CFI_NOT_FOUND;
	bool found = t->hdr_table ? hdr_find(t, vaddr, &off) : cfi_index_find(&t->eh_idx, vaddr, &off);
	if (found) {
		st = cfi_parse_fde(&t->eh, (size_t)off, &f);
		if (st == CFI_OK)
			st = cfi_run(&f, vaddr, row);
		if (st == CFI_OK)
			return st;
	}
	if (!t->dbg_tried)
		load_debug_frame(t);
	if (cfi_index_find(&t->dbg_idx, vaddr, &off)) {
		enum cfi_status s2 = cfi_parse_fde(&t->dbg, (size_t)off, &f);
		if (s2 == CFI_OK)
			s2 = cfi_run(&f, vaddr, row);
		if (s2 != CFI_NOT_FOUND)
			st = s2;
	}
	return st == CFI_OK ? st : (found && st == CFI_ERR ? CFI_ERR : CFI_NOT_FOUND);
}

bool cfi_table_fde_range(struct cfi_table *t, uint64_t vaddr, uint64_t *start, uint64_t *end)
{
	uint64_t off;
	struct cfi_fde f;
	bool found = t->hdr_table ? hdr_find(t, vaddr, &off) : cfi_index_find(&t->eh_idx, vaddr, &off);
	if (!found || cfi_parse_fde(&t->eh, (size_t)off, &f) != CFI_OK || vaddr < f.pc_begin || vaddr >= f.pc_end)
		return false;
	*start = f.pc_begin;
	*end = f.pc_end;
	return true;
}

struct cfi_rule cfi_table_rule(struct cfi_table *t, uint64_t vaddr)
{
	t->lookups++;
	struct cache_slot *s = &t->cache[(vaddr * 0x9E3779B97F4A7C15ull) >> (64 - CFI_CACHE_BITS)];
	if (s->key == vaddr) {
		t->hits++;
		return s->rule;
	}
	struct cfi_row row;
	struct cfi_rule rule = { .kind = CFI_RULE_NONE };
	enum cfi_status st = cfi_table_row(t, vaddr, &row);
	if (st == CFI_OK)
		rule = cfi_rule_from_row(&row);
	else if (st == CFI_ERR)
		rule.kind = CFI_RULE_ERR;
	s->key = vaddr;
	s->rule = rule;
	return rule;
}

void cfi_table_stats(const struct cfi_table *t, struct cfi_stats *st)
{
	st->lookups = t->lookups;
	st->hits = t->hits;
	st->fde_count = t->hdr_table ? t->hdr_count : t->eh_idx.n;
	st->dbg_fde_count = t->dbg_idx.n;
	st->has_hdr = t->hdr_table != NULL;
}

bool cfi_table_offset_to_vaddr(const struct cfi_table *t, uint64_t off, uint64_t *vaddr)
{
	if (!t)
		return false;
	/* Executable segments first: the maps we are given are executable, and
	 * with lld's layout (p_offset != p_vaddr mod 64K, segments sharing a
	 * file page) the page-aligned pgoff of the text mapping also lies in
	 * the read-only segment before it. */
	for (size_t i = 0; i < t->nloads; i++) {
		const struct cfi_load *l = &t->loads[i];
		uint64_t page = l->offset & ~(uint64_t)0xfff;
		if (!l->exec || off < page || off >= l->offset + l->filesz)
			continue;
		*vaddr = l->vaddr - (l->offset - off);
		return true;
	}
	for (size_t i = 0; i < t->nloads; i++) {
		const struct cfi_load *l = &t->loads[i];
		if (off >= l->offset && off - l->offset < l->filesz) {
			*vaddr = l->vaddr + (off - l->offset);
			return true;
		}
	}
	return false;
}

void cfi_table_free(struct cfi_table *t)
{
	if (!t)
		return;
	void (*release)(void *) = t->env->free;
	if (t->image_mapped)
		munmap(t->image, t->image_len);
	else
		release(t->image);
	if (t->dbg_map)
		munmap(t->dbg_map, t->dbg_map_len);
	release(t->dbg_buf);
	release(t->eh_idx.v);
	release(t->dbg_idx.v);
	release(t->path);
	release(t);
}
