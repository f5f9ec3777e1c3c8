#include "binary/elf_symbols.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/die.h"
#include "util/strbuf.h"

/* Caps against hostile files: nobody has more symbols or sections. */
#define MAX_SYMS_PER_TABLE (64u << 20)
#define MAX_NAME_LEN 65536

static uint32_t add_name(struct elf_symtab *t, const char *s, size_t n)
{
	return strtab_add(&t->names, &t->names_len, &t->names_cap, s, n);
}

static uint32_t sym_score(const GElf_Sym *sym, const char *name)
{
	uint32_t score = 0;
	if (sym->st_size)
		score |= 32;
	int type = GELF_ST_TYPE(sym->st_info), bind = GELF_ST_BIND(sym->st_info);
	if (type == STT_FUNC || type == STT_GNU_IFUNC)
		score |= 16;
	if (bind == STB_GLOBAL)
		score |= 8;
	else if (bind == STB_WEAK)
		score |= 4;
	if (name[0] != '_')
		score |= 2;
	return score;
}

struct sec_info {
	uint64_t addr, size;
	bool exec;
};

static size_t add_table(struct elf_symtab *t, Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh,
			const struct sec_info *secs, size_t nsecs)
{
	if (sh->sh_entsize == 0 || sh->sh_link == 0 || sh->sh_link >= nsecs)
		return 0;
	Elf_Data *data = elf_getdata(scn, NULL);
	if (!data || !data->d_buf)
		return 0;
	size_t entsize = gelf_fsize(elf, ELF_T_SYM, 1, EV_CURRENT);
	if (!entsize)
		return 0;
	size_t count = data->d_size / entsize;
	if (count > MAX_SYMS_PER_TABLE)
		count = MAX_SYMS_PER_TABLE;
	size_t added = 0;
	for (size_t i = 1; i < count; i++) {
		GElf_Sym sym;
		if (!gelf_getsym(data, (int)i, &sym))
			break;
		int type = GELF_ST_TYPE(sym.st_info);
		size_t shndx = sym.st_shndx;
		if (shndx == SHN_UNDEF || shndx >= SHN_LORESERVE || shndx >= nsecs)
			continue;
		if (type == STT_NOTYPE) {
			if (!secs[shndx].exec)
				continue;
		} else if (type != STT_FUNC && type != STT_GNU_IFUNC) {
			continue;
		}
		if (sym.st_value == 0)
			continue;
		const char *name = elf_strptr(elf, sh->sh_link, sym.st_name);
		if (!name || !*name)
			continue;
		if (t->n == t->cap) {
			t->cap = t->cap ? t->cap * 2 : 1024;
			t->syms = xrealloc(t->syms, t->cap * sizeof(*t->syms));
		}
		struct elf_sym *s = &t->syms[t->n++];
		s->start = sym.st_value;
		s->size = sym.st_size;
		s->end = 0;
		const struct sec_info *sec = &secs[shndx];
		s->sec_end = (sec->addr <= s->start && sec->size && sec->addr + sec->size > s->start) ? sec->addr + sec->size : 0;
		s->score = sym_score(&sym, name);
		s->name = add_name(t, name, strnlen(name, MAX_NAME_LEN));
		added++;
	}
	return added;
}

static Elf_Scn *find_section(Elf *elf, const char *name, GElf_Shdr *out);

/* x86-64 PLT stubs get "name@plt" symbols, as perf shows them: entry i of
 * .plt.sec (or entry i+1 of .plt, after PLT0) jumps through relocation i of
 * .rela.plt. */
