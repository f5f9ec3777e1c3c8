/* Call-frame information, the parser: DW_EH_PE pointers, CIEs and FDEs,
 * CFA programs run into rows, rows turned into compact rules, and the
 * sorted index of a section's FDEs. Bytes in, rows out: no files, no
 * libelf, no process-wide allocator (the index grows through the caller's
 * realloc), so the preloaded runtime compiles this file as it is.
 * cfi_table.c keeps the tables over an ELF image; cfi_load.c finds files. */
#include "binary/cfi.h"
#include "binary/byte_reader.h"

#include <stdlib.h>
#include <string.h>

#define CFI_STATE_DEPTH 16

const uint8_t cfi_save_regs[CFI_NSAVE] = { UNW_RBX, UNW_RBP, UNW_R12, UNW_R13, UNW_R14, UNW_R15 };

bool cfi_read_encoded(const uint8_t **pp, const uint8_t *end, uint8_t enc, const struct cfi_section *sec,
		      uint64_t func, uint64_t *out)
{
	if (enc == DW_EH_PE_omit)
		return false;
	struct rd r = { *pp, end, false };
	uint64_t field = sec->vaddr + (uint64_t)(*pp - sec->data);
	uint8_t app = enc & 0x70;
	uint64_t base = 0;
	switch (app) {
	case 0x00: break;
	case 0x10: base = field; break;
	case 0x20: base = sec->text_vaddr; break;
	case 0x30: base = sec->data_vaddr; break;
	case 0x40: base = func; break;
	case 0x50: { /* aligned: the value is an absptr at the next 8-byte boundary */
		uint64_t pad = (8 - (field & 7)) & 7;
		rd_n(&r, pad);
		field += pad;
		break;
	}
	default: return false;
	}
	uint64_t v;
	switch (enc & 0x0f) {
	case 0x00: v = rd_n(&r, 8); break;             /* absptr */
	case 0x01: v = rd_uleb(&r); break;             /* uleb128 */
	case 0x02: v = rd_n(&r, 2); break;             /* udata2 */
	case 0x03: v = rd_n(&r, 4); break;             /* udata4 */
	case 0x04: v = rd_n(&r, 8); break;             /* udata8 */
	case 0x08: v = rd_n(&r, 8); break;             /* signed (absptr size) */
	case 0x09: v = (uint64_t)rd_sleb(&r); break;   /* sleb128 */
	case 0x0a: v = (uint64_t)sext(rd_n(&r, 2), 2); break;
	case 0x0b: v = (uint64_t)sext(rd_n(&r, 4), 4); break;
	case 0x0c: v = rd_n(&r, 8); break;
	default: return false;
	}
	if (r.err)
		return false;
	*pp = r.p;
	/* indirect: the value is the address of the pointer; the tables never
	 * need the pointee (personality routines), so it is left as is. */
	*out = base + v;
	return true;
}

/* ---- CIE / FDE -------------------------------------------------------------- */

struct cie {
	const uint8_t *insns, *insns_end;
	uint64_t code_align;
	int64_t data_align;
	uint8_t ra_reg, fde_enc, addr_size;
	bool signal, has_z;
};

/* Reads an entry header at `off`: sets the entry's [body, end) and whether
 * it uses the 64-bit format. Returns false on terminator/garbage. */
static bool entry_header(const struct cfi_section *sec, size_t off, struct rd *r, const uint8_t **end, bool *is64)
{
	if (off >= sec->len)
		return false;
	r->p = sec->data + off;
	r->end = sec->data + sec->len;
	r->err = false;
	uint64_t len = rd_n(r, 4);
	*is64 = false;
	if (len == 0xffffffffu) {
		len = rd_n(r, 8);
		*is64 = true;
	}
	if (r->err || len == 0 || len > (uint64_t)(r->end - r->p))
		return false;
	*end = r->p + len;
	r->end = *end;
	return true;
}

