/* Reading a binary's sections and symbols for sonde bloat. */
#include "bloat/bloat_image.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "binary/elf_symbols.h"
#include "binary/symbolizer.h"
#include "bloat/bloat_crate.h"
#include "util/die.h"
#include "util/strbuf.h"

/* Data sections --data counts by default. */
static bool is_data_section(const char *name)
{
	static const char *const prefixes[] = { ".rodata", ".data", ".bss", ".tdata", ".tbss", ".lrodata", ".ldata", ".lbss" };
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t l = strlen(prefixes[i]);
		if (!strncmp(name, prefixes[i], l) && (name[l] == 0 || name[l] == '.'))
			return true;
	}
	return false;
}

static bool in_list(const char *list, const char *name)
{
	size_t nl = strlen(name);
	for (const char *p = list; *p;) {
		while (*p == ',' || *p == ' ')
			p++;
		size_t l = strcspn(p, ", ");
		if (l == nl && !memcmp(p, name, l))
			return true;
		p += l;
	}
	return false;
}

static int read_sections(struct bloat_image *img, const struct bloat_opts *o)
{
	size_t shstrndx;
	if (elf_getshdrstrndx(img->elf, &shstrndx) < 0) {
		error("'%s': its section headers are damaged; cannot count its sections", img->path);
		return -1;
	}
	GElf_Ehdr eh;
	/* an object file's functions are in .text.NAME sections too
	 * (-ffunction-sections, C++'s COMDAT groups, Rust): all of them */
	bool object = gelf_getehdr(img->elf, &eh) && eh.e_type == ET_REL;
	Elf_Scn *scn = NULL;
	struct strbuf label = STRBUF_INIT;
	while ((scn = elf_nextscn(img->elf, scn))) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh))
			continue;
		const char *name = elf_strptr(img->elf, shstrndx, sh.sh_name);
		struct bloat_section s = { name ? name : "", sh.sh_addr, sh.sh_size, sh.sh_offset, sh.sh_flags, sh.sh_type, false };
		if (o->sections)
			s.chosen = in_list(o->sections, s.name);
		else if (o->data)
			s.chosen = (sh.sh_flags & SHF_ALLOC) && is_data_section(s.name);
		else if (object)
			s.chosen = (sh.sh_flags & SHF_ALLOC) && (sh.sh_flags & SHF_EXECINSTR);
		else
			s.chosen = !strcmp(s.name, ".text");
		/* sections without addresses (in a .o) can't be told apart by address */
		if (s.chosen && !(sh.sh_flags & SHF_ALLOC) && !o->sections)
			s.chosen = false;
		/* index = elf_ndxscn; keep the vector dense by index */
		size_t idx = elf_ndxscn(scn);
		while (img->secs.n < idx)
			vec_push(&img->secs, ((struct bloat_section){ "", 0, 0, 0, 0, 0, false }));
		vec_push(&img->secs, s);
		if (s.chosen) {
			img->chosen_size += s.size;
			if (sh.sh_type != SHT_NOBITS)
				img->chosen_file_size += s.size;
			if (++img->chosen_count <= 4) {
				sb_adds(&label, label.len ? ", " : "");
				sb_adds(&label, s.name);
			}
		}
	}
	if (img->chosen_count > 4) {
		char more[64];
		snprintf(more, sizeof(more), " and %zu more", img->chosen_count - 4);
		sb_adds(&label, more);
	}
	/* --symbols-section: every name given must be there */
	for (const char *p = o->sections; p && *p;) {
		while (*p == ',' || *p == ' ')
			p++;
		size_t l = strcspn(p, ", ");
		bool found = false;
		for (size_t i = 0; i < img->secs.n && !found && l; i++)
			found = strlen(img->secs.v[i].name) == l && !memcmp(img->secs.v[i].name, p, l);
		if (l && !found) {
			error("'%s' has no %.*s section; its sections: readelf -S %s", img->path, (int)l, p, img->path);
			sb_free(&label);
			return -1;
		}
		p += l;
	}
	if (!img->chosen_count) {
		error("'%s' has no %s section%s; its sections: readelf -S %s", img->path,
		      o->sections ? o->sections : o->data ? "data (.rodata, .data, .bss)" : ".text",
		      o->sections && strchr(o->sections, ',') ? "s" : "", img->path);
		sb_free(&label);
		return -1;
	}
	img->chosen_label = sb_detach(&label);
	return 0;
}

