/* The stack walker: per frame, find the mapping of ip, ask its cfi_table
 * for the compact rule at ip (ip-1 for return addresses), apply it with a
 * few memory reads; fall back to the full CFI row (expressions, signal
 * frames) or to frame pointers. */
#include "binary/unwind_step.h"

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

static enum unwind_step step_rule(const struct cfi_rule *rule, struct unwind_regs *r, const struct unwind_memory *mem)
{
	if (!(r->valid & UNW_BIT(rule->cfa_reg)))
		return STEP_BAD;
	uint64_t cfa = r->r[rule->cfa_reg] + (uint64_t)(int64_t)rule->cfa_off, ra;
	if (!rd(mem, cfa + (uint64_t)(int64_t)rule->ra_off, &ra))
		return STEP_TRUNC;
	for (unsigned i = 0; i < CFI_NSAVE; i++) {
		if (!rule->save[i])
			continue;
		unsigned reg = cfi_save_regs[i];
		if (rd(mem, cfa + (uint64_t)(int64_t)rule->save[i], &r->r[reg]))
			r->valid |= UNW_BIT(reg);
		else
			r->valid &= ~UNW_BIT(reg);
	}
	r->r[UNW_RSP] = cfa;
	r->r[UNW_RIP] = ra;
	r->valid = (r->valid & ~UNW_CALLER_SAVED) | UNW_BIT(UNW_RSP) | UNW_BIT(UNW_RIP);
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
	if (!(cur.valid & UNW_BIT(UNW_RIP)) || !(cur.valid & UNW_BIT(UNW_RSP))) {
		*why = UNWIND_NO_INFO;
		if (!(cur.valid & UNW_BIT(UNW_RIP)))
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
		enum unwind_step st;
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
			st = unwind_step_row(&row, &cur, mem);
			break;
		}
		default:
			st = unwind_step_fp(&cur, mem);
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
