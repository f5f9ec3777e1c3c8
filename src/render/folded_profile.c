/* profile -> folded stacks. The naming conventions follow
 * stackcollapse-perf: the command (spaces -> '_') as root frame, optionally
 * with -PID or -PID/TID, [module] for frames without a symbol, _[k],
 * _[i] and _[j] annotations. */
#include "render/folded_profile.h"

#include <stdlib.h>
#include <string.h>

#include "profile/model.h"
#include "util/die.h"
#include "util/hashmap.h"
#include "util/satadd.h"
#include "util/strbuf.h"

/* Names go into a ';'-separated line: a ';' inside one would split it. */
static void add_name(struct strbuf *sb, const char *name)
{
	for (const char *c = name; *c; c++)
		sb_addc(sb, *c == ';' ? ':' : *c == '\n' ? ' ' : *c);
}

/* Appends one frame's name; records where it is when names is given. */
static void put_name(struct strbuf *sb, size_t stack_start, prof_name_vec *names, const char *name, bool bracket,
		     char mark, const struct folded_opts *o)
{
	if (sb->len > stack_start)
		sb_addc(sb, ';');
	size_t at = sb->len;
	if (bracket)
		sb_addc(sb, '[');
	add_name(sb, name);
	if (bracket)
		sb_addc(sb, ']');
	if (names) {
		struct prof_name n = { at, sb->len - at, mark };
		vec_push(names, n);
	}
	if (mark)
		sb_addf(sb, "_[%c]", mark);
}

/* Appends one location's name with its mark. */
static void put_loc(const struct profile *p, const struct folded_opts *o, const struct prof_loc *l, struct strbuf *sb,
		    size_t start, prof_name_vec *names)
{
	/* text keeps its marks as written: its folded view is the input */
	bool text = p->from_text;
	char mark = (o->kernel || text) && l->kernel ? 'k' : (o->inline_marks || text) && l->inlined ? 'i' :
		    (o->jit || text) && l->jit ? 'j' : 0;
	if (l->unknown) {
		/* stackcollapse-perf's convention: the module in brackets */
		const char *mod = prof_str(p, p->modules.v[l->module].name);
		put_name(sb, start, names, mod, mod[0] != '[', mark, o);
	} else {
		put_name(sb, start, names, prof_str(p, l->func), false, mark, o);
	}
}

void profile_text_name(const struct profile *p, uint32_t loc, struct strbuf *sb)
{
	static const struct folded_opts marks = { .kernel = true, .inline_marks = true, .jit = true };
	put_loc(p, &marks, &p->locs.v[loc], sb, sb->len, NULL);
}

void profile_sample_names(const struct profile *p, const struct folded_opts *o, size_t sample, struct strbuf *sb,
			  prof_name_vec *names)
{
	const struct prof_sample *s = &p->samples.v[sample];
	const struct prof_rstack *rs = &p->rstacks.v[s->rstack];
	size_t start = sb->len;
	if (names)
		names->n = 0;
	if (!o->no_comm && !p->from_text) { /* folded text has no threads */
		const char *comm = prof_str(p, s->comm);
		for (const char *c = comm; *c; c++)
			sb_addc(sb, *c == ' ' ? '_' : *c == ';' ? ':' : *c);
		if (o->tid)
			sb_addf(sb, "-%u/%u", s->pid, s->tid);
		else if (o->pid)
			sb_addf(sb, "-%u", s->pid);
		if (names) {
			struct prof_name n = { start, sb->len - start, 0 };
			vec_push(names, n);
		}
	}
	if (p->from_text) { /* one location a frame: the leaf node's path */
		uint32_t d = p->nodes.v[rs->node].depth;
		uint32_t small[64], *locs = d <= 64 ? small : xmalloc(d * sizeof(*locs));
		profile_node_path(p, rs->node, locs);
		for (uint32_t k = 0; k < d; k++)
			put_loc(p, o, &p->locs.v[locs[k]], sb, start, names);
		if (locs != small)
			free(locs);
	}
	for (uint32_t k = rs->frame_n; k-- > 0;) {
		const struct prof_frame *f = &p->frames.v[rs->frame_first + k];
		uint32_t first = o->no_inline ? f->loc_n - 1 : 0;
		for (uint32_t j = f->loc_n; j-- > first;)
			put_loc(p, o, &p->locs.v[p->frame_locs.v[f->loc_first + j]], sb, start, names);
	}
	sb_add(sb, "", 0); /* "" rather than NULL for an empty stack */
}

void profile_sample_stack(const struct profile *p, const struct folded_opts *o, size_t sample, struct strbuf *sb)
{
	profile_sample_names(p, o, sample, sb, NULL);
}

