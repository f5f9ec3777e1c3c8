#include "binary/dwarf_lines.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <dwarf.h>
#include <elfutils/libdw.h>

#include "util/die.h"
#include "util/vec.h"

struct iv {
	uint64_t lo, hi;
	uint32_t idx; /* CU index, or function DIE index */
};

struct ivtab {
	VEC(struct iv) v;
	uint64_t *maxend; /* prefix maximum of hi, for overlapping ranges */
};

struct cu {
	Dwarf_Die die;
	bool indexed;
	struct ivtab funcs;
	VEC(Dwarf_Die) fdies;
};

struct dwarf_lines {
	Dwarf *dw;
	bool indexed;
	VEC(struct cu) cus;
	struct ivtab curanges;
};

/* libdw 0.188 runs strlen() off the end of string sections that lack a
 * final NUL (found by fuzzing); real files always have one, so refuse
 * DWARF whose string sections do not. */
static bool string_sections_ok(Elf *elf)
{
	size_t shstrndx;
	if (elf_getshdrstrndx(elf, &shstrndx) != 0)
		return false;
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type == SHT_NOBITS)
			continue;
		const char *name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!name || (strcmp(name, ".debug_str") && strcmp(name, ".debug_line_str")))
			continue;
		/* Decompress first, as libdw would (idempotent, in memory). */
		if ((sh.sh_flags & SHF_COMPRESSED) && elf_compress(scn, 0, 0) < 0)
			return false;
		Elf_Data *d = elf_getdata(scn, NULL);
		if (!d || (d->d_size && (!d->d_buf || ((const char *)d->d_buf)[d->d_size - 1] != 0)))
			return false;
	}
	return true;
}

struct dwarf_lines *dwarf_lines_new(Elf *elf)
{
	if (!elf || !string_sections_ok(elf))
		return NULL;
	Dwarf *dw = dwarf_begin_elf(elf, DWARF_C_READ, NULL);
	if (!dw)
		return NULL;
	struct dwarf_lines *d = xcalloc(1, sizeof(*d));
	d->dw = dw;
	return d;
}

static void ivtab_free(struct ivtab *t)
{
	vec_free(&t->v);
	free(t->maxend);
	t->maxend = NULL;
}

void dwarf_lines_free(struct dwarf_lines *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->cus.n; i++) {
		ivtab_free(&d->cus.v[i].funcs);
		vec_free(&d->cus.v[i].fdies);
	}
	vec_free(&d->cus);
	ivtab_free(&d->curanges);
	dwarf_end(d->dw);
	free(d);
}

static int cmp_iv(const void *a, const void *b)
{
	const struct iv *x = a, *y = b;
	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	if (x->hi != y->hi)
		return x->hi < y->hi ? 1 : -1; /* wider first, so nested ones come later */
	return 0;
}

static void ivtab_finish(struct ivtab *t)
{
	if (!t->v.n)
		return;
	qsort(t->v.v, t->v.n, sizeof(*t->v.v), cmp_iv);
	t->maxend = xmalloc(t->v.n * sizeof(*t->maxend));
	uint64_t m = 0;
	for (size_t i = 0; i < t->v.n; i++) {
		if (t->v.v[i].hi > m)
			m = t->v.v[i].hi;
		t->maxend[i] = m;
	}
}

/* The innermost (latest-starting) interval containing addr, or NULL. */
static const struct iv *ivtab_find(const struct ivtab *t, uint64_t addr)
{
	size_t n = t->v.n;
	if (!n || addr < t->v.v[0].lo)
		return NULL;
	size_t lo = 0, hi = n;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->v.v[mid].lo <= addr)
			lo = mid;
		else
			hi = mid;
	}
	for (size_t j = lo + 1; j-- > 0;) {
		if (t->maxend[j] <= addr)
			break;
		if (addr >= t->v.v[j].lo && addr < t->v.v[j].hi)
			return &t->v.v[j];
	}
	return NULL;
}

/* Adds the ranges of die to t; ranges at address 0 are code the linker
 * dropped (gc-sections leaves them at 0), so they are ignored. */
static void add_ranges(struct ivtab *t, Dwarf_Die *die, uint32_t idx)
{
	Dwarf_Addr base, start, end;
	ptrdiff_t off = 0;
	int guard = 0;
	while ((off = dwarf_ranges(die, off, &base, &start, &end)) > 0 && guard++ < 100000) {
		if (start == 0 || end <= start)
			continue;
		vec_push(&t->v, ((struct iv){ start, end, idx }));
	}
}

static void index_cus(struct dwarf_lines *d)
{
	d->indexed = true;
	Dwarf_CU *cu = NULL, *next;
	Dwarf_Half version;
	uint8_t unit_type;
	Dwarf_Die cudie, subdie;
	size_t guard = 0;
	while (dwarf_get_units(d->dw, cu, &next, &version, &unit_type, &cudie, &subdie) == 0) {
		cu = next;
		if (++guard > (1u << 22))
			break;
		if (unit_type == DW_UT_type || unit_type == DW_UT_split_type)
			continue;
		int tag = dwarf_tag(&cudie);
		if (tag != DW_TAG_compile_unit && tag != DW_TAG_partial_unit && tag != DW_TAG_skeleton_unit)
			continue;
		struct cu c = { .die = cudie };
		vec_push(&d->cus, c);
		add_ranges(&d->curanges, &cudie, (uint32_t)(d->cus.n - 1));
	}
	ivtab_finish(&d->curanges);
}

static bool is_container(int tag)
{
	switch (tag) {
	case DW_TAG_namespace:
	case DW_TAG_module:
	case DW_TAG_class_type:
	case DW_TAG_structure_type:
	case DW_TAG_union_type:
	case DW_TAG_interface_type:
		return true;
	default:
		return false;
	}
}

