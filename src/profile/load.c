/* Loading a recording (sonde.data) into the profile model: read every
 * record, replay process state (maps, names) in time order, resolve and
 * intern stacks. Weight 0 is the sample period; "samples" counts them. */
#include "profile/model.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "binary/addrspace.h"
#include "binary/perfmap.h"
#include "binary/symbolizer.h"
#include "profile/format.h"
#include "util/die.h"
#include "util/progress.h"

/* ---- raw records as read ---- */

struct raw_stack {
	size_t first;
	uint32_t nr, nr_kernel;
	bool truncated;
};

struct raw_mmap {
	uint64_t start, len, pgoff;
	uint32_t pid;
	uint32_t module;
};

struct raw_comm {
	uint32_t pid, tid, name;
	bool exec;
};

enum ev_kind { EV_MMAP, EV_COMM, EV_FORK, EV_EXIT, EV_SAMPLE };

struct event {
	uint64_t time;
	uint32_t seq;
	uint8_t kind;
	uint32_t index;
};

struct loader {
	struct profile *p;
	VEC(uint64_t) stack_words;
	VEC(struct raw_stack) stacks;
	struct u64map stack_ids; /* recorded id -> index in stacks */
	VEC(struct raw_mmap) mmaps;
	VEC(struct raw_comm) comms;
	VEC(struct sd_task) forks;
	VEC(struct sd_sample) raw_samples;
	VEC(struct event) events;
	struct u64map module_index; /* hash(path, build-id) -> module id */
};

/* ---- per-process state during replay ---- */

struct replay {
	struct addrspaces *as;
	struct u64map comm_of; /* tid -> string id */
	struct u64map frame_cache; /* (module, vaddr) -> loc range */
	VEC(uint64_t) frame_cache_vals;
	struct u64map rstack_cache; /* hash(stack, pid, gen) -> rstack index */
	VEC(uint64_t) rstack_keys;  /* per rstack: stack id, pid, gen for verification */
	uint32_t unknown_module, kernel_module;
	struct perfmaps *jit;     /* /tmp/perf-PID.map of each process */
	struct u64map jit_module; /* pid -> module "[JIT] tid PID" */
};



static uint32_t module_for(struct loader *L, const struct sd_mmap *m)
{
	uint64_t key = hash_bytes(m->filename, strlen(m->filename)) ^ hash_bytes(m->build_id, m->build_id_len);
	bool fresh;
	uint64_t *slot = u64map_upsert(&L->module_index, key, 0, &fresh);
	if (!fresh)
		return (uint32_t)*slot;
	struct profile *p = L->p;
	uint32_t id = profile_add_module(p, m->filename, false);
	struct prof_module *pm = &p->modules.v[id];
	pm->build_id_len = m->build_id_len > 20 ? 20 : m->build_id_len;
	memcpy(pm->build_id, m->build_id, pm->build_id_len);
	pm->map_start = m->start;
	pm->map_len = m->len;
	pm->map_pgoff = m->pgoff;
	/* Anonymous and special maps have no file to read symbols from. */
	if (m->filename[0] == '/') {
		pm->sym_handle = symbolizer_module(p->sym, m->filename, m->build_id, m->build_id_len);
		pm->from_file = pm->sym_handle >= 0;
	}
	*slot = id;
	return id;
}

static void push_event(struct loader *L, uint64_t time, enum ev_kind kind, size_t index)
{
	struct event e = { time, (uint32_t)L->events.n, (uint8_t)kind, (uint32_t)index };
	vec_push(&L->events, e);
}

