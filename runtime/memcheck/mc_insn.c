/* x86-64 instruction decoder for memcheck's guard-page mode (see
 * mc_insn.h): only enough of the encoding to find the memory operand's
 * size, direction and the instruction's length. Runs in a SIGSEGV
 * handler: no libc calls, no mutable state, every byte read is checked
 * against avail. Facts from the Intel SDM vol. 2 opcode maps, own code. */
#include "mc_insn.h"

/* Size classes: fixed sizes, or sizes that depend on prefixes. */
enum {
	Z_NONE, /* not an instruction we know */
	Z_1, Z_2, Z_4, Z_8, Z_10, Z_16, Z_32, Z_28, Z_108, Z_512,
	Z_V,       /* operand size: 4, 2 with 66, 8 with REX.W */
	Z_D,       /* 4, 8 with REX.W / VEX.W / EVEX.W (66 is a mandatory prefix here) */
	Z_DQ,      /* cmpxchg8b / cmpxchg16b: 8, 16 with REX.W */
	Z_STK,     /* push/pop r/m: 8, 2 with 66 (64-bit default operand size) */
	Z_FAR,     /* far pointer m16:32, m16:16 with 66, m16:64 with REX.W */
	Z_VEC,     /* whole vector: 16 for SSE, 16/32/64 by VEX.L / EVEX.L'L */
	Z_HALF,    /* converting loads/stores (cvtps2pd, pmovzxbw, vpmovwb...) */
	Z_QUARTER,
	Z_EIGHTH,
	Z_DUP,     /* movddup: 8 for a 128-bit vector, else the vector */
	Z_UNK,     /* accesses memory, size not known (xsave, gathers...) */
	Z_ADDR,    /* memory operand is only an address: lea, nop, prefetch */
};

/* A table cell: size class in the low 5 bits, direction above. 0: unknown. */
#define A_R 0x20
#define A_W 0x40
#define RD(z) (A_R | (z))
#define WR(z) (A_W | (z))
#define RMW(z) (A_R | A_W | (z))
#define ZCLASS(c) ((c) & 0x1f)

/* Decoder state. n is avail capped at 15, the architectural limit. */
struct dec {
	const uint8_t *p;
	size_t n, i;    /* readable bytes, next byte */
	bool o16, a32;  /* 66, 67 */
	bool w;         /* REX.W, VEX.W or EVEX.W */
	bool legacy;    /* not VEX/EVEX */
	bool bcst;      /* EVEX.b with a memory operand: one element broadcast */
	unsigned pp;    /* SSE prefix: 0 none, 1 66, 2 F3, 3 F2 (VEX's encoding) */
	unsigned vl;    /* vector bytes */
};

static bool next(struct dec *d, uint8_t *b)
{
	if (d->i >= d->n)
		return false;
	*b = d->p[d->i++];
	return true;
}

/* x87 memory forms D8-DF by opcode and ModRM.reg (SDM table A-7..A-14). */
static const uint8_t x87[8][8] = {
	/* D8: fadd..fdivr m32fp */
	{ RD(Z_4), RD(Z_4), RD(Z_4), RD(Z_4), RD(Z_4), RD(Z_4), RD(Z_4), RD(Z_4) },
	/* D9: fld, -, fst, fstp m32fp; fldenv, fldcw, fnstenv, fnstcw */
	{ RD(Z_4), 0, WR(Z_4), WR(Z_4), RD(Z_28), RD(Z_2), WR(Z_28), WR(Z_2) },
	/* DA: fiadd..fidivr m32int */
	{ RD(Z_4), RD(Z_4), RD(Z_4), RD(Z_4), RD(Z_4), RD(Z_4), RD(Z_4), RD(Z_4) },
	/* DB: fild, fisttp, fist, fistp m32int; -, fld m80, -, fstp m80 */
	{ RD(Z_4), WR(Z_4), WR(Z_4), WR(Z_4), 0, RD(Z_10), 0, WR(Z_10) },
	/* DC: fadd..fdivr m64fp */
	{ RD(Z_8), RD(Z_8), RD(Z_8), RD(Z_8), RD(Z_8), RD(Z_8), RD(Z_8), RD(Z_8) },
	/* DD: fld, fisttp m64int, fst, fstp m64fp; frstor, -, fnsave, fnstsw */
	{ RD(Z_8), WR(Z_8), WR(Z_8), WR(Z_8), RD(Z_108), 0, WR(Z_108), WR(Z_2) },
	/* DE: fiadd..fidivr m16int */
	{ RD(Z_2), RD(Z_2), RD(Z_2), RD(Z_2), RD(Z_2), RD(Z_2), RD(Z_2), RD(Z_2) },
	/* DF: fild, fisttp, fist, fistp m16int; fbld, fild m64, fbstp, fistp m64 */
	{ RD(Z_2), WR(Z_2), WR(Z_2), WR(Z_2), RD(Z_10), RD(Z_8), WR(Z_10), WR(Z_8) },
};

