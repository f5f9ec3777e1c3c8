/* The stack walker: per frame, find the mapping of ip, ask its cfi_table
 * for the compact rule at ip (ip-1 for return addresses), apply it with a
 * few memory reads; fall back to the full CFI row (expressions, signal
 * frames) or to frame pointers. */
#include "binary/cfi.h"

#define BIT(r) (1u << (r))
/* Registers a call clobbers: unknown in the caller's frame unless CFI says. */
#define CALLER_SAVED                                                                          \
	(BIT(UNW_RAX) | BIT(UNW_RDX) | BIT(UNW_RCX) | BIT(UNW_RSI) | BIT(UNW_RDI) | BIT(UNW_R8) | \
	 BIT(UNW_R9) | BIT(UNW_R10) | BIT(UNW_R11))
/* A frame-pointer chain is followed only while it stays within this
 * distance of sp; beyond it a failed read means garbage, not truncation. */
#define FP_MAX_FRAME (8u << 20)

enum step { STEP_OK, STEP_END, STEP_TRUNC, STEP_BAD, STEP_NOINFO };

static const struct unwind_map *find_map(const struct unwind_space *as, uint64_t addr, size_t *hint)
{
	if (*hint < as->n && addr >= as->maps[*hint].start && addr < as->maps[*hint].end)
		return &as->maps[*hint];
	size_t lo = 0, hi = as->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (as->maps[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < as->n && addr >= as->maps[lo].start && addr < as->maps[lo].end) {
		*hint = lo;
		return &as->maps[lo];
	}
	return NULL;
}

static inline bool rd(const struct unwind_memory *mem, uint64_t addr, uint64_t *v)
{
	return mem->read_u64(mem->ctx, addr, v);
}

static enum step step_rule(const struct cfi_rule *rule, struct unwind_regs *r, const struct unwind_memory *mem)
{
	if (!(r->valid & BIT(rule->cfa_reg)))
		return STEP_BAD;
	uint64_t cfa = r->r[rule->cfa_reg] + (uint64_t)(int64_t)rule->cfa_off, ra;
	if (!rd(mem, cfa + (uint64_t)(int64_t)rule->ra_off, &ra))
		return STEP_TRUNC;
	for (unsigned i = 0; i < CFI_NSAVE; i++) {
		if (!rule->save[i])
			continue;
		unsigned reg = cfi_save_regs[i];
		if (rd(mem, cfa + (uint64_t)(int64_t)rule->save[i], &r->r[reg]))
			r->valid |= BIT(reg);
		else
			r->valid &= ~BIT(reg);
	}
	r->r[UNW_RSP] = cfa;
	r->r[UNW_RIP] = ra;
	r->valid = (r->valid & ~CALLER_SAVED) | BIT(UNW_RSP) | BIT(UNW_RIP);
	return STEP_OK;
}

static enum step expr_status(enum dwexpr_status s)
{
	return s == DWEXPR_MEM ? STEP_TRUNC : STEP_BAD;
}

static enum step step_row(const struct cfi_row *row, struct unwind_regs *r, const struct unwind_memory *mem)
{
	uint64_t cfa;
	if (row->cfa_kind == CFI_CFA_REG) {
		if (row->cfa_reg >= UNW_NREGS || !(r->valid & BIT(row->cfa_reg)))
			return STEP_BAD;
		cfa = r->r[row->cfa_reg] + (uint64_t)row->cfa_off;
	} else if (row->cfa_kind == CFI_CFA_EXPR) {
		enum dwexpr_status s = dwarf_expr_eval(row->cfa_expr, row->cfa_expr_len, r, mem, NULL, &cfa);
		if (s != DWEXPR_OK)
			return expr_status(s);
	} else {
		return STEP_BAD;
	}
	struct unwind_regs n = *r;
	if (!row->signal)
		n.valid &= ~CALLER_SAVED;
	for (unsigned i = 0; i < UNW_NREGS; i++) {
		const struct cfi_reg_rule *g = &row->reg[i];
		bool is_ra = i == row->ra_reg;
		uint64_t v, addr;
		enum dwexpr_status s;
		switch (g->kind) {
		case CFI_REG_UNSPEC:
			if (i == UNW_RSP) {
				n.r[i] = cfa;
				n.valid |= BIT(i);
			} else if (is_ra) {
				return STEP_BAD; /* no rule for the return address */
			}
			break;
		case CFI_REG_SAME:
			break;
		case CFI_REG_UNDEFINED:
			if (is_ra)
				return STEP_END;
			n.valid &= ~BIT(i);
			break;
		case CFI_REG_OFFSET:
			if (!rd(mem, cfa + (uint64_t)g->off, &v)) {
				if (is_ra || i == UNW_RSP)
					return STEP_TRUNC;
				n.valid &= ~BIT(i);
				break;
			}
			n.r[i] = v;
			n.valid |= BIT(i);
			break;
		case CFI_REG_VAL_OFFSET:
			n.r[i] = cfa + (uint64_t)g->off;
			n.valid |= BIT(i);
			break;
		case CFI_REG_REGISTER:
			if (g->reg >= UNW_NREGS || !(r->valid & BIT(g->reg))) {
				if (is_ra || i == UNW_RSP)
					return STEP_BAD;
				n.valid &= ~BIT(i);
				break;
			}
			n.r[i] = r->r[g->reg];
			n.valid |= BIT(i);
			break;
		case CFI_REG_EXPR:
		case CFI_REG_VAL_EXPR:
			s = dwarf_expr_eval(g->expr, g->expr_len, r, mem, &cfa, &addr);
			if (s == DWEXPR_OK && g->kind == CFI_REG_EXPR && !rd(mem, addr, &addr))
				s = DWEXPR_MEM;
			if (s != DWEXPR_OK) {
				if (is_ra || i == UNW_RSP)
					return expr_status(s);
				n.valid &= ~BIT(i);
				break;
			}
			n.r[i] = addr;
			n.valid |= BIT(i);
			break;
		}
	}
	if (!(n.valid & BIT(row->ra_reg)))
		return STEP_BAD;
	n.r[UNW_RIP] = n.r[row->ra_reg];
	n.valid |= BIT(UNW_RIP);
	*r = n;
	return STEP_OK;
}

static enum step step_fp(struct unwind_regs *r, const struct unwind_memory *mem)
{
	uint64_t bp = r->r[UNW_RBP], sp = r->r[UNW_RSP], ra, nbp;
	if (!(r->valid & BIT(UNW_RBP)) || !(r->valid & BIT(UNW_RSP)) || bp < sp || (bp & 7) ||
	    bp > UINT64_MAX - 16)
		return STEP_NOINFO;
	if (!rd(mem, bp + 8, &ra) || !rd(mem, bp, &nbp))
		return bp - sp <= FP_MAX_FRAME ? STEP_TRUNC : STEP_NOINFO;
	r->r[UNW_RIP] = ra;
	r->r[UNW_RSP] = bp + 16;
	r->r[UNW_RBP] = nbp;
	r->valid = (r->valid & ~CALLER_SAVED) | BIT(UNW_RIP) | BIT(UNW_RSP) | BIT(UNW_RBP);
	return STEP_OK;
}

size_t unwind_stack(const struct unwind_space *as, const struct unwind_regs *regs, const struct unwind_memory *mem,
		    uint64_t *out, size_t max, enum unwind_stop *why)
{
	enum unwind_stop dummy;
	if (!why)
		why = &dummy;
	if (max == 0) {
		*why = UNWIND_MAX;
		return 0;
	}
	struct unwind_regs cur = *regs;
	if (!(cur.valid & BIT(UNW_RIP)) || !(cur.valid & BIT(UNW_RSP))) {
		*why = UNWIND_NO_INFO;
		if (!(cur.valid & BIT(UNW_RIP)))
			return 0;
		out[0] = cur.r[UNW_RIP];
		return 1;
	}
	size_t n = 0, hint = 0;
	out[n++] = cur.r[UNW_RIP];
	bool adjust = false; /* look up ip-1: ip is a return address */
	unsigned same_sp = 0;
	for (;;) {
		uint64_t ip = cur.r[UNW_RIP], sp = cur.r[UNW_RSP];
		if (ip == 0) {
			*why = UNWIND_END;
			return n;
		}
		if (n >= max) {
			*why = UNWIND_MAX;
			return n;
		}
		uint64_t look = adjust ? ip - 1 : ip;
		const struct unwind_map *m = as ? find_map(as, look, &hint) : NULL;
		struct cfi_rule rule = { .kind = CFI_RULE_NONE };
		uint64_t vaddr = m ? look - (uint64_t)m->bias : 0;
		if (m && m->cfi)
			rule = cfi_table_rule(m->cfi, vaddr);
		enum step st;
		bool signal = false;
		switch (rule.kind) {
		case CFI_RULE_END:
			*why = UNWIND_END;
			return n;
		case CFI_RULE_CFA:
			st = step_rule(&rule, &cur, mem);
			break;
		case CFI_RULE_FULL: {
			struct cfi_row row;
			if (cfi_table_row(m->cfi, vaddr, &row) != CFI_OK) {
				st = STEP_BAD;
				break;
			}
			signal = row.signal;
			st = step_row(&row, &cur, mem);
			break;
		}
		default:
			st = step_fp(&cur, mem);
			break;
		}
		switch (st) {
		case STEP_OK: break;
		case STEP_END: *why = UNWIND_END; return n;
		case STEP_TRUNC: *why = UNWIND_TRUNCATED; return n;
		case STEP_BAD: *why = UNWIND_BAD; return n;
		case STEP_NOINFO: *why = UNWIND_NO_INFO; return n;
		}
		uint64_t nsp = cur.r[UNW_RSP];
		if (!signal) {
			if (nsp < sp) {
				*why = UNWIND_BAD;
				return n;
			}
			if (nsp == sp) {
				if (++same_sp >= 2) {
					*why = UNWIND_BAD;
					return n;
				}
			} else {
				same_sp = 0;
			}
		}
		if (cur.r[UNW_RIP] == 0) {
			*why = UNWIND_END;
			return n;
		}
		out[n++] = cur.r[UNW_RIP];
		adjust = !signal;
	}
}
