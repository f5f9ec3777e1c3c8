/* CFI parsing and CFA-program interpretation over hand-built .eh_frame,
 * .eh_frame_hdr and .debug_frame bytes; the DWARF expression evaluator;
 * hostile inputs (all must end, with an error or no rule). */
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <elf.h>
#include <dlfcn.h>
#include <signal.h>

#include "binary/cfi.h"
#include "unit.h"

/* ---- byte assembly ------------------------------------------------------- */

struct buf {
	uint8_t b[8192];
	size_t n;
};

static void put(struct buf *b, uint64_t v, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		b->b[b->n++] = (uint8_t)(v >> (8 * i));
}
static void u8(struct buf *b, unsigned v) { put(b, v, 1); }
static void uleb(struct buf *b, uint64_t v)
{
	do {
		uint8_t c = v & 0x7f;
		v >>= 7;
		u8(b, c | (v ? 0x80 : 0));
	} while (v);
}
static void sleb(struct buf *b, int64_t v)
{
	for (;;) {
		uint8_t c = v & 0x7f;
		v >>= 7;
		bool done = (v == 0 && !(c & 0x40)) || (v == -1 && (c & 0x40));
		u8(b, c | (done ? 0 : 0x80));
		if (done)
			break;
	}
}
static void bytes(struct buf *b, const void *p, size_t n)
{
	memcpy(b->b + b->n, p, n);
	b->n += n;
}

/* Writes `v` with pointer encoding enc; `vaddr` is where byte b->n lives. */
static void put_enc(struct buf *b, uint8_t enc, uint64_t v, uint64_t sec_vaddr)
{
	uint64_t field = sec_vaddr + b->n;
	if ((enc & 0x70) == 0x10)
		v -= field;
	if ((enc & 0x70) == 0x50) {
		while ((sec_vaddr + b->n) & 7)
			u8(b, 0);
	}
	switch (enc & 0x0f) {
	case 0x00: case 0x04: case 0x0c: case 0x08: put(b, v, 8); break;
	case 0x01: uleb(b, v); break;
	case 0x09: sleb(b, (int64_t)v); break;
	case 0x02: case 0x0a: put(b, v, 2); break;
	case 0x03: case 0x0b: put(b, v, 4); break;
	}
}

/* CIE in .eh_frame (eh) or .debug_frame; returns its offset. */
static size_t emit_cie(struct buf *b, bool eh, unsigned version, const char *aug, uint64_t caf, int64_t daf,
		       unsigned ra, const struct buf *augdata, const struct buf *insns)
{
	size_t off = b->n;
	put(b, 0, 4);
	put(b, eh ? 0 : 0xffffffffu, 4);
	u8(b, version);
	bytes(b, aug, strlen(aug) + 1);
	if (version == 4) {
		u8(b, 8);
		u8(b, 0);
	}
	uleb(b, caf);
	sleb(b, daf);
	if (version == 1)
		u8(b, ra);
	else
		uleb(b, ra);
	if (aug[0] == 'z') {
		uleb(b, augdata ? augdata->n : 0);
		if (augdata)
			bytes(b, augdata->b, augdata->n);
	}
	if (insns)
		bytes(b, insns->b, insns->n);
	while ((b->n - off) % 8)
		u8(b, 0); /* DW_CFA_nop */
	uint32_t len = (uint32_t)(b->n - off - 4);
	memcpy(b->b + off, &len, 4);
	return off;
}

static size_t emit_fde(struct buf *b, bool eh, uint64_t sec_vaddr, size_t cie, uint8_t enc, bool z, uint64_t pc,
		       uint64_t range, const struct buf *insns)
{
	size_t off = b->n;
	put(b, 0, 4);
	put(b, eh ? (uint32_t)(b->n - cie) : (uint32_t)cie, 4);
	put_enc(b, enc, pc, sec_vaddr);
	put_enc(b, enc & 0x0f, range, sec_vaddr);
	if (z)
		uleb(b, 0);
	if (insns)
		bytes(b, insns->b, insns->n);
	while ((b->n - off) % 8)
		u8(b, 0);
	uint32_t len = (uint32_t)(b->n - off - 4);
	memcpy(b->b + off, &len, 4);
	return off;
}

#define EH_VADDR 0x10000ull
#define HDR_VADDR 0x0f000ull

/* The usual x86-64 CIE: "zR", caf 1, daf -8, RA 16, pcrel|sdata4,
 * CFA = rsp+8, RA at CFA-8. */
static size_t std_cie(struct buf *eh)
{
	struct buf aug = { .n = 0 }, ins = { .n = 0 };
	u8(&aug, 0x1b);
	u8(&ins, 0x0c); uleb(&ins, 7); uleb(&ins, 8);   /* def_cfa rsp, 8 */
	u8(&ins, 0x80 | 16); uleb(&ins, 1);             /* offset r16 at cfa-8 */
	return emit_cie(eh, true, 1, "zR", 1, -8, 16, &aug, &ins);
}

static struct cfi_table *table_of(const struct buf *eh)
{
	return cfi_table_from_sections(eh->b, eh->n, EH_VADDR, NULL, 0, 0, NULL, 0);
}

/* ---- tests --------------------------------------------------------------------- */

