/* One step of the stack walker by a full CFI row or by frame pointers
 * (unwind_step.h). */
#include "binary/unwind_step.h"

/* A frame-pointer chain is followed only while it stays within this
 * distance of sp; beyond it a failed read means garbage, not truncation. */
#define FP_MAX_FRAME (8u << 20)

static inline bool rd(const struct unwind_memory *mem, uint64_t addr, uint64_t *v)
{
	return mem->read_u64(mem->ctx, addr, v);
}

static enum unwind_step expr_status(enum dwexpr_status s)
{
	return s == DWEXPR_MEM ? STEP_TRUNC : STEP_BAD;
}

enum unwind_step unwind_step_row(const struct cfi_row *row, struct unwind_regs *r, const struct unwind_memory *mem)
{
	uint64_t cfa;
	if (row->cfa_kind == CFI_CFA_REG) {
		if (row->cfa_reg >= UNW_NREGS || !(r->valid & UNW_BIT(row->cfa_reg)))
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
		n.valid &= ~UNW_CALLER_SAVED;
	for (unsigned i = 0; i < UNW_NREGS; i++) {
		const struct cfi_reg_rule *g = &row->reg[i];
		bool is_ra = i == row->ra_reg;
		uint64_t v, addr;
		enum dwexpr_status s;
		switch (g->kind) {
		case CFI_REG_UNSPEC:
			if (i == UNW_RSP) {
				n.r[i] = cfa;
				n.valid |= UNW_BIT(i);
			} else if (is_ra) {
				return STEP_BAD; /* no rule for the return address */
			}
			break;
		case CFI_REG_SAME:
			break;
		case CFI_REG_UNDEFINED:
			if (is_ra)
				return STEP_END;
			n.valid &= ~UNW_BIT(i);
			break;
		case CFI_REG_OFFSET:
			if (!rd(mem, cfa + (uint64_t)g->off, &v)) {
				if (is_ra || i == UNW_RSP)
					return STEP_TRUNC;
				n.valid &= ~UNW_BIT(i);
				break;
			}
			n.r[i] = v;
			n.valid |= UNW_BIT(i);
			break;
		case CFI_REG_VAL_OFFSET:
			n.r[i] = cfa + (uint64_t)g->off;
			n.valid |= UNW_BIT(i);
			break;
		case CFI_REG_REGISTER:
			if (g->reg >= UNW_NREGS || !(r->valid & UNW_BIT(g->reg))) {
				if (is_ra || i == UNW_RSP)
					return STEP_BAD;
				n.valid &= ~UNW_BIT(i);
				break;
			}
			n.r[i] = r->r[g->reg];
			n.valid |= UNW_BIT(i);
			break;
		case CFI_REG_EXPR:
		case CFI_REG_VAL_EXPR:
			s = dwarf_expr_eval(g->expr, g->expr_len, r, mem, &cfa, &addr);
			if (s == DWEXPR_OK && g->kind == CFI_REG_EXPR && !rd(mem, addr, &addr))
				s = DWEXPR_MEM;
			if (s != DWEXPR_OK) {
				if (is_ra || i == UNW_RSP)
					return expr_status(s);
				n.valid &= ~UNW_BIT(i);
				break;
			}
			n.r[i] = addr;
			n.valid |= UNW_BIT(i);
			break;
		}
	}
	if (!(n.valid & UNW_BIT(row->ra_reg)))
		return STEP_BAD;
	n.r[UNW_RIP] = n.r[row->ra_reg];
	n.valid |= UNW_BIT(UNW_RIP);
	*r = n;
	return STEP_OK;
}

enum unwind_step unwind_step_fp(struct unwind_regs *r, const struct unwind_memory *mem)
{
	uint64_t bp = r->r[UNW_RBP], sp = r->r[UNW_RSP], ra, nbp;
	if (!(r->valid & UNW_BIT(UNW_RBP)) || !(r->valid & UNW_BIT(UNW_RSP)) || bp < sp || (bp & 7) ||
	    bp > UINT64_MAX - 16)
		return STEP_NOINFO;
	if (!rd(mem, bp + 8, &ra) || !rd(mem, bp, &nbp))
		return bp - sp <= FP_MAX_FRAME ? STEP_TRUNC : STEP_NOINFO;
	r->r[UNW_RIP] = ra;
	r->r[UNW_RSP] = bp + 16;
	r->r[UNW_RBP] = nbp;
	r->valid = (r->valid & ~UNW_CALLER_SAVED) | UNW_BIT(UNW_RIP) | UNW_BIT(UNW_RSP) | UNW_BIT(UNW_RBP);
	return STEP_OK;
}
