/* Folded stacks -> profile model (see folded_reader.h). */
#include "profile/folded_reader.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collapse/folded.h"
#include "collapse/perf_script.h"
#include "profile/model.h"
#include "util/die.h"
#include "util/lines.h"

typedef VEC(uint32_t) u32_vec;
struct loc_cache {
	uint32_t *v;
	size_t n, cap;
};

/* Strips the annotation as the flame tree does (render/flame.c). */
static void set_kind(struct prof_loc *l, const char *s, size_t *len)
{
	if (*len < 4 || s[*len - 4] != '_' || s[*len - 3] != '[' || s[*len - 1] != ']')
		return;
	switch (s[*len - 2]) {
	case 'k': l->kernel = true; break;
	case 'i': l->inlined = true; break;
	case 'j': l->jit = true; break;
	default: return;
	}
	*len -= 4;
}

/* The location of one frame's text. Names repeat across stacks: `cache`
 * maps string id x kind to the location, sparing the location hash. */
static uint32_t frame_loc(struct profile *p, const char *s, size_t len, uint32_t kmod, struct loc_cache *cache)
{
	struct prof_loc l;
	memset(&l, 0, sizeof(l)); /* locations are hashed as bytes */
	set_kind(&l, s, &len);
	l.func = intern_n(&p->strs, s, len);
	size_t slot = (size_t)l.func * 4 + (l.kernel ? 1 : l.inlined ? 2 : l.jit ? 3 : 0);
	while (cache->n <= slot)
		vec_push(cache, UINT32_MAX);
	if (cache->v[slot] == UINT32_MAX) {
		l.module = l.kernel ? kmod : 0;
		cache->v[slot] = profile_intern_loc(p, &l);
	}
	return cache->v[slot];
}

/* How many trie nodes the stacks can make at most: the frames of each
 * past its text's common prefix with the stack before it (those share
 * nodes). Sized once, the node index is not rehashed as it grows, and
 * sorted text sharing long prefixes does not reserve for every frame. */
static size_t new_frames_bound(const struct folded_set *s)
{
	size_t n = 0;
	for (size_t i = 0; i < s->v.n; i++) {
		const struct folded_entry *e = &s->v.v[i];
		size_t from = 0;
		if (i) {
			const struct folded_entry *prev = &s->v.v[i - 1];
			size_t m = e->len < prev->len ? e->len : prev->len, k = 0;
			for (; k < m && e->stack[k] == prev->stack[k]; k++)
				if (e->stack[k] == ';')
					from = k + 1; /* frames before here are shared */
		}
		n++;
		for (size_t k = from; k < e->len; k++)
			n += e->stack[k] == ';';
	}
	return n;
}

struct profile *profile_from_folded(const struct folded_set *s)
{
	struct profile *p = profile_new();
	p->from_text = true;
	profile_add_module(p, "[unknown]", false);
	uint32_t kmod = profile_add_module(p, "[kernel.kallsyms]", true);
	profile_add_weight_unsigned(p, "samples", "count");
	u64map_reserve(&p->node_index, new_frames_bound(s));
	struct loc_cache cache = { 0 };
	/* the previous stack's locations and trie nodes, root first: sorted
	 * folded text shares long prefixes, whose nodes need no look-up */
	u32_vec locs = { 0 }, nodes = { 0 };
	for (size_t i = 0; i < s->v.n; i++) {
		const struct folded_entry *e = &s->v.v[i];
		size_t k = 0, same = 0; /* frames so far; how many match the previous stack */
		for (size_t at = 0; at <= e->len; k++) { /* root first */
			size_t end = at;
			while (end < e->len && e->stack[end] != ';')
				end++;
			uint32_t loc = frame_loc(p, e->stack + at, end - at, kmod, &cache);
			if (k < locs.n) {
				if (same == k && locs.v[k] == loc)
					same++;
				locs.v[k] = loc;
			} else {
				vec_push(&locs, loc);
				vec_push(&nodes, 0);
			}
			at = end + 1;
		}
		locs.n = nodes.n = k;
		for (size_t j = same; j < k; j++)
			nodes.v[j] = profile_node_child(p, j ? nodes.v[j - 1] : 0, locs.v[j]);
		/* no frames: text has no addresses, and a frame record per
		 * frame cost more than the trie; the leaf node names them all */
		struct prof_rstack rs = { 0, 0, nodes.v[k - 1], false };
		vec_push(&p->rstacks, rs);
		struct prof_sample smp = { .rstack = (uint32_t)p->rstacks.n - 1 };
		int64_t v = (int64_t)e->count;
		profile_add_sample(p, &smp, &v);
	}
	vec_free(&locs);
	vec_free(&nodes);
	vec_free(&cache);
	/* the trie is final: its index (17 bytes a slot) goes before the
	 * renderers build theirs */
	u64map_free(&p->node_index);
	return p;
}

static FILE *open_in(const char *path)
{
	if (!strcmp(path, "-"))
		return stdin;
	FILE *f = fopen(path, "re");
	if (!f)
		die("cannot open '%s': %s", path, strerror(errno));
	return f;
}

static void close_in(FILE *f)
{
	if (f != stdin)
		fclose(f);
}

static struct profile *finish(struct folded_set *set, bool *capped)
{
	struct profile *p = profile_from_folded(set);
	if (capped)
		*capped = set->capped;
	folded_free(set);
	return p;
}

struct profile *profile_read_folded(const char *path, bool *capped)
{
	struct folded_set set;
	folded_init(&set);
	FILE *f = open_in(path);
	struct folded_read_stats st = { 0 };
	char why[160];
	if (folded_read(f, &set, NULL, &st) < 0)
		die("cannot read '%s': %s", path, lines_strerror(errno, st.stop_offset, why, sizeof(why)));
	close_in(f);
	if (st.bad_lines)
		warn("'%s': skipped %" PRIu64 " line%s that %s not folded stacks (first: line %" PRIu64 ")",
		     path, st.bad_lines, st.bad_lines == 1 ? "" : "s", st.bad_lines == 1 ? "is" : "are",
		     st.first_bad_line);
	return finish(&set, capped);
}

struct profile *profile_read_perf_script(const char *path, bool *capped)
{
	struct folded_set set;
	folded_init(&set);
	FILE *f = open_in(path);
	struct collapse_opts co = { 0 };
	struct collapse_stats st = { 0 };
	char why[160];
	if (collapse_perf_script(f, &co, &set, &st) < 0)
		die("cannot read '%s': %s", path, lines_strerror(errno, st.stop_offset, why, sizeof(why)));
	close_in(f);
	if (st.bad_lines)
		warn("'%s': skipped %" PRIu64 " line%s that are not `perf script` output (first: line %" PRIu64 ")",
		     path, st.bad_lines, st.bad_lines == 1 ? "" : "s", st.first_bad_line);
	return finish(&set, capped);
}