static void test_prologue_epilogue(void)
{
	static struct buf eh, ins;
	eh.n = ins.n = 0;
	size_t cie = std_cie(&eh);
	/* push rbp; mov rbp,rsp; ...; pop rbp (remember/restore); ret */
	u8(&ins, 0x40 | 1);                       /* advance 1 */
	u8(&ins, 0x0e); uleb(&ins, 16);           /* def_cfa_offset 16 */
	u8(&ins, 0x80 | 6); uleb(&ins, 2);        /* rbp at cfa-16 */
	u8(&ins, 0x40 | 3);                       /* advance 3 -> 0x1004 */
	u8(&ins, 0x0d); uleb(&ins, 6);            /* def_cfa_register rbp */
	u8(&ins, 0x40 | 20);                      /* -> 0x1018 */
	u8(&ins, 0x0a);                           /* remember_state */
	u8(&ins, 0x0c); uleb(&ins, 7); uleb(&ins, 8); /* def_cfa rsp 8 (after leave) */
	u8(&ins, 0xc0 | 6);                       /* restore rbp */
	u8(&ins, 0x40 | 1);                       /* -> 0x1019 */
	u8(&ins, 0x0b);                           /* restore_state */
	emit_fde(&eh, true, EH_VADDR, cie, 0x1b, true, 0x1000, 0x40, &ins);
	put(&eh, 0, 4); /* terminator */
	struct cfi_table *t = table_of(&eh);
	struct cfi_row row;
	CHECK_INT(cfi_table_row(t, 0x1000, &row), CFI_OK);
	CHECK_INT(row.cfa_kind, CFI_CFA_REG);
	CHECK_INT(row.cfa_reg, UNW_RSP);
	CHECK_INT(row.cfa_off, 8);
	CHECK_INT(row.reg[UNW_RIP].kind, CFI_REG_OFFSET);
	CHECK_INT(row.reg[UNW_RIP].off, -8);
	CHECK_INT(row.reg[UNW_RBP].kind, CFI_REG_UNSPEC);
	CHECK_INT(row.pc_begin, 0x1000);
	CHECK_INT(row.pc_end, 0x1040);
	CHECK_INT(cfi_table_row(t, 0x1001, &row), CFI_OK);
	CHECK_INT(row.cfa_off, 16);
	CHECK_INT(row.reg[UNW_RBP].kind, CFI_REG_OFFSET);
	CHECK_INT(row.reg[UNW_RBP].off, -16);
	CHECK_INT(cfi_table_row(t, 0x1003, &row), CFI_OK);
	CHECK_INT(row.cfa_reg, UNW_RSP);
	CHECK_INT(cfi_table_row(t, 0x1004, &row), CFI_OK);
	CHECK_INT(row.cfa_reg, UNW_RBP);
	CHECK_INT(row.cfa_off, 16);
	CHECK_INT(cfi_table_row(t, 0x1018, &row), CFI_OK); /* mid-epilogue */
	CHECK_INT(row.cfa_reg, UNW_RSP);
	CHECK_INT(row.cfa_off, 8);
	CHECK_INT(row.reg[UNW_RBP].kind, CFI_REG_UNSPEC);
	CHECK_INT(cfi_table_row(t, 0x1020, &row), CFI_OK); /* after restore_state */
	CHECK_INT(row.cfa_reg, UNW_RBP);
	CHECK_INT(row.cfa_off, 16);
	CHECK_INT(row.reg[UNW_RBP].off, -16);
	CHECK_INT(cfi_table_row(t, 0x1040, &row), CFI_NOT_FOUND);
	CHECK_INT(cfi_table_row(t, 0xfff, &row), CFI_NOT_FOUND);

	/* Compact rules and the cache. */
	struct cfi_rule r = cfi_table_rule(t, 0x1001);
	CHECK_INT(r.kind, CFI_RULE_CFA);
	CHECK_INT(r.cfa_reg, UNW_RSP);
	CHECK_INT(r.cfa_off, 16);
	CHECK_INT(r.ra_off, -8);
	CHECK_INT(r.save[1], -16); /* rbp */
	r = cfi_table_rule(t, 0x1001);
	r = cfi_table_rule(t, 0x1030);
	CHECK_INT(r.kind, CFI_RULE_CFA);
	CHECK_INT(r.cfa_reg, UNW_RBP);
	CHECK_INT(cfi_table_rule(t, 0x2000).kind, CFI_RULE_NONE);
	struct cfi_stats st;
	cfi_table_stats(t, &st);
	CHECK_INT(st.lookups, 4);
	CHECK_INT(st.hits, 1);
	CHECK_INT(st.fde_count, 1);
	CHECK(!st.has_hdr);
	cfi_table_free(t);
}

