/* The flame tree: stacks merged into a tree of frames with values, built
 * from folded stacks or a loaded profile, optionally a differential pair,
 * and rendered as an interactive SVG. */
#ifndef SONDE_RENDER_FLAME_H
#define SONDE_RENDER_FLAME_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "util/hashmap.h"
#include "util/vec.h"

struct folded_set;
struct profile;

/* Frame kinds, from folded annotations (_[k] kernel, _[i] inlined, _[j] JIT)
 * or from the profile model. */
enum flame_kind { FK_NORMAL, FK_KERNEL, FK_INLINE, FK_JIT };

struct flame_node {
	uint32_t name; /* interned, annotation stripped */
	uint8_t kind;
	uint32_t parent, first_child, next_sibling; /* 0 = none; node 0 is the root */
	uint64_t value;  /* samples (after, in a diff) including children */
	uint64_t before; /* diff only: the BEFORE profile's value */
};

struct flame_tree {
	struct interner names;
	VEC(struct flame_node) nodes; /* nodes.v[0]: the root ("all") */
	struct u64map child_index;   /* (parent, name, kind) -> node */
	bool reverse; /* set before adding: stacks are merged from the leaf (reversed) */
	bool diff;    /* nodes carry `before` values */
	bool capped;  /* a node's value reached 2^64 - 1 and stopped there */
	bool unindexed; /* nodes added by flame_tree_new_child: child_index is
			 * rebuilt before the next look-up */
};

void flame_tree_init(struct flame_tree *t);
void flame_tree_free(struct flame_tree *t);
/* Adds one stack given root first (n frames, each len-delimited). Frame
 * names may end in an annotation (_[k], _[i], _[j]) that sets the kind. */
void flame_tree_add(struct flame_tree *t, const char *const *frames, const size_t *lens, size_t n,
		    uint64_t value, uint64_t before);
/* The same with each frame's kind given (enum flame_kind), names as they are. */
void flame_tree_add_kinds(struct flame_tree *t, const char *const *frames, const size_t *lens, const uint8_t *kinds,
			  size_t n, uint64_t value);
/* The same with names already interned in t->names (root first); the
 * caller interns them in the order the stack is walked (leaf first when
 * t->reverse), as flame_tree_add would. */
void flame_tree_add_ids(struct flame_tree *t, const uint32_t *names, const uint8_t *kinds, size_t n, uint64_t value);
/* A new child of `parent` (name interned in t->names), without a look-up:
 * for a caller that knows it is new. The index waits until one is needed. */
uint32_t flame_tree_new_child(struct flame_tree *t, uint32_t parent, uint32_t name, uint8_t kind);
/* Every sample of a profile model, named as folded stacks name them (o:
 * render/script.h; with o->weight or o->counts), straight from the model. */
struct folded_opts;
void flame_tree_add_profile(struct flame_tree *t, const struct profile *p, const struct folded_opts *o);
/* Whether any frame looks like Rust's runtime or core library (the "rust"
 * palette's cue). */
bool flame_tree_looks_rust(const struct flame_tree *t);
/* Every stack of a folded set ("a;b;c"). */
void flame_tree_add_folded(struct flame_tree *t, const struct folded_set *s);
/* Differential: widths from `after`, `before` values for colouring. With
 * normalize, before-counts are scaled so both totals match (difffolded -n). */
void flame_tree_add_diff(struct flame_tree *t, const struct folded_set *before, const struct folded_set *after,
			 bool normalize);

struct flame_svg_opts {
	const char *title;    /* default "Flame Graph" ("Icicle Graph" when inverted) */
	const char *subtitle; /* may be NULL */
	unsigned width;       /* px, default 1200; the SVG is also fluid */
	double min_width;     /* px: narrower frames are merged away (counted in a note) */
	const char *palette;  /* hot (default), rust, c, cpp, kernel, mem, io, red, green, blue, aqua, yellow, purple, orange */
	const char *countname; /* "samples" */
	bool inverted;        /* icicle: root at the top */
	bool negate;          /* diff: swap red and blue */
};

/* Writes a self-contained interactive SVG. Returns 0 or -1 on a write error. */
int flame_svg_write(FILE *out, const struct flame_tree *t, const struct flame_svg_opts *o);

#endif
