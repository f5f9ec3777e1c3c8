/* The --sections model: every section's file and VM bytes, the pseudo-rows
 * that cover the rest of the file and of the PT_LOAD segments, the bytes by
 * kind and the strip estimates. Bytes claimed twice (overlapping sections
 * of a hostile file) count once, for the first claimant, so the columns
 * always add up to the TOTAL row. */
#include "bloat/bloat_sections.h"

#include <ar.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "binary/elf_symbols.h"
#include "bloat/bloat_claim.h"
#include "util/die.h"
#include "util/satadd.h"
#include "util/vec.h"

struct reader {
	VEC(struct bloat_sec_row) rows;
	VEC(struct bloat_claim) file, vm;
	uint64_t file_size;
	bool capped;
};

static size_t add_row(struct reader *r, const char *name, enum bloat_sec_kind kind)
{
	struct bloat_sec_row row = { .name = xstrdup(name), .kind = kind, .nsec = 0 };
	vec_push(&r->rows, row);
	return r->rows.n - 1;
}

/* [start, start + len) clipped to what a uint64_t (and, in the file, the
 * file) can hold. */
static void claim(struct reader *r, bool in_file, uint64_t start, uint64_t len, size_t owner)
{
	uint64_t end = sat_add(start, len, &r->capped);
	if (in_file && end > r->file_size)
		end = r->file_size;
	struct bloat_claim c = { start, end, owner };
	if (in_file)
		vec_push(&r->file, c);
	else
		vec_push(&r->vm, c);
}

