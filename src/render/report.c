/* Children/Self report with per-entry call-graph trees, in perf report's
 * --stdio shape. Samples are first grouped by (stack, key fields) so that
 * the per-frame work is done once per distinct stack, not per sample. */
#include "render/report.h"

#include <stdlib.h>
#include <string.h>

#include "profile/model.h"
#include "profile/stack_frames.h"
#include "util/die.h"
#include "util/hashmap.h"
#include "util/vec.h"

struct entry_key {
	uint32_t comm, pid, tid, cpu, module, func;
};

struct entry {
	struct entry_key k;
	uint64_t self, children;
	bool kernel;
};

struct group {
	struct entry_key k; /* sample-level fields only */
	uint32_t rstack;
	uint64_t weight, nsamples;
};

/* call-graph tree node */
struct gnode {
	uint32_t func;
	uint32_t first_child, next_sibling; /* 0 = none (index 0 is unused) */
	uint64_t weight;
	bool inlined;
};

struct ctx {
	const struct profile *p;
	struct stack_frames sf; /* text models' frames made from their trie */
	const struct report_opts *o;
	VEC(struct entry) entries;
	struct u64map entry_index;
	VEC(struct group) groups;
	uint64_t all, all_samples;     /* every sample of the recording */
	uint64_t shown, shown_samples; /* those that pass --comm and --dso */
	uint64_t total;                /* what percentages are of: all or shown */
	VEC(struct gnode) g;
};

int report_parse_sort(struct report_opts *o, const char *keys)
{
	o->keys = 0;
	o->nkeys = 0;
	char *dup = xstrdup(keys), *save = NULL;
	for (char *k = strtok_r(dup, ",", &save); k; k = strtok_r(NULL, ",", &save)) {
		enum report_key rk;
		if (!strcmp(k, "comm"))
			rk = RK_COMM;
		else if (!strcmp(k, "pid"))
			rk = RK_PID;
		else if (!strcmp(k, "tid"))
			rk = RK_TID;
		else if (!strcmp(k, "dso"))
			rk = RK_DSO;
		else if (!strcmp(k, "sym") || !strcmp(k, "symbol"))
			rk = RK_SYM;
		else if (!strcmp(k, "cpu"))
			rk = RK_CPU;
		else {
			free(dup);
			return -1;
		}
		if (!(o->keys & rk) && o->nkeys < 6) {
			o->keys |= rk;
			o->key_order[o->nkeys++] = rk;
		}
	}
	free(dup);
	if (!o->nkeys)
		return error("--sort needs at least one key");
	return 0;
}

static bool in_list(const char *list, const char *name)
{
	if (!list)
		return true;
	size_t n = strlen(name);
	for (const char *s = list; *s;) {
		const char *e = strchr(s, ',');
		size_t len = e ? (size_t)(e - s) : strlen(s);
		if (len == n && !memcmp(s, name, n))
			return true;
		if (!e)
			break;
		s = e + 1;
	}
	return false;
}

static uint32_t entry_for(struct ctx *c, const struct entry_key *k, bool kernel)
{
	uint64_t h = hash_bytes(k, sizeof(*k));
	for (;;) {
		bool fresh;
		uint64_t *slot = u64map_upsert(&c->entry_index, h, c->entries.n, &fresh);
		if (fresh) {
			struct entry e = { *k, 0, 0, kernel };
			vec_push(&c->entries, e);
			return (uint32_t)*slot;
		}
		if (!memcmp(&c->entries.v[*slot].k, k, sizeof(*k)))
			return (uint32_t)*slot;
		h = hash_u64(h + 1);
	}
}

static struct entry_key frame_key(const struct ctx *c, const struct group *g, const struct prof_frame *f)
{
	struct entry_key k = g->k;
	const struct prof_loc *l = stack_frame_loc(&c->sf, f, f->loc_n - 1);
	if (c->o->keys & RK_DSO)
		k.module = c->p->modules.v[l->module].name;
	if (c->o->keys & RK_SYM)
		k.func = l->func;
	return k;
}

