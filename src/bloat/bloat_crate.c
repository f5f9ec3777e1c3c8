/* Crates of functions: from demangled paths, then DWARF units. */
#include "bloat/bloat_crate.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <dwarf.h>
#include <elfutils/libdw.h>

#include "util/die.h"
#include "util/hashmap.h"
#include "util/vec.h"

struct cu_range {
	uint64_t lo, hi;
	uint32_t crate; /* id in names */
	bool std;       /* a unit of the standard library's */
};

enum { CRATE_SEEN_STD = 1, CRATE_SEEN_USER = 2 };

struct bloat_crates {
	struct interner names;
	VEC(uint8_t) seen; /* per name id: CRATE_SEEN_* from DWARF units */
	VEC(struct cu_range) ranges;
	uint64_t widest; /* the longest range: how far back a look-up looks */
	bool have_dwarf;
};

/* The crates of Rust's sysroot (its lib/rustlib/TARGET/lib),
 * for binaries without DWARF to tell. */
static const char *const std_crates[] = {
	"std", "core", "alloc", "proc_macro", "test", "panic_unwind", "panic_abort", "unwind",
	"compiler_builtins", "hashbrown", "std_detect", "rustc_demangle", "addr2line", "gimli",
	"object", "memchr", "miniz_oxide", "adler", "adler2", "cfg_if", "libc", "getopts",
	"rustc_std_workspace_core", "rustc_std_workspace_alloc", "rustc_std_workspace_std",
	"profiler_builtins", "sysroot", "unicode_width", "rustc_literal_escaper",
	"__rustc", /* v0 paths of the allocator shims (__rustc::__rust_alloc) */
};

static uint32_t crate_id(struct bloat_crates *c, const char *name)
{
	uint32_t id = intern(&c->names, name);
	while (c->seen.n <= id)
		vec_push(&c->seen, 0);
	return id;
}

static bool is_ident_char(char ch)
{
	return isalnum((unsigned char)ch) || ch == '_';
}

/* The first path segment of s (up to "::"), with leading '<', '&', '*',
 * "mut ", "const ", "dyn " and the like skipped; "" if s has no "::" or the
 * segment is not an identifier. */
static void first_segment(const char *s, size_t len, char *out, size_t n)
{
	out[0] = 0;
	const char *end = s + len;
	const char *colon = NULL;
	for (const char *p = s; p + 1 < end; p++)
		if (p[0] == ':' && p[1] == ':') {
			colon = p;
			break;
		}
	if (!colon)
		return;
	const char *p = s;
	for (;;) {
		while (p < colon && !is_ident_char(*p))
			p++;
		const char *w = p;
		while (p < colon && is_ident_char(*p))
			p++;
		/* "&mut T", "*const T", "dyn T": a keyword, then the path */
		size_t wl = (size_t)(p - w);
		bool kw = (wl == 3 && (!memcmp(w, "mut", 3) || !memcmp(w, "dyn", 3))) ||
			  (wl == 5 && !memcmp(w, "const", 5)) || (wl == 4 && !memcmp(w, "impl", 4));
		if (kw && p < colon && *p == ' ') {
			continue;
		}
		if (p != colon || wl == 0 || wl >= n || isdigit((unsigned char)*w))
			return;
		memcpy(out, w, wl);
		out[wl] = 0;
		return;
	}
}

