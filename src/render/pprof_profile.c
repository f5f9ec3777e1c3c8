/* Recording -> pprof (see pprof_profile.h). */
#include "render/pprof_profile.h"

#include <stdlib.h>
#include <string.h>

#include "profile/model.h"
#include "render/pprof.h"
#include "util/die.h"
#include "util/vec.h"

static bool is_clock(const char *event)
{
	/* "cpu-clock", "task-clock", also with modifiers ("cpu-clock:u") */
	size_t n = strcspn(event, ":/");
	return (n == 9 && !strncmp(event, "cpu-clock", 9)) || (n == 10 && !strncmp(event, "task-clock", 10));
}

static void declare_types(struct pprof *pp, const struct profile *p)
{
	if (!p->count_weight) { /* not a CPU recording: its own weights, in order */
		for (size_t w = 0; w < p->weights.n; w++)
			pprof_sample_type(pp, profile_weight_name(p, (uint32_t)w), profile_weight_unit(p, (uint32_t)w));
		if (p->weights.n)
			pprof_default_sample_type(pp, profile_weight_name(p, 0));
		return;
	}
	const char *event = profile_event(p);
	const char *period = profile_meta(p, "period"), *freq = profile_meta(p, "freq");
	pprof_sample_type(pp, "samples", "count");
	if (is_clock(event)) {
		pprof_sample_type(pp, "cpu", "nanoseconds");
		pprof_default_sample_type(pp, "cpu");
		/* a frequency F samples every 1e9 / F ns of CPU time */
		long long f = freq ? atoll(freq) : 0;
		pprof_period(pp, "cpu", "nanoseconds", period ? atoll(period) : f > 0 ? 1000000000LL / f : 0);
	} else {
		char type[128];
		snprintf(type, sizeof(type), "%.*s", (int)strcspn(event, ":/"), event);
		pprof_sample_type(pp, type, "count");
		pprof_default_sample_type(pp, type);
		pprof_period(pp, type, "count", period ? atoll(period) : 0);
	}
}

static void add_comments(struct pprof *pp, const struct profile *p)
{
	static const char *const keys[] = { "command", "cmdline", "event", "hostname", "kernel", "sonde-version" };
	char buf[512];
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *v = profile_meta(p, keys[i]);
		if (v) {
			snprintf(buf, sizeof(buf), "%s: %s", keys[i], v);
			pprof_comment(pp, buf);
		}
	}
	const char *summary = profile_meta(p, "summary"); /* a line of its own */
	if (summary)
		pprof_comment(pp, summary);
}

/* One pprof mapping per module, made on first use. */
static uint64_t mapping_of(struct pprof *pp, const struct profile *p, uint32_t module, uint64_t *ids)
{
	if (ids[module])
		return ids[module];
	const struct prof_module *m = &p->modules.v[module];
	char hex[41];
	bool file = !m->kernel && m->from_file;
	struct pprof_mapping pm = {
		.start = m->map_start,
		.limit = m->map_start + m->map_len,
		.offset = m->map_pgoff,
		.file = prof_str(p, m->kernel ? m->name : m->path),
		.build_id = pprof_hex(hex, m->build_id, m->build_id_len),
		/* symbolized already: pprof must not look for the files */
		.has_functions = true,
		.has_filenames = file,
		.has_line_numbers = file,
		.has_inline_frames = file,
	};
	return ids[module] = pprof_mapping(pp, &pm);
}

/* The location of one raw frame: its lines innermost first. */
static uint64_t location_of(struct pprof *pp, const struct profile *p, const struct prof_frame *f, uint64_t *maps,
			    struct pprof_line *lines, size_t max)
{
	size_t n = 0;
	for (uint32_t i = 0; i < f->loc_n && n < max; i++) {
		const struct prof_loc *l = &p->locs.v[p->frame_locs.v[f->loc_first + i]];
		const char *name = prof_str(p, l->func);
		lines[n].function = pprof_function(pp, name, name, prof_str(p, l->file), 0);
		lines[n++].line = l->line;
	}
	const struct prof_loc *outer = prof_frame_outer(p, f);
	return pprof_location(pp, mapping_of(pp, p, outer->module, maps), f->addr, lines, n);
}

/* pprof takes the first mapping as the main binary: the first file
 * mapped (a launched command's executable maps first). */
static void pick_main(struct pprof *pp, const struct profile *p, uint64_t *maps)
{
	for (size_t i = 0; i < p->modules.n; i++) {
		const struct prof_module *m = &p->modules.v[i];
		if (!m->kernel && maps[i] && prof_str(p, m->path)[0] == '/') {
			pprof_main_mapping(pp, maps[i]);
			return;
		}
	}
}

