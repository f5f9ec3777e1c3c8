/* A CU's ranges for the coz line table (see coz_cu.h). Fast on big Rust
 * binaries: a CU without an in-scope file is skipped, only functions with
 * code on out-of-scope rows have their DIEs read (and each subtree once:
 * coz_die.c), file scope is decided once per file-table entry and each
 * inline's answer once. */
#include "coz/coz_cu.h"

#include <dwarf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "coz/coz_die.h"
#include "util/vec.h"

#define NONE UINT64_MAX
#define UNKNOWN (UINT64_MAX - 1)
#define MAX_DEPTH 256

struct row {
	uint64_t lo, hi;
	uint32_t file;
	int line;
};

struct inl { /* an inlined call: its site and the inlined call around it */
	uint32_t file;
	unsigned line;
	int32_t parent; /* -1: the call is in the out-of-line function */
};

struct ivl {
	uint64_t lo, hi;
	uint32_t node, depth;
};

struct piece { /* the address space cut where the innermost inline changes */
	uint64_t lo, hi;
	uint32_t node;
};

struct cu {
	struct coz_linetab *t;
	const struct coz_scope *scope;
	Dwarf_Files *files;
	size_t nfiles;
	const char *comp_dir;
	struct coz_die_unit unit;
	uint8_t *in;  /* per file entry: 0 not decided yet, 1 in scope, 2 out */
	uint32_t *id; /* per file entry: the table's file id, or UINT32_MAX */
	VEC(struct row) rows;
	VEC(struct inl) nodes;
	VEC(struct ivl) ivls;
	VEC(struct piece) pieces;
	VEC(struct piece) outside; /* the out-of-scope rows, sorted, merged */
	uint64_t *res; /* per node: the innermost in-scope call site outside it, file id << 32 | line */
};

static const char *file_path(struct cu *c, size_t f, char *buf, size_t size)
{
	const char *name = f < c->nfiles ? dwarf_filesrc(c->files, f, NULL, NULL) : NULL;
	if (!name || !*name || !strcmp(name, "???")) /* libdw's name for DWARF 4's entry 0 */
		return NULL;
	return coz_canon_path(name, c->comp_dir, buf, size);
}

static bool file_in(struct cu *c, size_t f)
{
	if (f >= c->nfiles)
		return false;
	if (!c->in[f]) {
		char buf[4096];
		const char *p = file_path(c, f, buf, sizeof(buf));
		c->in[f] = p && coz_source_in_scope(c->scope, p) ? 1 : 2;
	}
	return c->in[f] == 1;
}

static uint32_t file_id(struct cu *c, size_t f)
{
	if (c->id[f] == UINT32_MAX) {
		char buf[4096];
		c->id[f] = coz_linetab_file(c->t, file_path(c, f, buf, sizeof(buf)));
	}
	return c->id[f];
}

/* The line program's rows as ranges; false when it has none. Sequences
 * at address 0 are code the linker dropped: skipped. */
static bool read_rows(struct cu *c, Dwarf_Die *cu)
{
	Dwarf_Lines *lines;
	size_t nl;
	if (dwarf_getsrclines(cu, &lines, &nl) != 0)
		return false;
	bool dead = false, seq_start = true;
	for (size_t i = 0; i + 1 < nl; i++) {
		Dwarf_Line *l = dwarf_onesrcline(lines, i), *next = dwarf_onesrcline(lines, i + 1);
		Dwarf_Addr lo, hi;
		bool end;
		int lineno;
		Dwarf_Files *files;
		size_t f;
		if (dwarf_lineaddr(l, &lo) || dwarf_lineendsequence(l, &end))
			continue;
		if (seq_start)
			dead = lo == 0;
		seq_start = end;
		if (end || dead || dwarf_lineaddr(next, &hi) || hi <= lo || dwarf_lineno(l, &lineno) ||
		    dwarf_line_file(l, &files, &f) || files != c->files)
			continue;
		vec_push(&c->rows, ((struct row){ lo, hi, (uint32_t)f, lineno }));
	}
	return c->rows.n > 0;
}

static bool row_in(struct cu *c, const struct row *r) { return r->line > 0 && file_in(c, r->file); }

/* Where functions with code are: types only declare methods (gcc, clang
 * and rustc put the definitions at namespace level), so their members,
 * often most of the DIEs, are not read. */
static bool is_container(int tag) { return tag == DW_TAG_namespace || tag == DW_TAG_module; }

static unsigned udata(Dwarf_Die *die, int name)
{
	Dwarf_Attribute a;
	Dwarf_Word w;
	return dwarf_attr(die, name, &a) && dwarf_formudata(&a, &w) == 0 && w <= 0xffffffffu ? (unsigned)w : 0;
}

