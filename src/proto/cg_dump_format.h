/* The raw dump the cachegrind engine (plugin/, a qemu-user TCG plugin)
 * writes at the guest's exit and `sonde cachegrind` reads: text, one
 * record per line, numbers in decimal except addresses (hex, no 0x).
 *
 *   sonde-cg-raw 1
 *   pid PID                      the process (its own file per fork)
 *   sim CACHE BRANCH             1 when simulated, else 0
 *   guest_base HEX               host address - guest address (0 here)
 *   cmd PATH ARGS                an exec'd program's command line (not
 *                                sent for the program sonde started)
 *   map START END OFFSET PATH    an executable mapping, guest addresses
 *   vcpu N TID NAME              a guest thread (TID 0: never ran; NAME its
 *                                comm, may hold spaces); what follows is
 *                                its own
 *   node ID PARENT ENTRY         call-stack node: ID >= 1 (0 is the thread's
 *                                root), PARENT's call to ENTRY
 *   blk NODE N EXEC              a translation block run EXEC times under
 *                                NODE, followed by its N instructions:
 *   i ADDR SIZE I1mr ILmr Dr D1mr DLmr Dw D1mw DLmw Bc Bcm Bi Bim
 *   fatal SIG INFO CODE ADDR     the guest died of signal SIG; INFO 1: CODE
 *                                (si_code) and ADDR (si_addr) are the kernel's
 *   fatal_ip AT CALLER...        where (the faulting instruction as far as
 *                                known), then the calls (return address - 1)
 *   end                          the dump is complete
 *
 * Ir of an instruction is its block's EXEC. Lines of other kinds are
 * skipped, so the format can grow. */
#ifndef SONDE_PROTO_CG_DUMP_FORMAT_H
#define SONDE_PROTO_CG_DUMP_FORMAT_H

#define CG_RAW_MAGIC "sonde-cg-raw 1"

/* The per-instruction counters of an "i" line, in order. */
enum {
	CGR_I1MR,
	CGR_ILMR,
	CGR_DR,
	CGR_D1MR,
	CGR_DLMR,
	CGR_DW,
	CGR_D1MW,
	CGR_DLMW,
	CGR_BC,
	CGR_BCM,
	CGR_BI,
	CGR_BIM,
	CGR_N
};

#endif