static void build_groups(struct ctx *c)
{
	const struct profile *p = c->p;
	struct u64map gi = { 0 };
	for (size_t i = 0; i < p->samples.n; i++) {
		const struct prof_sample *s = &p->samples.v[i];
		uint64_t v = prof_value(p, i, c->o->weight);
		c->all += v;
		c->all_samples += p->from_text ? v : 1; /* text: the counts are samples */
		const char *comm = prof_str(p, s->comm);
		if (!v || !in_list(c->o->comm, comm))
			continue; /* (no weight: a heap stack without leaks, say) */
		struct group g = { { 0 }, s->rstack, 0, 0 };
		if (c->o->keys & RK_COMM)
			g.k.comm = s->comm;
		if (c->o->keys & RK_PID)
			g.k.pid = s->pid;
		if (c->o->keys & RK_TID)
			g.k.tid = s->tid;
		if (c->o->keys & RK_CPU)
			g.k.cpu = s->cpu;
		uint64_t h = hash_bytes(&g, sizeof(g));
		for (;;) {
			bool fresh;
			uint64_t *slot = u64map_upsert(&gi, h, c->groups.n, &fresh);
			if (fresh) {
				vec_push(&c->groups, g);
				break;
			}
			struct group *o = &c->groups.v[*slot];
			if (o->rstack == g.rstack && !memcmp(&o->k, &g.k, sizeof(g.k)))
				break;
			h = hash_u64(h + 1);
		}
		uint64_t *slot = u64map_get(&gi, h);
		c->groups.v[*slot].weight += v;
		c->groups.v[*slot].nsamples += p->from_text ? v : 1;
	}
	u64map_free(&gi);
}

/* The leaf's module must pass --dso for the sample to count (as perf filters). */
static bool group_passes_dso(const struct ctx *c, const struct group *g)
{
	if (!c->o->dso)
		return true;
	uint32_t n;
	const struct prof_frame *f = stack_frames_of(&c->sf, g->rstack, &n);
	if (!n)
		return false;
	const struct prof_loc *l = stack_frame_loc(&c->sf, f, f->loc_n - 1);
	return in_list(c->o->dso, prof_str(c->p, c->p->modules.v[l->module].name));
}

static void build_entries(struct ctx *c)
{
	VEC(uint32_t) seen = { 0 };
	for (size_t gi = 0; gi < c->groups.n; gi++) {
		struct group *g = &c->groups.v[gi];
		if (!group_passes_dso(c, g)) {
			g->weight = 0;
			continue;
		}
		c->shown += g->weight;
		c->shown_samples += g->nsamples;
		uint32_t n;
		const struct prof_frame *fs = stack_frames_of(&c->sf, g->rstack, &n);
		seen.n = 0;
		for (uint32_t i = 0; i < n; i++) {
			const struct prof_frame *f = &fs[i];
			struct entry_key k = frame_key(c, g, f);
			uint32_t e = entry_for(c, &k, stack_frame_loc(&c->sf, f, f->loc_n - 1)->kernel);
			if (i == 0)
				c->entries.v[e].self += g->weight;
			bool dup = false;
			for (size_t j = 0; j < seen.n && !dup; j++)
				dup = seen.v[j] == e;
			if (!dup) {
				vec_push(&seen, e);
				c->entries.v[e].children += g->weight;
			}
			if (!c->o->children)
				break;
		}
	}
	vec_free(&seen);
}

static const struct ctx *sort_ctx;

static int cmp_entry(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	uint64_t wx = sort_ctx->o->children ? x->children : x->self;
	uint64_t wy = sort_ctx->o->children ? y->children : y->self;
	if (wx != wy)
		return wx > wy ? -1 : 1;
	if (x->self != y->self)
		return x->self > y->self ? -1 : 1;
	return strcmp(prof_str(sort_ctx->p, x->k.func), prof_str(sort_ctx->p, y->k.func));
}

/* ---- call graphs ---- */

static uint32_t gchild(struct ctx *c, uint32_t parent, uint32_t func, bool inlined)
{
	uint32_t *link = &c->g.v[parent].first_child;
	while (*link) {
		struct gnode *n = &c->g.v[*link];
		if (n->func == func && n->inlined == inlined)
			return *link;
		link = &n->next_sibling;
	}
	struct gnode n = { func, 0, 0, 0, inlined };
	vec_push(&c->g, n);
	uint32_t id = (uint32_t)c->g.n - 1;
	/* re-find the link: vec_push may have moved the array */
	link = &c->g.v[parent].first_child;
	while (*link)
		link = &c->g.v[*link].next_sibling;
	*link = id;
	return id;
}