static void take_record(struct loader *L, const struct sd_record *rec)
{
	struct profile *p = L->p;
	switch (rec->type) {
	case SD_META:
		for (size_t i = 0; i < rec->u.meta.n; i++)
			profile_add_meta(p, rec->u.meta.keys[i], rec->u.meta.vals[i]);
		break;
	case SD_MMAP: {
		const struct sd_mmap *m = &rec->u.mmap;
		struct raw_mmap r = { m->start, m->len, m->pgoff, m->pid, module_for(L, m) };
		vec_push(&L->mmaps, r);
		push_event(L, m->time, EV_MMAP, L->mmaps.n - 1);
		break;
	}
	case SD_COMM: {
		const struct sd_comm *c = &rec->u.comm;
		struct raw_comm r = { c->pid, c->tid, intern(&p->strs, c->comm), c->exec };
		vec_push(&L->comms, r);
		push_event(L, c->time, EV_COMM, L->comms.n - 1);
		break;
	}
	case SD_FORK:
		vec_push(&L->forks, rec->u.task);
		push_event(L, rec->u.task.time, EV_FORK, L->forks.n - 1);
		break;
	case SD_EXIT:
		break; /* nothing in the model depends on exits yet */
	case SD_STACK: {
		const struct sd_stack *s = &rec->u.stack;
		if (s->nr_kernel) /* kernel frames ahead: start reading kallsyms now */
			symbolizer_prefetch_kernel(p->sym);
		struct raw_stack r = { L->stack_words.n, s->nr, s->nr_kernel, s->truncated };
		if (s->nr) { /* an empty stack has no frames array, nor may there be one yet */
			vec_reserve(&L->stack_words, L->stack_words.n + s->nr);
			memcpy(&L->stack_words.v[L->stack_words.n], s->frames, s->nr * sizeof(uint64_t));
			L->stack_words.n += s->nr;
		}
		vec_push(&L->stacks, r);
		*u64map_upsert(&L->stack_ids, s->id, 0, NULL) = L->stacks.n - 1;
		break;
	}
	case SD_SAMPLE:
		vec_push(&L->raw_samples, rec->u.sample);
		push_event(L, rec->u.sample.time, EV_SAMPLE, L->raw_samples.n - 1);
		break;
	case SD_LOST:
		p->lost += rec->u.lost.lost;
		break;
	case SD_USER_STACK:
		break; /* raw stack copies (--keep-stacks): chains are already unwound */
	case SD_FINISH:
		p->finished = true;
		p->exit_status = rec->u.finish.exit_status;
		if (rec->u.finish.time > p->last_time)
			p->last_time = rec->u.finish.time;
		break;
	}
}

