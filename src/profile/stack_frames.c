/* Frames for text models (see stack_frames.h). */
#include "profile/stack_frames.h"

#include <stdlib.h>
#include <string.h>

#include "util/die.h"

void stack_frames_init(struct stack_frames *sf, const struct profile *p)
{
	memset(sf, 0, sizeof(*sf));
	sf->p = p;
	if (!p->from_text) {
		sf->frames = p->frames.v;
		sf->frame_locs = p->frame_locs.v;
		return;
	}
	VEC(uint32_t) path = { 0 };
	for (size_t r = 0; r < p->rstacks.n; r++) {
		vec_push(&sf->first, (uint32_t)sf->own_frames.n);
		uint32_t node = p->rstacks.v[r].node, d = p->nodes.v[node].depth;
		path.n = 0;
		for (uint32_t k = 0; k < d; k++)
			vec_push(&path, 0);
		profile_node_path(p, node, path.v);
		/* leaf first: inlined locations gather until the one holding them */
		struct prof_frame f = { 0, (uint32_t)sf->own_locs.n, 0 };
		for (uint32_t k = d; k-- > 0;) {
			vec_push(&sf->own_locs, path.v[k]);
			f.loc_n++;
			if (p->locs.v[path.v[k]].inlined && k > 0)
				continue;
			vec_push(&sf->own_frames, f);
			f.loc_first = (uint32_t)sf->own_locs.n;
			f.loc_n = 0;
		}
	}
	vec_push(&sf->first, (uint32_t)sf->own_frames.n);
	vec_free(&path);
	sf->frames = sf->own_frames.v;
	sf->frame_locs = sf->own_locs.v;
}

void stack_frames_free(struct stack_frames *sf)
{
	vec_free(&sf->own_frames);
	vec_free(&sf->own_locs);
	vec_free(&sf->first);
}