static bool parse_cie(const struct cfi_section *sec, size_t off, struct cie *c)
{
	struct rd r;
	const uint8_t *end;
	bool is64;
	if (!entry_header(sec, off, &r, &end, &is64))
		return false;
	uint64_t id = rd_n(&r, is64 ? 8 : 4);
	if (sec->eh ? id != 0 : id != (is64 ? ~(uint64_t)0 : 0xffffffffu))
		return false;
	uint8_t version = (uint8_t)rd_n(&r, 1);
	if (r.err || (version != 1 && version != 3 && version != 4))
		return false;
	const char *aug = (const char *)r.p;
	size_t alen = strnlen(aug, (size_t)(r.end - r.p));
	if (alen == (size_t)(r.end - r.p))
		return false;
	r.p += alen + 1;
	memset(c, 0, sizeof(*c));
	c->addr_size = 8;
	if (aug[0] == 'e' && aug[1] == 'h') { /* old GCC: a pointer follows */
		rd_n(&r, 8);
		aug += 2;
	}
	if (version == 4) {
		c->addr_size = (uint8_t)rd_n(&r, 1);
		rd_n(&r, 1); /* segment selector size */
		if (c->addr_size != 4 && c->addr_size != 8)
			return false;
	}
	c->code_align = rd_uleb(&r);
	c->data_align = rd_sleb(&r);
	uint64_t ra = version == 1 ? rd_n(&r, 1) : rd_uleb(&r);
	if (r.err || ra >= UNW_NREGS)
		return false;
	c->ra_reg = (uint8_t)ra;
	c->fde_enc = c->addr_size == 4 ? 0x03 : 0x00;
	if (aug[0] == 'z') {
		c->has_z = true;
		uint64_t zlen = rd_uleb(&r);
		if (r.err || zlen > (uint64_t)(r.end - r.p))
			return false;
		const uint8_t *zend = r.p + zlen;
		for (const char *a = aug + 1; *a; a++) {
			if (*a == 'R') {
				c->fde_enc = (uint8_t)rd_n(&r, 1);
			} else if (*a == 'L') {
				rd_n(&r, 1);
			} else if (*a == 'P') {
				uint8_t penc = (uint8_t)rd_n(&r, 1);
				uint64_t pers;
				if (r.err || !cfi_read_encoded(&r.p, zend, penc, sec, 0, &pers))
					return false;
			} else if (*a == 'S') {
				c->signal = true;
			} else if (*a == 'B' || *a == 'G') {
				/* AArch64 B-key / MTE: no data */
			} else {
				break; /* unknown: the 'z' length lets us skip the rest */
			}
			if (r.err || r.p > zend)
				return false;
		}
		r.p = zend;
	} else if (aug[0]) {
		return false; /* unknown augmentation without a length */
	}
	if (r.err)
		return false;
	c->insns = r.p;
	c->insns_end = end;
	return true;
}

