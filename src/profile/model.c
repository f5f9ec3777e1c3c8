/* The profile model's tables: interning, the stack trie, weight columns,
 * samples and metadata (see model.h). */
#include "profile/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "binary/symbolizer.h"
#include "util/die.h"
#include "util/satadd.h"

struct profile *profile_new(void)
{
	struct profile *p = xcalloc(1, sizeof(*p));
	p->exit_status = -1;
	struct prof_node root = { 0, 0, 0 };
	vec_push(&p->nodes, root);
	intern(&p->strs, ""); /* string id 0 is the empty string */
	return p;
}

const char *profile_meta(const struct profile *p, const char *key)
{
	for (size_t i = p->meta_keys.n; i-- > 0;)
		if (!strcmp(p->meta_keys.v[i], key))
			return p->meta_vals.v[i];
	return NULL;
}

const char *profile_event(const struct profile *p)
{
	const char *e = profile_meta(p, "event");
	return e ? e : "unknown";
}

uint32_t profile_add_module(struct profile *p, const char *path, bool kernel)
{
	struct prof_module m = { 0 };
	const char *slash = strrchr(path, '/');
	m.name = intern(&p->strs, slash && slash[1] ? slash + 1 : path);
	m.path = intern(&p->strs, path);
	m.sym_handle = -1;
	m.kernel = kernel;
	vec_push(&p->modules, m);
	return (uint32_t)p->modules.n - 1;
}

uint32_t profile_intern_loc(struct profile *p, const struct prof_loc *l)
{
	uint64_t key = hash_bytes(l, sizeof(*l));
	for (;;) {
		bool fresh;
		uint64_t *slot = u64map_upsert(&p->loc_index, key, p->locs.n, &fresh);
		if (fresh) {
			vec_push(&p->locs, *l);
			return (uint32_t)*slot;
		}
		if (!memcmp(&p->locs.v[*slot], l, sizeof(*l)))
			return (uint32_t)*slot;
		key = hash_u64(key + 1);
	}
}

uint32_t profile_node_child(struct profile *p, uint32_t parent, uint32_t loc)
{
	uint64_t key = ((uint64_t)parent << 32) | loc;
	bool fresh;
	uint64_t *slot = u64map_upsert(&p->node_index, key, p->nodes.n, &fresh);
	if (fresh) {
		struct prof_node n = { parent, loc, p->nodes.v[parent].depth + 1 };
		vec_push(&p->nodes, n);
	}
	return (uint32_t)*slot;
}

uint32_t profile_node_path(const struct profile *p, uint32_t node, uint32_t *out)
{
	uint32_t d = p->nodes.v[node].depth;
	for (uint32_t i = d; i-- > 0; node = p->nodes.v[node].parent)
		out[i] = p->nodes.v[node].loc;
	return d;
}

uint32_t profile_add_sym_locs(struct profile *p, const struct sym_result *res, uint32_t module, const char *unnamed)
{
	struct prof_loc l;
	if (!res || !res->nr || !res->frames[0].func) {
		memset(&l, 0, sizeof(l));
		l.func = intern(&p->strs, "[unknown]");
		l.module = module;
		l.unknown = true;
		vec_push(&p->frame_locs, profile_intern_loc(p, &l));
		return 1;
	}
	for (uint32_t i = 0; i < res->nr; i++) {
		const struct sym_frame *f = &res->frames[i];
		memset(&l, 0, sizeof(l));
		l.func = f->func ? intern(&p->strs, f->func) : unnamed ? intern(&p->strs, unnamed) : 0;
		l.file = f->file ? intern(&p->strs, f->file) : 0; /* 0: "" */
		l.line = f->line;
		l.module = module;
		l.inlined = i + 1 < res->nr;
		l.sym_offset = i + 1 == res->nr ? res->sym_offset : 0;
		vec_push(&p->frame_locs, profile_intern_loc(p, &l));
	}
	return res->nr;
}