void bloat_path_crates(const char *name, char *type_crate, char *trait_crate, size_t n)
{
	type_crate[0] = trait_crate[0] = 0;
	if (!name)
		return;
	size_t len = strlen(name);
	if (name[0] == '<') {
		/* "<TYPE as TRAIT>::f": " as " at nesting depth 1 */
		int depth = 0;
		for (size_t i = 0; i < len; i++) {
			char ch = name[i];
			if (ch == '<' || ch == '(' || ch == '[')
				depth++;
			else if (ch == '>' || ch == ')' || ch == ']') {
				if (--depth == 0) {
					/* "<T>::f": an inherent impl */
					first_segment(name + 1, i - 1, type_crate, n);
					return;
				}
			} else if (depth == 1 && !strncmp(name + i, " as ", 4)) {
				first_segment(name + 1, i - 1, type_crate, n);
				size_t t0 = i + 4, t1 = t0;
				int d = 0;
				while (t1 < len && !(d == 0 && name[t1] == '>')) {
					if (name[t1] == '<')
						d++;
					else if (name[t1] == '>')
						d--;
					t1++;
				}
				first_segment(name + t0, t1 - t0, trait_crate, n);
				return;
			}
		}
		return;
	}
	first_segment(name, len, type_crate, n);
}

/* The '-' of "name-1.2" or "name-2.36.1" in [c0, end): digits with at
 * least one dot after it to the component's end; NULL if none. */
static const char *version_dash(const char *c0, const char *end)
{
	for (const char *q = c0 + 1; q + 1 < end; q++) {
		if (*q != '-' || !isdigit((unsigned char)q[1]))
			continue;
		const char *v = q + 1;
		bool dot = false;
		while (v < end && (isdigit((unsigned char)*v) || *v == '.'))
			dot |= *v++ == '.';
		if (v == end && dot)
			return q;
	}
	return NULL;
}

bool bloat_unit_crate(const char *name, const char *comp_dir, bool rust, char *out, size_t n)
{
	out[0] = 0;
	if (rust && name) {
		const char *at = strstr(name, "/@/");
		if (at) {
			const char *s = at + 3;
			size_t l = strcspn(s, ".");
			if (l && l < n) {
				memcpy(out, s, l);
				out[l] = 0;
				return true;
			}
		}
		/* "crates/foo/src/lib.rs": the directory above src */
		const char *src = strstr(name, "/src/");
		if (src && src > name) {
			const char *b = src;
			while (b > name && b[-1] != '/')
				b--;
			size_t l = (size_t)(src - b);
			if (l && l < n) {
				memcpy(out, b, l);
				out[l] = 0;
				for (char *q = out; *q; q++)
					if (*q == '-')
						*q = '_';
				return true;
			}
		}
	}
	const char *dir = comp_dir;
	if (!dir || !*dir)
		dir = name;
	if (!dir)
		return false;
	/* a "name-1.2.3" component: the library's source tree */
	for (const char *p = dir; *p;) {
		while (*p == '/')
			p++;
		const char *c0 = p;
		while (*p && *p != '/')
			p++;
		const char *dash = version_dash(c0, p);
		if (dash && (size_t)(dash - c0) < n) {
			/* as cargo names crates: my-sys's C code is my_sys's */
			for (size_t i = 0; i < (size_t)(dash - c0); i++)
				out[i] = c0[i] == '-' ? '_' : c0[i];
			out[dash - c0] = 0;
			return true;
		}
	}
	/* else the last component (of the directory holding a file name) */
	size_t l = strlen(dir);
	while (l > 1 && dir[l - 1] == '/')
		l--;
	const char *b = dir + l;
	while (b > dir && b[-1] != '/')
		b--;
	if (dir == name) { /* a file: its directory */
		if (b == dir)
			return false;
		const char *e = b - 1;
		b = e;
		while (b > dir && b[-1] != '/')
			b--;
		l = (size_t)(e - dir);
	}
	size_t bl = (size_t)(dir + l - b);
	if (!bl || bl >= n)
		return false;
	memcpy(out, b, bl);
	out[bl] = 0;
	return true;
}