static size_t add_plt(struct elf_symtab *t, Elf *elf)
{
	GElf_Ehdr eh;
	GElf_Shdr rsh, psh, dsh;
	if (!gelf_getehdr(elf, &eh) || eh.e_machine != EM_X86_64)
		return 0;
	Elf_Scn *rscn = find_section(elf, ".rela.plt", &rsh);
	if (!rscn || rsh.sh_type != SHT_RELA || rsh.sh_entsize == 0)
		return 0;
	uint64_t first = 0;
	if (!find_section(elf, ".plt.sec", &psh) || psh.sh_type == SHT_NOBITS) {
		if (!find_section(elf, ".plt", &psh) || psh.sh_type == SHT_NOBITS)
			return 0;
		first = 1;
	}
	Elf_Scn *dscn = elf_getscn(elf, rsh.sh_link);
	if (!dscn || !gelf_getshdr(dscn, &dsh) || dsh.sh_type != SHT_DYNSYM)
		return 0;
	Elf_Data *rdata = elf_getdata(rscn, NULL), *ddata = elf_getdata(dscn, NULL);
	if (!rdata || !ddata)
		return 0;
	const uint64_t entsz = 16;
	size_t n = rdata->d_size / rsh.sh_entsize, added = 0;
	if (n > psh.sh_size / entsz)
		n = psh.sh_size / entsz;
	for (size_t i = 0; i < n && i < MAX_SYMS_PER_TABLE; i++) {
		GElf_Rela rela;
		GElf_Sym sym;
		if (!gelf_getrela(rdata, (int)i, &rela))
			break;
		size_t si = GELF_R_SYM(rela.r_info);
		if (!si || !gelf_getsym(ddata, (int)si, &sym))
			continue;
		const char *name = elf_strptr(elf, dsh.sh_link, sym.st_name);
		if (!name || !*name || strlen(name) > 4096)
			continue;
		uint64_t addr = psh.sh_addr + (i + first) * entsz;
		if (addr + entsz > psh.sh_addr + psh.sh_size)
			break;
		char buf[4200];
		snprintf(buf, sizeof(buf), "%s@plt", name);
		if (t->n == t->cap) {
			t->cap = t->cap ? t->cap * 2 : 1024;
			t->syms = xrealloc(t->syms, t->cap * sizeof(*t->syms));
		}
		t->syms[t->n++] = (struct elf_sym){ addr, 0, entsz, 0, add_name(t, buf, strlen(buf)), 1 };
		added++;
	}
	return added;
}

size_t elf_symtab_add(struct elf_symtab *t, Elf *elf)
{
	size_t nsecs = 0;
	if (!elf || elf_getshdrnum(elf, &nsecs) != 0 || nsecs == 0 || nsecs > (1u << 20))
		return 0;
	struct sec_info *secs = xcalloc(nsecs, sizeof(*secs));
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		size_t idx = elf_ndxscn(scn);
		GElf_Shdr sh;
		if (idx >= nsecs || !gelf_getshdr(scn, &sh))
			continue;
		secs[idx].addr = sh.sh_addr;
		secs[idx].size = sh.sh_size;
		secs[idx].exec = (sh.sh_flags & SHF_EXECINSTR) && (sh.sh_flags & SHF_ALLOC);
	}
	size_t added = 0;
	/* .symtab first so its entries precede .dynsym's duplicates. */
	for (int pass = 0; pass < 2; pass++) {
		GElf_Word want = pass == 0 ? SHT_SYMTAB : SHT_DYNSYM;
		scn = NULL;
		while ((scn = elf_nextscn(elf, scn))) {
			GElf_Shdr sh;
			if (!gelf_getshdr(scn, &sh) || sh.sh_type != want)
				continue;
			added += add_table(t, elf, scn, &sh, secs, nsecs);
		}
	}
	free(secs);
	added += add_plt(t, elf);
	t->finished = false;
	return added;
}

static const struct elf_symtab *sort_tab;

static int cmp_sym(const void *a, const void *b)
{
	const struct elf_sym *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	size_t lx = strlen(sort_tab->names + x->name), ly = strlen(sort_tab->names + y->name);
	if (lx != ly)
		return lx < ly ? -1 : 1;
	return x->name < y->name ? -1 : x->name > y->name;
}

void elf_symtab_finish(struct elf_symtab *t)
{
	if (t->finished)
		return;
	t->finished = true;
	if (!t->n)
		return;
	sort_tab = t;
	qsort(t->syms, t->n, sizeof(*t->syms), cmp_sym);
	sort_tab = NULL;
	/* Merge aliases: keep the best-scored entry, but the largest size. */
	size_t w = 0;
	for (size_t i = 0; i < t->n; i++) {
		if (w && t->syms[w - 1].start == t->syms[i].start) {
			struct elf_sym *k = &t->syms[w - 1];
			if (t->syms[i].size > k->size)
				k->size = t->syms[i].size;
			if (!k->sec_end)
				k->sec_end = t->syms[i].sec_end;
			continue;
		}
		t->syms[w++] = t->syms[i];
	}
	t->n = w;
	for (size_t i = 0; i < t->n; i++) {
		struct elf_sym *s = &t->syms[i];
		uint64_t next = i + 1 < t->n ? t->syms[i + 1].start : 0;
		if (s->size && s->start + s->size > s->start) {
			s->end = s->start + s->size;
			continue;
		}
		/* Zero-size label: runs to the next symbol, within its section. */
		uint64_t end = next;
		if (s->sec_end > s->start && (!end || s->sec_end < end))
			end = s->sec_end;
		s->end = end ? end : s->start + 1;
	}
}

