/* A loaded profile as folded stacks ("comm;root;...;leaf COUNT"): the bridge
 * from the model to the folded-stack tools (script --folded, flamegraph). */
#ifndef SONDE_RENDER_FOLDED_PROFILE_H
#define SONDE_RENDER_FOLDED_PROFILE_H

#include "collapse/folded.h"
#include "render/script.h"
#include "util/vec.h"

struct profile;

/* Adds every sample of `p` to `out` (which the caller has initialised; it
 * may already hold stacks). Stacks are built root first, with the command
 * name as the root frame unless o->no_comm; weights are periods, or 1 per
 * sample with o->counts. Entries are left in insertion order: call
 * folded_sort() for stackcollapse's byte order. */
void profile_to_folded(const struct profile *p, const struct folded_opts *o, struct folded_set *out);

/* Appends the folded text of one sample's stack (no weight) to sb, for
 * renderers that need stacks per sample (speedscope, per-thread views). */
struct strbuf;
void profile_sample_stack(const struct profile *p, const struct folded_opts *o, size_t sample, struct strbuf *sb);

/* Appends the name location `loc` of a text model has in folded text,
 * its mark included ("read_[k]"), as the input wrote it. */
void profile_text_name(const struct profile *p, uint32_t loc, struct strbuf *sb);

/* Where one frame's name is in that text, root first: sb->buf[start,
 * start + len) without its annotation, which `mark` tells ('k' kernel, 'i'
 * inlined, 'j' JIT, 0 none). */
struct prof_name {
	size_t start, len;
	char mark;
};
typedef VEC(struct prof_name) prof_name_vec;
/* profile_sample_stack, also listing each frame's name (names is reset). */
void profile_sample_names(const struct profile *p, const struct folded_opts *o, size_t sample, struct strbuf *sb,
			  prof_name_vec *names);

/* The samples of p grouped as folded stacks group them (same resolved
 * stack, and comm/pid/tid as o keeps them), in order of first appearance:
 * fn gets each group's first sample and summed weight (o->weight, or 1 per
 * sample with o->counts); groups weighing nothing are left out. */
typedef void (*prof_group_fn)(void *ctx, size_t first_sample, uint64_t weight);
void profile_each_group(const struct profile *p, const struct folded_opts *o, prof_group_fn fn, void *ctx);

#endif
