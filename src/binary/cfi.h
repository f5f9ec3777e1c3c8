/* Internal interface of the CFI parser (src/binary/cfi.c), the tables over
 * ELF images (cfi_table.c, cfi_table.h), the DWARF expression evaluator
 * (dwarf_expr.c) and the unwinder (unwind.c, unwind_step.c). Exposed for
 * unit tests, fuzzing and the preloaded runtime; the public contract is
 * binary/unwind.h. */
#ifndef SONDE_BINARY_CFI_H
#define SONDE_BINARY_CFI_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "binary/unwind.h"

/* ---- DWARF expressions ------------------------------------------------ */

enum dwexpr_status {
	DWEXPR_OK,
	DWEXPR_BAD,  /* malformed, unknown op, stack under/overflow, step limit, unknown register */
	DWEXPR_MEM,  /* a DW_OP_deref could not read memory */
};
#define DWEXPR_MAX_STEPS 4096
#define DWEXPR_STACK 64

/* Evaluates expr[0..len) over `regs` and `mem`. If `push` is non-NULL its
 * value is pushed first (DW_CFA_expression / val_expression push the CFA).
 * The result is the top of the stack. */
enum dwexpr_status dwarf_expr_eval(const uint8_t *expr, size_t len, const struct unwind_regs *regs,
				   const struct unwind_memory *mem, const uint64_t *push, uint64_t *result);

/* ---- CFI rows ----------------------------------------------------------- */

enum cfi_reg_kind {
	CFI_REG_UNSPEC,    /* no rule given: same value by x86-64 convention (rsp: CFA) */
	CFI_REG_UNDEFINED, /* DW_CFA_undefined */
	CFI_REG_SAME,      /* DW_CFA_same_value */
	CFI_REG_OFFSET,    /* saved at CFA + off */
	CFI_REG_VAL_OFFSET,/* value is CFA + off */
	CFI_REG_REGISTER,  /* value is in register `reg` */
	CFI_REG_EXPR,      /* saved at the address expr computes (CFA pushed first) */
	CFI_REG_VAL_EXPR,  /* value is what expr computes (CFA pushed first) */
};

struct cfi_reg_rule {
	uint8_t kind;
	uint8_t reg;
	uint32_t expr_len;
	int64_t off;
	const uint8_t *expr;
};

enum cfi_cfa_kind { CFI_CFA_NONE, CFI_CFA_REG, CFI_CFA_EXPR };

struct cfi_row {
	uint8_t cfa_kind;
	uint8_t cfa_reg;
	uint32_t cfa_expr_len;
	int64_t cfa_off;
	const uint8_t *cfa_expr;
	struct cfi_reg_rule reg[UNW_NREGS];
	uint8_t ra_reg;   /* return-address column (< UNW_NREGS) */
	bool signal;      /* CIE augmentation "S" */
	uint64_t loc;     /* address at which this row starts */
	uint64_t pc_begin, pc_end; /* the FDE's range */
	uint64_t args_size;        /* DW_CFA_GNU_args_size (informational) */
};

/* One CFI section: .eh_frame (eh = true) or .debug_frame. */
struct cfi_section {
	const uint8_t *data;
	size_t len;
	uint64_t vaddr;      /* address of data[0] (pcrel base); 0 for .debug_frame */
	uint64_t text_vaddr; /* DW_EH_PE_textrel base */
	uint64_t data_vaddr; /* DW_EH_PE_datarel base (GOT; .eh_frame_hdr for the hdr) */
	bool eh;
};

/* Parsed CIE + FDE. */
struct cfi_fde {
	uint64_t pc_begin, pc_end;
	const uint8_t *insns, *insns_end;       /* FDE instructions */
	const uint8_t *cie_insns, *cie_insns_end;
	uint64_t code_align;
	int64_t data_align;
	uint8_t ra_reg;
	uint8_t fde_enc;
	uint8_t addr_size;
	bool signal;
	const struct cfi_section *sec; /* for DW_CFA_set_loc's pointer */
	uint64_t fde_off;
};

