/* speedscope export. Frames are shared across profiles; a frame is a
 * location of the model (function, file, line) or, for text input, a
 * frame name as written. Stacks are written root first, as the format wants. */
#include "render/speedscope.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "profile/model.h"
#include "render/folded_profile.h"
#include "util/escape.h"
#include "util/hashmap.h"
#include "util/satadd.h"
#include "util/strbuf.h"
#include "util/vec.h"

#define SCHEMA "https://www.speedscope.app/file-format-schema.json"

static void write_header(struct strbuf *sb)
{
	sb_adds(sb, "{\"$schema\":\"" SCHEMA "\",\"shared\":{\"frames\":[");
}

static void write_trailer(struct strbuf *sb, const struct speedscope_opts *o)
{
	sb_adds(sb, ",\"name\":");
	const char *name = o->name ? o->name : "sonde profile";
	json_quote(sb, name, strlen(name));
	sb_adds(sb, ",\"activeProfileIndex\":0,\"exporter\":\"sonde " SONDE_VERSION "\"}\n");
}

/* Flushes sb to out when it grows large; returns -1 on a write error. */
static int flush(FILE *out, struct strbuf *sb, bool force)
{
	if (!force && sb->len < (1u << 16))
		return 0;
	if (sb->len && fwrite(sb->buf, 1, sb->len, out) != sb->len)
		return -1;
	sb_reset(sb);
	return 0;
}

/* ---- recordings ---- */

struct thread_samples {
	uint32_t pid, tid, comm;
	VEC(uint32_t) idx; /* sample indexes, in time order */
};

static int cmp_time(const void *a, const void *b, void *arg)
{
	const struct profile *p = arg;
	uint64_t ta = p->samples.v[*(const uint32_t *)a].time, tb = p->samples.v[*(const uint32_t *)b].time;
	if (ta != tb)
		return ta < tb ? -1 : 1;
	return *(const uint32_t *)a < *(const uint32_t *)b ? -1 : 1;
}

/* Frames are functions: locations with the same function, file and module
 * (they differ in line and offset) share one frame, whose line is the
 * smallest seen, close to where the function starts. */
struct ss_frame {
	uint32_t loc; /* a representative location */
	uint32_t line;
};

static uint32_t loc_frame(const struct profile *p, uint32_t loc, struct u64map *by_loc, struct u64map *by_key,
			  void *framesv)
{
	VEC(struct ss_frame) *frames = framesv;
	uint64_t *hit = u64map_get(by_loc, loc);
	if (hit)
		return (uint32_t)*hit;
	const struct prof_loc *l = &p->locs.v[loc];
	uint64_t key = hash_u64(((uint64_t)l->func << 32) ^ l->file) ^ hash_u64(((uint64_t)l->module << 2) |
										 (l->unknown ? 1 : 0) | (l->kernel ? 2 : 0));
	uint32_t id;
	for (;;) {
		bool fresh;
		uint64_t *slot = u64map_upsert(by_key, key, frames->n, &fresh);
		if (fresh) {
			struct ss_frame f = { loc, l->line };
			vec_push(frames, f);
			id = (uint32_t)(frames->n - 1);
			break;
		}
		const struct prof_loc *o = &p->locs.v[frames->v[*slot].loc];
		if (o->func == l->func && o->file == l->file && o->module == l->module && o->unknown == l->unknown &&
		    o->kernel == l->kernel) {
			id = (uint32_t)*slot;
			if (l->line && (!frames->v[id].line || l->line < frames->v[id].line))
				frames->v[id].line = l->line;
			break;
		}
		key = hash_u64(key + 1);
	}
	*u64map_upsert(by_loc, loc, id, NULL) = id;
	return id;
}

static void frame_json(const struct profile *p, const struct ss_frame *fr, bool first, struct strbuf *out)
{
	const struct prof_loc *l = &p->locs.v[fr->loc];
	if (!first)
		sb_addc(out, ',');
	sb_adds(out, "{\"name\":");
	const struct prof_module *m = &p->modules.v[l->module];
	if (l->unknown) {
		const char *mod = prof_str(p, m->name);
		char *n = mod[0] == '[' ? xstrdup(mod) : xasprintf("[%s]", mod);
		json_quote(out, n, strlen(n));
		free(n);
	} else {
		const char *fn = prof_str(p, l->func);
		json_quote(out, fn, strlen(fn));
	}
	const char *file = prof_str(p, l->file);
	if (file && *file) {
		sb_adds(out, ",\"file\":");
		json_quote(out, file, strlen(file));
		if (fr->line)
			sb_addf(out, ",\"line\":%u", fr->line);
	} else if (!l->unknown) {
		/* no source: the module tells where the code lives */
		const char *mod = prof_str(p, m->kernel ? m->name : m->path);
		if (mod && *mod) {
			sb_adds(out, ",\"file\":");
			json_quote(out, mod, strlen(mod));
		}
	}
	sb_addc(out, '}');
}