/* Adds the path through entry `e` of group g to the tree rooted at g.v[1].
 * Children mode: samples whose stack contains the entry (its outermost
 * occurrence, so recursion counts once). Self mode: samples whose leaf is
 * the entry. Caller order walks from the entry towards its callees (with
 * Children) or from the outermost caller down to the entry (Self); callee
 * order walks from the entry up to its callers. */
static void graph_add(struct ctx *c, uint32_t e, const struct group *g)
{
	uint32_t frame_n;
	const struct prof_frame *fs = stack_frames_of(&c->sf, g->rstack, &frame_n);
	if (!frame_n)
		return;
	int at = -1;
	for (uint32_t i = c->o->children ? frame_n : 1; i-- > 0;) {
		struct entry_key k = frame_key(c, g, &fs[i]);
		if (!memcmp(&k, &c->entries.v[e].k, sizeof(k))) {
			at = (int)i;
			break;
		}
	}
	if (at < 0)
		return;
	bool callee = c->o->graph == RG_CALLEE;
	bool root_first = !callee && !c->o->children;
	int from = root_first ? (int)frame_n - 1 : at;
	int to = callee ? (int)frame_n - 1 : 0;
	int step = callee ? 1 : -1;
	uint32_t node = 1;
	c->g.v[node].weight += g->weight;
	for (int i = from;; i += step) {
		const struct prof_frame *f = &fs[i];
		/* The entry's own frame is the tree's root, except in root-first
		 * order where the tree starts at the outermost caller. Its inlined
		 * callees follow it in caller order; in callee order they are not
		 * callers at all. */
		uint32_t skip = 0;
		if (i == at && !root_first)
			skip = callee ? f->loc_n : 1;
		for (uint32_t j = skip; j < f->loc_n; j++) {
			uint32_t li = callee ? j : f->loc_n - 1 - j; /* outer first in caller order */
			const struct prof_loc *l = stack_frame_loc(&c->sf, f, li);
			node = gchild(c, node, l->func, l->inlined);
			c->g.v[node].weight += g->weight;
		}
		if (i == to)
			break;
	}
}

static void print_graph(FILE *out, struct ctx *c, uint32_t node, const char *prefix, double threshold)
{
	/* Single-child chains continue straight down; branches get percentages. */
	uint32_t kids[4096];
	size_t nk = 0;
	for (uint32_t k = c->g.v[node].first_child; k && nk < 4096; k = c->g.v[k].next_sibling)
		if (100.0 * (double)c->g.v[k].weight / (double)c->total >= threshold)
			kids[nk++] = k;
	/* sort children by weight */
	for (size_t i = 1; i < nk; i++) {
		uint32_t x = kids[i];
		size_t j = i;
		while (j > 0 && c->g.v[kids[j - 1]].weight < c->g.v[x].weight) {
			kids[j] = kids[j - 1];
			j--;
		}
		kids[j] = x;
	}
	if (nk == 1 && c->g.v[kids[0]].weight == c->g.v[node].weight) {
		const struct gnode *k = &c->g.v[kids[0]];
		fprintf(out, "%s   %s%s\n", prefix, prof_str(c->p, k->func), k->inlined ? " (inlined)" : "");
		print_graph(out, c, kids[0], prefix, threshold);
		return;
	}
	for (size_t i = 0; i < nk; i++) {
		const struct gnode *k = &c->g.v[kids[i]];
		bool last = i + 1 == nk;
		fprintf(out, "%s   |\n", prefix);
		fprintf(out, "%s   %s--%.2f%%--%s%s\n", prefix, last ? " " : "|",
			100.0 * (double)k->weight / (double)c->total, prof_str(c->p, k->func),
			k->inlined ? " (inlined)" : "");
		char sub[1024];
		snprintf(sub, sizeof(sub), "%s   %s          ", prefix, last ? " " : "|");
		if (strlen(sub) > 900) /* very deep trees: stop indenting */
			snprintf(sub, sizeof(sub), "%s", prefix);
		print_graph(out, c, kids[i], sub, threshold);
	}
}