/* The 0F map by opcode and SSE prefix column (none, 66, F3, F2). General
 * purpose ops ignore the column (ALL); groups 0F AE, BA, C7 are in code. */
#define ALL(c) { c, c, c, c }
#define ARITH { RD(Z_VEC), RD(Z_VEC), RD(Z_4), RD(Z_8) } /* ps, pd, ss, sd */
#define PACKED { RD(Z_VEC), RD(Z_VEC), 0, 0 }           /* ps, pd */
#define PINT { RD(Z_8), RD(Z_VEC), 0, 0 }               /* MMX m64, xmm m128 */
#define PSHIFT { RD(Z_8), RD(Z_16), 0, 0 }              /* shift counts: m64, m128 at any length */
static const uint8_t map1[256][4] = {
	[0x0D] = ALL(Z_ADDR), /* prefetchw */
	[0x10] = ARITH,       /* movups, movupd, movss, movsd */
	[0x11] = { WR(Z_VEC), WR(Z_VEC), WR(Z_4), WR(Z_8) },
	[0x12] = { RD(Z_8), RD(Z_8), RD(Z_VEC), RD(Z_DUP) }, /* movlps, movlpd, movsldup, movddup */
	[0x13] = { WR(Z_8), WR(Z_8), 0, 0 },
	[0x14 ... 0x15] = PACKED, /* unpck[lh]p[sd] */
	[0x16] = { RD(Z_8), RD(Z_8), RD(Z_VEC), 0 }, /* movhps, movhpd, movshdup */
	[0x17] = { WR(Z_8), WR(Z_8), 0, 0 },
	[0x18 ... 0x1F] = ALL(Z_ADDR), /* prefetch*, hint nops (nopw, endbr with mod 3) */
	[0x28] = PACKED,               /* movaps, movapd */
	[0x29] = { WR(Z_VEC), WR(Z_VEC), 0, 0 },
	[0x2A] = { RD(Z_8), RD(Z_8), RD(Z_D), RD(Z_D) }, /* cvtpi2ps/pd mm/m64, cvtsi2ss/sd r/m */
	[0x2B] = { WR(Z_VEC), WR(Z_VEC), 0, 0 },         /* movntps, movntpd */
	[0x2C ... 0x2D] = { RD(Z_8), RD(Z_VEC), RD(Z_4), RD(Z_8) }, /* cvt(t)ps2pi.. cvt(t)sd2si */
	[0x2E ... 0x2F] = { RD(Z_4), RD(Z_8), 0, 0 },  /* (u)comiss, (u)comisd */
	[0x40 ... 0x4F] = ALL(RD(Z_V)),                /* cmovcc */
	[0x51] = ARITH,                                /* sqrt */
	[0x52 ... 0x53] = { RD(Z_VEC), 0, RD(Z_4), 0 }, /* rsqrt, rcp */
	[0x54 ... 0x57] = PACKED,                       /* and, andn, or, xor */
	[0x58 ... 0x59] = ARITH,                        /* add, mul */
	[0x5A] = { RD(Z_HALF), RD(Z_VEC), RD(Z_4), RD(Z_8) }, /* cvtps2pd m64, cvtpd2ps.. */
	[0x5B] = { RD(Z_VEC), RD(Z_VEC), RD(Z_VEC), 0 },
	[0x5C ... 0x5F] = ARITH,                        /* sub, min, div, max */
	[0x60 ... 0x62] = { RD(Z_4), RD(Z_VEC), 0, 0 }, /* punpckl*: MMX form reads m32 */
	[0x63 ... 0x6B] = PINT,
	[0x6C ... 0x6D] = { 0, RD(Z_VEC), 0, 0 },
	[0x6E] = { RD(Z_D), RD(Z_D), 0, 0 },            /* movd/movq mm/xmm, r/m */
	[0x6F] = { RD(Z_8), RD(Z_VEC), RD(Z_VEC), RD(Z_VEC) }, /* movq, movdqa, movdqu, (EVEX) vmovdqu8/16 */
	[0x70] = { RD(Z_8), RD(Z_VEC), RD(Z_VEC), RD(Z_VEC) }, /* pshufw/d/hw/lw */
	[0x71 ... 0x73] = { 0, RD(Z_VEC), 0, 0 },     /* shift by imm: memory form only in EVEX */
	[0x74 ... 0x76] = PINT,                          /* pcmpeq */
	[0x7C ... 0x7D] = { 0, RD(Z_VEC), 0, RD(Z_VEC) }, /* hadd, hsub */
	[0x7E] = { WR(Z_D), WR(Z_D), RD(Z_8), 0 },      /* movd/movq r/m, mm/xmm; F3: movq xmm, m64 */
	[0x7F] = { WR(Z_8), WR(Z_VEC), WR(Z_VEC), WR(Z_VEC) },
	[0x90 ... 0x9F] = ALL(WR(Z_1)),                  /* setcc */
	[0xA3] = ALL(RD(Z_V)),                           /* bt */
	[0xA4 ... 0xA5] = ALL(RMW(Z_V)),                 /* shld */
	[0xAB] = ALL(RMW(Z_V)),                          /* bts */
	[0xAC ... 0xAD] = ALL(RMW(Z_V)),                 /* shrd */
	[0xAF] = ALL(RD(Z_V)),                           /* imul r, r/m */
	[0xB0] = ALL(RMW(Z_1)),                          /* cmpxchg */
	[0xB1] = ALL(RMW(Z_V)),
	[0xB3] = ALL(RMW(Z_V)),                          /* btr */
	[0xB6] = ALL(RD(Z_1)),                           /* movzx */
	[0xB7] = ALL(RD(Z_2)),
	[0xB8] = { 0, 0, RD(Z_V), 0 },                   /* popcnt */
	[0xBB] = ALL(RMW(Z_V)),                          /* btc */
	[0xBC ... 0xBD] = ALL(RD(Z_V)),                  /* bsf, bsr, tzcnt, lzcnt */
	[0xBE] = ALL(RD(Z_1)),                           /* movsx */
	[0xBF] = ALL(RD(Z_2)),
	[0xC0] = ALL(RMW(Z_1)),                          /* xadd */
	[0xC1] = ALL(RMW(Z_V)),
	[0xC2] = ARITH,                                  /* cmpps.. */
	[0xC3] = { WR(Z_D), 0, 0, 0 },                   /* movnti */
	[0xC4] = { RD(Z_2), RD(Z_2), 0, 0 },             /* pinsrw */
	[0xC6] = PACKED,                                 /* shufps, shufpd */
	[0xD0] = { 0, RD(Z_VEC), 0, RD(Z_VEC) },         /* addsub */
	[0xD1 ... 0xD3] = PSHIFT,                        /* psrl */
	[0xD4 ... 0xD5] = PINT,
	[0xD6] = { 0, WR(Z_8), 0, 0 },                   /* movq xmm/m64, xmm */
	[0xD8 ... 0xE0] = PINT,                          /* pminub, pand, pavgb... */
	[0xE1 ... 0xE2] = PSHIFT,                        /* psra */
	[0xE3 ... 0xE5] = PINT,
	[0xE6] = { 0, RD(Z_VEC), RD(Z_HALF), RD(Z_VEC) }, /* cvttpd2dq, cvtdq2pd m64, cvtpd2dq */
	[0xE7] = { WR(Z_8), WR(Z_VEC), 0, 0 },           /* movntq, movntdq */
	[0xE8 ... 0xEF] = PINT,
	[0xF0] = { 0, 0, 0, RD(Z_VEC) },                 /* lddqu */
	[0xF1 ... 0xF3] = PSHIFT,                        /* psll */
	[0xF4 ... 0xF6] = PINT,
	[0xF8 ... 0xFE] = PINT,
};

