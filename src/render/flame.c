/* The flame tree: stacks merged into a tree of frames. Each node's value
 * includes its children; in a differential tree `before` holds the first
 * profile's value, `value` the second's (the widths). */
#include "render/flame.h"

#include <stdlib.h>
#include <string.h>

#include "collapse/folded.h"
#include "util/satadd.h"

void flame_tree_init(struct flame_tree *t)
{
	memset(t, 0, sizeof(*t));
	struct flame_node root = { .name = intern(&t->names, "all"), .kind = FK_NORMAL };
	vec_push(&t->nodes, root);
}

void flame_tree_free(struct flame_tree *t)
{
	interner_free(&t->names);
	vec_free(&t->nodes);
	u64map_free(&t->child_index);
}

/* Strips a trailing _[k] / _[i] / _[j] annotation; returns the kind. */
static enum flame_kind strip_annotation(const char *s, size_t *len)
{
	if (*len < 4 || s[*len - 4] != '_' || s[*len - 3] != '[' || s[*len - 1] != ']')
		return FK_NORMAL;
	enum flame_kind k;
	switch (s[*len - 2]) {
	case 'k': k = FK_KERNEL; break;
	case 'i': k = FK_INLINE; break;
	case 'j': k = FK_JIT; break;
	default: return FK_NORMAL;
	}
	*len -= 4;
	return k;
}

static uint64_t child_key(uint32_t parent, uint32_t name, uint8_t kind)
{
	return (uint64_t)parent << 32 | (uint64_t)name << 2 | kind;
}

uint32_t flame_tree_new_child(struct flame_tree *t, uint32_t parent, uint32_t name, uint8_t kind)
{
	struct flame_node n = { .name = name, .kind = kind, .parent = parent,
				.next_sibling = t->nodes.v[parent].first_child };
	uint32_t id = (uint32_t)t->nodes.n;
	vec_push(&t->nodes, n);
	t->nodes.v[parent].first_child = id;
	t->unindexed = true;
	return id;
}

/* Children are found through child_index, keyed by (parent, name, kind).
 * Names beyond 2^30 would not fit the key; the linked list is the fallback. */
static uint32_t child_of(struct flame_tree *t, uint32_t parent, uint32_t name, uint8_t kind)
{
	if (t->unindexed) { /* nodes made by flame_tree_new_child */
		t->unindexed = false;
		u64map_free(&t->child_index);
		for (uint32_t id = 1; id < t->nodes.n; id++) {
			const struct flame_node *c = &t->nodes.v[id];
			bool ins;
			if (c->name < (1u << 30))
				*u64map_upsert(&t->child_index, child_key(c->parent, c->name, c->kind), id, &ins) = id;
		}
	}
	if (name < (1u << 30)) {
		bool ins;
		uint64_t *slot = u64map_upsert(&t->child_index, child_key(parent, name, kind), t->nodes.n, &ins);
		if (!ins)
			return (uint32_t)*slot;
	} else {
		for (uint32_t c = t->nodes.v[parent].first_child; c; c = t->nodes.v[c].next_sibling)
			if (t->nodes.v[c].name == name && t->nodes.v[c].kind == kind)
				return c;
	}
	struct flame_node n = { .name = name, .kind = kind, .parent = parent,
				.next_sibling = t->nodes.v[parent].first_child };
	uint32_t id = (uint32_t)t->nodes.n;
	vec_push(&t->nodes, n);
	t->nodes.v[parent].first_child = id;
	return id;
}

static void add_root(struct flame_tree *t, uint64_t value, uint64_t before)
{
	t->nodes.v[0].value = sat_add(t->nodes.v[0].value, value, &t->capped);
	t->nodes.v[0].before = sat_add(t->nodes.v[0].before, before, &t->capped);
}

/* One step down a stack: the child, its values added. */
static uint32_t add_node(struct flame_tree *t, uint32_t cur, uint32_t name, uint8_t kind, uint64_t value,
			 uint64_t before)
{
	cur = child_of(t, cur, name, kind);
	t->nodes.v[cur].value = sat_add(t->nodes.v[cur].value, value, &t->capped);
	t->nodes.v[cur].before = sat_add(t->nodes.v[cur].before, before, &t->capped);
	return cur;
}

/* kinds NULL: each name's annotation says it. */
static void add_frames(struct flame_tree *t, const char *const *frames, const size_t *lens, const uint8_t *kinds,
		       size_t n, uint64_t value, uint64_t before)
{
	uint32_t cur = 0;
	add_root(t, value, before);
	for (size_t i = 0; i < n; i++) {
		size_t j = t->reverse ? n - 1 - i : i;
		size_t len = lens[j];
		if (!len)
			continue;
		enum flame_kind kind = kinds ? (enum flame_kind)kinds[j] : strip_annotation(frames[j], &len);
		uint32_t name = intern_n(&t->names, frames[j], len);
		cur = add_node(t, cur, name, (uint8_t)kind, value, before);
	}
}