/* The kind of a text location as its name's mark says, and the name
 * pprof gets: without the mark (a mark alone is a name). */
static char text_kind(const struct profile *p, const struct prof_loc *l, const char **name)
{
	static const char *const alone[] = { "_[k]", "_[i]", "_[j]" };
	char kind = l->kernel ? 'k' : l->inlined ? 'i' : l->jit ? 'j' : 0;
	*name = prof_str(p, l->func);
	if (kind && !**name) {
		*name = alone[kind == 'k' ? 0 : kind == 'i' ? 1 : 2];
		return 0;
	}
	return kind;
}

/* Text (folded stacks, perf script): one sample type, samples/count. A
 * location has no address and no mapping but for _[k] frames' kernel
 * one; _[i] frames are lines of the location of the frame they were
 * inlined into (the one before them, root first). */
static struct pprof *pprof_from_text(const struct profile *p)
{
	struct pprof *pp = pprof_new();
	pprof_sample_type(pp, "samples", "count");
	struct pprof_mapping km = { .file = "[kernel.kallsyms]", .has_functions = true };
	uint64_t kernel = 0;
	VEC(uint32_t) path = { 0 };
	VEC(uint64_t) locs = { 0 };
	VEC(struct pprof_line) lines = { 0 };
	for (size_t i = 0; i < p->samples.n; i++) {
		uint32_t node = p->rstacks.v[p->samples.v[i].rstack].node, d = p->nodes.v[node].depth;
		path.n = locs.n = lines.n = 0;
		for (uint32_t k = 0; k < d; k++)
			vec_push(&path, 0);
		profile_node_path(p, node, path.v);
		/* leaf first: inlined frames gather until the frame that holds them */
		for (uint32_t k = d; k-- > 0;) {
			const char *name;
			char kind = text_kind(p, &p->locs.v[path.v[k]], &name);
			struct pprof_line ln = { pprof_function(pp, name, name, NULL, 0), 0 };
			vec_push(&lines, ln);
			if (kind == 'i' && k > 0)
				continue;
			uint64_t map = 0;
			if (kind == 'k')
				map = kernel ? kernel : (kernel = pprof_mapping(pp, &km));
			vec_push(&locs, pprof_location(pp, map, 0, lines.v, lines.n));
			lines.n = 0;
		}
		int64_t v = prof_value_signed(p, i, 0);
		pprof_sample(pp, locs.v, locs.n, &v, NULL, 0);
	}
	vec_free(&path);
	vec_free(&locs);
	vec_free(&lines);
	return pp;
}

struct pprof *pprof_from_profile(const struct profile *p)
{
	if (p->from_text)
		return pprof_from_text(p);
	struct pprof *pp = pprof_new();
	declare_types(pp, p);
	add_comments(pp, p);
	if (p->last_time > p->first_time)
		pprof_time(pp, 0, (int64_t)(p->last_time - p->first_time));
	uint64_t *maps = xcalloc(p->modules.n + 1, sizeof(*maps));
	/* frames resolve to the same location again and again: cache by frame */
	uint64_t *frame_loc = xcalloc(p->frames.n + 1, sizeof(*frame_loc));
	VEC(uint64_t) stack = { 0 };
	VEC(int64_t) values = { 0 };
	struct pprof_line lines[64];
	for (size_t i = 0; i < p->samples.n; i++) {
		const struct prof_sample *s = &p->samples.v[i];
		const struct prof_rstack *rs = &p->rstacks.v[s->rstack];
		stack.n = 0;
		for (uint32_t j = 0; j < rs->frame_n; j++) {
			uint32_t fi = rs->frame_first + j;
			if (!frame_loc[fi])
				frame_loc[fi] = location_of(pp, p, &p->frames.v[fi], maps, lines, 64);
			vec_push(&stack, frame_loc[fi]);
		}
		values.n = 0;
		if (p->count_weight) /* samples, then the period */
			vec_push(&values, 1);
		for (uint32_t w = 0; w < p->weights.n && (!p->count_weight || w < 1); w++)
			vec_push(&values, prof_value_signed(p, i, w));
		struct pprof_label labels[3] = {
			{ .key = "pid", .num = s->pid },
			{ .key = "tid", .num = s->tid },
			{ .key = "comm", .str = prof_str(p, s->comm) },
		};
		pprof_sample(pp, stack.v, stack.n, values.v, labels, 3);
	}
	pick_main(pp, p, maps);
	vec_free(&stack);
	vec_free(&values);
	free(frame_loc);
	free(maps);
	return pp;
}
