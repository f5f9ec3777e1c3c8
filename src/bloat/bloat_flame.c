/* The size flamegraph's model (sonde flamegraph -i BINARY --bloat): one
 * sample per function, its stack the crate, then the modules of its path,
 * then the function; the weight "size" in bytes. Drawn by the same
 * renderers as CPU profiles (SVG, speedscope, pprof, folded). */
#include "bloat/bloat.h"

#include <stdlib.h>
#include <string.h>

#include "bloat/bloat_image.h"
#include "profile/model.h"
#include "util/die.h"
#include "util/hashmap.h"

/* Splits a demangled name at its top-level "::" (not inside <...>, (...),
 * [...]); a turbofish "::<T>" stays with the segment before it. */
static size_t next_segment(const char *s, size_t from, size_t len)
{
	int depth = 0;
	for (size_t i = from; i < len; i++) {
		char c = s[i];
		if (c == '<' || c == '(' || c == '[')
			depth++;
		else if ((c == '>' && !(i && s[i - 1] == '-')) || c == ')' || c == ']')
			depth--;
		else if (depth == 0 && c == ':' && i + 2 < len && s[i + 1] == ':' && s[i + 2] != '<')
			return i;
	}
	return len;
}

static uint32_t frame(struct profile *p, uint32_t parent, uint32_t module, const char *name, size_t len)
{
	struct prof_loc l;
	memset(&l, 0, sizeof(l)); /* locations are compared bytewise */
	l.func = intern_n(&p->strs, name, len);
	l.module = module;
	return profile_node_child(p, parent, profile_intern_loc(p, &l));
}

/* "<a::b::T>" (an inherent impl) or "<a::b::T as Tr>" (a trait's):
 * where the type's path ends inside the first segment [0, end), or 0 if
 * it is not one. The path's segments become frames, its last one the
 * impl's frame: a;b;<T as Tr> (or a;b;T). */
static size_t impl_path_end(const char *name, size_t end)
{
	if (name[0] != '<' || end < 2 || name[end - 1] != '>')
		return 0;
	int depth = 0;
	for (size_t i = 1; i + 1 < end; i++) {
		char c = name[i];
		if (c == '<' || c == '(' || c == '[')
			depth++;
		else if ((c == '>' && name[i - 1] != '-') || c == ')' || c == ']')
			depth--;
		else if (depth == 0 && !strncmp(name + i, " as ", 4))
			return i;
	}
	return end - 1;
}

/* Adds the frames of name[at, len) below node; returns the leaf. */
static uint32_t name_frames(struct profile *p, uint32_t node, uint32_t mod, const char *crate, const char *name,
			    size_t at, size_t len)
{
	size_t end = next_segment(name, at, len);
	size_t type_end = at == 0 ? impl_path_end(name, end) : 0;
	if (type_end) {
		/* the type's modules, then "<T as Tr>" / "T" */
		size_t last = 1, k = 1;
		while ((k = next_segment(name, k, type_end)) < type_end) {
			/* (the crate's frame is there already) */
			if (last > 1 || k - 1 != strlen(crate) || strncmp(name + 1, crate, k - 1))
				node = frame(p, node, mod, name + last, k - last);
			last = k = k + 2;
		}
		if (type_end == end - 1) {
			node = frame(p, node, mod, name + last, type_end - last);
		} else {
			char *f = xasprintf("<%.*s>", (int)(end - 1 - last), name + last);
			node = frame(p, node, mod, f, strlen(f));
			free(f);
		}
		at = end + 2;
	}
	while (at <= len) {
		end = next_segment(name, at, len);
		node = frame(p, node, mod, name + at, end - at);
		at = end + 2;
	}
	return node;
}

struct profile *bloat_profile(const char *path, const struct bloat_opts *o)
{
	struct bloat_image img;
	if (bloat_image_open(&img, path, o) < 0)
		return NULL;
	struct profile *p = profile_new();
	p->from_text = true; /* no threads, no addresses: the trie is the stacks */
	uint32_t mod = profile_add_module(p, path, false);
	profile_add_weight_unsigned(p, "size", "bytes");
	profile_add_meta(p, "event", "size");
	struct u64map stacks = { 0 }; /* leaf node -> its sample */
	for (size_t i = 0; i < img.entries.n; i++) {
		const char *crate = bloat_crate(&img, i);
		const char *name = bloat_name(&img, i, o->full_fn);
		size_t len = strlen(name), crate_len = strlen(crate);
		uint32_t node = frame(p, 0, mod, crate, crate_len);
		/* the path's first segment is the crate already shown (std's
		 * functions keep theirs: std -> core -> slice -> ...) */
		size_t at = 0;
		if (!strncmp(name, crate, crate_len) && !strncmp(name + crate_len, "::", 2) && name[crate_len + 2] != '<')
			at = crate_len + 2;
		node = name_frames(p, node, mod, crate, name, at, len);
		/* one sample per distinct path, as text models have: copies of
		 * one legacy-named generic add up */
		bool fresh;
		uint64_t *k = u64map_upsert(&stacks, node, p->samples.n, &fresh);
		int64_t v = (int64_t)img.entries.v[i].size;
		if (fresh) {
			struct prof_rstack rs = { 0, 0, node, false };
			vec_push(&p->rstacks, rs);
			struct prof_sample smp = { .rstack = (uint32_t)p->rstacks.n - 1 };
			profile_add_sample(p, &smp, &v);
		} else {
			p->values.v[*k] += v; /* one weight column: row k */
		}
	}
	u64map_free(&stacks);
	bloat_image_close(&img);
	return p;
}