/* Every DW_CFA opcode, with the rows asserted at several addresses. */
static void test_all_opcodes(void)
{
	static struct buf eh, ins;
	eh.n = ins.n = 0;
	size_t cie = std_cie(&eh);
	const uint64_t pc = 0x4000;
	u8(&ins, 0x00);                                    /* nop */
	u8(&ins, 0x05); uleb(&ins, 3); uleb(&ins, 2);      /* offset_extended rbx, cfa-16 */
	u8(&ins, 0x11); uleb(&ins, 12); sleb(&ins, 3);     /* offset_extended_sf r12, cfa-24 */
	u8(&ins, 0x2f); uleb(&ins, 13); uleb(&ins, 1);     /* GNU_negative_offset_extended r13, cfa+8 */
	u8(&ins, 0x14); uleb(&ins, 14); uleb(&ins, 4);     /* val_offset r14 = cfa-32 */
	u8(&ins, 0x15); uleb(&ins, 15); sleb(&ins, -2);    /* val_offset_sf r15 = cfa+16 */
	u8(&ins, 0x09); uleb(&ins, 0); uleb(&ins, 1);      /* register rax <- rdx */
	u8(&ins, 0x08); uleb(&ins, 2);                     /* same_value rcx */
	u8(&ins, 0x07); uleb(&ins, 4);                     /* undefined rsi */
	u8(&ins, 0x2e); uleb(&ins, 32);                    /* GNU_args_size 32 */
	u8(&ins, 0x02); u8(&ins, 0x10);                    /* advance_loc1 16 -> 0x4010 */
	u8(&ins, 0x12); uleb(&ins, 6); sleb(&ins, -4);     /* def_cfa_sf rbp, 32 */
	u8(&ins, 0x06); uleb(&ins, 3);                     /* restore_extended rbx */
	u8(&ins, 0xc0 | 12);                               /* restore r12 */
	u8(&ins, 0x03); put(&ins, 0x100, 2);               /* advance_loc2 -> 0x4110 */
	u8(&ins, 0x13); sleb(&ins, -6);                    /* def_cfa_offset_sf 48 */
	u8(&ins, 0x04); put(&ins, 0x1000, 4);              /* advance_loc4 -> 0x5110 */
	u8(&ins, 0x0f); uleb(&ins, 3); u8(&ins, 0x77); sleb(&ins, 8); u8(&ins, 0x06); /* def_cfa_expression breg7+8 deref */
	u8(&ins, 0x10); uleb(&ins, 3); uleb(&ins, 2); u8(&ins, 0x77); sleb(&ins, 40);  /* expression rbx: breg7+40 */
	u8(&ins, 0x16); uleb(&ins, 6); uleb(&ins, 2); u8(&ins, 0x23); uleb(&ins, 8);   /* val_expression rbp: plus_uconst 8 */
	emit_fde(&eh, true, EH_VADDR, cie, 0x1b, true, pc, 0x3000, &ins);
	/* Append set_loc + a row change into a second FDE to test set_loc. */
	static struct buf ins2;
	ins2.n = 0;
	u8(&ins2, 0x0c); uleb(&ins2, 7); uleb(&ins2, 16); /* def_cfa rsp 16 */
	u8(&ins2, 0x40 | 8);                               /* advance 8 -> 0x8008 */
	u8(&ins2, 0x0e); uleb(&ins2, 24);
	emit_fde(&eh, true, EH_VADDR, cie, 0x1b, true, 0x8000, 0x100, &ins2);
	put(&eh, 0, 4);
	struct cfi_table *t = table_of(&eh);
	struct cfi_row row;
	CHECK_INT(cfi_table_row(t, pc, &row), CFI_OK);
	CHECK_INT(row.reg[UNW_RBX].kind, CFI_REG_OFFSET);
	CHECK_INT(row.reg[UNW_RBX].off, -16);
	CHECK_INT(row.reg[UNW_R12].off, -24);
	CHECK_INT(row.reg[UNW_R13].kind, CFI_REG_OFFSET);
	CHECK_INT(row.reg[UNW_R13].off, 8);
	CHECK_INT(row.reg[UNW_R14].kind, CFI_REG_VAL_OFFSET);
	CHECK_INT(row.reg[UNW_R14].off, -32);
	CHECK_INT(row.reg[UNW_R15].kind, CFI_REG_VAL_OFFSET);
	CHECK_INT(row.reg[UNW_R15].off, 16);
	CHECK_INT(row.reg[UNW_RAX].kind, CFI_REG_REGISTER);
	CHECK_INT(row.reg[UNW_RAX].reg, UNW_RDX);
	CHECK_INT(row.reg[UNW_RCX].kind, CFI_REG_SAME);
	CHECK_INT(row.reg[UNW_RSI].kind, CFI_REG_UNDEFINED);
	CHECK_INT(row.args_size, 32);
	CHECK_INT(row.cfa_reg, UNW_RSP);
	CHECK_INT(cfi_rule_from_row(&row).kind, CFI_RULE_FULL);
	CHECK_INT(cfi_table_row(t, 0x400f, &row), CFI_OK);
	CHECK_INT(row.cfa_reg, UNW_RSP);
	CHECK_INT(cfi_table_row(t, 0x4010, &row), CFI_OK);
	CHECK_INT(row.cfa_reg, UNW_RBP);
	CHECK_INT(row.cfa_off, 32);
	CHECK_INT(row.reg[UNW_RBX].kind, CFI_REG_UNSPEC);
	CHECK_INT(row.reg[UNW_R12].kind, CFI_REG_UNSPEC);
	CHECK_INT(row.reg[UNW_R13].kind, CFI_REG_OFFSET);
	CHECK_INT(row.loc, 0x4010);
	CHECK_INT(cfi_table_row(t, 0x4110, &row), CFI_OK);
	CHECK_INT(row.cfa_off, 48);
	CHECK_INT(row.cfa_reg, UNW_RBP);
	CHECK_INT(cfi_table_row(t, 0x5110, &row), CFI_OK);
	CHECK_INT(row.cfa_kind, CFI_CFA_EXPR);
	CHECK_INT(row.cfa_expr_len, 3);
	CHECK_INT(row.reg[UNW_RBX].kind, CFI_REG_EXPR);
	CHECK_INT(row.reg[UNW_RBP].kind, CFI_REG_VAL_EXPR);
	CHECK_INT(row.reg[UNW_RBP].expr_len, 2);
	CHECK_INT(cfi_table_row(t, 0x8000, &row), CFI_OK);
	CHECK_INT(row.cfa_off, 16);
	CHECK_INT(cfi_table_row(t, 0x8008, &row), CFI_OK);
	CHECK_INT(row.cfa_off, 24);
	cfi_table_free(t);
}

/* DW_CFA_set_loc with pcrel|sdata4, and advance_loc with a code
 * alignment factor of 4. */
static void test_set_loc(void)
{
	static struct buf eh;
	eh.n = 0;
	struct buf aug = { .n = 0 }, ci = { .n = 0 };
	u8(&aug, 0x03); /* udata4 absolute */
	u8(&ci, 0x0c); uleb(&ci, 7); uleb(&ci, 8);
	u8(&ci, 0x80 | 16); uleb(&ci, 1);
	size_t cie = emit_cie(&eh, true, 1, "zR", 4, -8, 16, &aug, &ci);
	struct buf ins = { .n = 0 };
	u8(&ins, 0x40 | 2);                 /* advance 2*4 = 8 */
	u8(&ins, 0x0e); uleb(&ins, 16);
	u8(&ins, 0x01); put(&ins, 0x9040, 4); /* set_loc 0x9040 */
	u8(&ins, 0x0e); uleb(&ins, 32);
	emit_fde(&eh, true, EH_VADDR, cie, 0x03, true, 0x9000, 0x100, &ins);
	struct cfi_table *t = table_of(&eh);
	struct cfi_row row;
	CHECK_INT(cfi_table_row(t, 0x9007, &row), CFI_OK);
	CHECK_INT(row.cfa_off, 8);
	CHECK_INT(cfi_table_row(t, 0x9008, &row), CFI_OK);
	CHECK_INT(row.cfa_off, 16);
	CHECK_INT(cfi_table_row(t, 0x903f, &row), CFI_OK);
	CHECK_INT(row.cfa_off, 16);
	CHECK_INT(cfi_table_row(t, 0x9040, &row), CFI_OK);
	CHECK_INT(row.cfa_off, 32);
	cfi_table_free(t);
}

