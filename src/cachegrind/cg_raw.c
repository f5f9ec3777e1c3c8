/* Raw dump -> cachegrind.out lines and per-stack costs (cg_raw.h). */
#include "cachegrind/cg_raw.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "binary/symbolizer.h"
#include "cg_dump_format.h"
#include "util/die.h"
#include "util/hashmap.h"
#include "util/strbuf.h"

struct rmap {
	uint64_t start, end, offset;
	int module;
	uint32_t path; /* in data.strs */
};

/* one (file, function, line) of the output */
struct agg {
	uint32_t file, fn, line;
	uint64_t c[CG_MAX_EVENTS];
};

struct loader {
	struct cg_raw *r;
	struct symbolizer *sym;
	VEC(struct rmap) maps;
	VEC(struct agg) aggs;
	struct u64map agg_by_key;  /* hash(file, fn, line) chain -> agg + 1 */
	struct u64map pc_agg;      /* pc -> agg + 1 */
	struct u64map entry_name;  /* call-stack entry address -> string id + 1 */
	VEC(uint32_t) node_parent; /* this vCPU's nodes */
	VEC(uint64_t) node_entry;
	struct u64map stack_of;    /* (node, function) -> stack + 1, this vCPU */
	uint32_t unknown;          /* "???" */
	int col[CGR_N];            /* raw counter -> event column, or -1 */
	struct strbuf sb;
};

static const struct rmap *map_of(struct loader *l, uint64_t pc)
{
	for (size_t i = 0; i < l->maps.n; i++)
		if (pc >= l->maps.v[i].start && pc < l->maps.v[i].end)
			return &l->maps.v[i];
	return NULL;
}

/* The symbol table's and the line table's view of pc. */
static void resolve(struct loader *l, uint64_t pc, uint32_t *fn, uint32_t *file, uint32_t *line)
{
	struct interner *s = &l->r->data.strs;
	*fn = *file = l->unknown;
	*line = 0;
	const struct rmap *m = map_of(l, pc);
	uint64_t vaddr;
	if (!m || !symbolizer_offset_to_vaddr(l->sym, m->module, pc - m->start + m->offset, &vaddr))
		return;
	const struct sym_result *n = symbolizer_lookup_name(l->sym, m->module, vaddr);
	if (n->frames[0].func) {
		const char *name = n->frames[0].func;
		/* valgrind's name for the code that calls main */
		if (!strcmp(name, "__libc_start_call_main") || !strcmp(name, "generic_start_main"))
			name = "(below main)";
		*fn = intern(s, name);
	}
	const struct sym_result *d = symbolizer_lookup(l->sym, m->module, vaddr);
	const struct sym_frame *f = &d->frames[0];
	if (f->file) { /* line 0 included: valgrind keeps the file */
		/* valgrind names a relative file from its compilation directory */
		if (f->file[0] != '/' && f->comp_dir && *f->comp_dir) {
			char *full = xasprintf("%s/%s", f->comp_dir, f->file);
			*file = intern(s, full);
			free(full);
		} else {
			*file = intern(s, f->file);
		}
		*line = f->line;
	}
}

static uint32_t agg_for(struct loader *l, uint64_t pc)
{
	uint64_t *slot = u64map_get(&l->pc_agg, pc);
	if (slot)
		return (uint32_t)(*slot - 1);
	uint32_t fn, file, line;
	resolve(l, pc, &fn, &file, &line);
	uint64_t key = hash_u64((uint64_t)file << 32 | fn) ^ hash_u64(line);
	uint64_t *a;
	/* collisions: probe the next keys */
	for (;; key++) {
		a = u64map_get(&l->agg_by_key, key);
		if (!a)
			break;
		const struct agg *g = &l->aggs.v[*a - 1];
		if (g->file == file && g->fn == fn && g->line == line)
			break;
	}
	if (!a) {
		struct agg g = { file, fn, line, { 0 } };
		vec_push(&l->aggs, g);
		a = u64map_upsert(&l->agg_by_key, key, l->aggs.n, NULL);
	}
	uint32_t idx = (uint32_t)(*a - 1);
	*u64map_upsert(&l->pc_agg, pc, idx + 1, NULL) = idx + 1;
	return idx;
}