void flame_tree_add_ids(struct flame_tree *t, const uint32_t *names, const uint8_t *kinds, size_t n, uint64_t value)
{
	uint32_t cur = 0;
	add_root(t, value, 0);
	for (size_t i = 0; i < n; i++) {
		size_t j = t->reverse ? n - 1 - i : i;
		cur = add_node(t, cur, names[j], kinds[j], value, 0);
	}
}

void flame_tree_add(struct flame_tree *t, const char *const *frames, const size_t *lens, size_t n,
		    uint64_t value, uint64_t before)
{
	add_frames(t, frames, lens, NULL, n, value, before);
}

void flame_tree_add_kinds(struct flame_tree *t, const char *const *frames, const size_t *lens, const uint8_t *kinds,
			  size_t n, uint64_t value)
{
	add_frames(t, frames, lens, kinds, n, value, 0);
}

/* Splits "a;b;c" (len bytes) into frames and adds it. */
static void add_stack(struct flame_tree *t, const char *s, size_t len, uint64_t value, uint64_t before)
{
	VEC(const char *) f = { 0 };
	VEC(size_t) l = { 0 };
	size_t start = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i == len || s[i] == ';') {
			vec_push(&f, s + start);
			vec_push(&l, i - start);
			start = i + 1;
		}
	}
	flame_tree_add(t, f.v, l.v, f.n, value, before);
	vec_free(&f);
	vec_free(&l);
}

void flame_tree_add_folded(struct flame_tree *t, const struct folded_set *s)
{
	for (size_t i = 0; i < s->v.n; i++)
		add_stack(t, s->v.v[i].stack, s->v.v[i].len, s->v.v[i].count, 0);
}

/* Own stack -> entry lookup (so this file does not depend on how the
 * folded set probes its index): key hash+k on the k-th collision. */
static void index_set(struct u64map *m, const struct folded_set *s)
{
	for (size_t i = 0; i < s->v.n; i++) {
		uint64_t h = hash_bytes(s->v.v[i].stack, s->v.v[i].len);
		for (;; h++) {
			bool ins;
			uint64_t *slot = u64map_upsert(m, h, i, &ins);
			if (ins)
				break;
			const struct folded_entry *e = &s->v.v[*slot];
			if (e->len == s->v.v[i].len && !memcmp(e->stack, s->v.v[i].stack, e->len))
				break; /* duplicate stack: first entry wins */
		}
	}
}

static const struct folded_entry *lookup(const struct u64map *m, const struct folded_set *s, const char *stack,
					 size_t len)
{
	for (uint64_t h = hash_bytes(stack, len);; h++) {
		uint64_t *slot = u64map_get(m, h);
		if (!slot)
			return NULL;
		const struct folded_entry *e = &s->v.v[*slot];
		if (e->len == len && !memcmp(e->stack, stack, len))
			return e;
	}
}

static uint64_t total_of(const struct folded_set *s)
{
	uint64_t tot = 0;
	bool capped = false;
	for (size_t i = 0; i < s->v.n; i++)
		tot = sat_add(tot, s->v.v[i].count, &capped);
	return tot;
}

void flame_tree_add_diff(struct flame_tree *t, const struct folded_set *before, const struct folded_set *after,
			 bool normalize)
{
	t->diff = true;
	uint64_t tb = total_of(before), ta = total_of(after);
	double scale = normalize && tb ? (double)ta / (double)tb : 1.0;
#define SCALED(c) (normalize ? (uint64_t)((double)(c) * scale + 0.5) : (c))
	struct u64map ib = { 0 }, ia = { 0 };
	index_set(&ib, before);
	index_set(&ia, after);
	for (size_t i = 0; i < after->v.n; i++) {
		const struct folded_entry *e = &after->v.v[i];
		const struct folded_entry *b = lookup(&ib, before, e->stack, e->len);
		add_stack(t, e->stack, e->len, e->count, b ? SCALED(b->count) : 0);
	}
	/* Stacks only in BEFORE: no width, but their ancestors turn bluer. */
	for (size_t i = 0; i < before->v.n; i++) {
		const struct folded_entry *b = &before->v.v[i];
		if (!lookup(&ia, after, b->stack, b->len))
			add_stack(t, b->stack, b->len, 0, SCALED(b->count));
	}
#undef SCALED
	u64map_free(&ib);
	u64map_free(&ia);
}