static void print_entry_graph(FILE *out, struct ctx *c, uint32_t e)
{
	c->g.n = 0;
	struct gnode zero = { 0 };
	vec_push(&c->g, zero); /* index 0: "none" */
	struct gnode root = { c->entries.v[e].k.func, 0, 0, 0, false };
	vec_push(&c->g, root);
	for (size_t gi = 0; gi < c->groups.n; gi++)
		if (c->groups.v[gi].weight)
			graph_add(c, e, &c->groups.v[gi]);
	uint32_t top = 1;
	if (!c->o->children && c->o->graph == RG_CALLER) {
		/* root-first: the tree's root is virtual; start at its only child */
		uint32_t k = c->g.v[1].first_child;
		if (!k)
			return;
		if (c->g.v[k].next_sibling) { /* several outermost callers: branch at once */
			fprintf(out, "          |\n");
			print_graph(out, c, 1, "          ", c->o->graph_threshold);
			fprintf(out, "\n");
			return;
		}
		top = k;
	} else if (c->g.v[1].first_child == 0) {
		return;
	}
	const char *pad = c->o->children ? "                    " : "          ";
	fprintf(out, "%s|\n%s---%s%s\n", pad, pad, prof_str(c->p, c->g.v[top].func),
		c->g.v[top].inlined ? " (inlined)" : "");
	print_graph(out, c, top, pad, c->o->graph_threshold);
	fprintf(out, "\n");
}

static void fmt_count(char *buf, size_t n, uint64_t v)
{
	if (v >= 10000000)
		snprintf(buf, n, "%lluM", (unsigned long long)(v / 1000000));
	else if (v >= 10000)
		snprintf(buf, n, "%lluK", (unsigned long long)(v / 1000));
	else
		snprintf(buf, n, "%llu", (unsigned long long)v);
}

static void print_header(FILE *out, const struct ctx *c)
{
	const struct profile *p = c->p;
	if (c->o->comm)
		fprintf(out, "# comm: %s\n", c->o->comm);
	if (c->o->dso)
		fprintf(out, "# dso: %s\n", c->o->dso);
	/* as perf: the filtered counts only with --percentage relative */
	char nbuf[32];
	fmt_count(nbuf, sizeof(nbuf), c->o->relative ? c->shown_samples : c->all_samples);
	fprintf(out, "# Samples: %s of event '%s'\n", nbuf, profile_event(p));
	fprintf(out, "# Event count (approx.): %llu\n", (unsigned long long)c->total);
	fprintf(out, "# Lost samples: %llu\n", (unsigned long long)p->lost);
	if (p->truncated_stacks)
		fprintf(out, "# Truncated stacks: %llu (%.1f%% of samples; the stack copy was too small)\n",
			(unsigned long long)p->truncated_stacks,
			100.0 * (double)p->truncated_stacks / (double)(p->samples.n ? p->samples.n : 1));
	double dur = 0;
	const char *st = profile_meta(p, "start-time");
	uint64_t start = st ? strtoull(st, NULL, 10) : p->first_time;
	if (p->last_time > start)
		dur = (double)(p->last_time - start) / 1e9;
	fprintf(out, "# Duration: %.3f s\n", dur);
	const char *cmd = profile_meta(p, "cmdline");
	if (!cmd) /* a heap trace knows only the program's */
		cmd = profile_meta(p, "command");
	if (cmd)
		fprintf(out, "# Command: %s\n", cmd);
	const char *cg = profile_meta(p, "callgraph");
	if (cg && !strcmp(cg, "dwarf"))
		fprintf(out, "# Call graph: dwarf (stacks unwound with the binaries' CFI)\n");
	else if (cg && !strcmp(cg, "fp"))
		fprintf(out, "# Call graph: fp (frame pointers: code built without them loses its callers)\n");
	char msg[1024];
	for (size_t i = 0; i < p->stale.n; i++) {
		profile_stale_message(p, &p->stale.v[i], msg, sizeof(msg));
		fprintf(out, "# warning: %s\n", msg);
	}
	fprintf(out, "#\n");
}