static uint32_t entry_name(struct loader *l, uint64_t entry)
{
	uint64_t *slot = u64map_get(&l->entry_name, entry);
	if (slot)
		return (uint32_t)(*slot - 1);
	uint32_t fn, file, line;
	resolve(l, entry, &fn, &file, &line);
	*u64map_upsert(&l->entry_name, entry, 0, NULL) = fn + 1;
	return fn;
}

/* The stack "outer;...;leaf" of node with fn as the function running. */
static uint32_t stack_for(struct loader *l, uint32_t node, uint32_t fn)
{
	uint64_t key = (uint64_t)node << 32 | fn;
	uint64_t *slot = u64map_get(&l->stack_of, key);
	if (slot)
		return (uint32_t)(*slot - 1);
	uint32_t chain[512], n = 0;
	for (uint32_t at = node; at && n < 512; at = l->node_parent.v[at])
		chain[n++] = entry_name(l, l->node_entry.v[at]);
	const struct interner *s = &l->r->data.strs;
	struct cg_raw *r = l->r;
	sb_reset(&l->sb);
	if (r->threads.n) { /* the thread frame, as cg_stacks.h spells it */
		const struct cg_thread *t = &r->threads.v[r->threads.n - 1];
		for (const char *c = t->comm; *c; c++)
			sb_addc(&l->sb, *c == ' ' ? '_' : *c == ';' ? ':' : *c);
		sb_addf(&l->sb, "-%d/%d;", r->pid, t->tid);
	}
	for (uint32_t i = n; i > 0; i--)
		sb_addf(&l->sb, "%s%s", i == n ? "" : ";", interned(s, chain[i - 1]));
	if (!n || chain[0] != fn)
		sb_addf(&l->sb, "%s%s", n ? ";" : "", interned(s, fn));
	uint32_t name = intern(&r->stacks, l->sb.buf);
	if (name == r->stack_costs.n) {
		struct cg_stack st = { name, { 0 } };
		vec_push(&r->stack_costs, st);
	}
	*u64map_upsert(&l->stack_of, key, 0, NULL) = name + 1;
	return name;
}

static void set_events(struct loader *l)
{
	struct cg_data *d = &l->r->data;
	static const char *const cache_ev[] = { "I1mr", "ILmr", "Dr", "D1mr", "DLmr", "Dw", "D1mw", "DLmw" };
	static const char *const br_ev[] = { "Bc", "Bcm", "Bi", "Bim" };
	d->n_events = 0;
	d->events[d->n_events++] = xstrdup("Ir");
	for (int k = 0; k < CGR_N; k++)
		l->col[k] = -1;
	if (l->r->cache)
		for (int k = 0; k < 8; k++) {
			l->col[CGR_I1MR + k] = (int)d->n_events;
			d->events[d->n_events++] = xstrdup(cache_ev[k]);
		}
	if (l->r->branch)
		for (int k = 0; k < 4; k++) {
			l->col[CGR_BC + k] = (int)d->n_events;
			d->events[d->n_events++] = xstrdup(br_ev[k]);
		}
}

static int cmp_agg(const void *a, const void *b, void *arg)
{
	const struct agg *x = a, *y = b;
	const struct interner *s = arg;
	int c = strcmp(interned(s, x->file), interned(s, y->file));
	if (!c)
		c = strcmp(interned(s, x->fn), interned(s, y->fn));
	return c ? c : (x->line > y->line) - (x->line < y->line);
}

/* The lines grouped by file and function, sorted. */
static void build_fns(struct loader *l)
{
	struct cg_data *d = &l->r->data;
	if (l->aggs.n)
		qsort_r(l->aggs.v, l->aggs.n, sizeof(*l->aggs.v), cmp_agg, &d->strs);
	for (size_t i = 0; i < l->aggs.n; i++) {
		const struct agg *g = &l->aggs.v[i];
		if (!d->fns.n || d->fns.v[d->fns.n - 1].file != g->file || d->fns.v[d->fns.n - 1].name != g->fn) {
			struct cg_fn f = { g->file, g->fn, { 0 } };
			vec_push(&d->fns, f);
		}
		struct cg_line ln = { .line = g->line };
		memcpy(ln.c, g->c, sizeof(ln.c));
		vec_push(&d->fns.v[d->fns.n - 1].lines, ln);
		for (uint32_t e = 0; e < d->n_events; e++)
			d->summary[e] += g->c[e];
	}
	d->has_summary = true;
}