/* 0F opcodes with VEX/EVEX forms (the rest of map 1 is general purpose). */
static bool vex_map1(uint8_t op)
{
	return (op >= 0x10 && op <= 0x17) || (op >= 0x28 && op <= 0x2F) ||
	       (op >= 0x50 && op <= 0x7F) || (op >= 0xC2 && op <= 0xC6) || op >= 0xD0;
}

/* Integer ops default to m64 for MMX (no prefix, legacy), else the vector. */
static uint8_t pint(const struct dec *d)
{
	return d->legacy && d->pp == 0 ? RD(Z_8) : RD(Z_VEC);
}

/* One-byte opcodes with a ModRM byte that map0 knows. The ModRM byte is
 * read only for these, so an unknown instruction is not read past. */
static bool map0_modrm(uint8_t op)
{
	return (op < 0x40 && (op & 7) < 4) || op == 0x63 || op == 0x69 || op == 0x6B ||
	       (op >= 0x80 && op <= 0x8F && op != 0x82) || op == 0xC0 || op == 0xC1 ||
	       op == 0xC6 || op == 0xC7 || (op >= 0xD0 && op <= 0xD3) || (op >= 0xD8 && op <= 0xDF) ||
	       op == 0xF6 || op == 0xF7 || op == 0xFE || op == 0xFF;
}