static void add_inline(struct cu *c, Dwarf_Die *die, int32_t parent, uint32_t depth)
{
	struct inl n = { udata(die, DW_AT_call_file), udata(die, DW_AT_call_line), parent };
	vec_push(&c->nodes, n);
	Dwarf_Addr base, lo, hi;
	ptrdiff_t off = 0;
	while ((off = dwarf_ranges(die, off, &base, &lo, &hi)) > 0)
		if (lo && hi > lo)
			vec_push(&c->ivls, ((struct ivl){ lo, hi, (uint32_t)(c->nodes.n - 1), depth }));
}

/* Whether any of die's code is on an out-of-scope row: only then can its
 * inline chains matter. */
static bool needs_chains(struct cu *c, Dwarf_Die *die)
{
	Dwarf_Addr base, lo, hi;
	ptrdiff_t off = 0;
	while ((off = dwarf_ranges(die, off, &base, &lo, &hi)) > 0) {
		size_t a = 0, b = c->outside.n; /* the first outside range ending after lo */
		while (a < b) {
			size_t mid = a + (b - a) / 2;
			if (c->outside.v[mid].hi <= lo)
				a = mid + 1;
			else
				b = mid;
		}
		if (a < c->outside.n && c->outside.v[a].lo < hi)
			return true;
	}
	return false;
}

/* After a child it has walked itself, the next one: past the subtree's
 * end when that is known, else libdw's dwarf_siblingof (which reads the
 * subtree again). 1 when ch was the last: *list_end is then past the
 * list's closing null if known, else NULL. */
static int next_child(struct cu *c, Dwarf_Die *ch, const unsigned char *end, const unsigned char **list_end)
{
	*list_end = NULL;
	if (end && end < c->unit.end) {
		if (!*end) {
			*list_end = end + 1;
			return 1;
		}
		*ch = (Dwarf_Die){ .addr = (void *)end, .cu = ch->cu }; /* as dwarf_siblingof makes it */
		return 0;
	}
	Dwarf_Die next;
	int r = dwarf_siblingof(ch, &next);
	if (r == 0)
		*ch = next;
	else if (r > 0 && !dwarf_haschildren(ch)) { /* a leaf: the null is just past it */
		const unsigned char *e = coz_die_attrs_end(ch, &c->unit);
		*list_end = e && e < c->unit.end && !*e ? e + 1 : NULL;
	}
	return r;
}

/* Collects the inlined calls under die; in_func: inside a function's code.
 * Returns the address just past die's subtree, or NULL if not known. */
static const unsigned char *walk(struct cu *c, Dwarf_Die *die, int32_t parent, uint32_t depth, bool in_func)
{
	Dwarf_Die ch;
	if (depth > MAX_DEPTH || dwarf_child(die, &ch) != 0)
		return NULL;
	const unsigned char *list_end;
	int r;
	do {
		int tag = dwarf_tag(&ch);
		const unsigned char *end = NULL; /* past ch's subtree, when walked */
		if (tag == DW_TAG_subprogram) {
			if (needs_chains(c, &ch))
				end = walk(c, &ch, -1, depth + 1, true);
		} else if (tag == DW_TAG_inlined_subroutine && in_func) {
			add_inline(c, &ch, parent, depth);
			end = walk(c, &ch, (int32_t)(c->nodes.n - 1), depth + 1, true);
		} else if (in_func ? tag == DW_TAG_lexical_block || tag == DW_TAG_try_block || tag == DW_TAG_catch_block
				   : is_container(tag)) {
			end = walk(c, &ch, parent, depth + 1, in_func);
		}
		r = next_child(c, &ch, end, &list_end);
	} while (r == 0);
	return r > 0 ? list_end : NULL;
}

static int by_lo_outer_first(const void *a, const void *b)
{
	const struct ivl *x = a, *y = b;
	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	if (x->hi != y->hi)
		return x->hi > y->hi ? -1 : 1;
	return x->depth < y->depth ? -1 : x->depth > y->depth;
}

static int by_lo_piece(const void *a, const void *b)
{
	uint64_t x = ((const struct piece *)a)->lo, y = ((const struct piece *)b)->lo;
	return x < y ? -1 : x > y;
}

static void find_outside(struct cu *c)
{
	for (size_t i = 0; i < c->rows.n; i++) {
		const struct row *r = &c->rows.v[i];
		if (row_in(c, r))
			continue;
		struct piece *last = c->outside.n ? &c->outside.v[c->outside.n - 1] : NULL;
		if (last && last->hi == r->lo)
			last->hi = r->hi;
		else
			vec_push(&c->outside, ((struct piece){ r->lo, r->hi, 0 }));
	}
	if (c->outside.n > 1)
		qsort(c->outside.v, c->outside.n, sizeof(*c->outside.v), by_lo_piece);
}

static void piece(struct cu *c, uint64_t lo, uint64_t hi, uint32_t node)
{
	if (lo < hi)
		vec_push(&c->pieces, ((struct piece){ lo, hi, node }));
}