enum cfi_status cfi_parse_fde(const struct cfi_section *sec, size_t off, struct cfi_fde *out)
{
	struct rd r;
	const uint8_t *end;
	bool is64;
	if (!sec->data || !entry_header(sec, off, &r, &end, &is64))
		return CFI_ERR;
	size_t id_off = (size_t)(r.p - sec->data);
	uint64_t id = rd_n(&r, is64 ? 8 : 4);
	if (r.err)
		return CFI_ERR;
	uint64_t cie_off;
	if (sec->eh) {
		if (id == 0 || id > id_off)
			return CFI_ERR;
		cie_off = id_off - id;
	} else {
		if (id == (is64 ? ~(uint64_t)0 : 0xffffffffu))
			return CFI_ERR;
		cie_off = id;
	}
	if (cie_off >= sec->len || cie_off == off)
		return CFI_ERR;
	struct cie c;
	if (!parse_cie(sec, (size_t)cie_off, &c))
		return CFI_ERR;
	uint64_t begin, range;
	if (!cfi_read_encoded(&r.p, r.end, c.fde_enc, sec, 0, &begin))
		return CFI_ERR;
	if (!cfi_read_encoded(&r.p, r.end, c.fde_enc & 0x0f, sec, 0, &range))
		return CFI_ERR;
	if (c.has_z) {
		uint64_t zlen = rd_uleb(&r);
		if (r.err || zlen > (uint64_t)(r.end - r.p))
			return CFI_ERR;
		r.p += zlen;
	}
	memset(out, 0, sizeof(*out));
	out->pc_begin = begin;
	out->pc_end = begin + range < begin ? UINT64_MAX : begin + range;
	out->insns = r.p;
	out->insns_end = end;
	out->cie_insns = c.insns;
	out->cie_insns_end = c.insns_end;
	out->code_align = c.code_align;
	out->data_align = c.data_align;
	out->ra_reg = c.ra_reg;
	out->fde_enc = c.fde_enc;
	out->addr_size = c.addr_size;
	out->signal = c.signal;
	out->sec = sec;
	out->fde_off = off;
	return CFI_OK;
}

/* ---- CFA programs ------------------------------------------------------------ */

enum {
	CFA_nop = 0x00, CFA_set_loc = 0x01, CFA_advance_loc1 = 0x02, CFA_advance_loc2 = 0x03,
	CFA_advance_loc4 = 0x04, CFA_offset_extended = 0x05, CFA_restore_extended = 0x06,
	CFA_undefined = 0x07, CFA_same_value = 0x08, CFA_register = 0x09, CFA_remember_state = 0x0a,
	CFA_restore_state = 0x0b, CFA_def_cfa = 0x0c, CFA_def_cfa_register = 0x0d,
	CFA_def_cfa_offset = 0x0e, CFA_def_cfa_expression = 0x0f, CFA_expression = 0x10,
	CFA_offset_extended_sf = 0x11, CFA_def_cfa_sf = 0x12, CFA_def_cfa_offset_sf = 0x13,
	CFA_val_offset = 0x14, CFA_val_offset_sf = 0x15, CFA_val_expression = 0x16,
	CFA_MIPS_advance_loc8 = 0x1d, CFA_GNU_window_save = 0x2d, CFA_GNU_args_size = 0x2e,
	CFA_GNU_negative_offset_extended = 0x2f,
	CFA_advance_loc = 0x40, CFA_offset = 0x80, CFA_restore = 0xc0,
};

/* Factored offsets wrap on hostile input instead of overflowing. */
static int64_t fmul(uint64_t v, int64_t factor)
{
	return (int64_t)(v * (uint64_t)factor);
}

struct run_state {
	struct cfi_row stack[CFI_STATE_DEPTH];
	unsigned depth;
};