const struct elf_sym *elf_symtab_find(const struct elf_symtab *t, uint64_t addr)
{
	if (!t->n || addr < t->syms[0].start)
		return NULL;
	size_t lo = 0, hi = t->n; /* find the last start <= addr */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->syms[mid].start <= addr)
			lo = mid;
		else
			hi = mid;
	}
	/* Nested symbols (a label inside a sized function) are rare: look back a little. */
	for (size_t k = 0; k < 8 && k <= lo; k++) {
		const struct elf_sym *s = &t->syms[lo - k];
		if (addr >= s->start && addr < s->end)
			return s;
	}
	return NULL;
}

void elf_symtab_free(struct elf_symtab *t)
{
	free(t->syms);
	free(t->names);
	memset(t, 0, sizeof(*t));
}

static size_t note_build_id(Elf_Data *data, uint8_t *out, size_t max)
{
	size_t off = 0, name_off, desc_off;
	GElf_Nhdr nh;
	while (off < data->d_size && (off = gelf_getnote(data, off, &nh, &name_off, &desc_off)) > 0) {
		if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 && name_off + 4 <= data->d_size &&
		    !memcmp((const char *)data->d_buf + name_off, "GNU", 4) && nh.n_descsz > 0 &&
		    desc_off <= data->d_size && nh.n_descsz <= data->d_size - desc_off) {
			size_t n = nh.n_descsz < max ? nh.n_descsz : max;
			memcpy(out, (const char *)data->d_buf + desc_off, n);
			return n;
		}
	}
	return 0;
}

size_t elf_build_id(Elf *elf, uint8_t *out, size_t max)
{
	if (!elf)
		return 0;
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE)
			continue;
		Elf_Data *data = elf_getdata(scn, NULL);
		if (!data || !data->d_buf)
			continue;
		size_t n = note_build_id(data, out, max);
		if (n)
			return n;
	}
	size_t nph = 0;
	if (elf_getphdrnum(elf, &nph) != 0 || nph > 65536)
		return 0;
	for (size_t i = 0; i < nph; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_NOTE)
			continue;
		Elf_Data *data = elf_getdata_rawchunk(elf, (int64_t)ph.p_offset, ph.p_filesz, ELF_T_NHDR);
		if (!data || !data->d_buf)
			continue;
		size_t n = note_build_id(data, out, max);
		if (n)
			return n;
	}
	return 0;
}

static Elf_Scn *find_section(Elf *elf, const char *name, GElf_Shdr *out)
{
	size_t shstrndx;
	if (!elf || elf_getshdrstrndx(elf, &shstrndx) != 0)
		return NULL;
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh))
			continue;
		const char *n = elf_strptr(elf, shstrndx, sh.sh_name);
		if (n && !strcmp(n, name)) {
			*out = sh;
			return scn;
		}
	}
	return NULL;
}

bool elf_has_section_data(Elf *elf, const char *name)
{
	GElf_Shdr sh;
	return find_section(elf, name, &sh) && sh.sh_type != SHT_NOBITS && sh.sh_size > 0;
}

bool elf_debuglink(Elf *elf, char *name, size_t namesz, uint32_t *crc)
{
	GElf_Shdr sh;
	Elf_Scn *scn = find_section(elf, ".gnu_debuglink", &sh);
	if (!scn || sh.sh_type == SHT_NOBITS || namesz == 0)
		return false;
	Elf_Data *data = elf_getdata(scn, NULL);
	if (!data || !data->d_buf || data->d_size < 8)
		return false;
	const char *p = data->d_buf;
	size_t len = strnlen(p, data->d_size);
	if (len == 0 || len >= namesz || len >= data->d_size)
		return false;
	size_t crc_off = (len + 4) & ~(size_t)3;
	if (crc_off + 4 > data->d_size)
		return false;
	memcpy(name, p, len);
	name[len] = 0;
	if (strchr(name, '/'))
		return false; /* a bare file name only: no escaping the search dirs */
	uint8_t b[4];
	memcpy(b, p + crc_off, 4);
	GElf_Ehdr eh;
	bool big = gelf_getehdr(elf, &eh) && eh.e_ident[EI_DATA] == ELFDATA2MSB;
	*crc = big ? ((uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3])
		   : ((uint32_t)b[3] << 24 | (uint32_t)b[2] << 16 | (uint32_t)b[1] << 8 | b[0]);
	return true;
}