static uint32_t add_weight(struct profile *p, const char *name, const char *unit, bool is_signed)
{
	struct prof_weight w = { intern(&p->strs, name), intern(&p->strs, unit), is_signed };
	vec_push(&p->weights, w);
	return (uint32_t)p->weights.n - 1;
}

uint32_t profile_add_weight(struct profile *p, const char *name, const char *unit)
{
	return add_weight(p, name, unit, true);
}

uint32_t profile_add_weight_unsigned(struct profile *p, const char *name, const char *unit)
{
	return add_weight(p, name, unit, false);
}

void profile_add_sample(struct profile *p, const struct prof_sample *s, const int64_t *values)
{
	vec_push(&p->samples, *s);
	for (size_t w = 0; w < p->weights.n; w++)
		vec_push(&p->values, values[w]);
	bool capped = false;
	if (p->weights.n && !p->weights.v[0].is_signed)
		p->total_period = sat_add(p->total_period, (uint64_t)values[0], &capped);
	else if (p->weights.n && values[0] > 0)
		p->total_period += (uint64_t)values[0];
}

void profile_add_meta(struct profile *p, const char *key, const char *val)
{
	vec_push(&p->meta_keys, xstrdup(key));
	vec_push(&p->meta_vals, xstrdup(val));
}

int64_t profile_weight_find(const struct profile *p, const char *name)
{
	for (size_t w = 0; w < p->weights.n; w++)
		if (!strcmp(prof_str(p, p->weights.v[w].name), name))
			return (int64_t)w;
	if (p->count_weight && !strcmp(name, "samples"))
		return PROF_WEIGHT_SAMPLES;
	return -1;
}

const char *profile_weight_name(const struct profile *p, uint32_t w)
{
	return w == PROF_WEIGHT_SAMPLES ? "samples" : prof_str(p, p->weights.v[w].name);
}

const char *profile_weight_unit(const struct profile *p, uint32_t w)
{
	return w == PROF_WEIGHT_SAMPLES ? "count" : prof_str(p, p->weights.v[w].unit);
}

void profile_weight_list(const struct profile *p, char *buf, size_t n)
{
	size_t total = p->weights.n + p->count_weight, k = 0, len = 0;
	buf[0] = 0;
	for (size_t w = 0; w < total && len < n; w++, k++) {
		const char *name = w < p->weights.n ? prof_str(p, p->weights.v[w].name) : "samples";
		const char *sep = !k ? "" : k + 1 == total ? " or " : ", ";
		int r = snprintf(buf + len, n - len, "%s%s", sep, name);
		if (r < 0)
			break;
		len += (size_t)r;
	}
}

void profile_warn_damage(const struct profile *p, const char *path)
{
	if (p->file_corrupt)
		warn("'%s' is damaged after %llu records; showing what was read before that", path,
		     (unsigned long long)p->records);
	else if (p->file_truncated)
		warn("'%s' is truncated (the recording was cut short); showing its %llu complete records",
		     path, (unsigned long long)p->records);
	else if (!p->finished)
		warn("'%s' has no end marker (the recording was interrupted); it may be incomplete", path);
}

void profile_free(struct profile *p)
{
	if (!p)
		return;
	symbolizer_free(p->sym);
	interner_free(&p->strs);
	vec_free(&p->modules);
	vec_free(&p->locs);
	vec_free(&p->frame_locs);
	vec_free(&p->frames);
	vec_free(&p->rstacks);
	vec_free(&p->nodes);
	vec_free(&p->samples);
	vec_free(&p->weights);
	vec_free(&p->values);
	vec_free(&p->stale);
	for (size_t i = 0; i < p->meta_keys.n; i++) {
		free(p->meta_keys.v[i]);
		free(p->meta_vals.v[i]);
	}
	vec_free(&p->meta_keys);
	vec_free(&p->meta_vals);
	u64map_free(&p->loc_index);
	u64map_free(&p->node_index);
	free(p);
}
