/* A small DWARF expression stack machine: the operations x86-64 toolchains
 * put in call-frame information (PLT stubs, glibc's signal trampoline,
 * stack-realigning prologues). Every loop is bounded: at most
 * DWEXPR_MAX_STEPS operations run, so `bra` back to itself terminates. */
#include <string.h>

#include "binary/cfi.h"
#include "binary/byte_reader.h"

enum {
	OP_addr = 0x03, OP_deref = 0x06, OP_const1u = 0x08, OP_const1s = 0x09, OP_const2u = 0x0a,
	OP_const2s = 0x0b, OP_const4u = 0x0c, OP_const4s = 0x0d, OP_const8u = 0x0e, OP_const8s = 0x0f,
	OP_constu = 0x10, OP_consts = 0x11, OP_dup = 0x12, OP_drop = 0x13, OP_over = 0x14,
	OP_pick = 0x15, OP_swap = 0x16, OP_rot = 0x17, OP_abs = 0x19, OP_and = 0x1a,
	OP_div = 0x1b, OP_minus = 0x1c, OP_mod = 0x1d, OP_mul = 0x1e, OP_neg = 0x1f, OP_not = 0x20,
	OP_or = 0x21, OP_plus = 0x22, OP_plus_uconst = 0x23, OP_shl = 0x24, OP_shr = 0x25,
	OP_shra = 0x26, OP_xor = 0x27, OP_bra = 0x28, OP_eq = 0x29, OP_ge = 0x2a, OP_gt = 0x2b,
	OP_le = 0x2c, OP_lt = 0x2d, OP_ne = 0x2e, OP_skip = 0x2f, OP_lit0 = 0x30, OP_lit31 = 0x4f,
	OP_reg0 = 0x50, OP_reg31 = 0x6f, OP_breg0 = 0x70, OP_breg31 = 0x8f, OP_regx = 0x90,
	OP_bregx = 0x92, OP_deref_size = 0x94, OP_nop = 0x96,
};