/* The one-byte map (opcodes with ModRM). reg is ModRM.reg (group ops). */
static uint8_t map0(const struct dec *d, uint8_t op, unsigned reg, unsigned *imm)
{
	unsigned iz = d->o16 && !d->w ? 2 : 4; /* imm16/32 */
	unsigned z = op & 1 ? Z_V : Z_1;       /* most ops: even r/m8, odd r/m16/32/64 */

	if (op < 0x40) { /* ALU: 0/1 r/m,reg write r/m; 2/3 reg,r/m read; cmp only reads */
		if ((op & 7) > 3)
			return 0;
		return (op & 2) || op >= 0x38 ? RD(z) : RMW(z);
	}
	switch (op) {
	case 0x63: return RD(d->o16 && !d->w ? Z_2 : Z_4); /* movsxd */
	case 0x69: *imm = iz; return RD(Z_V);               /* imul r, r/m, imm */
	case 0x6B: *imm = 1; return RD(Z_V);
	case 0x80: case 0x81: case 0x83: /* group 1: /7 is cmp */
		*imm = op == 0x81 ? iz : 1;
		z = op == 0x80 ? Z_1 : Z_V;
		return reg == 7 ? RD(z) : RMW(z);
	case 0x84: case 0x85: return RD(z);  /* test */
	case 0x86: case 0x87: return RMW(z); /* xchg */
	case 0x88: case 0x89: return WR(z);  /* mov r/m, r */
	case 0x8A: case 0x8B: return RD(z);  /* mov r, r/m */
	case 0x8C: return WR(Z_2);           /* mov m16, sreg */
	case 0x8D: return Z_ADDR;            /* lea */
	case 0x8E: return RD(Z_2);           /* mov sreg, m16 */
	case 0x8F: return reg == 0 ? WR(Z_STK) : 0; /* pop r/m; else XOP */
	case 0xC0: case 0xC1: *imm = 1; return RMW(z); /* shifts, rotates */
	case 0xD0: case 0xD1: case 0xD2: case 0xD3: return RMW(z);
	case 0xC6: *imm = 1; return reg == 0 ? WR(Z_1) : 0; /* mov r/m, imm */
	case 0xC7: *imm = iz; return reg == 0 ? WR(Z_V) : 0;
	case 0xD8 ... 0xDF: return x87[op & 7][reg];
	case 0xF6: case 0xF7: /* group 3: test imm; not, neg; mul, imul, div, idiv */
		if (reg < 2) {
			*imm = op & 1 ? iz : 1;
			return RD(z);
		}
		return reg < 4 ? RMW(z) : RD(z);
	case 0xFE: return reg < 2 ? RMW(Z_1) : 0; /* inc, dec */
	case 0xFF:
		switch (reg) {
		case 0: case 1: return RMW(Z_V);     /* inc, dec */
		case 2: case 4: return RD(Z_8);      /* call, jmp *m: 64-bit operand */
		case 3: case 5: return RD(Z_FAR);    /* far call, jmp */
		case 6: return RD(Z_STK);            /* push r/m */
		}
		return 0;
	}
	return 0;
}