enum cfi_status {
	CFI_OK,
	CFI_NOT_FOUND, /* no FDE covers the address */
	CFI_ERR,       /* malformed entry or program */
};

/* Parses the FDE at section offset `off` (and its CIE). Checks bounds of
 * everything; a CIE there (or a terminator) is an error. */
enum cfi_status cfi_parse_fde(const struct cfi_section *sec, size_t off, struct cfi_fde *out);
/* Runs the CIE initial instructions then the FDE's up to `pc`. */
enum cfi_status cfi_run(const struct cfi_fde *fde, uint64_t pc, struct cfi_row *row);

#define DW_EH_PE_omit 0xff
#define DW_EH_PE_indirect 0x80

/* Decodes a DW_EH_PE-encoded pointer at *pp (advancing it, never past end).
 * *pp must point into sec->data (its pcrel base is derived from it); func
 * is the funcrel base. Indirect pointers yield the address of the pointer
 * (the table cannot read target memory); callers only need them skipped. */
bool cfi_read_encoded(const uint8_t **pp, const uint8_t *end, uint8_t enc,
		      const struct cfi_section *sec, uint64_t func, uint64_t *out);

/* The FDEs of a section sorted by start, for sections without a usable
 * .eh_frame_hdr table. */
struct cfi_fde_ent {
	uint64_t lo, hi, off;
};
struct cfi_fde_index {
	struct cfi_fde_ent *v;
	size_t n;
};
/* Scans every entry of sec (CIEs and FDEs in any order); the array grows
 * through grow (a realloc that never returns NULL). */
void cfi_index_build(const struct cfi_section *sec, struct cfi_fde_index *idx, void *(*grow)(void *, size_t));
/* The section offset of an FDE covering pc. */
bool cfi_index_find(const struct cfi_fde_index *idx, uint64_t pc, uint64_t *off);

/* A table over bare sections (tests, fuzzing). Sections are copied.
 * hdr may be NULL (then an index is built by scanning .eh_frame). */
struct cfi_table *cfi_table_from_sections(const uint8_t *eh_frame, size_t eh_len, uint64_t eh_vaddr,
					  const uint8_t *hdr, size_t hdr_len, uint64_t hdr_vaddr,
					  const uint8_t *debug_frame, size_t dbg_len);

/* The row for `vaddr` (uncached). */
enum cfi_status cfi_table_row(struct cfi_table *t, uint64_t vaddr, struct cfi_row *row);

/* ---- Compact rules (what the per-table cache holds) ----------------------- */

enum cfi_rule_kind {
	CFI_RULE_NONE,  /* no CFI for the address: fall back to frame pointers */
	CFI_RULE_END,   /* return address undefined: outermost frame */
	CFI_RULE_CFA,   /* CFA = reg + off, RA at CFA + ra_off, callee-saved at CFA + save[i] */
	CFI_RULE_FULL,  /* needs the whole row (expressions, odd registers) */
	CFI_RULE_ERR,   /* malformed CFI */
};

/* Callee-saved registers the compact rule restores, in this order. */
#define CFI_NSAVE 6
extern const uint8_t cfi_save_regs[CFI_NSAVE]; /* rbx, rbp, r12, r13, r14, r15 */

struct cfi_rule {
	uint8_t kind;
	uint8_t cfa_reg;
	uint8_t signal;
	int32_t cfa_off;
	int32_t ra_off;
	int16_t save[CFI_NSAVE]; /* 0: not saved */
};

/* The compact rule at vaddr, through the table's cache. */
struct cfi_rule cfi_table_rule(struct cfi_table *t, uint64_t vaddr);
/* Row -> compact rule (CFI_RULE_FULL if it does not fit). */
struct cfi_rule cfi_rule_from_row(const struct cfi_row *row);

struct cfi_stats {
	uint64_t lookups, hits;
	size_t fde_count;     /* FDEs in the .eh_frame index (hdr or built) */
	size_t dbg_fde_count; /* FDEs in the .debug_frame index (once loaded) */
	bool has_hdr;
};
void cfi_table_stats(const struct cfi_table *t, struct cfi_stats *st);

#endif
