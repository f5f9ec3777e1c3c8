/* A vCPU's tables: its call-stack nodes and its blocks' counters, each an
 * open-addressing hash that only the vCPU's own thread touches. */
#include <stdlib.h>
#include <string.h>

#include "cg_plugin.h"

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

bool vcpu_setup(struct vcpu *v)
{
	memset(v, 0, sizeof(*v));
	if (cg_cfg.cache && (!cache_init(&v->i1, &cg_cfg.i1) || !cache_init(&v->d1, &cg_cfg.d1) ||
			     !cache_init(&v->ll, &cg_cfg.ll)))
		return false;
	if (cg_cfg.branch && !(v->bp = calloc(1, sizeof(*v->bp))))
		return false;
	if (cg_cfg.cache && !(v->refs = malloc(SIMREFS * sizeof(*v->refs))))
		return false;
	if (cg_cfg.cache && !(v->mrefs = malloc(MEMREFS * sizeof(*v->mrefs))))
		return false;
	return vcpu_tables(v);
}

/* Empty call-stack and block tables (the caches and predictor kept). */
bool vcpu_tables(struct vcpu *v)
{
	v->tid = 0;
	v->name[0] = 0;
	v->cur = v->prev = NULL;
	v->depth = v->node = v->overflow = 0;
	v->n_blks = 0;
	v->cap = 256;
	v->nodes_cap = 256;
	v->node_tab_cap = 1024;
	v->blk_tab_cap = 4096;
	v->stack = malloc(v->cap * sizeof(*v->stack));
	v->nodes = malloc(v->nodes_cap * sizeof(*v->nodes));
	v->node_tab = calloc(v->node_tab_cap, sizeof(*v->node_tab));
	v->blk_tab = calloc(v->blk_tab_cap, sizeof(*v->blk_tab));
	if (!v->stack || !v->nodes || !v->node_tab || !v->blk_tab)
		return false;
	v->nodes[0] = (struct node){ 0, 0 }; /* the root: the thread's first code */
	v->n_nodes = 1;
	return true;
}

static void blk_grow(struct vcpu *v)
{
	uint32_t cap = v->blk_tab_cap * 2;
	struct blk **t = calloc(cap, sizeof(*t));
	if (!t)
		abort();
	for (uint32_t i = 0; i < v->blk_tab_cap; i++) {
		struct blk *b = v->blk_tab[i];
		if (!b)
			continue;
		uint32_t h = (uint32_t)mix((uintptr_t)b->tb ^ (uint64_t)b->node << 40) & (cap - 1);
		while (t[h])
			h = (h + 1) & (cap - 1);
		t[h] = b;
	}
	free(v->blk_tab);
	v->blk_tab = t;
	v->blk_tab_cap = cap;
}

struct blk *vcpu_blk(struct vcpu *v, uint32_t node, const struct tb_info *tb)
{
	uint32_t mask = v->blk_tab_cap - 1;
	uint32_t h = (uint32_t)mix((uintptr_t)tb ^ (uint64_t)node << 40) & mask;
	for (;; h = (h + 1) & mask) {
		struct blk *b = v->blk_tab[h];
		if (!b)
			break;
		if (b->tb == tb && b->node == node)
			return b;
	}
	struct blk *b = calloc(1, sizeof(*b) + tb->n * sizeof(struct icount));
	if (!b)
		abort();
	b->node = node;
	b->tb = tb;
	v->blk_tab[h] = b;
	if (++v->n_blks * 2 > v->blk_tab_cap)
		blk_grow(v);
	return b;
}

static uint32_t node_hash(uint32_t parent, uint64_t entry, uint32_t mask)
{
	return (uint32_t)mix(entry ^ (uint64_t)parent << 44) & mask;
}

uint32_t vcpu_child(struct vcpu *v, uint32_t parent, uint64_t entry)
{
	uint32_t mask = v->node_tab_cap - 1, h = node_hash(parent, entry, mask);
	for (;; h = (h + 1) & mask) {
		uint32_t id = v->node_tab[h];
		if (!id)
			break;
		if (v->nodes[id].parent == parent && v->nodes[id].entry == entry)
			return id;
	}
	if (v->n_nodes == v->nodes_cap) {
		v->nodes_cap *= 2;
		v->nodes = realloc(v->nodes, v->nodes_cap * sizeof(*v->nodes));
		if (!v->nodes)
			abort();
	}
	uint32_t id = v->n_nodes++;
	v->nodes[id] = (struct node){ parent, entry };
	v->node_tab[h] = id;
	if (v->n_nodes * 2 > v->node_tab_cap) {
		uint32_t cap = v->node_tab_cap * 2;
		uint32_t *t = calloc(cap, sizeof(*t));
		if (!t)
			abort();
		for (uint32_t i = 1; i < v->n_nodes; i++) {
			uint32_t k = node_hash(v->nodes[i].parent, v->nodes[i].entry, cap - 1);
			while (t[k])
				k = (k + 1) & (cap - 1);
			t[k] = i;
		}
		free(v->node_tab);
		v->node_tab = t;
		v->node_tab_cap = cap;
	}
	return id;
}

/* A forked child starts its own counts (its parent writes its own). */
void vcpu_reset_counts(struct vcpu *v)
{
	for (uint32_t i = 0; i < v->blk_tab_cap; i++) {
		struct blk *b = v->blk_tab[i];
		if (b) {
			b->exec = 0;
			memset(b->ic, 0, b->tb->n * sizeof(struct icount));
		}
	}
	v->pend.insn = NULL;
	v->n_refs = v->n_mrefs = 0; /* the parent's, simulated by the parent */
}
