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

/* The trie's index while text is read: (parent, loc) -> node in one
 * array of slots, one cache miss a probe where the model's u64map takes
 * three (node 0, the root, is never a child: it marks a free slot). */
struct trie_slot {
	uint64_t key;
	uint32_t node;
};
struct trie_index {
	struct trie_slot *v;
	size_t n, cap; /* cap: a power of two */
};

static void trie_index_grow(struct trie_index *ix, size_t cap)
{
	struct trie_slot *old = ix->v;
	size_t ocap = ix->cap;
	ix->v = xcalloc(cap, sizeof(*ix->v));
	ix->cap = cap;
	for (size_t i = 0; i < ocap; i++)
		if (old[i].node) {
			size_t j = hash_u64(old[i].key) & (cap - 1);
			while (ix->v[j].node)
				j = (j + 1) & (cap - 1);
			ix->v[j] = old[i];
		}
	free(old);
}

/* profile_node_child through the text's own index. */
static uint32_t trie_child(struct profile *p, struct trie_index *ix, uint32_t parent, uint32_t loc)
{
	if ((ix->n + 1) * 4 > ix->cap * 3)
		trie_index_grow(ix, ix->cap ? ix->cap * 2 : 64);
	uint64_t key = (uint64_t)parent << 32 | loc;
	size_t j = hash_u64(key) & (ix->cap - 1);
	for (; ix->v[j].node; j = (j + 1) & (ix->cap - 1))
		if (ix->v[j].key == key)
			return ix->v[j].node;
	struct prof_node n = { parent, loc, p->nodes.v[parent].depth + 1 };
	ix->v[j].key = key;
	ix->v[j].node = (uint32_t)p->nodes.n;
	ix->n++;
	vec_push(&p->nodes, n);
	return ix->v[j].node;
}

struct profile *profile_from_folded(const struct folded_set *s)
{
	struct profile *p = profile_new();
	p->from_text = true;
	profile_add_module(p, "[unknown]", false);
	uint32_t kmod = profile_add_module(p, "[kernel.kallsyms]", true);
	profile_add_weight_unsigned(p, "samples", "count");
	struct trie_index ix = { 0 };
	size_t cap = 64, bound = new_frames_bound(s);
	while ((bound + 1) * 4 > cap * 3)
		cap *= 2;
	trie_index_grow(&ix, cap); /* sized once */
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
			nodes.v[j] = trie_child(p, &ix, j ? nodes.v[j - 1] : 0, locs.v[j]);
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
	/* the trie is final (p->node_index stays empty): its index goes
	 * before the renderers build theirs */
	free(ix.v);
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

static struct profile *read_folded(FILE *f, const char *path, bool *capped)
{
	struct folded_set set;
	folded_init(&set);
	struct folded_read_stats st = { 0 };
	char why[160];
	if (folded_read(f, &set, NULL, &st) < 0)
		die("cannot read '%s': %s", path, lines_strerror(errno, st.stop_offset, why, sizeof(why)));
	if (st.bad_lines)
		warn("'%s': skipped %" PRIu64 " line%s that %s not folded stacks (first: line %" PRIu64 ")",
		     path, st.bad_lines, st.bad_lines == 1 ? "" : "s", st.bad_lines == 1 ? "is" : "are",
		     st.first_bad_line);
	return finish(&set, capped);
}

static struct profile *read_perf_script(FILE *f, const char *path, bool *capped)
{
	struct folded_set set;
	folded_init(&set);
	struct collapse_opts co = { 0 };
	struct collapse_stats st = { 0 };
	char why[160];
	if (collapse_perf_script(f, &co, &set, &st) < 0)
		die("cannot read '%s': %s", path, lines_strerror(errno, st.stop_offset, why, sizeof(why)));
	if (st.bad_lines)
		warn("'%s': skipped %" PRIu64 " line%s that are not `perf script` output (first: line %" PRIu64 ")",
		     path, st.bad_lines, st.bad_lines == 1 ? "" : "s", st.first_bad_line);
	return finish(&set, capped);
}

struct profile *profile_read_folded(const char *path, bool *capped)
{
	FILE *f = open_in(path);
	struct profile *p = read_folded(f, path, capped);
	close_in(f);
	return p;
}

struct profile *profile_read_perf_script(const char *path, bool *capped)
{
	FILE *f = open_in(path);
	struct profile *p = read_perf_script(f, path, capped);
	close_in(f);
	return p;
}

/* Folded text's first line (past blank ones and '#' comments) ends in a
 * count; `perf script`'s first line is a sample header ending in the
 * event ("cycles: "), or a frame. */
static bool looks_folded(FILE *f)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	bool folded = true; /* empty text: either reader reads nothing */
	while ((n = getline(&line, &cap, f)) >= 0) {
		while (n > 0 && strchr(" \t\r\n", line[n - 1]))
			n--;
		if (!n || line[0] == '#')
			continue;
		ssize_t k = n;
		while (k > 0 && line[k - 1] >= '0' && line[k - 1] <= '9')
			k--;
		folded = k < n && k > 0 && (line[k - 1] == ' ' || line[k - 1] == '\t');
		break;
	}
	free(line);
	return folded;
}

struct profile *profile_read_text(const char *path, bool *capped)
{
	FILE *f = open_in(path);
	if (f == stdin) { /* a pipe cannot be read twice: keep a copy to sniff */
		FILE *copy = tmpfile();
		if (!copy)
			die("cannot buffer standard input: %s", strerror(errno));
		char buf[1 << 16];
		size_t n;
		while ((n = fread(buf, 1, sizeof(buf), stdin)) > 0)
			if (fwrite(buf, 1, n, copy) != n)
				die("cannot buffer standard input: %s", strerror(errno));
		if (ferror(stdin))
			die("cannot read '-': %s", strerror(errno));
		f = copy;
	}
	bool folded = looks_folded(f);
	rewind(f);
	struct profile *p = folded ? read_folded(f, path, capped) : read_perf_script(f, path, capped);
	fclose(f);
	return p;
}