static int range_cmp(const void *a, const void *b)
{
	const struct cu_range *x = a, *y = b;
	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static void read_units(struct bloat_crates *c, Elf *elf)
{
	/* ld points the DWARF of functions --gc-sections dropped at 0 (and
	 * newer linkers at -1 / -2): no code is there but in an object file */
	GElf_Ehdr eh;
	bool object = gelf_getehdr(elf, &eh) && eh.e_type == ET_REL;
	Dwarf *dw = dwarf_begin_elf(elf, DWARF_C_READ, NULL);
	if (!dw)
		return;
	Dwarf_Off off = 0, next;
	size_t hsize;
	while (dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu;
		if (!dwarf_offdie(dw, off + hsize, &cu)) {
			off = next;
			continue;
		}
		off = next;
		const char *name = dwarf_diename(&cu);
		Dwarf_Attribute a;
		const char *comp_dir = dwarf_formstring(dwarf_attr(&cu, DW_AT_comp_dir, &a));
		bool rust = dwarf_srclang(&cu) == DW_LANG_Rust;
		char crate[256];
		if (!bloat_unit_crate(name, comp_dir, rust, crate, sizeof(crate)))
			continue;
		c->have_dwarf = true;
		uint32_t id = crate_id(c, crate);
		/* std's own units are built under /rustc/HASH, its vendored
		 * dependencies (memchr, hashbrown, ...) under /rust/deps */
		bool std = rust && ((comp_dir && (!strncmp(comp_dir, "/rustc/", 7) || !strncmp(comp_dir, "/rust/deps/", 11))) ||
				    (name && (!strncmp(name, "library/", 8) || !strncmp(name, "/rustc/", 7) ||
					      !strncmp(name, "/rust/deps/", 11))));
		c->seen.v[id] |= std ? CRATE_SEEN_STD : CRATE_SEEN_USER;
		Dwarf_Addr base, lo, hi;
		ptrdiff_t ro = 0;
		while ((ro = dwarf_ranges(&cu, ro, &base, &lo, &hi)) > 0) {
			if (hi <= lo || (!object && lo == 0) || lo >= (uint64_t)-2)
				continue;
			vec_push(&c->ranges, ((struct cu_range){ lo, hi, id, std }));
			if (hi - lo > c->widest)
				c->widest = hi - lo;
		}
	}
	dwarf_end(dw);
	if (c->ranges.n)
		qsort(c->ranges.v, c->ranges.n, sizeof(*c->ranges.v), range_cmp);
}

struct bloat_crates *bloat_crates_new(Elf *elf)
{
	struct bloat_crates *c = xcalloc(1, sizeof(*c));
	crate_id(c, ""); /* id 0: none */
	if (elf)
		read_units(c, elf);
	return c;
}

void bloat_crates_free(struct bloat_crates *c)
{
	if (!c)
		return;
	interner_free(&c->names);
	vec_free(&c->seen);
	vec_free(&c->ranges);
	free(c);
}

bool bloat_crates_have_dwarf(const struct bloat_crates *c)
{
	return c->have_dwarf;
}

static const struct cu_range *find_range(const struct bloat_crates *c, uint64_t addr)
{
	size_t lo = 0, hi = c->ranges.n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->ranges.v[mid].lo <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* ranges may overlap or nest: back as far as the widest reaches */
	for (size_t k = lo; k > 0; k--) {
		const struct cu_range *r = &c->ranges.v[k - 1];
		if (addr >= r->lo && addr < r->hi)
			return r;
		if (addr - r->lo >= c->widest)
			break;
	}
	return NULL;
}

const char *bloat_crate_at(struct bloat_crates *c, uint64_t addr)
{
	const struct cu_range *r = find_range(c, addr);
	return r ? interned(&c->names, r->crate) : NULL;
}

bool bloat_crate_is_std(struct bloat_crates *c, const char *crate)
{
	/* what DWARF says first: a dependency called "libc" is the user's */
	uint32_t id = crate_id(c, crate);
	uint8_t seen = id < c->seen.n ? c->seen.v[id] : 0;
	if (seen == CRATE_SEEN_USER)
		return false;
	if (seen)
		return true; /* std's, or both: code outside both crates' units */
	for (size_t i = 0; i < sizeof(std_crates) / sizeof(std_crates[0]); i++)
		if (!strcmp(crate, std_crates[i]))
			return true;
	return false;
}

const char *bloat_crate_shown(struct bloat_crates *c, const char *crate, bool split_std)
{
	if (!split_std && bloat_crate_is_std(c, crate))
		return "std";
	return interned(&c->names, crate_id(c, crate));
}

/* Rust's symbols: v0 (_R...), or legacy _ZN...17h<16 hex>E, maybe with a
 * suffix LLVM added (".llvm.123", ".cold"); legacy names hold dots too
 * ("hashbrown..map"), so the hash is looked for before any dot. */
bool bloat_is_rust_symbol(const char *sym)
{
	if (!strncmp(sym, "_R", 2))
		return true;
	if (strncmp(sym, "_ZN", 3))
		return false;
	for (const char *e = strchr(sym, 'E'); e; e = strchr(e + 1, 'E')) {
		if ((e[1] && e[1] != '.') || e - sym < 22 || strncmp(e - 19, "17h", 3))
			continue;
		const char *h = e - 16;
		while (h < e && strchr("0123456789abcdef", *h))
			h++;
		if (h == e)
			return true;
	}
	return false;
}

bool bloat_v0_crate(const char *sym, char *out, size_t n)
{
	out[0] = 0;
	if (!sym || strncmp(sym, "_R", 2))
		return false;
	for (const char *p = sym + 2; *p; p++) {
		if (*p != 'C')
			continue;
		const char *q = p + 1;
		if (*q == 's') { /* a disambiguator: s<base-62>_ */
			q++;
			while (isalnum((unsigned char)*q))
				q++;
			if (*q++ != '_')
				continue;
		}
		if (!isdigit((unsigned char)*q) || *q == '0')
			continue;
		size_t len = 0;
		while (isdigit((unsigned char)*q) && len < 4096)
			len = len * 10 + (size_t)(*q++ - '0');
		if (*q == '_') /* an identifier starting with a digit or '_' */
			q++;
		size_t have = 0;
		while (have < len && is_ident_char(q[have]))
			have++;
		if (have != len || len >= n)
			continue;
		memcpy(out, q, len);
		out[len] = 0;
		return true;
	}
	return false;
}

const char *bloat_crate_of(struct bloat_crates *c, const char *sym, const char *name, bool rust, uint64_t addr,
			   bool split_std)
{
	char tc[256], rc[256];
	const struct cu_range *r = find_range(c, addr);
	const char *unit = r ? interned(&c->names, r->crate) : NULL;
	/* only Rust paths start with their crate: C++'s "ns::f" is a namespace */
	bloat_path_crates(rust ? name : NULL, tc, rc, sizeof(tc));
	/* "<str>::trim_start_matches": v0 names the path's crate in the symbol */
	if (!tc[0] && !rc[0] && rust && !unit)
		bloat_v0_crate(sym, tc, sizeof(tc));
	const char *pick = NULL;
	bool t_ok = tc[0] != 0, r_ok = rc[0] != 0;
	if (t_ok && r_ok && strcmp(tc, rc)) {
		/* the impl is in the type's crate or the trait's: the unit tells
		 * when it is one of them, else the type's (as cargo-bloat) */
		pick = unit && !strcmp(unit, rc) ? rc : tc;
	} else if (t_ok) {
		pick = tc;
	} else if (r_ok) {
		pick = rc;
	} else if (unit) {
		pick = unit;
	} else {
		return BLOAT_UNKNOWN;
	}
	/* a crate of yours named like one of std's (a path crate "hashbrown"):
	 * the unit holding the code tells whose it is */
	if (unit && !strcmp(unit, pick)) {
		if (!split_std && r->std)
			return "std";
		return interned(&c->names, crate_id(c, pick));
	}
	return bloat_crate_shown(c, pick, split_std);
}