/* 0F opcodes with a ModRM byte that map1op knows (map 2 and 3 all have one). */
static bool map1_modrm(const struct dec *d, uint8_t op)
{
	const uint8_t *c = map1[op];
	return c[0] || c[1] || c[2] || c[3] || op == 0xAE || op == 0xBA || op == 0xC7 ||
	       (!d->legacy && (op == 0x90 || op == 0x91));
}

/* Map 1 (0F xx): groups, then the table. */
static uint8_t map1op(const struct dec *d, uint8_t op, unsigned reg, unsigned *imm)
{
	if (!d->legacy) {
		if (op == 0x90 || op == 0x91) { /* kmovw/q (no prefix), kmovb/d (66): mask spills */
			unsigned z = d->pp == 0 ? (d->w ? Z_8 : Z_2) : d->pp == 1 ? (d->w ? Z_4 : Z_1) : 0;
			return !z ? 0 : op == 0x90 ? RD(z) : WR(z);
		}
		if (op == 0xAE) /* vldmxcsr, vstmxcsr */
			return d->pp ? 0 : reg == 2 ? RD(Z_4) : reg == 3 ? WR(Z_4) : 0;
		if (!vex_map1(op))
			return 0;
	}
	switch (op) {
	case 0xAE: { /* fxsave, fxrstor, ldmxcsr, stmxcsr, xsave, xrstor, xsaveopt, clflush */
		static const uint8_t g15[8] = { WR(Z_512), RD(Z_512), RD(Z_4), WR(Z_4),
						WR(Z_UNK), RD(Z_UNK), WR(Z_UNK), RD(Z_UNK) };
		return d->pp == 0 || d->pp == 1 ? g15[reg] : 0;
	}
	case 0xBA: /* bt, bts, btr, btc r/m, imm8 */
		*imm = 1;
		return reg < 4 ? 0 : reg == 4 ? RD(Z_V) : RMW(Z_V);
	case 0xC7: /* cmpxchg8b/16b; xrstors, xsavec, xsaves */
		switch (reg) {
		case 1: return RMW(Z_DQ);
		case 3: return RD(Z_UNK);
		case 4: case 5: return WR(Z_UNK);
		}
		return 0;
	case 0x70 ... 0x73: case 0xA4: case 0xAC: case 0xC2: case 0xC4: case 0xC6:
		*imm = 1;
		break;
	}
	return map1[op][d->pp];
}

/* Map 2 (0F 38 xx): SSSE3/SSE4 legacy forms, AVX/AVX2/AVX-512 forms. */
static const uint8_t pmov_frac[6] = { Z_HALF, Z_QUARTER, Z_EIGHTH, Z_HALF, Z_QUARTER, Z_HALF };

static uint8_t map2op(const struct dec *d, uint8_t op)
{
	switch (op) {
	case 0x10 ... 0x15: /* EVEX F3: vpmovus* stores; else blendv, vpsrlvw.., vcvtph2ps */
		if (!d->legacy && d->pp == 2)
			return WR(pmov_frac[op - 0x10]);
		return op == 0x13 ? RD(Z_HALF) : RD(Z_VEC);
	case 0x18: case 0x58: return RD(Z_4); /* vbroadcastss, vpbroadcastd */
	case 0x19: case 0x59: return RD(Z_8);
	case 0x1A: case 0x5A: return RD(Z_16); /* vbroadcast[fi]128, ..32x4 */
	case 0x1B: case 0x5B: return RD(Z_32);
	case 0x78: return RD(Z_1);             /* vpbroadcastb */
	case 0x79: return RD(Z_2);
	case 0x20 ... 0x25: case 0x30 ... 0x35: /* pmovsx/zx loads; EVEX F3: vpmov* stores */
		return d->pp == 2 ? WR(pmov_frac[op & 7]) : RD(pmov_frac[op & 7]);
	case 0x2E: case 0x2F: case 0x8E: return WR(Z_VEC); /* vmaskmov stores */
	case 0x63: case 0x8A: case 0x8B: return WR(Z_UNK); /* compress: as many as the mask says */
	case 0x62: case 0x88: case 0x89: return RD(Z_UNK); /* expand */
	case 0x90 ... 0x93: return RD(Z_UNK);              /* gathers */
	case 0xA0 ... 0xA3: return WR(Z_UNK);              /* scatters */
	case 0x96 ... 0x9F: case 0xA6 ... 0xAF: case 0xB6 ... 0xBF: /* FMA: odd 9..F are ss/sd */
		return (op & 1) && (op & 0xF) >= 9 ? RD(Z_D) : RD(Z_VEC);
	case 0xC8 ... 0xCD: return RD(Z_VEC);               /* sha* */
	case 0xE0 ... 0xEF: return d->legacy ? 0 : RMW(Z_D); /* cmpccxadd */
	case 0xF0: case 0xF1: /* F2: crc32 r, r/m8 / r/m; else movbe */
		if (d->pp == 3)
			return RD(op == 0xF0 ? Z_1 : Z_V);
		return op == 0xF0 ? RD(Z_V) : WR(Z_V);
	case 0xF2: case 0xF3: case 0xF5: case 0xF6: case 0xF7: /* BMI, adcx/adox, mulx */
		return RD(Z_D);
	}
	return pint(d);
}