static bool has_prefix(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

/* The sections `strip --strip-debug` removes (binutils' idea of debugging
 * sections), and their relocation sections in a .o. */
static bool is_debug_name(const char *name)
{
	if (has_prefix(name, ".rela."))
		name += 5;
	else if (has_prefix(name, ".rel."))
		name += 4;
	static const char *const pre[] = { ".debug", ".zdebug", ".gnu.debuglto_", ".stab", ".line", ".gdb_index",
					   ".gnu.linkonce.wi.", NULL };
	for (int i = 0; pre[i]; i++)
		if (has_prefix(name, pre[i]))
			return true;
	return false;
}

static enum bloat_sec_kind section_kind(const GElf_Shdr *sh, const char *name, bool symtab_strings)
{
	if (sh->sh_flags & SHF_ALLOC)
		return BLOAT_LOADED;
	if (is_debug_name(name))
		return BLOAT_DEBUG;
	if (sh->sh_type == SHT_SYMTAB || sh->sh_type == SHT_SYMTAB_SHNDX || symtab_strings)
		return BLOAT_SYMTAB;
	return BLOAT_OTHER;
}

static int fail(char *err, size_t errsz, const char *fmt, ...) SONDE_PRINTF(3, 4);
static int fail(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
	return -1;
}

static bool past_end(uint64_t off, uint64_t len, uint64_t size)
{
	return off > size || len > size - off;
}

/* The section header table: one row per section, its claims. */
static int read_sections(struct reader *r, Elf *elf, size_t shnum, bool rel, char *err, size_t errsz)
{
	size_t shstrndx;
	if (elf_getshdrstrndx(elf, &shstrndx))
		shstrndx = SHN_UNDEF; /* names unknown: rows by index */
	GElf_Shdr *sh = xcalloc(shnum ? shnum : 1, sizeof(*sh));
	bool *strtab = xcalloc(shnum ? shnum : 1, sizeof(*strtab));
	int rc = 0;
	for (size_t i = 1; i < shnum; i++) {
		Elf_Scn *scn = elf_getscn(elf, i);
		if (!scn || !gelf_getshdr(scn, &sh[i])) {
			rc = fail(err, errsz, "section header %zu can't be read: the file is corrupt", i);
			goto out;
		}
		if (sh[i].sh_type == SHT_SYMTAB && sh[i].sh_link < shnum)
			strtab[sh[i].sh_link] = true;
	}
	for (size_t i = 1; i < shnum; i++) {
		bool nobits = sh[i].sh_type == SHT_NOBITS;
		if (!nobits && sh[i].sh_size && past_end(sh[i].sh_offset, sh[i].sh_size, r->file_size)) {
			rc = fail(err, errsz,
				  "section %zu (%llu bytes at offset %llu) runs past the end of the file (%llu bytes): "
				  "the file is truncated or corrupt",
				  i, (unsigned long long)sh[i].sh_size, (unsigned long long)sh[i].sh_offset,
				  (unsigned long long)r->file_size);
			goto out;
		}
		const char *name = shstrndx != SHN_UNDEF ? elf_strptr(elf, shstrndx, sh[i].sh_name) : NULL;
		char unnamed[40];
		if (!name || !*name) {
			snprintf(unnamed, sizeof(unnamed), "[section %zu]", i);
			name = unnamed;
		}
		size_t row = add_row(r, name, section_kind(&sh[i], name, strtab[i]));
		struct bloat_sec_row *rw = &r->rows.v[row];
		rw->nsec = 1;
		if (!nobits)
			claim(r, true, sh[i].sh_offset, sh[i].sh_size, row);
		if (!(sh[i].sh_flags & SHF_ALLOC))
			continue;
		/* .tbss overlaps the sections after it: its memory is per thread. */
		if ((sh[i].sh_flags & SHF_TLS) && nobits) {
			rw->tls_bss = true;
			rw->vm = sh[i].sh_size;
		} else if (rel) {
			/* A .o's sections all start at 0: each is a space of its own. */
			rw->vm = sh[i].sh_size;
		} else {
			claim(r, false, sh[i].sh_addr, sh[i].sh_size, row);
		}
	}
out:
	free(sh);
	free(strtab);
	return rc;
}

/* PT_LOAD segments: what of them no section covers, as bloaty's
 * [LOAD #i [RWX]] rows (i: the index in the program header table). */
static int read_segments(struct reader *r, Elf *elf, size_t phnum, char *err, size_t errsz)
{
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(elf, (int)i, &ph))
			return fail(err, errsz, "program header %zu can't be read: the file is corrupt", i);
		if (ph.p_type != PT_LOAD)
			continue;
		if (ph.p_filesz && past_end(ph.p_offset, ph.p_filesz, r->file_size))
			return fail(err, errsz,
				    "segment %zu (%llu bytes at offset %llu) runs past the end of the file (%llu bytes): "
				    "the file is truncated or corrupt",
				    i, (unsigned long long)ph.p_filesz, (unsigned long long)ph.p_offset,
				    (unsigned long long)r->file_size);
		char name[48];
		snprintf(name, sizeof(name), "[LOAD #%zu [%s%s%s]]", i, ph.p_flags & PF_R ? "R" : "",
			 ph.p_flags & PF_W ? "W" : "", ph.p_flags & PF_X ? "X" : "");
		size_t row = add_row(r, name, BLOAT_LOADED);
		claim(r, true, ph.p_offset, ph.p_filesz, row);
		claim(r, false, ph.p_vaddr, ph.p_memsz, row);
	}
	return 0;
}

static int cmp_name(const void *a, const void *b)
{
	const struct bloat_sec_row *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	/* One name, two kinds (a hostile file): loaded wins, then debug, ... */
	return c ? c : (int)x->kind - (int)y->kind;
}

