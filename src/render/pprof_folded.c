/* Folded stacks -> pprof (see pprof_folded.h). */
#include "render/pprof_folded.h"

#include <stdlib.h>
#include <string.h>

#include "collapse/folded.h"
#include "render/pprof.h"
#include "util/die.h"
#include "util/vec.h"

struct frame {
	const char *name;
	size_t len;
	char kind; /* 'k', 'i', 'j' or 0 */
};

static struct frame parse_frame(const char *s, size_t len)
{
	struct frame f = { s, len, 0 };
	if (len > 4 && s[len - 4] == '_' && s[len - 3] == '[' && s[len - 1] == ']' && strchr("kij", s[len - 2])) {
		f.kind = s[len - 2];
		f.len -= 4;
	}
	return f;
}

static uint64_t function_of(struct pprof *pp, const struct frame *f)
{
	char *name = xstrndup(f->name, f->len);
	uint64_t id = pprof_function(pp, name, name, NULL, 0);
	free(name);
	return id;
}

struct pprof *pprof_from_folded(const struct folded_set *s)
{
	struct pprof *pp = pprof_new();
	pprof_sample_type(pp, "samples", "count");
	struct pprof_mapping km = { .file = "[kernel.kallsyms]", .has_functions = true };
	uint64_t kernel = 0;
	VEC(struct frame) frames = { 0 };
	VEC(uint64_t) locs = { 0 };
	VEC(struct pprof_line) lines = { 0 };
	for (size_t i = 0; i < s->v.n; i++) {
		const struct folded_entry *e = &s->v.v[i];
		frames.n = locs.n = 0;
		for (size_t at = 0; at <= e->len;) {
			size_t end = at;
			while (end < e->len && e->stack[end] != ';')
				end++;
			vec_push(&frames, parse_frame(e->stack + at, end - at));
			at = end + 1;
		}
		/* leaf first: inlined frames gather until the frame that holds them */
		lines.n = 0;
		for (size_t j = frames.n; j-- > 0;) {
			const struct frame *f = &frames.v[j];
			struct pprof_line ln = { function_of(pp, f), 0 };
			vec_push(&lines, ln);
			if (f->kind == 'i' && j > 0)
				continue;
			uint64_t map = 0;
			if (f->kind == 'k')
				map = kernel ? kernel : (kernel = pprof_mapping(pp, &km));
			vec_push(&locs, pprof_location(pp, map, 0, lines.v, lines.n));
			lines.n = 0;
		}
		int64_t v = e->count > INT64_MAX ? INT64_MAX : (int64_t)e->count;
		pprof_sample(pp, locs.v, locs.n, &v, NULL, 0);
	}
	vec_free(&frames);
	vec_free(&locs);
	vec_free(&lines);
	return pp;
}