/* The symbol table to read: .symtab, else .dynsym (a stripped binary). */
static Elf_Scn *symbol_table(Elf *elf)
{
	Elf_Scn *scn = NULL, *dyn = NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_type == SHT_SYMTAB)
			return scn;
		if (sh.sh_type == SHT_DYNSYM)
			dyn = scn;
	}
	return dyn;
}

static int bind_rank(bool local, int bind)
{
	return bind == STB_GLOBAL ? 0 : bind == STB_WEAK ? 1 : local ? 3 : 2;
}

struct cand {
	struct bloat_entry e;
	int rank;
	size_t order;
};
typedef VEC(struct cand) cand_vec;

static int cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	if (x->e.sec != y->e.sec)
		return x->e.sec < y->e.sec ? -1 : 1;
	if (x->e.addr != y->e.addr)
		return x->e.addr < y->e.addr ? -1 : 1;
	/* among aliases: the biggest, a global name, the first in the table */
	if (x->e.size != y->e.size)
		return x->e.size > y->e.size ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static void read_symbols(struct bloat_image *img, cand_vec *cands)
{
	Elf_Scn *scn = symbol_table(img->elf);
	if (!scn)
		return;
	GElf_Shdr sh;
	Elf_Data *d = elf_getdata(scn, NULL);
	if (!gelf_getshdr(scn, &sh) || !d || !sh.sh_entsize)
		return;
	/* more than 65279 sections: the real index is in SHT_SYMTAB_SHNDX */
	Elf_Data *xd = NULL;
	size_t symndx = elf_ndxscn(scn);
	for (Elf_Scn *x = NULL; (x = elf_nextscn(img->elf, x));) {
		GElf_Shdr xs;
		if (gelf_getshdr(x, &xs) && xs.sh_type == SHT_SYMTAB_SHNDX && xs.sh_link == symndx)
			xd = elf_getdata(x, NULL);
	}
	size_t n = d->d_size / sh.sh_entsize;
	for (size_t i = 1; i < n; i++) {
		GElf_Sym s;
		Elf32_Word xndx = 0;
		if (!gelf_getsymshndx(d, xd, (int)i, &s, &xndx) || !s.st_name)
			continue;
		size_t shndx = s.st_shndx == SHN_XINDEX ? xndx : s.st_shndx;
		if (shndx == SHN_UNDEF || (s.st_shndx >= SHN_LORESERVE && s.st_shndx != SHN_XINDEX) || shndx >= img->secs.n)
			continue;
		const struct bloat_section *sec = &img->secs.v[shndx];
		if (!sec->chosen)
			continue;
		int type = GELF_ST_TYPE(s.st_info);
		bool code = sec->flags & SHF_EXECINSTR;
		/* a label (no size: crt's frame_dummy, asm) names the gap it starts */
		bool label = !s.st_size && (type == STT_NOTYPE || type == STT_FUNC || type == STT_OBJECT);
		if (!label && (code ? (type != STT_FUNC && type != STT_GNU_IFUNC) : (type != STT_OBJECT && type != STT_TLS)))
			continue;
		const char *name = elf_strptr(img->elf, sh.sh_link, s.st_name);
		/* ".L" and "$x"-style names are assembler-local and mapping symbols */
		if (!name || !*name || (label && (name[0] == '$' || !strncmp(name, ".L", 2))))
			continue;
		int bind = GELF_ST_BIND(s.st_info);
		struct cand c = { { s.st_value, s.st_size, name, (uint32_t)shndx, BLOAT_SYMBOL, bind == STB_LOCAL, NULL, label },
				  bind_rank(bind == STB_LOCAL, bind), i };
		/* a TLS symbol's value is its offset in the TLS segment (in an
		 * object file: in its section) */
		if (type == STT_TLS)
			c.e.addr += img->tls_base != UINT64_MAX ? img->tls_base : sec->addr;
		vec_push(cands, c);
	}
}

