/* --inlined: the chosen sections' bytes by the function whose source they
 * are, from DWARF. A function's DIE (DW_TAG_subprogram with code ranges)
 * owns its ranges minus those of the inlined calls inside it
 * (DW_TAG_inlined_subroutine, nested through lexical blocks), which count
 * for the inlined function instead: Vec::push inlined into main counts for
 * alloc, not for main. Bytes no function's DWARF covers are one
 * "[no DWARF]" row. Costs a walk over every DIE that may hold code. */
#include "bloat/bloat_view.h"

#include <stdlib.h>
#include <string.h>

#include <dwarf.h>
#include <elfutils/libdw.h>

#include "binary/symbolizer.h"
#include "bloat/bloat_crate.h"
#include "util/die.h"
#include "util/hashmap.h"

struct source_fn {
	const char *name; /* in the walk's interner */
	const char *crate;
	uint64_t size;
};
typedef VEC(struct source_fn) source_vec;

struct walk {
	struct bloat_image *img;
	const char *unit_crate;
	struct interner names; /* a function's id is its row */
	source_vec fns;
	uint64_t covered;
	struct u64map entries; /* out-of-line functions' addresses walked */
	bool object;           /* an ET_REL file: code may start at 0 */
};

/* Bytes of [lo, hi) inside the chosen sections. */
static uint64_t clipped(const struct bloat_image *img, uint64_t lo, uint64_t hi)
{
	uint64_t n = 0;
	for (size_t s = 0; s < img->secs.n; s++) {
		const struct bloat_section *sec = &img->secs.v[s];
		if (!sec->chosen)
			continue;
		uint64_t a = lo > sec->addr ? lo : sec->addr, b = hi < sec->addr + sec->size ? hi : sec->addr + sec->size;
		if (b > a)
			n += b - a;
	}
	return n;
}

/* die's code bytes in the chosen sections; *first its first address. ld
 * points the DWARF of functions --gc-sections dropped at 0 (newer ones
 * at -1 or -2): those ranges hold none of this binary's code. */
static uint64_t die_bytes(const struct walk *w, Dwarf_Die *die, uint64_t *first)
{
	Dwarf_Addr base, lo, hi;
	uint64_t n = 0;
	ptrdiff_t off = 0;
	*first = 0;
	while ((off = dwarf_ranges(die, off, &base, &lo, &hi)) > 0) {
		if (hi <= lo || (!w->object && lo == 0) || lo >= (uint64_t)-2)
			continue;
		uint64_t b = clipped(w->img, lo, hi);
		if (b && !n)
			*first = lo;
		n += b;
	}
	return n;
}

static void credit(struct walk *w, Dwarf_Die *die, uint64_t addr, uint64_t bytes)
{
	if (!bytes)
		return;
	Dwarf_Attribute a;
	const char *link = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_linkage_name, &a));
	if (!link)
		link = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &a));
	char *dem = link ? sonde_demangle(link) : NULL;
	const char *name = dem ? dem : link;
	if (!name)
		name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_name, &a));
	if (!name)
		name = "[unnamed function]";
	uint32_t k = intern(&w->names, name);
	if (k == w->fns.n) {
		bool rust = link && bloat_is_rust_symbol(link);
		const char *crate = bloat_crate_of(w->img->crates, link, rust ? name : NULL, rust, addr, w->img->split_std);
		if (!strcmp(crate, BLOAT_UNKNOWN) && w->unit_crate)
			crate = bloat_crate_shown(w->img->crates, w->unit_crate, w->img->split_std);
		vec_push(&w->fns, ((struct source_fn){ interned(&w->names, k), crate, 0 }));
	}
	w->fns.v[k].size += bytes;
	free(dem);
}

/* The code bytes of die's inlined calls (through lexical blocks), each
 * credited to its function; depth guards hostile nesting. */
static uint64_t inlined_inside(struct walk *w, Dwarf_Die *die, int depth);

/* A function DIE (out of line or inlined): credits what is its own;
 * returns all its bytes. */
static uint64_t function(struct walk *w, Dwarf_Die *die, int depth)
{
	uint64_t first;
	uint64_t all = die_bytes(w, die, &first);
	if (!all)
		return 0;
	/* C++'s inline functions at -O0: each unit's DWARF points at the one
	 * copy the linker kept; walk it once */
	if (dwarf_tag(die) == DW_TAG_subprogram) {
		bool fresh;
		u64map_upsert(&w->entries, first, 1, &fresh);
		if (!fresh)
			return 0;
	}
	uint64_t inner = inlined_inside(w, die, depth + 1);
	credit(w, die, first, all > inner ? all - inner : 0);
	return all;
}