/* Returns 1 when done (target reached), 0 at the end of the program, -1 on error. */
static int run_program(const struct cfi_fde *f, const uint8_t *p, const uint8_t *end, uint64_t pc,
		       struct cfi_row *row, const struct cfi_row *init, struct run_state *rs)
{
	struct rd r = { p, end, false };
	while (r.p < r.end) {
		uint8_t op = *r.p++;
		uint64_t reg = 0, delta = 0;
		int64_t off;
		bool advance = false;
		struct cfi_reg_rule *rule = NULL;
		switch (op & 0xc0) {
		case CFA_advance_loc:
			delta = op & 0x3f;
			advance = true;
			break;
		case CFA_offset:
			reg = op & 0x3f;
			off = fmul(rd_uleb(&r), f->data_align);
			if (reg < UNW_NREGS)
				row->reg[reg] = (struct cfi_reg_rule){ .kind = CFI_REG_OFFSET, .off = off };
			break;
		case CFA_restore:
			reg = op & 0x3f;
			if (reg < UNW_NREGS)
				row->reg[reg] = init ? init->reg[reg] : (struct cfi_reg_rule){ 0 };
			break;
		default:
			switch (op) {
			case CFA_nop:
				break;
			case CFA_set_loc: {
				uint64_t loc;
				if (!cfi_read_encoded(&r.p, r.end, f->fde_enc, f->sec, f->pc_begin, &loc))
					return -1;
				if (loc > pc)
					return 1;
				row->loc = loc;
				break;
			}
			case CFA_advance_loc1: delta = rd_n(&r, 1); advance = true; break;
			case CFA_advance_loc2: delta = rd_n(&r, 2); advance = true; break;
			case CFA_advance_loc4: delta = rd_n(&r, 4); advance = true; break;
			case CFA_MIPS_advance_loc8: delta = rd_n(&r, 8); advance = true; break;
			case CFA_offset_extended:
				reg = rd_uleb(&r);
				off = fmul(rd_uleb(&r), f->data_align);
				if (reg < UNW_NREGS)
					row->reg[reg] = (struct cfi_reg_rule){ .kind = CFI_REG_OFFSET, .off = off };
				break;
			case CFA_offset_extended_sf:
				reg = rd_uleb(&r);
				off = fmul((uint64_t)rd_sleb(&r), f->data_align);
				if (reg < UNW_NREGS)
					row->reg[reg] = (struct cfi_reg_rule){ .kind = CFI_REG_OFFSET, .off = off };
				break;
			case CFA_GNU_negative_offset_extended:
				reg = rd_uleb(&r);
				off = (int64_t)(0 - (uint64_t)fmul(rd_uleb(&r), f->data_align));
				if (reg < UNW_NREGS)
					row->reg[reg] = (struct cfi_reg_rule){ .kind = CFI_REG_OFFSET, .off = off };
				break;
			case CFA_val_offset:
				reg = rd_uleb(&r);
				off = fmul(rd_uleb(&r), f->data_align);
				if (reg < UNW_NREGS)
					row->reg[reg] = (struct cfi_reg_rule){ .kind = CFI_REG_VAL_OFFSET, .off = off };
				break;
			case CFA_val_offset_sf:
				reg = rd_uleb(&r);
				off = fmul((uint64_t)rd_sleb(&r), f->data_align);
				if (reg < UNW_NREGS)
					row->reg[reg] = (struct cfi_reg_rule){ .kind = CFI_REG_VAL_OFFSET, .off = off };
				break;
			case CFA_restore_extended:
				reg = rd_uleb(&r);
				if (reg < UNW_NREGS)
					row->reg[reg] = init ? init->reg[reg] : (struct cfi_reg_rule){ 0 };
				break;
			case CFA_undefined:
				reg = rd_uleb(&r);
				if (reg < UNW_NREGS)
					row->reg[reg] = (struct cfi_reg_rule){ .kind = CFI_REG_UNDEFINED };
				break;
			case CFA_same_value:
				reg = rd_uleb(&r);
				if (reg < UNW_NREGS)
					row->reg[reg] = (struct cfi_reg_rule){ .kind = CFI_REG_SAME };
				break;
			case CFA_register: {
				reg = rd_uleb(&r);
				uint64_t r2 = rd_uleb(&r);
				if (reg < UNW_NREGS)
					row->reg[reg] = (struct cfi_reg_rule){ .kind = CFI_REG_REGISTER,
									       .reg = r2 < UNW_NREGS ? (uint8_t)r2 : 0xff };
				break;
			}
			case CFA_remember_state:
				if (rs->depth >= CFI_STATE_DEPTH)
					return -1;
				rs->stack[rs->depth++] = *row;
				break;
			case CFA_restore_state: {
				if (rs->depth == 0)
					return -1;
				uint64_t loc = row->loc;
				*row = rs->stack[--rs->depth];
				row->loc = loc;
				break;
			}
			case CFA_def_cfa:
			case CFA_def_cfa_sf:
				reg = rd_uleb(&r);
				off = op == CFA_def_cfa ? (int64_t)rd_uleb(&r) : fmul((uint64_t)rd_sleb(&r), f->data_align);
				row->cfa_kind = CFI_CFA_REG;
				row->cfa_reg = reg < UNW_NREGS ? (uint8_t)reg : 0xff;
				row->cfa_off = off;
				break;
			case CFA_def_cfa_register:
				reg = rd_uleb(&r);
				row->cfa_kind = CFI_CFA_REG;
				row->cfa_reg = reg < UNW_NREGS ? (uint8_t)reg : 0xff;
				break;
			case CFA_def_cfa_offset:
			case CFA_def_cfa_offset_sf:
				off = op == CFA_def_cfa_offset ? (int64_t)rd_uleb(&r) : fmul((uint64_t)rd_sleb(&r), f->data_align);
				if (row->cfa_kind == CFI_CFA_EXPR)
					return -1;
				row->cfa_kind = CFI_CFA_REG;
				row->cfa_off = off;
				break;
			case CFA_def_cfa_expression: {
				uint64_t n = rd_uleb(&r);
				if (r.err || n > (uint64_t)(r.end - r.p))
					return -1;
				row->cfa_kind = CFI_CFA_EXPR;
				row->cfa_expr = r.p;
				row->cfa_expr_len = (uint32_t)n;
				r.p += n;
				break;
			}
			case CFA_expression:
			case CFA_val_expression: {
				reg = rd_uleb(&r);
				uint64_t n = rd_uleb(&r);
				if (r.err || n > (uint64_t)(r.end - r.p))
					return -1;
				if (reg < UNW_NREGS)
					rule = &row->reg[reg];
				if (rule)
					*rule = (struct cfi_reg_rule){ .kind = op == CFA_expression ? CFI_REG_EXPR : CFI_REG_VAL_EXPR,
								       .expr = r.p, .expr_len = (uint32_t)n };
				r.p += n;
				break;
			}
			case CFA_GNU_args_size:
				row->args_size = rd_uleb(&r);
				break;
			case CFA_GNU_window_save:
				break;
			default:
				return -1;
			}
		}
		if (r.err)
			return -1;
		if (advance) {
			uint64_t d;
			if (__builtin_mul_overflow(delta, f->code_align, &d))
				return 1;
			if (row->loc + d < row->loc || row->loc + d > pc)
				return 1;
			row->loc += d;
		}
	}
	return 0;
}

