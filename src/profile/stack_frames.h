/* The frames of a text model's stacks (p->from_text keeps none: a
 * stack's locations are its trie node's path), for renderers that walk
 * frames: each location one frame, but for _[i] locations, which join
 * the frame of the location they were inlined into (its caller, the one
 * before them in the folded text), as a recording's inlined lines do. */
#ifndef SONDE_PROFILE_STACK_FRAMES_H
#define SONDE_PROFILE_STACK_FRAMES_H
#include <stdint.h>

#include "profile/model.h"

struct stack_frames {
	const struct prof_frame *frames; /* loc_first indexes frame_locs */
	const uint32_t *frame_locs;
	/* owned for a text model */
	VEC(struct prof_frame) own_frames;
	VEC(uint32_t) own_locs;
	VEC(uint32_t) first; /* rstack r: frames [first[r], first[r + 1]) */
	const struct profile *p;
};

/* A recording's frames as they are; a text model's made, addresses 0. */
void stack_frames_init(struct stack_frames *sf, const struct profile *p);
void stack_frames_free(struct stack_frames *sf);

/* Rstack r's frames, leaf first: *n of them from the returned one. */
static inline const struct prof_frame *stack_frames_of(const struct stack_frames *sf, uint32_t r, uint32_t *n)
{
	if (!sf->p->from_text) {
		const struct prof_rstack *rs = &sf->p->rstacks.v[r];
		*n = rs->frame_n;
		return sf->frames + rs->frame_first;
	}
	*n = sf->first.v[r + 1] - sf->first.v[r];
	return sf->frames + sf->first.v[r];
}

/* Location j of frame f (0 = innermost). */
static inline const struct prof_loc *stack_frame_loc(const struct stack_frames *sf, const struct prof_frame *f,
						     uint32_t j)
{
	return &sf->p->locs.v[sf->frame_locs[f->loc_first + j]];
}

#endif
