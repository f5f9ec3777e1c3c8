/* The cachegrind engine's state, shared by the plugin's files. Every
 * guest thread is a vCPU with its own state (caches, predictor, shadow
 * stack, counters): the hot path takes no lock. */
#ifndef SONDE_PLUGIN_CG_PLUGIN_H
#define SONDE_PLUGIN_CG_PLUGIN_H
#include <stdbool.h>
#include <stdint.h>

#include "cachesim/cachesim.h"
#include "cg_dump_format.h"

/* How a translation block ends (qemu ends one at every branch). */
enum tb_end { END_NONE, END_COND, END_REP, END_CALL, END_ICALL, END_IJMP, END_RET };

struct tb_info;
struct insn_info {
	uint64_t addr;
	struct tb_info *tb;
	uint16_t idx;
	uint8_t size;
	bool fetch; /* simulate its fetch: it starts a line the previous did not touch */
	bool stack_slot; /* a call or return: its stack access gives the SP */
};

/* A fetch the simulator must see (see insn_info.fetch), kept apart so
 * the hot loop walks only those. */
struct fetch {
	uint64_t addr;
	uint16_t idx;
	uint8_t size;
};

struct tb_info {
	uint64_t vaddr;
	uint64_t target; /* END_COND: the taken target; END_CALL: the callee */
	uint64_t next;   /* the address after the last instruction */
	uint32_t n, n_fetch;
	uint8_t end;
	struct fetch *fetch;
	struct insn_info insn[];
};

struct icount {
	uint64_t c[CGR_N];
};

/* A block's counts under one call-stack node. */
struct blk {
	uint32_t node, succ_node;
	const struct tb_info *tb;
	uint64_t exec;
	/* the block that ran after this one last time: loops find their
	 * next block here without the hash */
	const struct tb_info *succ_tb;
	struct blk *succ;
	struct icount ic[];
};

struct node {
	uint32_t parent;
	uint64_t entry;
};

struct frame {
	uint32_t node;
	uint64_t ret;
	uint64_t sp; /* where the call stored the return address, or 0 */
};

/* A load or store not yet simulated: qemu splits wide accesses and
 * read-modify-writes into pieces that cachegrind sees as one. */
struct pending {
	const struct insn_info *insn;
	uint64_t *ctr; /* the instruction's counters */
	uint64_t addr;
	uint32_t size, wdone;
	bool store;
};

/* A load, store or block start not yet simulated. The callbacks only
 * append these; they are simulated MEMREFS at a time, so the guest's own
 * loads that miss the host's caches overlap with the next ones rather
 * than wait behind the simulation (measured: this was most of the time
 * on memory-bound code). A block start (insn NULL) carries its fetches,
 * kept in order with the data references (LL sees both, in order), and
 * ends a pending access's pieces. */
struct memref {
	const struct insn_info *insn; /* NULL: the start of blk */
	union {
		uint64_t *ctr; /* the instruction's counters */
		struct blk *blk;
	};
	uint64_t addr;
	uint32_t size;
	bool store;
};
#define MEMREFS 512

/* An L1 miss waiting for LL. I1 and D1 are simulated at once (each sees
 * only its own references), LL's references in batches, in their order,
 * so that the host fetches the tags of the sets ahead while the current
 * one is looked up (a big LL's tags miss the host's caches: one after the
 * other, those misses are the time). */
struct simref {
	uint64_t addr;
	uint64_t *miss; /* the instruction's LL miss counter */
	uint32_t size;
};
#define SIMREFS 256

struct vcpu {
	/* the guest thread (its tid, taken at its first block: qemu creates
	 * a vCPU from the thread that calls clone) and the name it gave
	 * itself with prctl(PR_SET_NAME), "" when none */
	int tid;
	char name[16];
	struct cache i1, d1, ll;
	struct simref *refs;
	uint32_t n_refs;
	struct branchpred *bp;
	struct pending pend;
	struct memref *mrefs;
	uint32_t n_mrefs;
	struct blk *cur, *prev;
	uint8_t pend_end; /* how the previous block ended */
	/* the stack slot its call wrote or its return read (seen by the
	 * memory callback), 0 when unknown: the stack pointer without
	 * registers, so frames a longjmp or an unwind skipped are dropped */
	uint64_t end_sp;
	/* shadow call stack */
	uint32_t node, depth, cap, overflow;
	struct frame *stack;
	/* call-stack nodes: nodes[id], found by (parent, entry) in node_tab */
	struct node *nodes;
	uint32_t n_nodes, nodes_cap, *node_tab, node_tab_cap;
	/* blocks by (node, tb) */
	struct blk **blk_tab;
	uint32_t n_blks, blk_tab_cap;
};

/* The instruction of the thread's last load or store seen, NULL when its
 * current block has none yet. */
static inline const struct insn_info *vcpu_last_access(const struct vcpu *v)
{
	return v->n_mrefs ? v->mrefs[v->n_mrefs - 1].insn : v->pend.insn;
}

struct cg_config {
	struct cache_geom i1, d1, ll;
	bool cache, branch, follow, execd;
	const char *out;  /* dump path prefix: OUT.PID */
	const char *args; /* the plugin's arguments, comma-separated */
};

extern struct cg_config cg_cfg;

/* cg_decode.c: how the instruction at addr (bytes, len) ends a block,
 * and its target when static. */
uint8_t cg_decode_end(const uint8_t *bytes, unsigned len, uint64_t addr, uint64_t *target);

/* cg_table.c */
bool vcpu_setup(struct vcpu *v);
bool vcpu_tables(struct vcpu *v);
struct blk *vcpu_blk(struct vcpu *v, uint32_t node, const struct tb_info *tb);
uint32_t vcpu_child(struct vcpu *v, uint32_t parent, uint64_t entry);
void vcpu_reset_counts(struct vcpu *v);

/* cg_exec.c: runs an exec'd ELF program under qemu and this engine;
 * returns only when it could not (the exec then goes on as it was). */
bool cg_follow_exec(uint64_t path, uint64_t argv, uint64_t envp, int64_t guest_base);

/* cg_fatal.c: the fatal signal the guest died of, for the dump */
#define CG_FATAL_IPS 64
struct cg_fatal {
	int sig, code;
	bool has_info; /* code and addr: the kernel's siginfo */
	uint64_t addr;
	uint64_t ip[CG_FATAL_IPS]; /* where, then its callers */
	unsigned n_ip;
};
extern struct cg_fatal cg_fatal;
void cg_fatal_note(int sig, const struct vcpu *v, int64_t guest_base);

/* cg_dump.c */
void cg_maps_note(uint64_t vaddr, int64_t guest_base);
void cg_dump(struct vcpu *const *vcpus, unsigned n);
/* the guest's own command line and name, from qemu's (-0 ARGV0 PATH ARGS) */
void cg_guest_cmd(void);

#endif