void report_print(FILE *out, const struct profile *p, const struct report_opts *o)
{
	struct ctx c = { .p = p, .o = o };
	stack_frames_init(&c.sf, p);
	build_groups(&c);
	build_entries(&c);
	c.total = o->relative ? c.shown : c.all;
	print_header(out, &c);
	if (!c.shown) {
		fprintf(out, o->comm || o->dso ? "# (no samples pass --comm/--dso)\n" : "# (no samples)\n");
		goto done;
	}
	sort_ctx = &c;
	/* graph_add refers to entries by index: sort a copy */
	struct entry *sorted = xmalloc((c.entries.n ? c.entries.n : 1) * sizeof(*sorted));
	memcpy(sorted, c.entries.v, c.entries.n * sizeof(*sorted));
	qsort(sorted, c.entries.n, sizeof(*sorted), cmp_entry);

	/* column widths */
	size_t wcomm = 7, wdso = 13;
	for (size_t i = 0; i < c.entries.n; i++) {
		size_t a = strlen(prof_str(p, sorted[i].k.comm)), b = strlen(prof_str(p, sorted[i].k.module));
		if (a > wcomm)
			wcomm = a;
		if (b > wdso)
			wdso = b;
	}
	if (wcomm > 32)
		wcomm = 32;
	if (wdso > 40)
		wdso = 40;
	fprintf(out, "# %s", o->children ? "Children      Self" : "Overhead");
	for (unsigned i = 0; i < o->nkeys; i++) {
		switch (o->key_order[i]) {
		case RK_COMM: fprintf(out, "  %-*s", (int)wcomm, "Command"); break;
		case RK_PID: fprintf(out, "  %7s", "Pid"); break;
		case RK_TID: fprintf(out, "  %7s", "Tid"); break;
		case RK_CPU: fprintf(out, "  %3s", "CPU"); break;
		case RK_DSO: fprintf(out, "  %-*s", (int)wdso, "Shared Object"); break;
		case RK_SYM: fprintf(out, "  Symbol"); break;
		}
	}
	fprintf(out, "\n#\n");
	bool graphs = o->graph != RG_NONE;
	if (graphs) { /* only when the recording has call chains */
		graphs = false;
		for (size_t i = 0; i < p->rstacks.n && !graphs; i++) {
			uint32_t n;
			stack_frames_of(&c.sf, (uint32_t)i, &n);
			graphs = n > 1;
		}
	}
	struct report_opts eff = *o;
	if (eff.graph == RG_AUTO)
		eff.graph = o->children ? RG_CALLER : RG_CALLEE;
	c.o = &eff;
	for (size_t i = 0; i < c.entries.n; i++) {
		const struct entry *e = &sorted[i];
		double self = 100.0 * (double)e->self / (double)c.total;
		double ch = 100.0 * (double)e->children / (double)c.total;
		if ((o->children ? ch : self) < o->percent_limit)
			continue;
		if (!o->children && !e->self)
			continue;
		if (o->children)
			fprintf(out, "  %6.2f%%   %6.2f%%", ch, self);
		else
			fprintf(out, "  %6.2f%%", self);
		for (unsigned k = 0; k < o->nkeys; k++) {
			switch (o->key_order[k]) {
			case RK_COMM: fprintf(out, "  %-*s", (int)wcomm, prof_str(p, e->k.comm)); break;
			case RK_PID: fprintf(out, "  %7u", e->k.pid); break;
			case RK_TID: fprintf(out, "  %7u", e->k.tid); break;
			case RK_CPU: fprintf(out, "  %03u", e->k.cpu); break;
			case RK_DSO: fprintf(out, "  %-*s", (int)wdso, prof_str(p, e->k.module)); break;
			case RK_SYM:
				fprintf(out, "  [%c] %s", e->kernel ? 'k' : '.', prof_str(p, e->k.func));
				break;
			}
		}
		fprintf(out, "\n");
		if (graphs && (o->keys & RK_SYM)) {
			/* find the entry's index in c.entries for the graph */
			uint32_t idx = entry_for(&c, &e->k, e->kernel);
			print_entry_graph(out, &c, idx);
		}
	}
	free(sorted);
done:
	stack_frames_free(&c.sf);
	vec_free(&c.entries);
	u64map_free(&c.entry_index);
	vec_free(&c.groups);
	vec_free(&c.g);
}
