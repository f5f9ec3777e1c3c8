/* cachegrind.out -> profile model (see cg_profile.h). */
#include "cachegrind/cg_profile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cachegrind/cg_read.h"
#include "profile/model.h"
#include "util/die.h"

bool cg_profile_sniff(const char *path)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return false;
	char buf[256];
	bool yes = false;
	/* desc: lines, then cmd:; comments and blank lines may come first */
	while (fgets(buf, sizeof(buf), f)) {
		if (buf[0] == '#' || buf[0] == '\n')
			continue;
		yes = !strncmp(buf, "desc:", 5) || !strncmp(buf, "cmd:", 4);
		break;
	}
	fclose(f);
	return yes;
}

/* Ir counts instructions; the other events (misses, accesses, branches)
 * are plain counts. */
static const char *event_unit(const char *e)
{
	return !strcmp(e, "Ir") ? "instructions" : "count";
}

struct profile *cg_profile_from_data(const struct cg_data *d)
{
	struct profile *p = profile_new();
	p->from_text = true; /* no threads, frames named as written */
	profile_add_module(p, "[unknown]", false);
	bool negative = false; /* cg_diff's output */
	for (size_t f = 0; f < d->fns.n; f++)
		for (size_t j = 0; j < d->fns.v[f].lines.n; j++)
			for (uint32_t i = 0; i < d->n_events; i++)
				negative |= cg_count(&d->fns.v[f].lines.v[j], i) < 0;
	for (uint32_t i = 0; i < d->n_events; i++)
		if (negative)
			profile_add_weight(p, d->events[i], event_unit(d->events[i]));
		else
			profile_add_weight_unsigned(p, d->events[i], event_unit(d->events[i]));
	profile_add_meta(p, "event", "cachegrind");
	uint32_t comm = 0; /* the command's program, as reports name a process */
	if (d->cmd) {
		profile_add_meta(p, "cmd", d->cmd);
		size_t n = strcspn(d->cmd, " \t");
		const char *base = memrchr(d->cmd, '/', n);
		base = base ? base + 1 : d->cmd;
		comm = intern_n(&p->strs, base, n - (size_t)(base - d->cmd));
	}
	for (size_t f = 0; f < d->fns.n; f++) {
		const struct cg_fn *fn = &d->fns.v[f];
		char *name = xasprintf("%s:%s", interned(&d->strs, fn->file), interned(&d->strs, fn->name));
		struct prof_loc l;
		memset(&l, 0, sizeof(l)); /* locations are hashed as bytes */
		l.func = intern(&p->strs, name);
		l.file = intern(&p->strs, interned(&d->strs, fn->file));
		free(name);
		uint32_t loc = profile_intern_loc(p, &l);
		/* one frame, so that reports (which walk frames) list it */
		struct prof_frame fr = { 0, (uint32_t)p->frame_locs.n, 1 };
		vec_push(&p->frame_locs, loc);
		vec_push(&p->frames, fr);
		struct prof_rstack rs = { (uint32_t)p->frames.n - 1, 1, profile_node_child(p, 0, loc), false };
		vec_push(&p->rstacks, rs);
		int64_t v[CG_MAX_EVENTS] = { 0 };
		for (size_t j = 0; j < fn->lines.n; j++)
			for (uint32_t i = 0; i < d->n_events; i++)
				v[i] = cg_sat_add(v[i], cg_count(&fn->lines.v[j], i));
		struct prof_sample s = { .rstack = (uint32_t)p->rstacks.n - 1, .comm = comm };
		profile_add_sample(p, &s, v);
	}
	return p;
}

struct profile *cg_profile_load(const char *path)
{
	struct cg_data d = { 0 };
	char err[4096];
	if (cg_read_file(path, &d, err, sizeof(err)) < 0)
		die("%s", err);
	struct profile *p = cg_profile_from_data(&d);
	cg_data_free(&d);
	return p;
}