/* FDE pointer encodings, "zPLR" personality (indirect), "S", "eh". */
static void test_encodings(void)
{
	static const uint8_t encs[] = { 0x00, 0x01, 0x02, 0x03, 0x04, 0x09, 0x0a, 0x0b, 0x0c,
					0x10, 0x13, 0x14, 0x1a, 0x1b, 0x1c, 0x19, 0x50 };
	for (size_t i = 0; i < sizeof(encs); i++) {
		static struct buf eh;
		eh.n = 0;
		struct buf aug = { .n = 0 }, ci = { .n = 0 };
		/* zPLR: personality enc (indirect|pcrel|sdata4), pointer, LSDA enc, FDE enc */
		u8(&aug, 0x9b);
		put(&aug, 0x1234, 4);
		u8(&aug, 0x1b);
		u8(&aug, encs[i]);
		u8(&ci, 0x0c); uleb(&ci, 7); uleb(&ci, 8);
		u8(&ci, 0x80 | 16); uleb(&ci, 1);
		size_t cie = emit_cie(&eh, true, 1, "zPLR", 1, -8, 16, &aug, &ci);
		uint64_t pc = (encs[i] & 0x0f) == 0x02 || (encs[i] & 0x0f) == 0x0a ? 0x3000 : 0x123456;
		if ((encs[i] & 0x0f) == 0x0a && (encs[i] & 0x70) == 0x10) /* pcrel sdata2: near the section */
			pc = EH_VADDR + 0x100;
		struct buf ins = { .n = 0 };
		u8(&ins, 0x40 | 4);
		u8(&ins, 0x0e); uleb(&ins, 16);
		size_t fo = eh.n;
		/* LSDA pointer in the FDE's augmentation data: written by hand. */
		put(&eh, 0, 4);
		put(&eh, (uint32_t)(eh.n - cie), 4);
		put_enc(&eh, encs[i], pc, EH_VADDR);
		put_enc(&eh, encs[i] & 0x0f, 0x20, EH_VADDR);
		uleb(&eh, 4);
		put(&eh, 0, 4); /* LSDA (pcrel|sdata4) */
		bytes(&eh, ins.b, ins.n);
		while ((eh.n - fo) % 8)
			u8(&eh, 0);
		uint32_t len = (uint32_t)(eh.n - fo - 4);
		memcpy(eh.b + fo, &len, 4);
		struct cfi_table *t = table_of(&eh);
		struct cfi_row row;
		if (cfi_table_row(t, pc + 4, &row) != CFI_OK || row.cfa_off != 16 || row.pc_end != pc + 0x20) {
			printf("# encoding 0x%02x\n", encs[i]);
			CHECK(0);
		}
		CHECK_INT(cfi_table_row(t, pc + 0x20, &row), CFI_NOT_FOUND);
		cfi_table_free(t);
	}
	/* cfi_read_encoded: the bases. */
	uint8_t data[32] = { 0x10, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 0, 0, 0, 0 };
	struct cfi_section sec = { data, sizeof(data), 0x1000, 0x2000, 0x3000, true };
	const uint8_t *p = data;
	uint64_t v;
	CHECK(cfi_read_encoded(&p, data + 32, 0x13, &sec, 0, &v)); /* pcrel udata4 */
	CHECK_INT(v, 0x1010);
	p = data;
	CHECK(cfi_read_encoded(&p, data + 32, 0x23, &sec, 0, &v));
	CHECK_INT(v, 0x2010);
	p = data;
	CHECK(cfi_read_encoded(&p, data + 32, 0x33, &sec, 0, &v));
	CHECK_INT(v, 0x3010);
	p = data;
	CHECK(cfi_read_encoded(&p, data + 32, 0x43, &sec, 0x5000, &v));
	CHECK_INT(v, 0x5010);
	p = data + 1; /* aligned: skips to offset 8 */
	CHECK(cfi_read_encoded(&p, data + 32, 0x50, &sec, 0, &v));
	CHECK_INT(v, 0x10);
	CHECK_INT(p - data, 16);
	p = data;
	CHECK(cfi_read_encoded(&p, data + 32, 0x93, &sec, 0, &v)); /* indirect: the pointer's address */
	CHECK_INT(v, 0x1010);
	p = data;
	CHECK(!cfi_read_encoded(&p, data + 32, 0xff, &sec, 0, &v));
	CHECK(!cfi_read_encoded(&p, data + 32, 0x07, &sec, 0, &v));
	CHECK(!cfi_read_encoded(&p, data + 32, 0x60, &sec, 0, &v));
	p = data + 30;
	CHECK(!cfi_read_encoded(&p, data + 32, 0x03, &sec, 0, &v));
	CHECK(p == data + 30);

	/* "zRS": a signal frame; "eh" augmentation: skipped. */
	static struct buf eh;
	eh.n = 0;
	struct buf aug = { .n = 0 }, ci = { .n = 0 };
	u8(&aug, 0x1b);
	u8(&ci, 0x0c); uleb(&ci, 7); uleb(&ci, 8);
	u8(&ci, 0x80 | 16); uleb(&ci, 1);
	size_t cie = emit_cie(&eh, true, 1, "zRS", 1, -8, 16, &aug, &ci);
	emit_fde(&eh, true, EH_VADDR, cie, 0x1b, true, 0x7000, 0x10, NULL);
	size_t o = eh.n;
	put(&eh, 0, 4);
	put(&eh, 0, 4);
	u8(&eh, 1);
	bytes(&eh, "eh", 3);
	put(&eh, 0xdeadbeef, 8);
	uleb(&eh, 1); sleb(&eh, -8); u8(&eh, 16);
	u8(&eh, 0x0c); uleb(&eh, 7); uleb(&eh, 8);
	u8(&eh, 0x80 | 16); uleb(&eh, 1);
	while ((eh.n - o) % 8)
		u8(&eh, 0);
	uint32_t len = (uint32_t)(eh.n - o - 4);
	memcpy(eh.b + o, &len, 4);
	emit_fde(&eh, true, EH_VADDR, o, 0x00, false, 0x7100, 0x10, NULL);
	struct cfi_table *t = table_of(&eh);
	struct cfi_row row;
	CHECK_INT(cfi_table_row(t, 0x7000, &row), CFI_OK);
	CHECK(row.signal);
	CHECK_INT(cfi_rule_from_row(&row).kind, CFI_RULE_FULL);
	CHECK_INT(cfi_table_row(t, 0x7105, &row), CFI_OK);
	CHECK(!row.signal);
	CHECK_INT(row.cfa_off, 8);
	cfi_table_free(t);
}