static void index_funcs_in(struct cu *c, Dwarf_Die *parent, int depth)
{
	if (depth > 32)
		return;
	Dwarf_Die child;
	if (dwarf_child(parent, &child) != 0)
		return;
	do {
		int tag = dwarf_tag(&child);
		if (tag == DW_TAG_subprogram) {
			size_t before = c->funcs.v.n;
			add_ranges(&c->funcs, &child, (uint32_t)c->fdies.n);
			if (c->funcs.v.n != before)
				vec_push(&c->fdies, child);
		} else if (is_container(tag)) {
			index_funcs_in(c, &child, depth + 1);
		}
	} while (dwarf_siblingof(&child, &child) == 0);
}

static void index_cu(struct cu *c)
{
	c->indexed = true;
	index_funcs_in(c, &c->die, 0);
	ivtab_finish(&c->funcs);
}

static bool has_pc_attrs(Dwarf_Die *die)
{
	return dwarf_hasattr(die, DW_AT_low_pc) || dwarf_hasattr(die, DW_AT_ranges);
}

/* Walks down from `die` collecting the inlined subroutines containing addr,
 * outermost first. Blocks without pc attributes are searched too. */
static bool walk_inlines(Dwarf_Die *die, uint64_t addr, Dwarf_Die *chain, int *n, int max, int depth)
{
	if (depth > 128)
		return false;
	Dwarf_Die child;
	if (dwarf_child(die, &child) != 0)
		return false;
	do {
		int tag = dwarf_tag(&child);
		if (tag != DW_TAG_inlined_subroutine && tag != DW_TAG_lexical_block && tag != DW_TAG_try_block &&
		    tag != DW_TAG_catch_block)
			continue;
		bool has = has_pc_attrs(&child);
		if (has && dwarf_haspc(&child, addr) <= 0)
			continue;
		if (!has && tag == DW_TAG_inlined_subroutine)
			continue;
		int saved = *n;
		if (tag == DW_TAG_inlined_subroutine && *n < max)
			chain[(*n)++] = child;
		if (walk_inlines(&child, addr, chain, n, max, depth + 1) || has)
			return true;
		*n = saved; /* a pc-less block that held nothing: keep looking */
	} while (dwarf_siblingof(&child, &child) == 0);
	return false;
}

static void die_names(Dwarf_Die *die, struct dwarf_raw_frame *f)
{
	Dwarf_Attribute a;
	f->linkage = NULL;
	f->name = NULL;
	if (dwarf_attr_integrate(die, DW_AT_linkage_name, &a) || dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &a))
		f->linkage = dwarf_formstring(&a);
	if (dwarf_attr_integrate(die, DW_AT_name, &a))
		f->name = dwarf_formstring(&a);
}

static void call_site(struct cu *c, Dwarf_Die *inl, struct dwarf_raw_frame *f)
{
	Dwarf_Attribute a;
	Dwarf_Word w;
	f->file = NULL;
	f->line = 0;
	if (dwarf_attr(inl, DW_AT_call_line, &a) && dwarf_formudata(&a, &w) == 0 && w <= 0xffffffffu)
		f->line = (unsigned)w;
	if (dwarf_attr(inl, DW_AT_call_file, &a) && dwarf_formudata(&a, &w) == 0) {
		Dwarf_Files *files;
		size_t nfiles;
		if (dwarf_getsrcfiles(&c->die, &files, &nfiles) == 0 && w < nfiles)
			f->file = dwarf_filesrc(files, (size_t)w, NULL, NULL);
	}
}

int dwarf_lines_lookup(struct dwarf_lines *d, uint64_t addr, struct dwarf_raw_frame *frames, int max,
		       uint64_t *func_lo)
{
	if (!d || max < 1)
		return 0;
	if (!d->indexed)
		index_cus(d);
	*func_lo = addr;
	const struct iv *civ = ivtab_find(&d->curanges, addr);
	if (!civ)
		return 0;
	struct cu *c = &d->cus.v[civ->idx];
	if (!c->indexed)
		index_cu(c);

	/* Line of the innermost code. */
	const char *file = NULL;
	unsigned line = 0;
	Dwarf_Line *dl = dwarf_getsrc_die(&c->die, addr);
	if (dl) {
		int ln = 0;
		file = dwarf_linesrc(dl, NULL, NULL);
		if (dwarf_lineno(dl, &ln) == 0 && ln > 0)
			line = (unsigned)ln;
	}

	const struct iv *fiv = ivtab_find(&c->funcs, addr);
	Dwarf_Attribute cda;
	const char *comp_dir = dwarf_formstring(dwarf_attr(&c->die, DW_AT_comp_dir, &cda));
	if (!fiv) {
		frames[0] = (struct dwarf_raw_frame){ NULL, NULL, file, line, comp_dir };
		return 1;
	}
	*func_lo = fiv->lo;
	Dwarf_Die *sub = &c->fdies.v[fiv->idx];
	Dwarf_Die chain[DWARF_MAX_INLINE];
	int nchain = 0;
	walk_inlines(sub, addr, chain, &nchain, max - 1 < DWARF_MAX_INLINE ? max - 1 : DWARF_MAX_INLINE, 0);

	/* frames[0] = innermost (chain[nchain-1]) with the line-table line;
	 * each outer frame takes the call site of the frame inside it. */
	int nf = 0;
	for (int i = nchain; i >= 0; i--) {
		Dwarf_Die *die = i == 0 ? sub : &chain[i - 1];
		struct dwarf_raw_frame *f = &frames[nf];
		die_names(die, f);
		f->comp_dir = comp_dir;
		if (nf == 0) {
			f->file = file;
			f->line = line;
		} else {
			call_site(c, &chain[i], f);
		}
		nf++;
	}
	return nf;
}