static int cmp_size(const void *a, const void *b)
{
	const struct bloat_sec_row *x = a, *y = b;
	uint64_t mx = x->file > x->vm ? x->file : x->vm, my = y->file > y->vm ? y->file : y->vm;
	if (mx != my)
		return mx > my ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* The totals by kind, .tbss and a .o's VM, from the rows before the merge
 * (a merged row may mix kinds, or .tbss and other sections). */
static void sum_kinds(struct reader *r, struct bloat_sections *s)
{
	for (size_t i = 0; i < r->rows.n; i++) {
		struct bloat_sec_row *x = &r->rows.v[i];
		s->kind_file[x->kind] += x->file;
		s->kind_nsec[x->kind] += x->nsec;
		if (x->nsec)
			s->kind_names[x->kind] += strlen(x->name) + 1;
		if (x->tls_bss) { /* per-thread: apart from the loaded image */
			s->tls_bss = sat_add(s->tls_bss, x->vm, &r->capped);
			continue;
		}
		s->kind_vm[x->kind] = sat_add(s->kind_vm[x->kind], x->vm, &r->capped);
		if (s->relocatable)
			s->vm_size = sat_add(s->vm_size, x->vm, &r->capped);
	}
}

/* Rows of one name become one (bloaty's table is by name); empty rows go. */
static void merge_rows(struct reader *r, struct bloat_sections *s)
{
	qsort(r->rows.v, r->rows.n, sizeof(*r->rows.v), cmp_name);
	size_t n = 0;
	for (size_t i = 0; i < r->rows.n; i++) {
		struct bloat_sec_row *x = &r->rows.v[i];
		if (n && !strcmp(r->rows.v[n - 1].name, x->name)) {
			struct bloat_sec_row *y = &r->rows.v[n - 1];
			y->file += x->file; /* shares of one file: no overflow */
			y->vm = sat_add(y->vm, x->vm, &r->capped);
			y->nsec += x->nsec;
			y->tls_bss |= x->tls_bss;
			free(x->name);
			continue;
		}
		r->rows.v[n++] = *x;
	}
	size_t kept = 0;
	for (size_t i = 0; i < n; i++) {
		struct bloat_sec_row *x = &r->rows.v[i];
		if (!x->file && !x->vm)
			free(x->name);
		else
			r->rows.v[kept++] = *x;
	}
	qsort(r->rows.v, kept, sizeof(*r->rows.v), cmp_size);
	s->rows = r->rows.v;
	s->n = kept;
	r->rows.v = NULL;
	r->rows.n = r->rows.cap = 0;
}

int bloat_sections_read_elf(Elf *elf, uint64_t file_size, struct bloat_sections *s, char *err, size_t errsz)
{
	memset(s, 0, sizeof(*s));
	struct reader r = { .file_size = file_size };
	GElf_Ehdr eh;
	size_t shnum, phnum;
	if (!gelf_getehdr(elf, &eh))
		return fail(err, errsz, "its ELF header can't be read: the file is truncated or corrupt");
	if (elf_getshdrnum(elf, &shnum) || elf_getphdrnum(elf, &phnum))
		return fail(err, errsz, "its header tables can't be read (%s): the file is corrupt", elf_errmsg(-1));
	size_t shent = gelf_fsize(elf, ELF_T_SHDR, 1, EV_CURRENT), phent = gelf_fsize(elf, ELF_T_PHDR, 1, EV_CURRENT);
	size_t ehsize = gelf_fsize(elf, ELF_T_EHDR, 1, EV_CURRENT);
	/* libelf drops a section table that lies past the end: check e_shoff
	 * itself (e_shnum 0 with an e_shoff: the count is in entry 0). */
	uint64_t table = (uint64_t)(shnum > eh.e_shnum ? shnum : eh.e_shnum ? eh.e_shnum : 1) * shent;
	if (eh.e_shoff && past_end(eh.e_shoff, table, file_size))
		return fail(err, errsz, "its section header table runs past the end of the file: the file is truncated or corrupt");
	if (phnum && past_end(eh.e_phoff, (uint64_t)phnum * phent, file_size))
		return fail(err, errsz, "its program header table runs past the end of the file: the file is truncated or corrupt");
	s->file_size = file_size;
	s->relocatable = eh.e_type == ET_REL;
	int rc = read_sections(&r, elf, shnum, s->relocatable, err, errsz);
	/* After the sections, as bloaty claims them: the headers, the segments. */
	if (!rc) {
		claim(&r, true, 0, ehsize, add_row(&r, "[ELF Header]", BLOAT_HEADERS));
		if (phnum)
			claim(&r, true, eh.e_phoff, (uint64_t)phnum * phent,
			      add_row(&r, "[ELF Program Headers]", BLOAT_HEADERS));
		if (shnum)
			claim(&r, true, eh.e_shoff, (uint64_t)shnum * shent,
			      add_row(&r, "[ELF Section Headers]", BLOAT_HEADERS));
		rc = read_segments(&r, elf, phnum, err, errsz);
	}
	if (!rc) {
		uint64_t *fshare = xcalloc(r.rows.n + 1, sizeof(*fshare)), *vshare = xcalloc(r.rows.n + 1, sizeof(*vshare));
		uint64_t in_file = bloat_claims_resolve(r.file.v, r.file.n, fshare);
		s->vm_size = bloat_claims_resolve(r.vm.v, r.vm.n, vshare);
		for (size_t i = 0; i < r.rows.n; i++) {
			r.rows.v[i].file = fshare[i];
			r.rows.v[i].vm = sat_add(r.rows.v[i].vm, vshare[i], &r.capped);
		}
		free(fshare);
		free(vshare);
		if (s->relocatable) /* summed from the rows in sum_kinds */
			s->vm_size = 0;
		size_t unmapped = add_row(&r, "[Unmapped]", BLOAT_OTHER); /* may move rows.v */
		r.rows.v[unmapped].file = file_size - in_file;
		sum_kinds(&r, s);
		merge_rows(&r, s);
	}
	for (size_t i = 0; i < r.rows.n; i++)
		free(r.rows.v[i].name);
	vec_free(&r.rows);
	vec_free(&r.file);
	vec_free(&r.vm);
	if (rc)
		return rc;
	uint64_t dbg = (uint64_t)s->kind_nsec[BLOAT_DEBUG] * shent + s->kind_names[BLOAT_DEBUG];
	uint64_t sym = (uint64_t)s->kind_nsec[BLOAT_SYMTAB] * shent + s->kind_names[BLOAT_SYMTAB];
	s->strip_debug_saves = s->kind_file[BLOAT_DEBUG] + dbg;
	s->strip_saves = s->strip_debug_saves + s->kind_file[BLOAT_SYMTAB] + sym;
	return 0;
}

/* Why a file that libelf refused is no ELF we can read, from its first bytes. */
static void not_elf(const char *path, int fd)
{
	char magic[8] = { 0 };
	ssize_t got = fd >= 0 ? pread(fd, magic, sizeof(magic), 0) : -1;
	if (got >= 4 && !memcmp(magic, ELFMAG, SELFMAG))
		error("'%s' is a truncated or corrupt ELF file (its header can't be read); rebuild it or copy it again", path);
	else if (got == 8 && !memcmp(magic, ARMAG, SARMAG))
		error("'%s' is a static library (ar archive); give one of its members (ar x) or a linked binary", path);
	else
		error("'%s' is not an ELF file; give an executable, a shared library or an object (.o) file", path);
}

int bloat_sections_read(const char *path, struct bloat_sections *s)
{
	memset(s, 0, sizeof(*s));
	struct stat st;
	if (stat(path, &st))
		return error("can't read '%s': %s; give the path of a binary", path, strerror(errno));
	if (S_ISDIR(st.st_mode))
		return error("'%s' is a directory; give a binary (an executable, a shared library or a .o file)", path);
	if (!S_ISREG(st.st_mode))
		return error("'%s' is not a regular file; give a binary (an executable, a shared library or a .o file)", path);
	elf_version(EV_CURRENT);
	int fd;
	Elf *elf = elf_open_file(path, &fd);
	if (!elf) {
		if (errno != ENOEXEC)
			return error("can't read '%s': %s", path, strerror(errno));
		int probe = open(path, O_RDONLY | O_CLOEXEC);
		not_elf(path, probe);
		if (probe >= 0)
			close(probe);
		return -1;
	}
	char err[256];
	int rc = -1;
	if (fstat(fd, &st))
		error("can't read '%s': %s", path, strerror(errno));
	else if (bloat_sections_read_elf(elf, (uint64_t)st.st_size, s, err, sizeof(err)))
		error("'%s': %s; rebuild it or copy it again", path, err);
	else
		rc = 0;
	elf_close_file(elf, fd);
	return rc;
}

void bloat_sections_free(struct bloat_sections *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->rows[i].name);
	free(s->rows);
	memset(s, 0, sizeof(*s));
}