/* .eh_frame_hdr: the sorted table (datarel|sdata4), and DW_EH_PE_omit. */
static void test_eh_frame_hdr(void)
{
	static struct buf eh, hdr;
	eh.n = hdr.n = 0;
	size_t cie = std_cie(&eh);
	size_t f[5];
	uint64_t pcs[5] = { 0x1000, 0x1100, 0x1200, 0x2000, 0x2400 };
	for (int i = 0; i < 5; i++) {
		struct buf ins = { .n = 0 };
		u8(&ins, 0x40 | 1);
		u8(&ins, 0x0e); uleb(&ins, 16 + 8 * (uint64_t)i);
		f[i] = emit_fde(&eh, true, EH_VADDR, cie, 0x1b, true, pcs[i], 0x80, &ins);
	}
	put(&eh, 0, 4);
	for (int omit = 0; omit < 2; omit++) {
		hdr.n = 0;
		u8(&hdr, 1);
		u8(&hdr, 0x1b);
		u8(&hdr, omit ? 0xff : 0x03);
		u8(&hdr, omit ? 0xff : 0x3b);
		put_enc(&hdr, 0x1b, EH_VADDR, HDR_VADDR);
		if (!omit) {
			put(&hdr, 5, 4);
			for (int i = 0; i < 5; i++) {
				put(&hdr, (uint32_t)(pcs[i] - HDR_VADDR), 4);
				put(&hdr, (uint32_t)(EH_VADDR + f[i] - HDR_VADDR), 4);
			}
		}
		struct cfi_table *t = cfi_table_from_sections(eh.b, eh.n, EH_VADDR, hdr.b, hdr.n, HDR_VADDR, NULL, 0);
		struct cfi_stats st;
		cfi_table_stats(t, &st);
		CHECK_INT(st.has_hdr, !omit);
		CHECK_INT(st.fde_count, 5);
		struct cfi_row row;
		for (int i = 0; i < 5; i++) {
			CHECK_INT(cfi_table_row(t, pcs[i], &row), CFI_OK);
			CHECK_INT(row.cfa_off, 8);
			CHECK_INT(cfi_table_row(t, pcs[i] + 0x7f, &row), CFI_OK);
			CHECK_INT(row.cfa_off, 16 + 8 * i);
			CHECK_INT(cfi_table_row(t, pcs[i] + 0x80, &row), CFI_NOT_FOUND);
		}
		CHECK_INT(cfi_table_row(t, 0x10, &row), CFI_NOT_FOUND);
		CHECK_INT(cfi_table_row(t, 0x99999, &row), CFI_NOT_FOUND);
		cfi_table_free(t);
	}
}

/* .debug_frame: CIE id 0xffffffff, absolute CIE offsets, versions 1/3/4,
 * the 64-bit format; used when .eh_frame has no FDE. */
static void test_debug_frame(void)
{
	static struct buf eh, dbg;
	eh.n = dbg.n = 0;
	size_t cie = std_cie(&eh);
	emit_fde(&eh, true, EH_VADDR, cie, 0x1b, true, 0x1000, 0x10, NULL);
	struct buf ci = { .n = 0 };
	u8(&ci, 0x0c); uleb(&ci, 7); uleb(&ci, 8);
	u8(&ci, 0x80 | 16); uleb(&ci, 1);
	size_t c1 = emit_cie(&dbg, false, 1, "", 1, -8, 16, NULL, &ci);
	size_t c3 = emit_cie(&dbg, false, 3, "", 1, -8, 16, NULL, &ci);
	size_t c4 = emit_cie(&dbg, false, 4, "", 1, -8, 16, NULL, &ci);
	struct buf ins = { .n = 0 };
	u8(&ins, 0x40 | 1);
	u8(&ins, 0x0e); uleb(&ins, 24);
	emit_fde(&dbg, false, 0, c1, 0x00, false, 0x5000, 0x10, &ins);
	emit_fde(&dbg, false, 0, c3, 0x00, false, 0x5100, 0x10, &ins);
	emit_fde(&dbg, false, 0, c4, 0x00, false, 0x5200, 0x10, &ins);
	/* 64-bit DWARF: CIE and FDE with length 0xffffffff + u64. */
	size_t c64 = dbg.n;
	put(&dbg, 0xffffffffu, 4);
	size_t lenpos = dbg.n;
	put(&dbg, 0, 8);
	put(&dbg, ~0ull, 8);
	u8(&dbg, 3);
	u8(&dbg, 0);
	uleb(&dbg, 1); sleb(&dbg, -8); uleb(&dbg, 16);
	bytes(&dbg, ci.b, ci.n);
	uint64_t l64 = dbg.n - lenpos - 8;
	memcpy(dbg.b + lenpos, &l64, 8);
	put(&dbg, 0xffffffffu, 4);
	lenpos = dbg.n;
	put(&dbg, 0, 8);
	put(&dbg, c64, 8);
	put(&dbg, 0x5300, 8);
	put(&dbg, 0x10, 8);
	bytes(&dbg, ins.b, ins.n);
	l64 = dbg.n - lenpos - 8;
	memcpy(dbg.b + lenpos, &l64, 8);
	struct cfi_table *t = cfi_table_from_sections(eh.b, eh.n, EH_VADDR, NULL, 0, 0, dbg.b, dbg.n);
	struct cfi_row row;
	CHECK_INT(cfi_table_row(t, 0x1000, &row), CFI_OK);
	for (uint64_t pc = 0x5000; pc <= 0x5300; pc += 0x100) {
		CHECK_INT(cfi_table_row(t, pc, &row), CFI_OK);
		CHECK_INT(row.cfa_off, 8);
		CHECK_INT(cfi_table_row(t, pc + 1, &row), CFI_OK);
		CHECK_INT(row.cfa_off, 24);
		CHECK_INT(row.reg[UNW_RIP].off, -8);
	}
	CHECK_INT(cfi_table_row(t, 0x5400, &row), CFI_NOT_FOUND);
	struct cfi_stats st;
	cfi_table_stats(t, &st);
	CHECK_INT(st.dbg_fde_count, 4);
	cfi_table_free(t);
}

static bool mem_read(void *ctx, uint64_t addr, uint64_t *v)
{
	const uint64_t *m = ctx; /* m[0] = base, m[1..64] = words */
	if (addr < m[0] || addr >= m[0] + 64 * 8 || (addr & 7))
		return false;
	*v = m[1 + (addr - m[0]) / 8];
	return true;
}