/* A gap is alignment padding when it is small and ends where something
 * aligned past its size starts. */
static bool is_padding(uint64_t end, uint64_t len)
{
	if (len >= 64)
		return false;
	uint64_t align = 1;
	while (align <= len)
		align <<= 1;
	return end % align == 0;
}

struct gap_sum {
	uint8_t kind;
	const char *crate;
	uint64_t addr, size;
	uint32_t sec;
};
typedef VEC(struct gap_sum) gap_vec;

static void add_gap(struct bloat_image *img, gap_vec *gaps, uint32_t sec, uint64_t lo, uint64_t hi)
{
	if (hi <= lo)
		return;
	uint8_t kind = is_padding(hi, hi - lo) ? BLOAT_PADDING : BLOAT_NOSYM;
	const char *crate = kind == BLOAT_NOSYM ? bloat_crate_at(img->crates, lo) : NULL;
	bool code = img->secs.v[sec].flags & SHF_EXECINSTR;
	for (size_t i = 0; i < gaps->n; i++) {
		struct gap_sum *g = &gaps->v[i];
		if (g->kind == kind && g->crate == crate && !(img->secs.v[g->sec].flags & SHF_EXECINSTR) == !code) {
			g->size += hi - lo;
			return;
		}
	}
	vec_push(gaps, ((struct gap_sum){ kind, crate, lo, hi - lo, sec }));
}

/* Bytes [lo, hi) no sized symbol covers: the extent of the label that
 * starts them if there is one, else a gap. */
static void uncovered(struct bloat_image *img, gap_vec *gaps, uint32_t sec, uint64_t lo, uint64_t hi,
		      const struct bloat_entry *label)
{
	if (hi <= lo)
		return;
	if (label && label->addr == lo) {
		struct bloat_entry e = *label;
		e.size = hi - lo;
		vec_push(&img->entries, e);
		return;
	}
	add_gap(img, gaps, sec, lo, hi);
}

static void collect(struct bloat_image *img)
{
	cand_vec c = { 0 };
	read_symbols(img, &c);
	if (c.n)
		qsort(c.v, c.n, sizeof(*c.v), cand_cmp);
	gap_vec gaps = { 0 };
	size_t k = 0;
	for (uint32_t s = 0; s < img->secs.n; s++) {
		const struct bloat_section *sec = &img->secs.v[s];
		if (!sec->chosen)
			continue;
		uint64_t cover = sec->addr, end = sec->addr + sec->size, last = UINT64_MAX;
		const struct bloat_entry *label = NULL;
		for (; k < c.n && c.v[k].e.sec == s; k++) {
			const struct bloat_entry *e = &c.v[k].e;
			if (e->addr == last || e->addr >= end)
				continue; /* an alias of the one kept (sorted first) */
			last = e->addr;
			if (e->addr > cover)
				uncovered(img, &gaps, s, cover, e->addr, label);
			if (e->labelled) {
				if (e->addr >= cover) {
					label = e;
					cover = e->addr;
				}
				continue;
			}
			label = NULL;
			/* nested or overlapping symbols (assembly's local functions
			 * inside a bigger one) and sizes past the section's end: a
			 * row has only the bytes no earlier symbol has, so rows add
			 * up to the section */
			uint64_t lo = e->addr > cover ? e->addr : cover;
			uint64_t hi = e->size > end - e->addr ? end : e->addr + e->size;
			if (e->addr < sec->addr || hi <= lo)
				continue;
			struct bloat_entry kept = *e;
			kept.size = hi - lo;
			vec_push(&img->entries, kept);
			cover = hi;
		}
		if (cover < end)
			uncovered(img, &gaps, s, cover, end, label);
	}
	img->nsyms = img->entries.n;
	for (size_t i = 0; i < gaps.n; i++)
		vec_push(&img->entries, ((struct bloat_entry){ gaps.v[i].addr, gaps.v[i].size, NULL, gaps.v[i].sec,
							       gaps.v[i].kind, false, gaps.v[i].crate, false }));
	vec_free(&c);
	vec_free(&gaps);
}