static int cmp_event(const void *a, const void *b)
{
	const struct event *x = a, *y = b;
	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* ---- replay ---- */

/* The module of a process's JIT code, named as perf names it. */
static uint32_t jit_module(struct replay *R, struct profile *p, uint32_t pid)
{
	bool fresh;
	uint64_t *slot = u64map_upsert(&R->jit_module, pid, 0, &fresh);
	if (fresh) {
		char name[48];
		snprintf(name, sizeof(name), "[JIT] tid %u", pid);
		*slot = profile_add_module(p, name, false);
	}
	return (uint32_t)*slot;
}

/* Resolves one address of a process into a prof_frame (cached by module+vaddr). */
static struct prof_frame resolve_frame(struct replay *R, struct profile *p, uint32_t pid, uint64_t addr, bool kernel,
				       bool return_address)
{
	struct prof_frame f = { addr, (uint32_t)p->frame_locs.n, 0 };
	uint64_t lookup = return_address && addr ? addr - 1 : addr;
	uint32_t module;
	uint64_t vaddr = lookup;
	int handle = -1;
	const char *jitted = NULL;
	if (kernel) {
		module = R->kernel_module;
	} else {
		const struct as_map *m = addrspaces_find(R->as, pid, addr);
		module = m ? m->module : R->unknown_module;
		/* Code a JIT generated: named by its perf map, as perf does */
		if (pid && (!m || perfmap_anon_name(prof_str(p, p->modules.v[module].path))) &&
		    (jitted = perfmaps_find(R->jit, pid, lookup))) {
			module = jit_module(R, p, pid);
			m = NULL;
		}
		handle = p->modules.v[module].sym_handle;
		uint64_t off = lookup - (uint64_t)(m ? m->off_bias : 0);
		if (m && !(handle >= 0 && symbolizer_offset_to_vaddr(p->sym, handle, off, &vaddr)))
			vaddr = off;
	}
	uint64_t key = ((uint64_t)module << 48) ^ vaddr;
	uint64_t *hit = u64map_get(&R->frame_cache, key);
	if (hit) {
		uint64_t v = R->frame_cache_vals.v[*hit];
		f.loc_first = (uint32_t)(v >> 32);
		f.loc_n = (uint32_t)v;
		return f;
	}
	if (kernel) {
		/* Resolved after the replay (see resolve_kernel_locs), while
		 * kallsyms loads in the background: a placeholder unique to the
		 * address for now. */
		struct prof_loc l = { 0 };
		l.module = module;
		l.kernel = true;
		l.sym_offset = lookup;
		vec_push(&p->frame_locs, profile_intern_loc(p, &l));
	} else if (jitted) {
		struct prof_loc l = { 0 };
		l.func = intern(&p->strs, jitted);
		l.module = module;
		l.jit = true;
		vec_push(&p->frame_locs, profile_intern_loc(p, &l));
	} else {
		const struct sym_result *res = handle >= 0 ? symbolizer_lookup(p->sym, handle, vaddr) : NULL;
		/* A return address at a function's very first byte (a signal
		 * handler returns into __restore_rt) has padding before it. */
		if (return_address && handle >= 0 && (!res || !res->nr || !res->frames[0].func))
			res = symbolizer_lookup(p->sym, handle, vaddr + 1);
		profile_add_sym_locs(p, res, module, "[unknown]");
	}
	f.loc_n = (uint32_t)p->frame_locs.n - f.loc_first;
	*u64map_upsert(&R->frame_cache, key, R->frame_cache_vals.n, NULL) = R->frame_cache_vals.n;
	vec_push(&R->frame_cache_vals, ((uint64_t)f.loc_first << 32) | f.loc_n);
	return f;
}

static uint32_t resolve_stack(struct replay *R, struct loader *L, uint32_t stack_index, uint32_t pid)
{
	struct profile *p = L->p;
	uint32_t gen = addrspaces_gen(R->as, pid);
	uint64_t key = hash_u64(((uint64_t)stack_index << 32) ^ pid) ^ hash_u64(gen + 0x9e37);
	for (;;) {
		uint64_t *hit = u64map_get(&R->rstack_cache, key);
		if (!hit)
			break;
		const uint64_t *k = &R->rstack_keys.v[*hit * 3];
		if (k[0] == stack_index && k[1] == pid && k[2] == gen)
			return (uint32_t)*hit;
		key = hash_u64(key + 1);
	}
	const struct raw_stack *s = &L->stacks.v[stack_index];
	/* no array at all when every stack so far was empty */
	const uint64_t *addrs = s->nr ? &L->stack_words.v[s->first] : NULL;
	/* Frame-pointer walks often end on a null return address: not a frame. */
	uint32_t nr = s->nr;
	while (nr > 1 && nr > s->nr_kernel && addrs[nr - 1] < 4096)
		nr--;
	struct prof_rstack rs = { (uint32_t)p->frames.n, nr, 0, s->truncated };
	for (uint32_t i = 0; i < nr; i++) {
		bool kernel = i < s->nr_kernel;
		/* frames[0] (and the first user frame under kernel frames) is an
		 * interrupted IP; the rest are return addresses. */
		bool ret = !(i == 0 || i == s->nr_kernel);
		struct prof_frame f = resolve_frame(R, p, pid, addrs[i], kernel, ret);
		vec_push(&p->frames, f);
	}
	/* trie: from the outermost frame down to the leaf */
	uint32_t node = 0;
	for (uint32_t i = nr; i-- > 0;) {
		const struct prof_frame *f = &p->frames.v[rs.frame_first + i];
		for (uint32_t j = f->loc_n; j-- > 0;)
			node = profile_node_child(p, node, p->frame_locs.v[f->loc_first + j]);
	}
	rs.node = node;
	vec_push(&p->rstacks, rs);
	uint32_t id = (uint32_t)p->rstacks.n - 1;
	*u64map_upsert(&R->rstack_cache, key, id, NULL) = id;
	vec_push(&R->rstack_keys, stack_index);
	vec_push(&R->rstack_keys, pid);
	vec_push(&R->rstack_keys, gen);
	return id;
}

/* Fills in the kernel placeholders made by resolve_frame: func 0 (the empty
 * string) and the address in sym_offset. */
static void resolve_kernel_locs(struct profile *p)
{
	uint32_t unknown = intern(&p->strs, "[unknown]");
	for (size_t i = 0; i < p->locs.n; i++) {
		struct prof_loc *l = &p->locs.v[i];
		if (!l->kernel || l->func)
			continue;
		const struct sym_result *res = symbolizer_kernel(p->sym, l->sym_offset);
		if (res && res->nr && res->frames[0].func) {
			l->func = intern(&p->strs, res->frames[0].func);
			l->sym_offset = res->sym_offset;
		} else {
			l->func = unknown;
			l->unknown = true;
		}
	}
}

static void replay(struct loader *L, const struct profile_opts *opts)
{
	struct profile *p = L->p;
	struct replay R = { 0 };
	R.as = addrspaces_new();
	R.jit = perfmaps_new();
	R.unknown_module = profile_add_module(p, "[unknown]", false);
	R.kernel_module = profile_add_module(p, "[kernel.kallsyms]", true);
	if (L->events.n) /* qsort's array must not be NULL, even when empty */
		qsort(L->events.v, L->events.n, sizeof(*L->events.v), cmp_event);
	struct progress prog;
	progress_start(&prog, "symbolizing", L->events.n, opts && opts->progress);
	uint32_t unknown_comm = intern(&p->strs, ":unknown");
	for (size_t e = 0; e < L->events.n; e++) {
		if ((e & 0xffff) == 0)
			progress_update(&prog, e);
		const struct event *ev = &L->events.v[e];
		switch (ev->kind) {
		case EV_MMAP: {
			const struct raw_mmap *m = &L->mmaps.v[ev->index];
			struct as_map am = { m->start, m->start + m->len, (int64_t)(m->start - m->pgoff), 0, m->module };
			addrspaces_mmap(R.as, m->pid, &am);
			break;
		}
		case EV_COMM: {
			const struct raw_comm *c = &L->comms.v[ev->index];
			*u64map_upsert(&R.comm_of, c->tid, 0, NULL) = c->name;
			if (c->exec)
				addrspaces_exec(R.as, c->pid);
			break;
		}
		case EV_FORK: {
			const struct sd_task *t = &L->forks.v[ev->index];
			uint64_t *pc = u64map_get(&R.comm_of, t->ptid);
			if (pc) {
				uint64_t name = *pc;
				*u64map_upsert(&R.comm_of, t->tid, 0, NULL) = name;
			}
			addrspaces_fork(R.as, t->ppid, t->pid); /* a new process inherits its parent's maps */
			break;
		}
		case EV_SAMPLE: {
			const struct sd_sample *s = &L->raw_samples.v[ev->index];
			uint64_t *si = u64map_get(&L->stack_ids, s->stack_id);
			if (!si)
				break; /* sample whose stack record was lost */
			struct prof_sample ps = { 0 };
			ps.time = s->time;
			ps.pid = s->pid;
			ps.tid = s->tid;
			ps.cpu = s->cpu;
			ps.cpumode = s->cpumode;
			uint64_t *cm = u64map_get(&R.comm_of, s->tid);
			if (!cm)
				cm = u64map_get(&R.comm_of, s->pid);
			ps.comm = cm ? (uint32_t)*cm : unknown_comm;
			ps.rstack = resolve_stack(&R, L, (uint32_t)*si, s->pid);
			/* (a period past 2^63 is a damaged record: held at the top) */
			int64_t period = !s->period ? 1 : s->period > INT64_MAX ? INT64_MAX : (int64_t)s->period;
			profile_add_sample(p, &ps, &period);
			if (p->rstacks.v[ps.rstack].truncated)
				p->truncated_stacks++;
			if (!p->first_time || s->time < p->first_time)
				p->first_time = s->time;
			if (s->time > p->last_time)
				p->last_time = s->time;
			break;
		}
		default:
			break;
		}
	}
	progress_done(&prog);
	resolve_kernel_locs(p);
	addrspaces_free(R.as);
	perfmaps_free(R.jit);
	u64map_free(&R.jit_module);
	u64map_free(&R.comm_of);
	u64map_free(&R.frame_cache);
	vec_free(&R.frame_cache_vals);
	u64map_free(&R.rstack_cache);
	vec_free(&R.rstack_keys);
}

/* What a period counts: time for the software clocks, else events. */
static const char *period_unit(const char *event)
{
	return !strcmp(event, "cpu-clock") || !strcmp(event, "task-clock") ? "ns" : "events";
}

struct profile *profile_load(const char *path, const struct profile_opts *opts)
{
	char why[256];
	struct sd_reader *r = sd_reader_open(path, why, sizeof(why));
	if (!r) {
		error("cannot read '%s': %s", path, why);
		return NULL;
	}
	struct profile *p = profile_new();
	p->sym = symbolizer_new();
	symbolizer_set_fde_names(p->sym, true);
	symbolizer_set_symbol_names(p->sym, true); /* perf's names */
	if (opts && opts->no_inline)
		symbolizer_set_inline(p->sym, false);
	p->count_weight = true;

	struct loader L = { .p = p };
	struct sd_record rec;
	enum sd_read_status st;
	while ((st = sd_read(r, &rec)) == SD_OK) {
		take_record(&L, &rec);
		p->records++;
	}
	p->file_truncated = st == SD_TRUNCATED;
	p->file_corrupt = st == SD_CORRUPT;
	sd_reader_close(r);

	profile_add_weight(p, "period", period_unit(profile_event(p)));
	replay(&L, opts);
	profile_find_stale(p);

	vec_free(&L.stack_words);
	vec_free(&L.stacks);
	u64map_free(&L.stack_ids);
	vec_free(&L.mmaps);
	vec_free(&L.comms);
	vec_free(&L.forks);
	vec_free(&L.raw_samples);
	vec_free(&L.events);
	u64map_free(&L.module_index);
	return p;
}