/* Nested inline ranges -> disjoint pieces, each naming its innermost
 * inline: a sweep keeping the ranges open at the current address. */
static void cut_pieces(struct cu *c)
{
	if (c->ivls.n > 1)
		qsort(c->ivls.v, c->ivls.n, sizeof(*c->ivls.v), by_lo_outer_first);
	struct ivl st[MAX_DEPTH + 2];
	size_t sp = 0;
	uint64_t cur = 0;
	for (size_t i = 0; i <= c->ivls.n; i++) {
		struct ivl iv = i < c->ivls.n ? c->ivls.v[i] : (struct ivl){ UINT64_MAX, UINT64_MAX, 0, 0 };
		while (sp && st[sp - 1].hi <= iv.lo) {
			struct ivl *top = &st[--sp];
			piece(c, cur, top->hi, top->node);
			if (top->hi > cur)
				cur = top->hi;
		}
		if (i == c->ivls.n)
			break;
		if (sp) {
			piece(c, cur, iv.lo, st[sp - 1].node);
			if (iv.hi > st[sp - 1].hi) /* not nested (broken DWARF): clip */
				iv.hi = st[sp - 1].hi;
		}
		if (iv.lo < cur)
			iv.lo = cur;
		if (iv.lo >= iv.hi || sp == MAX_DEPTH + 2)
			continue;
		cur = iv.lo;
		st[sp++] = iv;
	}
}

static uint64_t resolve(struct cu *c, uint32_t node, int depth)
{
	if (c->res[node] != UNKNOWN)
		return c->res[node];
	const struct inl *n = &c->nodes.v[node];
	uint64_t r = NONE;
	if (n->line && file_in(c, n->file))
		r = (uint64_t)file_id(c, n->file) << 32 | n->line;
	else if (n->parent >= 0 && depth < MAX_DEPTH)
		r = resolve(c, (uint32_t)n->parent, depth + 1);
	return c->res[node] = r;
}

/* An out-of-scope row: each piece of it inside an inline goes to the
 * innermost in-scope call site; outside any inline it has no line. */
static void add_inlined_row(struct cu *c, const struct row *r)
{
	size_t lo = 0, hi = c->pieces.n; /* the first piece ending after r->lo */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->pieces.v[mid].hi <= r->lo)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < c->pieces.n && c->pieces.v[i].lo < r->hi; i++) {
		const struct piece *p = &c->pieces.v[i];
		uint64_t line = resolve(c, p->node, 0);
		if (line != NONE)
			coz_linetab_range(c->t, p->lo > r->lo ? p->lo : r->lo, p->hi < r->hi ? p->hi : r->hi,
					  (uint32_t)(line >> 32), (unsigned)line);
	}
}

void coz_cu_add(struct coz_linetab *t, Dwarf_Die *cudie, const void *unit_end, const struct coz_scope *scope)
{
	struct cu c = { .t = t, .scope = scope, .unit.end = unit_end };
	Dwarf_Die d;
	if (!dwarf_diecu(cudie, &d, &c.unit.addr_size, &c.unit.offset_size))
		c.unit.end = NULL; /* never step past a subtree by hand */
	if (dwarf_getsrcfiles(cudie, &c.files, &c.nfiles) != 0 || !c.nfiles)
		return;
	Dwarf_Attribute a;
	c.comp_dir = dwarf_formstring(dwarf_attr(cudie, DW_AT_comp_dir, &a));
	c.in = xcalloc(c.nfiles, 1);
	c.id = xmalloc(c.nfiles * sizeof(*c.id));
	memset(c.id, 0xff, c.nfiles * sizeof(*c.id));
	bool any = false; /* coz skips a CU none of whose files is in scope */
	for (size_t f = 0; f < c.nfiles && !any; f++)
		any = file_in(&c, f);
	if (any && read_rows(&c, cudie)) {
		find_outside(&c);
		if (c.outside.n) {
			walk(&c, cudie, -1, 0, false);
			cut_pieces(&c);
			c.res = xmalloc((c.nodes.n + 1) * sizeof(*c.res));
			for (size_t i = 0; i < c.nodes.n; i++)
				c.res[i] = UNKNOWN;
		}
		for (size_t i = 0; i < c.rows.n; i++) {
			const struct row *r = &c.rows.v[i];
			if (row_in(&c, r))
				coz_linetab_range(t, r->lo, r->hi, file_id(&c, r->file), (unsigned)r->line);
			else
				add_inlined_row(&c, r);
		}
	}
	free(c.in);
	free(c.id);
	free(c.res);
	vec_free(&c.rows);
	vec_free(&c.nodes);
	vec_free(&c.ivls);
	vec_free(&c.pieces);
	vec_free(&c.outside);
}
