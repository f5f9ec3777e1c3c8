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

/* The trie while text is read. Most nodes of real (and random) stacks
 * have one child at most: `kid` holds it (0: none, KIDS: several), next
 * to the nodes just made, and only the children of nodes with several go
 * into the index, (parent, loc) -> node in one array of slots (node 0,
 * the root, is never a child: it marks a free slot). */
#define KIDS UINT32_MAX
struct trie_slot {
	uint64_t key;
	uint32_t node;
};
struct trie {
	struct trie_slot *v;
	size_t n, cap; /* cap: a power of two */
	u32_vec kid;   /* per node */
};

static void trie_put(struct trie *t, uint64_t key, uint32_t node)
{
	if ((t->n + 1) * 4 > t->cap * 3) {
		struct trie_slot *old = t->v;
		size_t ocap = t->cap;
		t->cap = ocap ? ocap * 2 : 1024;
		t->v = xcalloc(t->cap, sizeof(*t->v));
		t->n = 0;
		for (size_t i = 0; i < ocap; i++)
			if (old[i].node)
				trie_put(t, old[i].key, old[i].node);
		free(old);
	}
	size_t j = hash_u64(key) & (t->cap - 1);
	while (t->v[j].node)
		j = (j + 1) & (t->cap - 1);
	t->v[j].key = key;
	t->v[j].node = node;
	t->n++;
}

static uint32_t trie_new(struct profile *p, struct trie *t, uint32_t parent, uint32_t loc)
{
	struct prof_node n = { parent, loc, p->nodes.v[parent].depth + 1 };
	vec_push(&p->nodes, n);
	vec_push(&t->kid, 0);
	return (uint32_t)p->nodes.n - 1;
}

/* profile_node_child through the text's own index. */
static uint32_t trie_child(struct profile *p, struct trie *t, uint32_t parent, uint32_t loc)
{
	uint32_t c = t->kid.v[parent];
	if (!c) { /* the first child (trie_new may move kid.v: assign after) */
		uint32_t n = trie_new(p, t, parent, loc);
		t->kid.v[parent] = n;
		return n;
	}
	if (c != KIDS) {
		if (p->nodes.v[c].loc == loc)
			return c;
		/* a second child: both go into the index */
		trie_put(t, (uint64_t)parent << 32 | p->nodes.v[c].loc, c);
		t->kid.v[parent] = KIDS;
	} else {
		uint64_t key = (uint64_t)parent << 32 | loc;
		for (size_t j = hash_u64(key) & (t->cap - 1); t->v[j].node; j = (j + 1) & (t->cap - 1))
			if (t->v[j].key == key)
				return t->v[j].node;
	}
	uint32_t n = trie_new(p, t, parent, loc);
	trie_put(t, (uint64_t)parent << 32 | loc, n);
	return n;
}

/* Frame text -> location, hashed once per frame: the few distinct names
 * are met again and again (`s` points into the set being read). */
struct tok_slot {
	uint64_t hash;
	const char *s;
	uint32_t len, loc;
};
struct tok_table {
	struct tok_slot *v;
	size_t n, cap;
};

/* memcmp(a, b, n) == 0 inline: names are short, and a call per frame
 * cost more than the compare. */
static inline bool same_bytes(const char *a, const char *b, size_t n)
{
	for (; n >= 8; a += 8, b += 8, n -= 8) {
		uint64_t x, y;
		memcpy(&x, a, 8);
		memcpy(&y, b, 8);
		if (x != y)
			return false;
	}
	while (n--)
		if (*a++ != *b++)
			return false;
	return true;
}

static uint32_t token_loc(struct profile *p, struct tok_table *tt, const char *s, size_t len, uint32_t kmod,
			  struct loc_cache *cache)
{
	uint64_t h = folded_hash(s, len);
	size_t j = h & (tt->cap - 1);
	for (; tt->v[j].s; j = (j + 1) & (tt->cap - 1))
		if (tt->v[j].hash == h && tt->v[j].len == len && same_bytes(tt->v[j].s, s, len))
			return tt->v[j].loc;
	struct tok_slot slot = { h, s, (uint32_t)len, frame_loc(p, s, len, kmod, cache) };
	tt->v[j] = slot;
	if (++tt->n * 2 > tt->cap) {
		struct tok_table big = { xcalloc(tt->cap * 2, sizeof(*big.v)), tt->n, tt->cap * 2 };
		for (size_t i = 0; i < tt->cap; i++)
			if (tt->v[i].s) {
				size_t k = tt->v[i].hash & (big.cap - 1);
				while (big.v[k].s)
					k = (k + 1) & (big.cap - 1);
				big.v[k] = tt->v[i];
			}
		free(tt->v);
		*tt = big;
	}
	return slot.loc;
}

/* The frames e's text shares with the previous stack's, byte for byte
 * (sorted text, as collapse tools write it, shares long prefixes): sets
 * *k to how many, returns where e's next frame starts. */
static size_t shared_frames(const struct folded_entry *e, const struct folded_entry *prev, size_t *k)
{
	size_t n = e->len < prev->len ? e->len : prev->len, cp = 0, at = 0;
	while (cp + 8 <= n && !memcmp(e->stack + cp, prev->stack + cp, 8))
		cp += 8;
	while (cp < n && e->stack[cp] == prev->stack[cp])
		cp++;
	*k = 0;
	for (const char *c; (c = memchr(e->stack + at, ';', cp - at)); at = (size_t)(c - e->stack) + 1)
		(*k)++; /* a frame ending before the first difference is the same */
	return at;
}

struct profile *profile_from_folded(const struct folded_set *s)
{
	struct profile *p = profile_new();
	p->from_text = true;
	profile_add_module(p, "[unknown]", false);
	uint32_t kmod = profile_add_module(p, "[kernel.kallsyms]", true);
	profile_add_weight_unsigned(p, "samples", "count");
	struct trie t = { 0 };
	vec_push(&t.kid, 0); /* the root's */
	struct tok_table tt = { xcalloc(1024, sizeof(*tt.v)), 0, 1024 };
	struct loc_cache cache = { 0 };
	/* the previous stack's locations and trie nodes, root first: sorted
	 * folded text shares long prefixes, whose nodes need no look-up */
	u32_vec locs = { 0 }, nodes = { 0 };
	for (size_t i = 0; i < s->v.n; i++) {
		const struct folded_entry *e = &s->v.v[i];
		size_t k = 0, same = 0; /* frames so far; how many match the previous stack */
		size_t at = i ? shared_frames(e, &s->v.v[i - 1], &k) : 0;
		same = k; /* their names are not even hashed again */
		for (; at <= e->len; k++) { /* root first */
			const char *semi = memchr(e->stack + at, ';', e->len - at);
			size_t end = semi ? (size_t)(semi - e->stack) : e->len;
			uint32_t loc = token_loc(p, &tt, e->stack + at, end - at, kmod, &cache);
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
			nodes.v[j] = trie_child(p, &t, j ? nodes.v[j - 1] : 0, locs.v[j]);
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
	free(tt.v);
	/* the trie is final (p->node_index stays empty): its index goes
	 * before the renderers build theirs */
	free(t.v);
	vec_free(&t.kid);
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
