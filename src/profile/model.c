/* Loading a recording into the profile model: read every record, replay
 * process state (maps, names) in time order, resolve and intern stacks. */
#include "profile/model.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

struct map {
	uint64_t start, end, pgoff;
	uint32_t module;
};

struct proc {
	VEC(struct map) maps; /* sorted by start, non-overlapping */
	uint32_t gen;         /* bumped when maps change */
};

struct replay {
	struct u64map procs; /* pid -> index+1 into procs_v */
	VEC(struct proc) procs_v;
	struct u64map comm_of; /* tid -> string id */
	struct u64map frame_cache; /* (module, vaddr) -> loc range */
	VEC(uint64_t) frame_cache_vals;
	struct u64map rstack_cache; /* hash(stack, pid, gen) -> rstack index */
	VEC(uint64_t) rstack_keys;  /* per rstack: stack id, pid, gen for verification */
	uint32_t unknown_module, kernel_module;
};

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

static uint32_t add_module(struct profile *p, const char *path, bool kernel)
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

static uint32_t module_for(struct loader *L, const struct sd_mmap *m)
{
	uint64_t key = hash_bytes(m->filename, strlen(m->filename)) ^ hash_bytes(m->build_id, m->build_id_len);
	bool fresh;
	uint64_t *slot = u64map_upsert(&L->module_index, key, 0, &fresh);
	if (!fresh)
		return (uint32_t)*slot;
	struct profile *p = L->p;
	uint32_t id = add_module(p, m->filename, false);
	struct prof_module *pm = &p->modules.v[id];
	pm->build_id_len = m->build_id_len > 20 ? 20 : m->build_id_len;
	memcpy(pm->build_id, m->build_id, pm->build_id_len);
	pm->map_start = m->start;
	pm->map_len = m->len;
	pm->map_pgoff = m->pgoff;
	/* Anonymous and special maps have no file to read symbols from. */
	if (m->filename[0] == '/')
		p->modules.v[id].sym_handle =
			symbolizer_module(p->sym, m->filename, m->build_id, m->build_id_len);
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
		for (size_t i = 0; i < rec->u.meta.n; i++) {
			vec_push(&p->meta_keys, xstrdup(rec->u.meta.keys[i]));
			vec_push(&p->meta_vals, xstrdup(rec->u.meta.vals[i]));
		}
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

static struct proc *proc_get(struct replay *R, uint32_t pid)
{
	bool fresh;
	uint64_t *slot = u64map_upsert(&R->procs, pid, 0, &fresh);
	if (fresh) {
		struct proc np = { 0 };
		vec_push(&R->procs_v, np);
		*slot = R->procs_v.n;
	}
	return &R->procs_v.v[*slot - 1];
}

static void proc_add_map(struct proc *pr, uint64_t start, uint64_t end, uint64_t pgoff, uint32_t module)
{
	/* Drop or trim whatever the new mapping covers, as mmap(MAP_FIXED) would. */
	size_t out = 0;
	struct map keep_tail = { 0 };
	bool have_tail = false;
	for (size_t i = 0; i < pr->maps.n; i++) {
		struct map m = pr->maps.v[i];
		if (m.end <= start || m.start >= end) {
			pr->maps.v[out++] = m;
			continue;
		}
		if (m.start < start) { /* keep the head */
			struct map h = m;
			h.end = start;
			pr->maps.v[out++] = h;
		}
		if (m.end > end) { /* keep the tail */
			keep_tail = m;
			keep_tail.pgoff += end - m.start;
			keep_tail.start = end;
			have_tail = true;
		}
	}
	pr->maps.n = out;
	struct map nm = { start, end, pgoff, module };
	vec_push(&pr->maps, nm);
	if (have_tail)
		vec_push(&pr->maps, keep_tail);
	/* insertion sort by start: maps arrive mostly in order */
	for (size_t i = 1; i < pr->maps.n; i++) {
		struct map m = pr->maps.v[i];
		size_t j = i;
		while (j > 0 && pr->maps.v[j - 1].start > m.start) {
			pr->maps.v[j] = pr->maps.v[j - 1];
			j--;
		}
		pr->maps.v[j] = m;
	}
	pr->gen++;
}

static const struct map *proc_find(const struct proc *pr, uint64_t addr)
{
	size_t lo = 0, hi = pr->maps.n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (pr->maps.v[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < pr->maps.n && pr->maps.v[lo].start <= addr)
		return &pr->maps.v[lo];
	return NULL;
}

static uint32_t intern_loc(struct profile *p, const struct prof_loc *l)
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

static uint32_t node_child(struct profile *p, uint32_t parent, uint32_t loc)
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

/* Appends the locations of one resolved user address to frame_locs. */
static void push_locs(struct profile *p, const struct sym_result *res, uint32_t module)
{
	const char *fallback = "[unknown]";
	struct prof_loc l;
	if (!res || !res->nr || !res->frames[0].func) {
		memset(&l, 0, sizeof(l));
		l.func = intern(&p->strs, fallback);
		l.file = intern(&p->strs, "");
		l.module = module;
		l.unknown = true;
		vec_push(&p->frame_locs, intern_loc(p, &l));
		return;
	}
	for (uint32_t i = 0; i < res->nr; i++) {
		const struct sym_frame *f = &res->frames[i];
		memset(&l, 0, sizeof(l));
		l.func = intern(&p->strs, f->func ? f->func : fallback);
		l.file = intern(&p->strs, f->file ? f->file : "");
		l.line = f->line;
		l.module = module;
		l.inlined = i + 1 < res->nr;
		l.sym_offset = i + 1 == res->nr ? res->sym_offset : 0;
		vec_push(&p->frame_locs, intern_loc(p, &l));
	}
}

/* Resolves one address of a process into a prof_frame (cached by module+vaddr). */
static struct prof_frame resolve_frame(struct replay *R, struct profile *p, const struct proc *pr,
				       uint64_t addr, bool kernel, bool return_address)
{
	struct prof_frame f = { addr, (uint32_t)p->frame_locs.n, 0 };
	uint64_t lookup = return_address && addr ? addr - 1 : addr;
	uint32_t module;
	uint64_t vaddr = lookup;
	int handle = -1;
	const struct map *m = NULL;
	if (kernel) {
		module = R->kernel_module;
	} else {
		m = pr ? proc_find(pr, addr) : NULL;
		module = m ? m->module : R->unknown_module;
		handle = p->modules.v[module].sym_handle;
		if (m && !(handle >= 0 &&
			   symbolizer_offset_to_vaddr(p->sym, handle, lookup - m->start + m->pgoff, &vaddr)))
			vaddr = lookup - m->start + m->pgoff;
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
		vec_push(&p->frame_locs, intern_loc(p, &l));
	} else {
		const struct sym_result *res = handle >= 0 ? symbolizer_lookup(p->sym, handle, vaddr) : NULL;
		/* A return address at a function's very first byte (a signal
		 * handler returns into __restore_rt) has padding before it. */
		if (return_address && handle >= 0 && (!res || !res->nr || !res->frames[0].func))
			res = symbolizer_lookup(p->sym, handle, vaddr + 1);
		push_locs(p, res, module);
	}
	f.loc_n = (uint32_t)p->frame_locs.n - f.loc_first;
	*u64map_upsert(&R->frame_cache, key, R->frame_cache_vals.n, NULL) = R->frame_cache_vals.n;
	vec_push(&R->frame_cache_vals, ((uint64_t)f.loc_first << 32) | f.loc_n);
	return f;
}

static uint32_t resolve_stack(struct replay *R, struct loader *L, uint32_t stack_index, uint32_t pid)
{
	struct profile *p = L->p;
	struct proc *pr = proc_get(R, pid);
	uint64_t key = hash_u64(((uint64_t)stack_index << 32) ^ pid) ^ hash_u64(pr->gen + 0x9e37);
	for (;;) {
		uint64_t *hit = u64map_get(&R->rstack_cache, key);
		if (!hit)
			break;
		const uint64_t *k = &R->rstack_keys.v[*hit * 3];
		if (k[0] == stack_index && k[1] == pid && k[2] == pr->gen)
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
		struct prof_frame f = resolve_frame(R, p, pr, addrs[i], kernel, ret);
		vec_push(&p->frames, f);
	}
	/* trie: from the outermost frame down to the leaf */
	uint32_t node = 0;
	for (uint32_t i = nr; i-- > 0;) {
		const struct prof_frame *f = &p->frames.v[rs.frame_first + i];
		for (uint32_t j = f->loc_n; j-- > 0;)
			node = node_child(p, node, p->frame_locs.v[f->loc_first + j]);
	}
	rs.node = node;
	vec_push(&p->rstacks, rs);
	uint32_t id = (uint32_t)p->rstacks.n - 1;
	*u64map_upsert(&R->rstack_cache, key, id, NULL) = id;
	vec_push(&R->rstack_keys, stack_index);
	vec_push(&R->rstack_keys, pid);
	vec_push(&R->rstack_keys, pr->gen);
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
	R.unknown_module = add_module(p, "[unknown]", false);
	R.kernel_module = add_module(p, "[kernel.kallsyms]", true);
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
			if (m->len && m->start + m->len > m->start)
				proc_add_map(proc_get(&R, m->pid), m->start, m->start + m->len, m->pgoff,
					     m->module);
			break;
		}
		case EV_COMM: {
			const struct raw_comm *c = &L->comms.v[ev->index];
			*u64map_upsert(&R.comm_of, c->tid, 0, NULL) = c->name;
			if (c->exec) {
				struct proc *pr = proc_get(&R, c->pid);
				pr->maps.n = 0;
				pr->gen++;
			}
			break;
		}
		case EV_FORK: {
			const struct sd_task *t = &L->forks.v[ev->index];
			uint64_t *pc = u64map_get(&R.comm_of, t->ptid);
			if (pc) {
				uint64_t name = *pc;
				*u64map_upsert(&R.comm_of, t->tid, 0, NULL) = name;
			}
			if (t->pid != t->ppid) { /* a new process inherits its parent's maps */
				struct proc *parent = proc_get(&R, t->ppid);
				size_t n = parent->maps.n;
				struct map *copy = xmalloc((n ? n : 1) * sizeof(*copy));
				if (n) /* a parent never seen mapping anything has no array */
					memcpy(copy, parent->maps.v, n * sizeof(*copy));
				struct proc *child = proc_get(&R, t->pid);
				child->maps.n = 0;
				for (size_t i = 0; i < n; i++)
					vec_push(&child->maps, copy[i]);
				child->gen++;
				free(copy);
			}
			break;
		}
		case EV_SAMPLE: {
			const struct sd_sample *s = &L->raw_samples.v[ev->index];
			uint64_t *si = u64map_get(&L->stack_ids, s->stack_id);
			if (!si)
				break; /* sample whose stack record was lost */
			struct prof_sample ps = { 0 };
			ps.time = s->time;
			ps.period = s->period ? s->period : 1;
			ps.pid = s->pid;
			ps.tid = s->tid;
			ps.cpu = s->cpu;
			ps.cpumode = s->cpumode;
			uint64_t *cm = u64map_get(&R.comm_of, s->tid);
			if (!cm)
				cm = u64map_get(&R.comm_of, s->pid);
			ps.comm = cm ? (uint32_t)*cm : unknown_comm;
			ps.rstack = resolve_stack(&R, L, (uint32_t)*si, s->pid);
			vec_push(&p->samples, ps);
			if (p->rstacks.v[ps.rstack].truncated)
				p->truncated_stacks++;
			p->total_period += ps.period;
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
	for (size_t i = 0; i < R.procs_v.n; i++)
		vec_free(&R.procs_v.v[i].maps);
	vec_free(&R.procs_v);
	u64map_free(&R.procs);
	u64map_free(&R.comm_of);
	u64map_free(&R.frame_cache);
	vec_free(&R.frame_cache_vals);
	u64map_free(&R.rstack_cache);
	vec_free(&R.rstack_keys);
}

struct profile *profile_load(const char *path, const struct profile_opts *opts)
{
	char why[256];
	struct sd_reader *r = sd_reader_open(path, why, sizeof(why));
	if (!r) {
		error("cannot read '%s': %s", path, why);
		return NULL;
	}
	struct profile *p = xcalloc(1, sizeof(*p));
	p->exit_status = -1;
	p->sym = symbolizer_new();
	symbolizer_set_fde_names(p->sym, true);
	symbolizer_set_symbol_names(p->sym, true); /* perf's names */
	if (opts && opts->no_inline)
		symbolizer_set_inline(p->sym, false);
	struct prof_node root = { 0, 0, 0 };
	vec_push(&p->nodes, root);
	intern(&p->strs, ""); /* string id 0 is the empty string */

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