/* Map 3 (0F 3A xx): all take an imm8. */
static uint8_t map3op(const struct dec *d, uint8_t op)
{
	switch (op) {
	case 0x0A: case 0x21: return RD(Z_4);    /* roundss, insertps */
	case 0x0B: return RD(Z_8);               /* roundsd */
	case 0x14: return WR(Z_1);               /* pextrb */
	case 0x15: return WR(Z_2);               /* pextrw */
	case 0x16: return WR(Z_D);               /* pextrd/q */
	case 0x17: return WR(Z_4);               /* extractps */
	case 0x18: case 0x38: return RD(Z_16);   /* vinsert[fi]128, ..32x4 */
	case 0x19: case 0x39: return WR(Z_16);   /* vextract[fi]128, ..32x4 */
	case 0x1A: case 0x3A: return RD(Z_32);   /* vinsert[fi]64x4 */
	case 0x1B: case 0x3B: return WR(Z_32);
	case 0x1D: return WR(Z_HALF);            /* vcvtps2ph */
	case 0x20: return RD(Z_1);               /* pinsrb */
	case 0x22: return RD(Z_D);               /* pinsrd/q */
	case 0x6A: case 0x6E: case 0x7A: case 0x7E: return RD(Z_4); /* AMD FMA4 ss */
	case 0x6B: case 0x6F: case 0x7B: case 0x7F: return RD(Z_8); /* AMD FMA4 sd */
	case 0xCC: return RD(Z_VEC);             /* sha1rnds4 */
	case 0xF0: return RD(Z_D);               /* rorx */
	}
	return pint(d);
}

static unsigned size_of(const struct dec *d, unsigned z)
{
	static const uint16_t fixed[] = {
		[Z_1] = 1, [Z_2] = 2, [Z_4] = 4, [Z_8] = 8, [Z_10] = 10, [Z_16] = 16,
		[Z_32] = 32, [Z_28] = 28, [Z_108] = 108, [Z_512] = 512,
	};
	unsigned elt = d->w ? 8 : 4;
	switch (z) {
	case Z_V: return d->w ? 8 : d->o16 ? 2 : 4;
	case Z_D: return elt;
	case Z_DQ: return d->w ? 16 : 8;
	case Z_STK: return d->o16 ? 2 : 8;
	case Z_FAR: return d->w ? 10 : d->o16 ? 4 : 6;
	case Z_VEC: return d->bcst ? elt : d->vl;
	case Z_HALF: return d->bcst ? elt : d->vl / 2;
	case Z_QUARTER: return d->vl / 4;
	case Z_EIGHTH: return d->vl / 8;
	case Z_DUP: return d->vl == 16 ? 8 : d->vl;
	}
	return z < sizeof fixed / sizeof fixed[0] ? fixed[z] : 0;
}

/* Skips SIB and displacement after a ModRM byte with mod != 3. The
 * special cases go by the 3-bit fields: REX.B does not change them. */
static bool skip_address(struct dec *d, uint8_t modrm)
{
	unsigned mod = modrm >> 6, rm = modrm & 7;
	uint8_t sib;
	if (rm == 4) {
		if (!next(d, &sib))
			return false;
		if (mod == 0 && (sib & 7) == 5)
			d->i += 4; /* no base: disp32 */
	} else if (mod == 0 && rm == 5) {
		d->i += 4; /* RIP-relative disp32 */
	}
	d->i += mod == 1 ? 1 : mod == 2 ? 4 : 0;
	return true;
}