enum cfi_status cfi_run(const struct cfi_fde *f, uint64_t pc, struct cfi_row *row)
{
	if (pc < f->pc_begin || pc >= f->pc_end)
		return CFI_NOT_FOUND;
	struct run_state rss, *rs = &rss; /* ~7 KiB of stack; no malloc (signal-safe) */
	rs->depth = 0;
	memset(row, 0, sizeof(*row));
	row->loc = f->pc_begin;
	int rc = run_program(f, f->cie_insns, f->cie_insns_end, pc, row, NULL, rs);
	struct cfi_row init = *row;
	if (rc == 0) {
		rs->depth = 0;
		rc = run_program(f, f->insns, f->insns_end, pc, row, &init, rs);
	}
	if (rc < 0)
		return CFI_ERR;
	row->ra_reg = f->ra_reg;
	row->signal = f->signal;
	row->pc_begin = f->pc_begin;
	row->pc_end = f->pc_end;
	if (row->cfa_kind == CFI_CFA_NONE)
		return CFI_ERR;
	return CFI_OK;
}

/* ---- FDE index -------------------------------------------------------------- */

static int cmp_ent(const void *a, const void *b)
{
	const struct cfi_fde_ent *x = a, *y = b;
	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* Scans every entry of a section (CIEs and FDEs in any order). */
void cfi_index_build(const struct cfi_section *sec, struct cfi_fde_index *idx, void *(*grow)(void *, size_t))
{
	size_t cap = 0, off = 0;
	idx->v = NULL;
	idx->n = 0;
	while (off < sec->len) {
		struct rd r;
		const uint8_t *end;
		bool is64;
		if (!entry_header(sec, off, &r, &end, &is64))
			break; /* zero terminator or garbage */
		uint64_t id = rd_n(&r, is64 ? 8 : 4);
		bool is_cie = sec->eh ? id == 0 : id == (is64 ? ~(uint64_t)0 : 0xffffffffu);
		if (!r.err && !is_cie) {
			struct cfi_fde f;
			if (cfi_parse_fde(sec, off, &f) == CFI_OK && f.pc_end > f.pc_begin) {
				if (idx->n == cap) {
					cap = cap ? cap * 2 : 64;
					idx->v = grow(idx->v, cap * sizeof(*idx->v));
				}
				idx->v[idx->n++] = (struct cfi_fde_ent){ f.pc_begin, f.pc_end, off };
			}
		}
		off = (size_t)(end - sec->data);
	}
	if (idx->n)
		qsort(idx->v, idx->n, sizeof(*idx->v), cmp_ent);
}

bool cfi_index_find(const struct cfi_fde_index *idx, uint64_t pc, uint64_t *off)
{
	if (!idx->n || pc < idx->v[0].lo)
		return false;
	size_t lo = 0, hi = idx->n;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (idx->v[mid].lo <= pc)
			lo = mid;
		else
			hi = mid;
	}
	/* Overlapping FDEs (rare): look back a little for one that covers pc. */
	for (size_t k = 0; k < 4 && k <= lo; k++) {
		if (pc < idx->v[lo - k].hi) {
			*off = idx->v[lo - k].off;
			return true;
		}
	}
	return false;
}