struct parse {
	uint32_t blk_node, blk_left;
	uint64_t blk_exec;
	bool header, sim, ended;
};

static int parse_line(struct loader *l, struct parse *ps, char *line, const char **bad)
{
	struct cg_raw *r = l->r;
	unsigned long long a, b, c;
	int x, y, pos = 0;
	if (!ps->header) {
		ps->header = true;
		*bad = "not a sonde cachegrind dump";
		return strcmp(line, CG_RAW_MAGIC) ? -1 : 0;
	}
	*bad = "damaged";
	if (line[0] == 'i' && line[1] == ' ') {
		unsigned long long v[CGR_N];
		unsigned size;
		if (!ps->blk_left || sscanf(line, "i %llx %u %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &a,
					    &size, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9],
					    &v[10], &v[11]) != 2 + CGR_N)
			return -1;
		ps->blk_left--;
		/* indexes first: both calls may grow the vectors */
		uint32_t gi = agg_for(l, a);
		uint32_t si = stack_for(l, ps->blk_node, l->aggs.v[gi].fn);
		struct agg *g = &l->aggs.v[gi];
		struct cg_stack *st = &r->stack_costs.v[si];
		static uint64_t no_thread[CG_MAX_EVENTS]; /* an old dump's */
		uint64_t *th = r->threads.n ? r->threads.v[r->threads.n - 1].c : no_thread;
		g->c[0] += ps->blk_exec;
		st->c[0] += ps->blk_exec;
		th[0] += ps->blk_exec;
		for (int k = 0; k < CGR_N; k++)
			if (l->col[k] >= 0) {
				g->c[l->col[k]] += v[k];
				st->c[l->col[k]] += v[k];
				th[l->col[k]] += v[k];
			}
		return 0;
	}
	if (ps->blk_left)
		return -1; /* a block's instructions cut short */
	if (!strncmp(line, "blk ", 4)) {
		if (sscanf(line, "blk %llu %llu %llu", &a, &b, &c) != 3 || a >= l->node_parent.n || b == 0)
			return -1;
		ps->blk_node = (uint32_t)a;
		ps->blk_left = (uint32_t)b;
		ps->blk_exec = c;
	} else if (!strncmp(line, "node ", 5)) {
		if (sscanf(line, "node %llu %llu %llx", &a, &b, &c) != 3 || a != l->node_parent.n || b >= a)
			return -1;
		vec_push(&l->node_parent, (uint32_t)b);
		vec_push(&l->node_entry, c);
	} else if (!strncmp(line, "vcpu ", 5)) {
		int tid;
		if (!ps->sim)
			return -1;
		if (sscanf(line, "vcpu %llu %d %n", &a, &tid, &pos) == 2 && pos) {
			struct cg_thread t = { tid, xstrdup(line + pos), { 0 } };
			vec_push(&r->threads, t);
		}
		l->node_parent.n = l->node_entry.n = 0;
		vec_push(&l->node_parent, 0);
		vec_push(&l->node_entry, 0);
		u64map_free(&l->stack_of);
	} else if (!strncmp(line, "map ", 4)) {
		if (sscanf(line, "map %llx %llx %llx %n", &a, &b, &c, &pos) != 3 || !pos || a >= b)
			return -1;
		/* only regular files are opened: a planted dump must not make
		 * sonde read a FIFO or a device */
		struct stat st;
		int mod = stat(line + pos, &st) == 0 && S_ISREG(st.st_mode) ? symbolizer_module(l->sym, line + pos, NULL, 0) : -1;
		struct rmap m = { a, b, c, mod, intern(&r->data.strs, line + pos) };
		vec_push(&l->maps, m);
	} else if (!strncmp(line, "sim ", 4)) {
		if (sscanf(line, "sim %d %d", &x, &y) != 2 || ps->sim)
			return -1; /* one sim line: the columns are fixed by it */
		r->cache = x == 1;
		r->branch = y == 1;
		ps->sim = true;
		set_events(l);
	} else if (!strncmp(line, "fatal ", 6)) {
		int info;
		if (sscanf(line, "fatal %d %d %d %llx", &r->death.sig, &info, &r->death.code, &a) != 4)
			return -1;
		r->death.has_info = info == 1;
		r->death.addr = a;
	} else if (!strncmp(line, "fatal_ip", 8)) {
		for (char *at = line + 8, *end; *at; at = end) {
			struct cg_frame fr = { .ip = strtoull(at, &end, 16) };
			if (end == at)
				break;
			const struct rmap *m = map_of(l, fr.ip);
			fr.object = m ? m->path : l->unknown;
			resolve(l, fr.ip, &fr.fn, &fr.file, &fr.line);
			fr.known = fr.fn != l->unknown;
			vec_push(&r->death.frames, fr);
		}
	} else if (!strncmp(line, "cmd ", 4)) {
		free(r->exec_cmd);
		r->exec_cmd = xstrdup(line + 4);
	} else if (!strncmp(line, "pid ", 4)) {
		if (sscanf(line, "pid %d", &r->pid) != 1)
			return -1;
	} else if (!strcmp(line, "end")) {
		ps->ended = true;
	}
	return 0;
}