enum dwexpr_status dwarf_expr_eval(const uint8_t *expr, size_t len, const struct unwind_regs *regs,
				   const struct unwind_memory *mem, const uint64_t *push, uint64_t *result)
{
	uint64_t st[DWEXPR_STACK];
	size_t sp = 0;
	struct rd r = { expr, expr + len, false };
	if (!expr && len)
		return DWEXPR_BAD;
	if (push)
		st[sp++] = *push;
#define NEED(k)                       \
	do {                          \
		if (sp < (k))         \
			return DWEXPR_BAD; \
	} while (0)
#define PUSH(v)                              \
	do {                                 \
		uint64_t v_ = (v);           \
		if (sp >= DWEXPR_STACK)      \
			return DWEXPR_BAD;   \
		st[sp++] = v_;               \
	} while (0)
	for (unsigned steps = 0; r.p < r.end; steps++) {
		if (steps >= DWEXPR_MAX_STEPS)
			return DWEXPR_BAD;
		uint8_t op = *r.p++;
		uint64_t a, b;
		if (op >= OP_lit0 && op <= OP_lit31) {
			PUSH((uint64_t)(op - OP_lit0));
			continue;
		}
		if ((op >= OP_breg0 && op <= OP_breg31) || op == OP_bregx) {
			uint64_t reg = op == OP_bregx ? rd_uleb(&r) : (uint64_t)(op - OP_breg0);
			int64_t off = rd_sleb(&r);
			if (r.err || reg >= UNW_NREGS || !(regs->valid & (1u << reg)))
				return DWEXPR_BAD;
			PUSH(regs->r[reg] + (uint64_t)off);
			continue;
		}
		switch (op) {
		case OP_addr:
			PUSH(rd_n(&r, 8));
			break;
		case OP_const1u: PUSH(rd_n(&r, 1)); break;
		case OP_const1s: PUSH((uint64_t)sext(rd_n(&r, 1), 1)); break;
		case OP_const2u: PUSH(rd_n(&r, 2)); break;
		case OP_const2s: PUSH((uint64_t)sext(rd_n(&r, 2), 2)); break;
		case OP_const4u: PUSH(rd_n(&r, 4)); break;
		case OP_const4s: PUSH((uint64_t)sext(rd_n(&r, 4), 4)); break;
		case OP_const8u:
		case OP_const8s: PUSH(rd_n(&r, 8)); break;
		case OP_constu: PUSH(rd_uleb(&r)); break;
		case OP_consts: PUSH((uint64_t)rd_sleb(&r)); break;
		case OP_deref:
		case OP_deref_size: {
			NEED(1);
			uint64_t size = 8;
			if (op == OP_deref_size) {
				size = rd_n(&r, 1);
				if (r.err || size == 0 || size > 8)
					return DWEXPR_BAD;
			}
			uint64_t v;
			if (!mem || !mem->read_u64 || !mem->read_u64(mem->ctx, st[sp - 1], &v))
				return DWEXPR_MEM;
			if (size < 8)
				v &= (~(uint64_t)0) >> (64 - 8 * size);
			st[sp - 1] = v;
			break;
		}
		case OP_dup: NEED(1); PUSH(st[sp - 1]); break;
		case OP_drop: NEED(1); sp--; break;
		case OP_over: NEED(2); PUSH(st[sp - 2]); break;
		case OP_pick: {
			uint64_t i = rd_n(&r, 1);
			if (r.err || i >= sp)
				return DWEXPR_BAD;
			PUSH(st[sp - 1 - i]);
			break;
		}
		case OP_swap:
			NEED(2);
			a = st[sp - 1];
			st[sp - 1] = st[sp - 2];
			st[sp - 2] = a;
			break;
		case OP_rot: /* top three: (c b a) -> (a c b), a = top */
			NEED(3);
			a = st[sp - 1];
			st[sp - 1] = st[sp - 2];
			st[sp - 2] = st[sp - 3];
			st[sp - 3] = a;
			break;
		case OP_abs:
			NEED(1);
			if ((int64_t)st[sp - 1] < 0)
				st[sp - 1] = -st[sp - 1];
			break;
		case OP_neg: NEED(1); st[sp - 1] = -st[sp - 1]; break;
		case OP_not: NEED(1); st[sp - 1] = ~st[sp - 1]; break;
		case OP_plus_uconst:
			NEED(1);
			st[sp - 1] += rd_uleb(&r);
			break;
		case OP_and: case OP_div: case OP_minus: case OP_mod: case OP_mul: case OP_or:
		case OP_plus: case OP_shl: case OP_shr: case OP_shra: case OP_xor: case OP_eq:
		case OP_ge: case OP_gt: case OP_le: case OP_lt: case OP_ne: {
			NEED(2);
			b = st[--sp]; /* top */
			a = st[sp - 1];
			uint64_t v = 0;
			switch (op) {
			case OP_and: v = a & b; break;
			case OP_or: v = a | b; break;
			case OP_xor: v = a ^ b; break;
			case OP_plus: v = a + b; break;
			case OP_minus: v = a - b; break;
			case OP_mul: v = a * b; break;
			case OP_div:
				if (b == 0 || ((int64_t)a == INT64_MIN && (int64_t)b == -1))
					return DWEXPR_BAD;
				v = (uint64_t)((int64_t)a / (int64_t)b);
				break;
			case OP_mod:
				if (b == 0)
					return DWEXPR_BAD;
				v = a % b;
				break;
			case OP_shl: v = b >= 64 ? 0 : a << b; break;
			case OP_shr: v = b >= 64 ? 0 : a >> b; break;
			case OP_shra: v = (uint64_t)((int64_t)a >> (b >= 63 ? 63 : b)); break;
			case OP_eq: v = a == b; break;
			case OP_ne: v = a != b; break;
			case OP_ge: v = (int64_t)a >= (int64_t)b; break;
			case OP_gt: v = (int64_t)a > (int64_t)b; break;
			case OP_le: v = (int64_t)a <= (int64_t)b; break;
			case OP_lt: v = (int64_t)a < (int64_t)b; break;
			}
			st[sp - 1] = v;
			break;
		}
		case OP_skip:
		case OP_bra: {
			int64_t off = sext(rd_n(&r, 2), 2);
			if (r.err)
				return DWEXPR_BAD;
			bool jump = true;
			if (op == OP_bra) {
				NEED(1);
				jump = st[--sp] != 0;
			}
			if (jump) {
				ptrdiff_t pos = (r.p - expr) + off;
				if (pos < 0 || (size_t)pos > len)
					return DWEXPR_BAD;
				r.p = expr + pos;
			}
			break;
		}
		case OP_nop:
			break;
		default:
			/* DW_OP_reg* (a location, not a value) and everything else. */
			return DWEXPR_BAD;
		}
		if (r.err)
			return DWEXPR_BAD;
	}
#undef NEED
#undef PUSH
	if (r.err || sp == 0)
		return DWEXPR_BAD;
	*result = st[sp - 1];
	return DWEXPR_OK;
}