int bloat_image_open(struct bloat_image *img, const char *path, const struct bloat_opts *o)
{
	memset(img, 0, sizeof(*img));
	img->path = path;
	img->fd = -1;
	img->split_std = o->split_std;
	elf_version(EV_CURRENT);
	struct stat st;
	if (stat(path, &st) < 0) {
		error("cannot open '%s': %s", path, strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		error("'%s' is a directory; give the binary (e.g. target/release/NAME)", path);
		return -1;
	}
	img->file_size = (uint64_t)st.st_size;
	img->elf = elf_open_file(path, &img->fd);
	if (!img->elf) {
		if (errno == ENOEXEC)
			error("'%s' is not an ELF file; give an executable or a shared library", path);
		else
			error("cannot open '%s': %s", path, strerror(errno));
		return -1;
	}
	if (read_sections(img, o) < 0) {
		bloat_image_close(img);
		return -1;
	}
	img->tls_base = UINT64_MAX;
	size_t nph;
	if (elf_getphdrnum(img->elf, &nph) == 0)
		for (size_t i = 0; i < nph; i++) {
			GElf_Phdr ph;
			if (gelf_getphdr(img->elf, (int)i, &ph) && ph.p_type == PT_TLS)
				img->tls_base = ph.p_vaddr;
		}
	img->crates = bloat_crates_new(img->elf);
	collect(img);
	img->short_names = xcalloc(img->entries.n + 1, sizeof(char *));
	img->full_names = xcalloc(img->entries.n + 1, sizeof(char *));
	img->crate_names = xcalloc(img->entries.n + 1, sizeof(char *));
	return 0;
}

void bloat_image_close(struct bloat_image *img)
{
	for (size_t i = 0; img->short_names && i < img->entries.n; i++) {
		free(img->short_names[i]);
		free(img->full_names[i]);
	}
	free(img->short_names);
	free(img->full_names);
	free(img->crate_names);
	free(img->chosen_label);
	vec_free(&img->entries);
	vec_free(&img->secs);
	bloat_crates_free(img->crates);
	elf_close_file(img->elf, img->fd);
	memset(img, 0, sizeof(*img));
	img->fd = -1;
}

const char *bloat_name(struct bloat_image *img, size_t i, bool full)
{
	const struct bloat_entry *e = &img->entries.v[i];
	if (e->kind != BLOAT_SYMBOL) {
		bool code = img->secs.v[e->sec].flags & SHF_EXECINSTR;
		if (e->kind == BLOAT_PADDING)
			return "[padding between symbols]";
		return code ? "[code without a symbol]" : "[data without a symbol]";
	}
	char **slot = full ? &img->full_names[i] : &img->short_names[i];
	if (!*slot) {
		*slot = full ? sonde_demangle_full(e->sym) : sonde_demangle(e->sym);
		if (!*slot)
			*slot = xstrdup(e->sym);
	}
	return *slot;
}

const char *bloat_crate(struct bloat_image *img, size_t i)
{
	if (img->crate_names[i])
		return img->crate_names[i];
	const struct bloat_entry *e = &img->entries.v[i];
	const char *c;
	if (e->kind == BLOAT_PADDING)
		c = "[padding]";
	else if (e->kind == BLOAT_NOSYM)
		c = e->gap_crate ? bloat_crate_shown(img->crates, e->gap_crate, img->split_std) : "[no symbol]";
	else {
		bool rust = bloat_is_rust_symbol(e->sym);
		c = bloat_crate_of(img->crates, e->sym, rust ? bloat_name(img, i, false) : NULL, rust, e->addr, img->split_std);
	}
	img->crate_names[i] = c;
	return c;
}

void bloat_fmt_size(uint64_t bytes, char *buf, size_t n)
{
	const double kib = 1024, mib = 1024 * 1024;
	if (bytes >= (uint64_t)mib)
		snprintf(buf, n, "%.1fMiB", (double)bytes / mib);
	else if (bytes >= (uint64_t)kib)
		snprintf(buf, n, "%.1fKiB", (double)bytes / kib);
	else
		snprintf(buf, n, "%lluB", (unsigned long long)bytes);
}