static enum dwexpr_status ev(const uint8_t *e, size_t n, uint64_t *out)
{
	static uint64_t mem[65];
	mem[0] = 0x8000;
	for (int i = 0; i < 64; i++)
		mem[1 + i] = 0x1000 + (uint64_t)i;
	struct unwind_regs regs = { .valid = (1u << UNW_RSP) | (1u << UNW_RIP) | (1u << UNW_RBP) };
	regs.r[UNW_RSP] = 0x8000;
	regs.r[UNW_RBP] = 0x8100;
	regs.r[UNW_RIP] = 0x40102b;
	struct unwind_memory m = { mem_read, mem };
	return dwarf_expr_eval(e, n, &regs, &m, NULL, out);
}

#define EV(expect, ...)                                                   \
	do {                                                              \
		const uint8_t e_[] = { __VA_ARGS__ };                     \
		uint64_t v_ = 0;                                          \
		CHECK_INT(ev(e_, sizeof(e_), &v_), DWEXPR_OK);            \
		CHECK_INT(v_, (expect));                                  \
	} while (0)
#define EV_FAIL(status, ...)                                              \
	do {                                                              \
		const uint8_t e_[] = { __VA_ARGS__ };                     \
		uint64_t v_ = 0;                                          \
		CHECK_INT(ev(e_, sizeof(e_), &v_), (status));             \
	} while (0)

static void test_expressions(void)
{
	EV(0x8008, 0x77, 0x08);                     /* breg7 8 */
	EV(0x80f8, 0x76, 0x78);                     /* breg6 -8 */
	EV(0x8010, 0x92, 0x07, 0x10);               /* bregx 7 16 */
	EV(31, 0x4f);                               /* lit31 */
	EV(0xff, 0x08, 0xff);                       /* const1u */
	EV((uint64_t)-1, 0x09, 0xff);               /* const1s */
	EV(0xfffe, 0x0a, 0xfe, 0xff);
	EV((uint64_t)-2, 0x0b, 0xfe, 0xff);
	EV(0xfffffffe, 0x0c, 0xfe, 0xff, 0xff, 0xff);
	EV((uint64_t)-2, 0x0d, 0xfe, 0xff, 0xff, 0xff);
	EV(0x0102030405060708ull, 0x0e, 8, 7, 6, 5, 4, 3, 2, 1);
	EV(0x0102030405060708ull, 0x0f, 8, 7, 6, 5, 4, 3, 2, 1);
	EV(300, 0x10, 0xac, 0x02);                  /* constu */
	EV((uint64_t)-3, 0x11, 0x7d);               /* consts */
	EV(0x1002, 0x77, 0x10, 0x06);               /* breg7 16; deref */
	EV(0x1001, 0x77, 0x08, 0x06);
	EV(8, 0x34, 0x12, 0x22);                    /* lit4 dup plus */
	EV(3, 0x33, 0x34, 0x13);                    /* lit3 lit4 drop */
	EV(3, 0x33, 0x34, 0x14);                    /* over */
	EV(3, 0x33, 0x34, 0x35, 0x15, 0x02);        /* pick 2 */
	EV(4, 0x34, 0x33, 0x16);                    /* swap */
	EV(4, 0x33, 0x34, 0x35, 0x17);              /* rot: (3 4 5) -> (5 3 4) */
	EV(10, 0x37, 0x23, 0x03);                   /* plus_uconst */
	EV(4, 0x37, 0x33, 0x1c);                    /* minus */
	EV(2, 0x36, 0x33, 0x1a);                    /* and 6&3 */
	EV(7, 0x36, 0x33, 0x21);                    /* or */
	EV(5, 0x36, 0x33, 0x27);                    /* xor */
	EV(24, 0x33, 0x33, 0x24);                   /* shl 3<<3 */
	EV(6, 0x48, 0x32, 0x25);                    /* shr 24>>2 */
	EV((uint64_t)-2, 0x11, 0x78, 0x32, 0x26);   /* shra -8>>2 */
	EV(18, 0x36, 0x33, 0x1e);                   /* mul */
	EV((uint64_t)-3, 0x11, 0x7a, 0x32, 0x1b);   /* div -6/2 */
	EV(1, 0x37, 0x33, 0x1d);                    /* mod */
	EV((uint64_t)-7, 0x37, 0x1f);               /* neg */
	EV(~(uint64_t)7, 0x37, 0x20);               /* not */
	EV(1, 0x33, 0x34, 0x2d);                    /* lt */
	EV(1, 0x33, 0x33, 0x2c);                    /* le */
	EV(0, 0x33, 0x34, 0x2b);                    /* gt */
	EV(1, 0x34, 0x34, 0x2a);                    /* ge */
	EV(1, 0x34, 0x34, 0x29);                    /* eq */
	EV(0, 0x34, 0x34, 0x2e);                    /* ne */
	EV(1, 0x31, 0x2f, 0x01, 0x00, 0x32, 0x96);  /* skip over lit2 */
	EV(9, 0x31, 0x28, 0x01, 0x00, 0x32, 0x39);  /* bra taken: lit9 */
	/* The PLT stub's CFA: rsp + 8 + ((rip & 15) >= 11 ? 8 : 0); rip&15 = 11. */
	EV(0x8010, 0x77, 0x08, 0x80, 0x00, 0x3f, 0x1a, 0x3b, 0x2a, 0x33, 0x24, 0x22);
	/* Failures: stack underflow, unknown register, division by zero,
	 * unreadable memory, a bra back to itself (bounded), bad skip. */
	EV_FAIL(DWEXPR_BAD, 0x22);
	EV_FAIL(DWEXPR_BAD, 0x70, 0x00);            /* breg0: rax not valid */
	EV_FAIL(DWEXPR_BAD, 0x31, 0x30, 0x1b);
	EV_FAIL(DWEXPR_MEM, 0x30, 0x06);
	EV_FAIL(DWEXPR_BAD, 0x31, 0x12, 0x28, 0xfc, 0xff); /* dup; bra back to dup: loop */
	EV_FAIL(DWEXPR_BAD, 0x2f, 0xfd, 0xff);      /* skip to itself forever */
	EV_FAIL(DWEXPR_BAD, 0x2f, 0x00, 0x10);      /* skip past the end */
	EV_FAIL(DWEXPR_BAD, 0x0e, 1, 2);            /* truncated operand */
	EV_FAIL(DWEXPR_BAD, 0x50);                  /* DW_OP_reg0 */
	EV_FAIL(DWEXPR_BAD, 0x01);                  /* unknown */
	uint8_t deep[100];
	memset(deep, 0x30, sizeof(deep));
	uint64_t v;
	CHECK_INT(ev(deep, sizeof(deep), &v), DWEXPR_BAD); /* stack overflow */
	CHECK_INT(ev(NULL, 0, &v), DWEXPR_BAD);              /* empty */
}

