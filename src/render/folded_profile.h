/* A loaded profile as folded stacks ("comm;root;...;leaf COUNT"): the bridge
 * from the model to the folded-stack tools (script --folded, flamegraph). */
#ifndef SONDE_RENDER_FOLDED_PROFILE_H
#define SONDE_RENDER_FOLDED_PROFILE_H

#include "collapse/folded.h"
#include "render/script.h"

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

#endif