int cg_raw_load(const char *path, struct cg_raw *r, char *why, size_t why_len)
{
	memset(r, 0, sizeof(*r));
	FILE *f = fopen(path, "re");
	if (!f) {
		snprintf(why, why_len, "cannot open '%s': %s", path, strerror(errno));
		return -1;
	}
	struct loader l = { .r = r };
	l.sym = symbolizer_new();
	symbolizer_set_symbol_names(l.sym, true);
	l.unknown = intern(&r->data.strs, "???");
	struct parse ps = { 0 };
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	uint64_t lineno = 0;
	int rc = 0;
	const char *bad = NULL;
	while (!ps.ended && (len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		if (len && line[len - 1] == '\n')
			line[len - 1] = 0;
		if (parse_line(&l, &ps, line, &bad) < 0) {
			snprintf(why, why_len, "'%s': %s (line %" PRIu64 ")", path, bad, lineno);
			rc = -1;
			break;
		}
	}
	if (!rc && !ps.ended) {
		snprintf(why, why_len, "'%s': %s", path,
			 lineno ? "truncated: the engine did not finish writing it" : "empty");
		rc = -1;
	}
	free(line);
	fclose(f);
	if (!rc)
		build_fns(&l);
	sb_free(&l.sb);
	vec_free(&l.maps);
	vec_free(&l.aggs);
	vec_free(&l.node_parent);
	vec_free(&l.node_entry);
	u64map_free(&l.agg_by_key);
	u64map_free(&l.pc_agg);
	u64map_free(&l.entry_name);
	u64map_free(&l.stack_of);
	symbolizer_free(l.sym);
	if (rc)
		cg_raw_free(r);
	return rc;
}

void cg_raw_free(struct cg_raw *r)
{
	struct cg_data *d = &r->data;
	for (size_t i = 0; i < d->fns.n; i++)
		vec_free(&d->fns.v[i].lines);
	vec_free(&d->fns);
	for (size_t i = 0; i < d->desc.n; i++)
		free(d->desc.v[i]);
	vec_free(&d->desc);
	free(d->cmd);
	for (uint32_t i = 0; i < d->n_events; i++)
		free(d->events[i]);
	interner_free(&d->strs);
	interner_free(&r->stacks);
	vec_free(&r->stack_costs);
	for (size_t i = 0; i < r->threads.n; i++)
		free(r->threads.v[i].comm);
	vec_free(&r->threads);
	free(r->exec_cmd);
	vec_free(&r->death.frames);
	memset(r, 0, sizeof(*r));
}