/* Hostile .eh_frame bytes: errors or "no rule", never a hang or a crash. */
static void test_hostile(void)
{
	static struct buf eh, ins;
	struct cfi_row row;
	/* CIE pointer out of range / pointing forward / self. */
	eh.n = 0;
	size_t cie = std_cie(&eh);
	size_t fo = emit_fde(&eh, true, EH_VADDR, cie, 0x1b, true, 0x1000, 0x10, NULL);
	uint32_t bad = 0x7fffffff;
	memcpy(eh.b + fo + 4, &bad, 4);
	struct cfi_table *t = table_of(&eh);
	CHECK_INT(cfi_table_row(t, 0x1000, &row), CFI_NOT_FOUND);
	cfi_table_free(t);
	struct cfi_section sec = { eh.b, eh.n, EH_VADDR, 0, 0, true };
	struct cfi_fde f;
	CHECK_INT(cfi_parse_fde(&sec, fo, &f), CFI_ERR);
	bad = 4; /* points at itself (its own id field) */
	memcpy(eh.b + fo + 4, &bad, 4);
	CHECK_INT(cfi_parse_fde(&sec, fo, &f), CFI_ERR);
	bad = (uint32_t)(fo + 4 - cie);
	memcpy(eh.b + fo + 4, &bad, 4);
	CHECK_INT(cfi_parse_fde(&sec, fo, &f), CFI_OK);
	CHECK_INT(cfi_parse_fde(&sec, cie, &f), CFI_ERR);   /* a CIE is not an FDE */
	CHECK_INT(cfi_parse_fde(&sec, eh.n + 100, &f), CFI_ERR);
	/* Length past the end. */
	uint32_t big = 0x100000;
	memcpy(eh.b + fo, &big, 4);
	CHECK_INT(cfi_parse_fde(&sec, fo, &f), CFI_ERR);
	t = table_of(&eh);
	CHECK_INT(cfi_table_row(t, 0x1000, &row), CFI_NOT_FOUND);
	cfi_table_free(t);
	/* 64-bit length past the end. */
	memset(eh.b + fo, 0xff, 4);
	t = table_of(&eh);
	CHECK_INT(cfi_table_row(t, 0x1000, &row), CFI_NOT_FOUND);
	cfi_table_free(t);

	/* Huge advances and code alignment: stop, don't overflow. */
	eh.n = ins.n = 0;
	cie = std_cie(&eh);
	u8(&ins, 0x04); put(&ins, 0xffffffff, 4);
	u8(&ins, 0x1d); put(&ins, ~0ull, 8); /* MIPS_advance_loc8: wraps */
	u8(&ins, 0x0e); uleb(&ins, 99);
	emit_fde(&eh, true, EH_VADDR, cie, 0x1b, true, 0x1000, 0x10, &ins);
	t = table_of(&eh);
	CHECK_INT(cfi_table_row(t, 0x100f, &row), CFI_OK);
	CHECK_INT(row.cfa_off, 8);
	cfi_table_free(t);

	/* remember_state too deep, restore_state with nothing remembered,
	 * unknown opcode, truncated operand, expression longer than the FDE. */
	const uint8_t progs[][24] = {
		{ 0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a, 0x0a },
		{ 0x0b },
		{ 0x3c },
		{ 0x0c, 0x07 },
		{ 0x0f, 0x40, 0x77 },
		{ 0x10, 0x03, 0x7f, 0x77 },
	};
	const size_t plen[] = { 18, 1, 1, 2, 3, 4 };
	for (size_t i = 0; i < sizeof(plen) / sizeof(plen[0]); i++) {
		eh.n = ins.n = 0;
		cie = std_cie(&eh);
		bytes(&ins, progs[i], plen[i]);
		fo = eh.n;
		put(&eh, 0, 4);
		put(&eh, (uint32_t)(eh.n - cie), 4);
		put(&eh, (uint32_t)(0x1000 - (EH_VADDR + eh.n)), 4);
		put(&eh, 0x10, 4);
		uleb(&eh, 0);
		bytes(&eh, ins.b, ins.n);
		uint32_t len = (uint32_t)(eh.n - fo - 4); /* no padding: the program ends exactly */
		memcpy(eh.b + fo, &len, 4);
		t = table_of(&eh);
		if (cfi_table_row(t, 0x1008, &row) != CFI_ERR) {
			printf("# program %zu\n", i);
			CHECK(0);
		}
		CHECK_INT(cfi_table_rule(t, 0x1008).kind, CFI_RULE_ERR);
		cfi_table_free(t);
	}

	/* Garbage .eh_frame_hdr pointing anywhere: lookups stay in bounds. */
	eh.n = 0;
	cie = std_cie(&eh);
	emit_fde(&eh, true, EH_VADDR, cie, 0x1b, true, 0x1000, 0x10, NULL);
	uint8_t hdr[] = { 1, 0x1b, 0x03, 0x3b, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0x0f,
			  0, 0x10, 0, 0, 0x10, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0x7f };
	t = cfi_table_from_sections(eh.b, eh.n, EH_VADDR, hdr, sizeof(hdr), HDR_VADDR, NULL, 0);
	for (uint64_t pc = 0; pc < 0x20000; pc += 0x333)
		(void)cfi_table_row(t, pc, &row);
	cfi_table_free(t);
	/* Empty / NULL everything. */
	t = cfi_table_from_sections(NULL, 0, 0, NULL, 0, 0, NULL, 0);
	CHECK_INT(cfi_table_row(t, 0x1000, &row), CFI_NOT_FOUND);
	cfi_table_free(t);
	t = cfi_table_from_memory("\177ELF", 4);
	CHECK_INT(cfi_table_rule(t, 0x1000).kind, CFI_RULE_NONE);
	cfi_table_free(t);
	t = cfi_table_load("/nonexistent/file");
	CHECK_INT(cfi_table_rule(t, 0x1000).kind, CFI_RULE_NONE);
	uint64_t va;
	CHECK(!cfi_table_offset_to_vaddr(t, 0, &va));
	cfi_table_free(t);
}