/* speedscope's name for a weight's unit. */
static const char *speedscope_unit(const char *unit)
{
	if (!strcmp(unit, "bytes"))
		return "bytes";
	if (!strcmp(unit, "ns"))
		return "nanoseconds";
	return "none";
}

static int write_text(FILE *out, const struct profile *p, const struct speedscope_opts *o);

int speedscope_write_profile(FILE *out, const struct profile *p, const struct speedscope_opts *o)
{
	if (p->from_text)
		return write_text(out, p, o);
	/* group samples by thread, in order of first appearance */
	struct u64map tindex = { 0 };
	VEC(struct thread_samples) threads = { 0 };
	for (size_t i = 0; i < p->samples.n; i++) {
		const struct prof_sample *s = &p->samples.v[i];
		bool fresh;
		uint64_t *slot = u64map_upsert(&tindex, ((uint64_t)s->pid << 32) | s->tid, threads.n, &fresh);
		if (fresh) {
			struct thread_samples ts = { s->pid, s->tid, s->comm, { 0 } };
			vec_push(&threads, ts);
		}
		struct thread_samples *ts = &threads.v[*slot];
		ts->comm = s->comm; /* the latest name (after exec / prctl) */
		vec_push(&ts->idx, (uint32_t)i);
	}

	/* stacks: per resolved stack, its root-first frame list, built once */
	struct u64map by_loc = { 0 }, by_key = { 0 };
	VEC(struct ss_frame) frames = { 0 };
	char **stack_text = xcalloc(p->rstacks.n ? p->rstacks.n : 1, sizeof(char *));
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < p->samples.n; i++) {
		uint32_t r = p->samples.v[i].rstack;
		if (stack_text[r])
			continue;
		const struct prof_rstack *rs = &p->rstacks.v[r];
		sb_reset(&sb);
		for (uint32_t k = rs->frame_n; k-- > 0;) {
			const struct prof_frame *f = &p->frames.v[rs->frame_first + k];
			uint32_t first = o->no_inline ? f->loc_n - 1 : 0;
			for (uint32_t j = f->loc_n; j-- > first;) {
				uint32_t id = loc_frame(p, p->frame_locs.v[f->loc_first + j], &by_loc, &by_key, &frames);
				sb_addf(&sb, sb.len ? ",%u" : "%u", id);
			}
		}
		sb_add(&sb, "", 0);
		stack_text[r] = xstrdup(sb.buf);
	}

	struct strbuf w = STRBUF_INIT;
	int rc = 0;
	write_header(&w);
	for (size_t i = 0; i < frames.n; i++) {
		frame_json(p, &frames.v[i], i == 0, &w);
		if (flush(out, &w, false) < 0)
			rc = -1;
	}
	sb_adds(&w, "]},\"profiles\":[");
	for (size_t t = 0; t < threads.n && !rc; t++) {
		struct thread_samples *ts = &threads.v[t];
		qsort_r(ts->idx.v, ts->idx.n, sizeof(uint32_t), cmp_time, (void *)p);
		sb_adds(&w, t ? ",{" : "{");
		sb_adds(&w, "\"type\":\"sampled\",\"name\":");
		char *name = xasprintf("%s (pid %u, tid %u)", prof_str(p, ts->comm), ts->pid, ts->tid);
		json_quote(&w, name, strlen(name));
		free(name);
		uint64_t end = 0;
		for (size_t k = 0; k < ts->idx.n; k++)
			end += o->weighted ? prof_value(p, ts->idx.v[k], o->weight) : 1;
		sb_adds(&w, ",\"unit\":\"");
		sb_adds(&w, o->weighted ? speedscope_unit(profile_weight_unit(p, o->weight)) : "none");
		sb_adds(&w, "\",\"startValue\":0,\"endValue\":");
		sb_addf(&w, "%" PRIu64, end);
		sb_adds(&w, ",\"samples\":[");
		/* merge runs of the same stack */
		VEC(uint64_t) weights = { 0 };
		uint32_t prev = UINT32_MAX;
		for (size_t k = 0; k < ts->idx.n; k++) {
			uint32_t r = p->samples.v[ts->idx.v[k]].rstack;
			uint64_t v = o->weighted ? prof_value(p, ts->idx.v[k], o->weight) : 1;
			if (r == prev) {
				weights.v[weights.n - 1] += v;
				continue;
			}
			prev = r;
			vec_push(&weights, v);
			sb_adds(&w, weights.n > 1 ? ",[" : "[");
			sb_adds(&w, stack_text[r]);
			sb_addc(&w, ']');
			if (flush(out, &w, false) < 0)
				rc = -1;
		}
		sb_adds(&w, "],\"weights\":[");
		for (size_t k = 0; k < weights.n; k++)
			sb_addf(&w, k ? ",%" PRIu64 : "%" PRIu64, weights.v[k]);
		sb_adds(&w, "]}");
		vec_free(&weights);
		if (flush(out, &w, false) < 0)
			rc = -1;
	}
	sb_adds(&w, "]");
	write_trailer(&w, o);
	if (flush(out, &w, true) < 0 || fflush(out) != 0)
		rc = -1;

	for (size_t i = 0; i < p->rstacks.n; i++)
		free(stack_text[i]);
	free(stack_text);
	for (size_t t = 0; t < threads.n; t++)
		vec_free(&threads.v[t].idx);
	vec_free(&threads);
	u64map_free(&tindex);
	u64map_free(&by_loc);
	u64map_free(&by_key);
	vec_free(&frames);
	sb_free(&sb);
	sb_free(&w);
	return rc;
}