size_t elf_loads(Elf *elf, struct elf_load *out, size_t max)
{
	size_t nph = 0, n = 0;
	if (!elf || elf_getphdrnum(elf, &nph) != 0 || nph > 65536)
		return 0;
	for (size_t i = 0; i < nph && n < max; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		out[n++] = (struct elf_load){ ph.p_offset, ph.p_vaddr, ph.p_filesz, ph.p_memsz, ph.p_align };
	}
	return n;
}

bool elf_loads_offset_to_vaddr(const struct elf_load *loads, size_t n, uint64_t off, uint64_t *vaddr)
{
	/* Exact: the offset lies in a segment's file image. */
	for (size_t i = 0; i < n; i++) {
		const struct elf_load *l = &loads[i];
		if (off >= l->offset && off - l->offset < l->filesz) {
			*vaddr = l->vaddr + (off - l->offset);
			return true;
		}
	}
	/* Page slack: mappings start at page boundaries below p_offset. */
	for (size_t i = 0; i < n; i++) {
		const struct elf_load *l = &loads[i];
		uint64_t base = l->offset & ~(uint64_t)0xfff;
		uint64_t span = l->memsz > l->filesz ? l->memsz : l->filesz;
		if (off >= base && off < l->offset + span && (off >= l->offset || l->vaddr >= l->offset - off)) {
			*vaddr = l->vaddr + off - l->offset;
			return true;
		}
	}
	return false;
}

Elf *elf_open_file(const char *path, int *fd_out)
{
	*fd_out = -1;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF || gelf_getclass(elf) == ELFCLASSNONE) {
		if (elf)
			elf_end(elf);
		close(fd);
		errno = ENOEXEC;
		return NULL;
	}
	*fd_out = fd;
	return elf;
}

void elf_close_file(Elf *elf, int fd)
{
	if (elf)
		elf_end(elf);
	if (fd >= 0)
		close(fd);
}

void elf_each_symbol(Elf *elf, bool (*fn)(const struct elf_any_sym *s, void *ctx), void *ctx)
{
	Elf_Scn *scn = NULL;
	while (elf && (scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_DYNSYM) ||
		    sh.sh_entsize == 0)
			continue;
		Elf_Data *data = elf_getdata(scn, NULL);
		size_t entsize = gelf_fsize(elf, ELF_T_SYM, 1, EV_CURRENT);
		if (!data || !data->d_buf || !entsize)
			continue;
		size_t count = data->d_size / entsize;
		if (count > MAX_SYMS_PER_TABLE)
			count = MAX_SYMS_PER_TABLE;
		for (size_t i = 1; i < count; i++) {
			GElf_Sym sym;
			if (!gelf_getsym(data, (int)i, &sym))
				break;
			const char *name = elf_strptr(elf, sh.sh_link, sym.st_name);
			if (!name || !*name)
				continue;
			struct elf_any_sym s = { name, sym.st_value, sym.st_size, GELF_ST_TYPE(sym.st_info),
						 GELF_ST_BIND(sym.st_info), sym.st_shndx != SHN_UNDEF };
			if (!fn(&s, ctx))
				return;
		}
	}
}

size_t elf_read_vaddr(Elf *elf, uint64_t vaddr, void *buf, size_t n)
{
	struct elf_load loads[64];
	size_t nl = elf_loads(elf, loads, 64), size = 0;
	const char *raw = elf ? elf_rawfile(elf, &size) : NULL;
	if (!raw)
		return 0;
	for (size_t i = 0; i < nl; i++) {
		const struct elf_load *l = &loads[i];
		if (vaddr < l->vaddr || vaddr - l->vaddr >= l->filesz)
			continue;
		uint64_t d = vaddr - l->vaddr;
		if (l->offset > size || d >= size - l->offset)
			return 0; /* a segment claiming more than the file has */
		uint64_t off = l->offset + d, avail = l->filesz - d;
		if (avail > size - off)
			avail = size - off;
		size_t k = n < avail ? n : (size_t)avail;
		memcpy(buf, raw + off, k);
		return k;
	}
	return 0;
}