/* Real files: libc's .eh_frame_hdr, __restore_rt's signal-frame CFI. */
static void test_real_libc(void)
{
	struct cfi_table *t = cfi_table_load("/usr/lib/x86_64-linux-gnu/libc.so.6");
	struct cfi_stats st;
	cfi_table_stats(t, &st);
	CHECK(st.has_hdr);
	CHECK(st.fde_count > 1000);
	uint64_t va;
	CHECK(cfi_table_offset_to_vaddr(t, 0x30000, &va));
	/* Rows across the text: most addresses have one; the cold cost. */
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	size_t ok = 0, total = 0, sig = 0;
	struct cfi_row row;
	for (uint64_t a = 0x28000; a < 0x180000; a += 97, total++) {
		if (cfi_table_row(t, a, &row) == CFI_OK) {
			ok++;
			sig += row.signal;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double ns = (double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec);
	printf("# libc: %zu/%zu addresses have rows, %.0f ns per uncached lookup\n", ok, total, ns / (double)total);
	CHECK(ok > total / 2);
	(void)sig;
	/* __restore_rt (glibc puts it in sa_restorer): its FDE, under a "zRS"
	 * CIE, starts one byte before it; CFA = [rsp + 160] (the saved rsp in
	 * the ucontext), every register at rsp + its mcontext offset. */
	struct sigaction sa, old;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGUSR2, &sa, &old);
	struct sigaction cur;
	sigaction(SIGUSR2, NULL, &cur);
	sigaction(SIGUSR2, &old, NULL);
	Dl_info di;
	if (!cur.sa_restorer || !dladdr((void *)cur.sa_restorer, &di) || !strstr(di.dli_fname, "libc.so")) {
		printf("SKIP test_real_libc: no sa_restorer in libc\n");
		cfi_table_free(t);
		return;
	}
	uint64_t rt = (uint64_t)(uintptr_t)cur.sa_restorer - (uint64_t)(uintptr_t)di.dli_fbase;
	for (uint64_t a = rt - 1; a <= rt + 1; a++) {
		CHECK_INT(cfi_table_row(t, a, &row), CFI_OK);
		CHECK(row.signal);
		CHECK_INT(row.cfa_kind, CFI_CFA_EXPR);
		CHECK_INT(row.cfa_expr_len, 4); /* breg7 160 (sleb: 2 bytes); deref */
		CHECK_INT(row.cfa_expr[0], 0x77);
		CHECK_INT(row.cfa_expr[3], 0x06);
		CHECK_INT(row.reg[UNW_RIP].kind, CFI_REG_EXPR);
		CHECK_INT(row.reg[UNW_RBP].kind, CFI_REG_EXPR);
		CHECK_INT(row.reg[UNW_RSP].kind, CFI_REG_EXPR);
		CHECK_INT(cfi_table_rule(t, a).kind, CFI_RULE_FULL);
	}
	cfi_table_free(t);
}

/* lld layout: the text segment's first file page is shared with the
 * read-only segment before it, and vaddr != offset. An executable map at
 * that page must get the text segment's address. */
static void test_offset_to_vaddr(void)
{
	static uint8_t img[4096];
	memset(img, 0, sizeof(img));
	Elf64_Ehdr eh = { 0 };
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_phoff = sizeof(eh);
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_phnum = 2;
	memcpy(img, &eh, sizeof(eh));
	Elf64_Phdr ph[2] = {
		{ .p_type = PT_LOAD, .p_flags = PF_R, .p_offset = 0, .p_vaddr = 0, .p_filesz = 0x16e60, .p_memsz = 0x16e60 },
		{ .p_type = PT_LOAD, .p_flags = PF_R | PF_X, .p_offset = 0x16e60, .p_vaddr = 0x17e60, .p_filesz = 0x3fe60,
		  .p_memsz = 0x3fe60 },
	};
	memcpy(img + sizeof(eh), ph, sizeof(ph));
	struct cfi_table *t = cfi_table_from_memory(img, sizeof(img));
	uint64_t va = 0;
	CHECK(cfi_table_offset_to_vaddr(t, 0x16000, &va));
	CHECK_INT(va, 0x17000);
	CHECK(cfi_table_offset_to_vaddr(t, 0x20000, &va));
	CHECK_INT(va, 0x21000);
	CHECK(cfi_table_offset_to_vaddr(t, 0x1000, &va)); /* the read-only segment */
	CHECK_INT(va, 0x1000);
	CHECK(!cfi_table_offset_to_vaddr(t, 0x900000, &va));
	cfi_table_free(t);
}

/* The FDE that holds an address names the function around it (how a
 * stripped binary's code is named): libc's getpid, looked up by dladdr,
 * starts its FDE; a byte inside it finds the same range; the ELF header
 * has none. */
static void test_fde_range(void)
{
	Dl_info di;
	void *fn = dlsym(RTLD_DEFAULT, "getpid");
	CHECK(fn && dladdr(fn, &di) && strstr(di.dli_fname, "libc.so"));
	struct cfi_table *t = cfi_table_load(di.dli_fname);
	uint64_t va = (uint64_t)(uintptr_t)fn - (uint64_t)(uintptr_t)di.dli_fbase, start = 0, end = 0, s2, e2;
	bool ok = cfi_table_fde_range(t, va, &start, &end);
	bool inside = ok && cfi_table_fde_range(t, va + 1, &s2, &e2) && s2 == start && e2 == end;
	bool header = cfi_table_fde_range(t, 0x10, &s2, &e2);
	cfi_table_free(t);
	CHECK(ok && start == va && end > start);
	CHECK(inside);
	CHECK(!header);
}

int main(void)
{
	RUN(test_offset_to_vaddr);
	RUN(test_prologue_epilogue);
	RUN(test_all_opcodes);
	RUN(test_set_loc);
	RUN(test_encodings);
	RUN(test_eh_frame_hdr);
	RUN(test_debug_frame);
	RUN(test_expressions);
	RUN(test_hostile);
	RUN(test_real_libc);
	RUN(test_fde_range);
	UNIT_EXIT();
}