void profile_each_group(const struct profile *p, const struct folded_opts *o, prof_group_fn fn, void *ctx)
{
	struct group {
		uint32_t rstack, comm, pid, tid;
	};
	VEC(struct group) groups = { 0 };
	VEC(size_t) first = { 0 };
	VEC(uint64_t) weight = { 0 };
	struct u64map index = { 0 };
	bool pid = o->pid || o->tid, capped = false;
	for (size_t i = 0; i < p->samples.n; i++) {
		const struct prof_sample *s = &p->samples.v[i];
		struct group g = { s->rstack, o->no_comm ? 0 : s->comm, pid ? s->pid : 0, o->tid ? s->tid : 0 };
		uint64_t h = hash_bytes(&g, sizeof(g));
		size_t at;
		for (;; h = hash_u64(h + 1)) {
			bool fresh;
			uint64_t *slot = u64map_upsert(&index, h, groups.n, &fresh);
			if (fresh) {
				vec_push(&groups, g);
				vec_push(&first, i);
				vec_push(&weight, 0);
			}
			if (!memcmp(&groups.v[*slot], &g, sizeof(g))) {
				at = (size_t)*slot;
				break;
			}
		}
		weight.v[at] = sat_add(weight.v[at], prof_value(p, i, o->counts ? PROF_WEIGHT_SAMPLES : o->weight),
				       &capped);
	}
	for (size_t k = 0; k < groups.n; k++)
		if (weight.v[k] || p->from_text) /* a folded line may say 0 */
			fn(ctx, first.v[k], weight.v[k]);
	vec_free(&groups);
	vec_free(&first);
	vec_free(&weight);
	u64map_free(&index);
}
/* profile_to_folded of a text model: its stacks are distinct (the text's
 * were) and its locations few, so each location's name is made once and a
 * stack's text copied together from them, added without a look-up. */
static void text_to_folded(const struct profile *p, const struct folded_opts *o, struct folded_set *out)
{
	struct strbuf names = STRBUF_INIT;
	size_t *at = xmalloc((p->locs.n + 1) * sizeof(*at));
	for (size_t l = 0; l < p->locs.n; l++) {
		at[l] = names.len;
		put_loc(p, o, &p->locs.v[l], &names, names.len, NULL);
	}
	at[p->locs.n] = names.len;
	uint32_t *path = NULL, cap = 0;
	bool fresh = !out->v.n; /* into an empty set: nothing to merge with */
	for (size_t i = 0; i < p->samples.n; i++) {
		uint32_t node = p->rstacks.v[p->samples.v[i].rstack].node, d = p->nodes.v[node].depth;
		if (d > cap)
			path = xrealloc(path, (cap = d) * sizeof(*path));
		profile_node_path(p, node, path);
		size_t len = d ? d - 1 : 0;
		for (uint32_t k = 0; k < d; k++)
			len += at[path[k] + 1] - at[path[k]];
		char *text = xmalloc(len + 1), *w = text;
		for (uint32_t k = 0; k < d; k++) {
			if (k)
				*w++ = ';';
			memcpy(w, names.buf + at[path[k]], at[path[k] + 1] - at[path[k]]);
			w += at[path[k] + 1] - at[path[k]];
		}
		*w = 0;
		uint64_t v = prof_value(p, i, o->counts ? PROF_WEIGHT_SAMPLES : o->weight);
		if (fresh) {
			folded_add_new(out, text, len, v);
		} else {
			folded_add(out, text, len, v);
			free(text);
		}
	}
	free(path);
	free(at);
	sb_free(&names);
}

void profile_to_folded(const struct profile *p, const struct folded_opts *o, struct folded_set *out)
{
	if (p->from_text) {
		text_to_folded(p, o, out);
		return;
	}
	struct strbuf sb = STRBUF_INIT;
	/* Samples of one (stack, thread) share their text: cache the last one. */
	uint32_t last_rstack = UINT32_MAX, last_comm = 0, last_pid = 0, last_tid = 0;
	for (size_t i = 0; i < p->samples.n; i++) {
		const struct prof_sample *s = &p->samples.v[i];
		uint64_t w = prof_value(p, i, o->counts ? PROF_WEIGHT_SAMPLES : o->weight);
		if (!w && !p->from_text)
			continue; /* a heap stack that holds nothing at the peak, say */
		bool same = s->rstack == last_rstack && (o->no_comm || s->comm == last_comm) &&
			    (!(o->pid || o->tid) || s->pid == last_pid) && (!o->tid || s->tid == last_tid);
		if (!same) {
			sb_reset(&sb);
			profile_sample_stack(p, o, i, &sb);
			last_rstack = s->rstack;
			last_comm = s->comm;
			last_pid = s->pid;
			last_tid = s->tid;
		}
		folded_add(out, sb.buf ? sb.buf : "", sb.len, w);
	}
	sb_free(&sb);
}
