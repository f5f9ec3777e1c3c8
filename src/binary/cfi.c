/* Call-frame information: .eh_frame (indexed by .eh_frame_hdr, or by an
 * index built at load time), .debug_frame (from the file or its separate
 * debug file, loaded on the first address .eh_frame does not cover), CFA
 * program interpretation, and a per-table cache of compact rules.
 *
 * The ELF image is mmap'd (files) or copied (memory images) and parsed
 * here with bounds checks on every read: FDEs are parsed on demand, so
 * loading a large binary costs a few header reads. */
#include "binary/cfi.h"
#include "binary/byte_reader.h"

#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "binary/elf_symbols.h"
#include "util/die.h"

#define DW_EH_PE_omit 0xff
#define DW_EH_PE_indirect 0x80

#define CFI_STATE_DEPTH 16
#define CFI_CACHE_BITS 10
#define CFI_CACHE_SLOTS (1u << CFI_CACHE_BITS)
#define CFI_MAX_LOADS 32
#define CFI_MAX_DECOMPRESSED (512u << 20)

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

struct fde_ent {
	uint64_t lo, hi, off;
};

struct fde_index {
	struct fde_ent *v;
	size_t n;
};

static int cmp_ent(const void *a, const void *b)
{
	const struct fde_ent *x = a, *y = b;
	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* Scans every entry of a section (CIEs and FDEs in any order). */
static void index_build(const struct cfi_section *sec, struct fde_index *idx)
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
					idx->v = xrealloc(idx->v, cap * sizeof(*idx->v));
				}
				idx->v[idx->n++] = (struct fde_ent){ f.pc_begin, f.pc_end, off };
			}
		}
		off = (size_t)(end - sec->data);
	}
	if (idx->n)
		qsort(idx->v, idx->n, sizeof(*idx->v), cmp_ent);
}

static bool index_find(const struct fde_index *idx, uint64_t pc, uint64_t *off)
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

/* ---- the table ------------------------------------------------------------- */

struct cache_slot {
	uint64_t key;
	struct cfi_rule rule;
};

struct cfi_table {
	/* the image: mmap'd file or malloc'd copy */
	void *image;
	size_t image_len;
	bool image_mapped;
	char *path; /* for finding the debug file later */

	struct elf_load loads[CFI_MAX_LOADS];
	bool load_exec[CFI_MAX_LOADS];
	size_t nloads;

	struct cfi_section eh;
	struct cfi_section hdr; /* .eh_frame_hdr, if it has a usable table */
	const uint8_t *hdr_table;
	size_t hdr_count, hdr_entsz;
	uint8_t hdr_enc;
	struct fde_index eh_idx; /* when there is no usable hdr table */

	bool dbg_tried;
	struct cfi_section dbg;
	struct fde_index dbg_idx;
	void *dbg_map; /* mmap of the debug file */
	size_t dbg_map_len;
	void *dbg_buf; /* decompressed or copied .debug_frame */

	uint64_t lookups, hits;
	struct cache_slot cache[CFI_CACHE_SLOTS];
};