static uint64_t inlined_inside(struct walk *w, Dwarf_Die *die, int depth)
{
	Dwarf_Die kid;
	uint64_t n = 0;
	if (depth > 64 || dwarf_child(die, &kid) != 0)
		return 0;
	do {
		int tag = dwarf_tag(&kid);
		if (tag == DW_TAG_inlined_subroutine)
			n += function(w, &kid, depth);
		else if (tag == DW_TAG_lexical_block)
			n += inlined_inside(w, &kid, depth + 1);
	} while (dwarf_siblingof(&kid, &kid) == 0);
	return n;
}

/* Where out-of-line functions are: the unit, namespaces, types (methods). */
static void scope(struct walk *w, Dwarf_Die *die, int depth)
{
	Dwarf_Die kid;
	if (depth > 64 || dwarf_child(die, &kid) != 0)
		return;
	do {
		switch (dwarf_tag(&kid)) {
		case DW_TAG_subprogram:
			w->covered += function(w, &kid, depth);
			break;
		case DW_TAG_namespace:
		case DW_TAG_module:
		case DW_TAG_structure_type:
		case DW_TAG_class_type:
		case DW_TAG_union_type:
		case DW_TAG_enumeration_type:
		case DW_TAG_variant_part:
			if (dwarf_haschildren(&kid))
				scope(w, &kid, depth + 1);
			break;
		default:
			break;
		}
	} while (dwarf_siblingof(&kid, &kid) == 0);
}

static int by_size(const void *a, const void *b)
{
	const struct source_fn *x = a, *y = b;
	if (x->size != y->size)
		return x->size > y->size ? -1 : 1;
	return strcmp(x->name, y->name);
}

int bloat_view_inlined(FILE *out, struct bloat_image *img, const struct bloat_opts *o)
{
	if (!bloat_crates_have_dwarf(img->crates)) {
		error("'%s' has no DWARF: --inlined needs debug info (build with debug = true, or -g)", img->path);
		return 1;
	}
	GElf_Ehdr eh;
	struct walk w = { .img = img, .object = gelf_getehdr(img->elf, &eh) && eh.e_type == ET_REL };
	Dwarf *dw = dwarf_begin_elf(img->elf, DWARF_C_READ, NULL);
	Dwarf_CU *cu = NULL;
	Dwarf_Die cudie, subdie;
	uint8_t unit_type;
	while (dw && dwarf_get_units(dw, cu, &cu, NULL, &unit_type, &cudie, &subdie) == 0) {
		if (unit_type == DW_UT_type || unit_type == DW_UT_split_type)
			continue;
		Dwarf_Attribute a;
		char crate[256];
		bool rust = dwarf_srclang(&cudie) == DW_LANG_Rust;
		w.unit_crate = bloat_unit_crate(dwarf_diename(&cudie), dwarf_formstring(dwarf_attr(&cudie, DW_AT_comp_dir, &a)),
						rust, crate, sizeof(crate))
				       ? crate
				       : NULL;
		/* -gsplit-dwarf: the code's DIEs are in the .dwo libdw found */
		scope(&w, unit_type == DW_UT_skeleton && dwarf_tag(&subdie) == DW_TAG_compile_unit ? &subdie : &cudie, 0);
	}
	if (dw)
		dwarf_end(dw);
	u64map_free(&w.entries);
	if (w.covered < img->chosen_size)
		vec_push(&w.fns, ((struct source_fn){ "[no DWARF]", "[no DWARF]", img->chosen_size - w.covered }));
	if (w.fns.n)
		qsort(w.fns.v, w.fns.n, sizeof(*w.fns.v), by_size);
	/* through the functions / crates views: one entry per source function */
	struct bloat_image view = *img;
	view.entries.v = xcalloc(w.fns.n + 1, sizeof(*view.entries.v));
	view.entries.n = view.nsyms = w.fns.n;
	view.short_names = xcalloc(w.fns.n + 1, sizeof(char *));
	view.full_names = xcalloc(w.fns.n + 1, sizeof(char *));
	view.crate_names = xcalloc(w.fns.n + 1, sizeof(char *));
	for (size_t i = 0; i < w.fns.n; i++) {
		view.entries.v[i].size = w.fns.v[i].size;
		view.entries.v[i].addr = w.fns.n - i; /* keeps the order among equal sizes */
		/* borrowed for the views, which only read them (the arrays
		 * are freed here, not the names) */
		view.short_names[i] = view.full_names[i] = (char *)w.fns.v[i].name;
		view.crate_names[i] = w.fns.v[i].crate;
	}
	int rc = o->crates ? bloat_view_crates(out, &view, o) : bloat_view_functions(out, &view, o);
	interner_free(&w.names);
	free(view.entries.v);
	free(view.short_names);
	free(view.full_names);
	free(view.crate_names);
	vec_free(&w.fns);
	return rc;
}
