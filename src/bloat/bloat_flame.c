/* The size flamegraph's model (sonde flamegraph -i BINARY --bloat): one
 * sample per function, its stack the crate, then the modules of its path,
 * then the function; the weight "size" in bytes. Drawn by the same
 * renderers as CPU profiles (SVG, speedscope, pprof, folded). */
#include "bloat/bloat.h"

#include <string.h>

#include "bloat/bloat_image.h"
#include "profile/model.h"
#include "util/die.h"

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
	for (size_t i = 0; i < img.entries.n; i++) {
		const char *crate = bloat_crate(&img, i);
		const char *name = bloat_name(&img, i, o->full_fn);
		size_t len = strlen(name);
		uint32_t node = frame(p, 0, mod, crate, strlen(crate));
		size_t at = 0, end = next_segment(name, 0, len);
		/* the path's first segment is the crate already shown */
		/* (std's functions keep theirs: std -> core -> slice -> ...) */
		if (end < len && end == strlen(crate) && !strncmp(name, crate, end))
			at = end + 2;
		while (at <= len) {
			end = next_segment(name, at, len);
			node = frame(p, node, mod, name + at, end - at);
			at = end + 2;
		}
		struct prof_rstack rs = { 0, 0, node, false };
		vec_push(&p->rstacks, rs);
		struct prof_sample s = { .rstack = (uint32_t)p->rstacks.n - 1 };
		int64_t v = (int64_t)img.entries.v[i].size;
		profile_add_sample(p, &s, &v);
	}
	bloat_image_close(&img);
	return p;
}