bool mc_insn_access(const uint8_t *code, size_t avail, struct mc_access *out)
{
	struct dec d = { .p = code, .n = avail < 15 ? avail : 15, .legacy = true, .vl = 16 };
	uint8_t op, rex = 0, rep = 0, modrm;
	bool lock = false;
	unsigned map = 0, imm = 0;
	uint8_t cell;

	out->size = 0;
	out->read = out->write = false;
	out->length = 0;

	/* Legacy prefixes in any order; REX counts only right before the opcode. */
	for (;;) {
		if (!next(&d, &op))
			return false;
		if ((op & 0xF0) == 0x40) {
			rex = op;
			continue;
		}
		if (op == 0x66)
			d.o16 = true;
		else if (op == 0x67)
			d.a32 = true;
		else if (op == 0xF2 || op == 0xF3)
			rep = op;
		else if (op == 0xF0)
			lock = true;
		else if (op != 0x2E && op != 0x36 && op != 0x3E && op != 0x26 && op != 0x64 && op != 0x65)
			break;
		rex = 0;
	}
	d.w = rex & 8;
	d.pp = rep == 0xF3 ? 2 : rep == 0xF2 ? 3 : d.o16 ? 1 : 0;

	if (op == 0x0F) {
		if (!next(&d, &op))
			return false;
		map = 1;
		if (op == 0x38 || op == 0x3A) {
			map = op == 0x38 ? 2 : 3;
			if (!next(&d, &op))
				return false;
		}
	} else if (op == 0xC4 || op == 0xC5 || op == 0x62) {
		/* VEX / EVEX (LES, LDS, BOUND are invalid in 64-bit mode). They
		 * carry their own W, L and SSE prefix; a legacy one is #UD. */
		uint8_t b1, b2, b3;
		if (rex || d.o16 || rep || lock || !next(&d, &b1))
			return false;
		d.legacy = false;
		if (op == 0xC5) {
			map = 1;
			d.vl = b1 & 4 ? 32 : 16;
			d.pp = b1 & 3;
		} else {
			if (!next(&d, &b2))
				return false;
			d.w = b2 & 0x80;
			d.pp = b2 & 3;
			if (op == 0xC4) {
				map = b1 & 0x1F;
				d.vl = b2 & 4 ? 32 : 16;
			} else {
				if (!(b2 & 4) || !next(&d, &b3))
					return false;
				map = b1 & 7;
				if ((b3 >> 5 & 3) == 3) /* L'L 3: reserved (rounding needs mod 3) */
					return false;
				d.vl = 16u << (b3 >> 5 & 3);
				d.bcst = b3 & 0x10;
			}
		}
		if (map < 1 || map > 3 || !next(&d, &op))
			return false;
	}

	if (map == 0 && op >= 0xA0 && op <= 0xAF) {
		/* No ModRM: moffs moves (address of 8, or 4 with 67, bytes), string ops. */
		static const uint8_t str[16] = {
			RD(Z_1), RD(Z_V), WR(Z_1), WR(Z_V), /* mov al/eAX, moffs; mov moffs, al/eAX */
			WR(Z_1), WR(Z_V), RD(Z_1), RD(Z_V), /* movs (the write side), cmps */
			0, 0, WR(Z_1), WR(Z_V),             /* test al/eAX, imm; stos */
			RD(Z_1), RD(Z_V), RD(Z_1), RD(Z_V), /* lods, scas */
		};
		cell = str[op - 0xA0];
		if (op < 0xA4)
			d.i += d.a32 ? 4 : 8;
	} else {
		if ((map == 0 && !map0_modrm(op)) || (map == 1 && !map1_modrm(&d, op)) || !next(&d, &modrm))
			return false;
		unsigned reg = modrm >> 3 & 7;
		switch (map) {
		case 0: cell = map0(&d, op, reg, &imm); break;
		case 1: cell = map1op(&d, op, reg, &imm); break;
		case 2: cell = map2op(&d, op); break;
		default: cell = map3op(&d, op); imm = 1; break;
		}
		if (!cell || modrm >> 6 == 3 || !skip_address(&d, modrm))
			return false;
		d.i += imm;
	}
	if (!cell || d.i > d.n)
		return false;
	out->length = (unsigned)d.i;
	if (ZCLASS(cell) != Z_ADDR) {
		out->size = size_of(&d, ZCLASS(cell));
		out->read = cell & A_R;
		out->write = cell & A_W;
	}
	return true;
}