static struct cfi_table *table_new(void)
{
	struct cfi_table *t = xcalloc(1, sizeof(*t));
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
static void finish_eh(struct cfi_table *t)
{
	if (!t->eh.data || !t->eh.len) {
		t->hdr_table = NULL;
		t->hdr_count = 0;
		return;
	}
	if (!t->hdr_table)
		index_build(&t->eh, &t->eh_idx);
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
static const uint8_t *img_debug_frame(const struct elf_img *im, size_t *len, void **buf)
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
	Elf64_Chdr ch;
	if (sh.sh_size < sizeof(ch))
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
		ok = uncompress(out, &dl, d + sizeof(ch), (uLong)(sh.sh_size - sizeof(ch))) == Z_OK && dl == ch.ch_size;
	} else if (ch.ch_type == 2 /* ELFCOMPRESS_ZSTD */) {
		size_t r = ZSTD_decompress(out, ch.ch_size, d + sizeof(ch), sh.sh_size - sizeof(ch));
		ok = !ZSTD_isError(r) && r == ch.ch_size;
	}
	if (!ok) {
		free(out);
		return NULL;
	}
	*buf = out;
	*len = ch.ch_size;
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
			t->load_exec[t->nloads] = ph.p_flags & PF_X;
			t->loads[t->nloads++] = (struct elf_load){ ph.p_offset, ph.p_vaddr, ph.p_filesz, ph.p_memsz, ph.p_align };
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

struct cfi_table *cfi_table_from_memory(const void *elf, size_t len)
{
	struct cfi_table *t = table_new();
	if (elf && len) {
		t->image = xmalloc(len);
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

struct cfi_table *cfi_table_load(const char *path)
{
	struct cfi_table *t = table_new();
	if (!path)
		return t;
	t->path = xstrdup(path);
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

struct cfi_table *cfi_table_from_sections(const uint8_t *eh_frame, size_t eh_len, uint64_t eh_vaddr,
					  const uint8_t *hdr, size_t hdr_len, uint64_t hdr_vaddr,
					  const uint8_t *debug_frame, size_t dbg_len)
{
	struct cfi_table *t = table_new();
	/* One buffer holds the copies: [eh_frame][hdr][debug_frame]. */
	size_t total = eh_len + hdr_len + dbg_len;
	uint8_t *buf = xmalloc(total ? total : 1);
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
		index_build(&t->dbg, &t->dbg_idx);
	}
	return t;
}

/* ---- .debug_frame, loaded on the first miss ------------------------------------ */

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
	size_t len = 0;
	void *p = map_file(path, &len);
	if (!p)
		return false;
	struct elf_img im;
	size_t dlen = 0;
	void *buf = NULL;
	const uint8_t *d = img_open(&im, p, len) ? img_debug_frame(&im, &dlen, &buf) : NULL;
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
		const uint8_t *d = img_debug_frame(&im, &dlen, &buf);
		if (d) {
			t->dbg_buf = buf;
			t->dbg = (struct cfi_section){ d, dlen, 0, 0, 0, false };
		}
	}
	if (!t->dbg.data && t->path && t->image) {
		int fd;
		Elf *e = elf_open_file(t->path, &fd);
		if (e) {
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
			char *dir = xstrdup(t->path), *slash = strrchr(dir, '/');
			if (slash)
				*slash = 0;
			else
				strcpy(dir, ".");
			for (char *save = NULL, *root = strtok_r(roots, ":", &save); root && !t->dbg.data;
			     root = strtok_r(NULL, ":", &save)) {
				if (bid_len >= 2) {
					char *p = xasprintf("%s/.build-id/%.2s/%s.debug", root, hex, hex + 2);
					try_debug_file(t, p, bid, bid_len);
					free(p);
				}
				if (!t->dbg.data && have_link) {
					char *p = xasprintf("%s%s%s/%s", root, dir[0] == '/' ? "" : "/", dir, link);
					try_debug_file(t, p, bid, bid_len);
					free(p);
				}
			}
			if (!t->dbg.data && have_link) {
				char *p = xasprintf("%s/.debug/%s", dir, link);
				try_debug_file(t, p, bid, bid_len);
				free(p);
			}
			free(dir);
			free(roots);
		}
	}
	if (t->dbg.data)
		index_build(&t->dbg, &t->dbg_idx);
}

/* ---- lookups ---------------------------------------------------------------- */

enum cfi_status cfi_table_row(struct cfi_table *t, uint64_t vaddr, struct cfi_row *row)
{
	uint64_t off;
	struct cfi_fde f;
	enum cfi_status st = CFI_NOT_FOUND;
	bool found = t->hdr_table ? hdr_find(t, vaddr, &off) : index_find(&t->eh_idx, vaddr, &off);
	if (found) {
		st = cfi_parse_fde(&t->eh, (size_t)off, &f);
		if (st == CFI_OK)
			st = cfi_run(&f, vaddr, row);
		if (st == CFI_OK)
			return st;
	}
	if (!t->dbg_tried)
		load_debug_frame(t);
	if (index_find(&t->dbg_idx, vaddr, &off)) {
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
	bool found = t->hdr_table ? hdr_find(t, vaddr, &off) : index_find(&t->eh_idx, vaddr, &off);
	if (!found || cfi_parse_fde(&t->eh, (size_t)off, &f) != CFI_OK || vaddr < f.pc_begin || vaddr >= f.pc_end)
		return false;
	*start = f.pc_begin;
	*end = f.pc_end;
	return true;
}

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
		const struct elf_load *l = &t->loads[i];
		uint64_t page = l->offset & ~(uint64_t)0xfff;
		if (!t->load_exec[i] || off < page || off >= l->offset + l->filesz)
			continue;
		*vaddr = l->vaddr - (l->offset - off);
		return true;
	}
	return elf_loads_offset_to_vaddr(t->loads, t->nloads, off, vaddr);
}

void cfi_table_free(struct cfi_table *t)
{
	if (!t)
		return;
	if (t->image_mapped)
		munmap(t->image, t->image_len);
	else
		free(t->image);
	if (t->dbg_map)
		munmap(t->dbg_map, t->dbg_map_len);
	free(t->dbg_buf);
	free(t->eh_idx.v);
	free(t->dbg_idx.v);
	free(t->path);
	free(t);
}