/* ---- text (folded stacks, perf script) ---- */

/* One profile with one weighted sample per stack, in the text's order; a
 * frame per name as written (marks included), numbered as first met. */
static int write_text(FILE *out, const struct profile *p, const struct speedscope_opts *o)
{
	uint32_t *ids = xmalloc((p->locs.n ? p->locs.n : 1) * sizeof(*ids));
	for (size_t i = 0; i < p->locs.n; i++)
		ids[i] = UINT32_MAX; /* not met yet */
	uint32_t nframes = 0, *path = NULL, path_cap = 0;
	uint64_t total = 0;
	bool capped = false;
	struct strbuf frames = STRBUF_INIT, samples = STRBUF_INIT, weights = STRBUF_INIT, name = STRBUF_INIT;
	for (size_t i = 0; i < p->samples.n; i++) {
		uint64_t count = prof_value(p, i, 0);
		total = sat_add(total, count, &capped);
		if (!count)
			continue;
		uint32_t node = p->rstacks.v[p->samples.v[i].rstack].node, d = p->nodes.v[node].depth;
		if (d > path_cap)
			path = xrealloc(path, (path_cap = d) * sizeof(*path));
		profile_node_path(p, node, path);
		sb_adds(&samples, samples.len ? ",[" : "[");
		bool first = true;
		for (uint32_t k = 0; k < d; k++) {
			uint32_t *id = &ids[path[k]];
			if (*id == UINT32_MAX) {
				sb_reset(&name);
				profile_text_name(p, path[k], &name);
				if (!name.len) {
					*id = UINT32_MAX - 1; /* an empty name: no frame */
				} else {
					*id = nframes++;
					sb_adds(&frames, *id ? ",{\"name\":" : "{\"name\":");
					json_quote(&frames, name.buf, name.len);
					sb_addc(&frames, '}');
				}
			}
			if (*id == UINT32_MAX - 1)
				continue;
			sb_addf(&samples, first ? "%u" : ",%u", *id);
			first = false;
		}
		sb_addc(&samples, ']');
		sb_addf(&weights, weights.len ? ",%" PRIu64 : "%" PRIu64, count);
	}
	struct strbuf w = STRBUF_INIT;
	write_header(&w);
	sb_add(&w, frames.buf ? frames.buf : "", frames.len);
	sb_adds(&w, "]},\"profiles\":[{\"type\":\"sampled\",\"name\":");
	const char *pname = o->name ? o->name : "folded stacks";
	json_quote(&w, pname, strlen(pname));
	sb_addf(&w, ",\"unit\":\"none\",\"startValue\":0,\"endValue\":%" PRIu64 ",\"samples\":[", total);
	sb_add(&w, samples.buf ? samples.buf : "", samples.len);
	sb_adds(&w, "],\"weights\":[");
	sb_add(&w, weights.buf ? weights.buf : "", weights.len);
	sb_adds(&w, "]}]");
	write_trailer(&w, o);
	int rc = flush(out, &w, true) < 0 || fflush(out) != 0 ? -1 : 0;
	sb_free(&w);
	sb_free(&frames);
	sb_free(&samples);
	sb_free(&weights);
	sb_free(&name);
	free(ids);
	free(path);
	return rc;
}