/* ---- compact rules ---------------------------------------------------------- */

static bool is_save_reg(unsigned r, unsigned *slot)
{
	for (unsigned i = 0; i < CFI_NSAVE; i++)
		if (cfi_save_regs[i] == r) {
			*slot = i;
			return true;
		}
	return false;
}

struct cfi_rule cfi_rule_from_row(const struct cfi_row *row)
{
	struct cfi_rule r = { .kind = CFI_RULE_FULL, .signal = row->signal };
	const struct cfi_reg_rule *ra = &row->reg[row->ra_reg];
	if (ra->kind == CFI_REG_UNDEFINED) {
		r.kind = CFI_RULE_END;
		return r;
	}
	if (row->signal || row->cfa_kind != CFI_CFA_REG || row->cfa_reg >= UNW_RIP || row->cfa_off < INT32_MIN ||
	    row->cfa_off > INT32_MAX || ra->kind != CFI_REG_OFFSET || ra->off < INT32_MIN || ra->off > INT32_MAX)
		return r;
	const struct cfi_reg_rule *sp = &row->reg[UNW_RSP];
	if (!(sp->kind == CFI_REG_UNSPEC || (sp->kind == CFI_REG_VAL_OFFSET && sp->off == 0)))
		return r;
	for (unsigned i = 0; i < UNW_RIP; i++) {
		if (i == UNW_RSP || i == row->ra_reg)
			continue;
		const struct cfi_reg_rule *g = &row->reg[i];
		unsigned slot;
		bool callee = is_save_reg(i, &slot);
		switch (g->kind) {
		case CFI_REG_UNSPEC:
		case CFI_REG_SAME:
			break;
		case CFI_REG_UNDEFINED:
			if (callee)
				return r;
			break;
		case CFI_REG_OFFSET:
			if (!callee || g->off == 0 || g->off < INT16_MIN || g->off > INT16_MAX)
				return r;
			r.save[slot] = (int16_t)g->off;
			break;
		default:
			return r;
		}
	}
	r.kind = CFI_RULE_CFA;
	r.cfa_reg = row->cfa_reg;
	r.cfa_off = (int32_t)row->cfa_off;
	r.ra_off = (int32_t)ra->off;
	return r;
}
