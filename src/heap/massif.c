/* valgrind massif.out from a heap trace's model: the timeline's snapshots
 * and one detailed snapshot at the peak, a bottom-up tree of the peak
 * weight (ms_print reads it). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "heap/heap_profile.h"
#include "heap/report.h"
#include "heap/view.h"
#include "util/die.h"

/* One stack of the peak snapshot: its frames leaf first, its peak bytes. */
struct mnode {
	const struct prof_frame *frames;
	size_t n;
	int64_t peak;
};

struct massif {
	FILE *out;
	const struct profile *p;
	struct heap_keys keys;
	int64_t threshold;
	double thr_pct;
};

static void massif_name(FILE *out, const struct profile *p, const struct prof_frame *f)
{
	fprintf(out, " 0x%" PRIX64 ": ", f->addr);
	bool known = heap_frame_known(p, f);
	/* the function holding the address, the line of what was inlined deepest */
	if (known)
		fputs(prof_str(p, heap_loc(p, f, f->loc_n - 1)->func), out);
	else
		fputs("???", out);
	const struct prof_loc *l0 = heap_loc(p, f, 0);
	const char *mod = heap_frame_module(p, f);
	if (known && l0->file)
		fprintf(out, " (%s:%u)\n", prof_str(p, l0->file), l0->line);
	else
		fprintf(out, " (%s)\n", mod ? mod : "???");
}

/* Writes the bottom-up tree of `items` (all sharing frames [0, depth));
 * here: their frame at depth - 1 (NULL at the top). Stacks end at main, so
 * no group goes on past it. */
static void massif_tree(struct massif *M, struct mnode **items, size_t n, size_t depth, int64_t total,
			const struct prof_frame *here)
{
	FILE *out = M->out;
	/* group by frame at `depth` */
	struct grp {
		const struct prof_frame *f;
		uint32_t key;
		int64_t sum;
		size_t count;
	};
	struct grp *g = xcalloc(n + 1, sizeof(*g));
	size_t ng = 0;
	struct mnode **sorted = xmalloc((n + 1) * sizeof(*sorted));
	for (size_t i = 0; i < n; i++) {
		if (items[i]->n <= depth || items[i]->peak <= 0)
			continue;
		const struct prof_frame *f = &items[i]->frames[depth];
		uint32_t key = heap_frame_key(&M->keys, M->p, f);
		size_t k;
		for (k = 0; k < ng; k++)
			if (g[k].key == key)
				break;
		if (k == ng) {
			g[ng].f = f;
			g[ng].key = key;
			ng++;
		}
		g[k].sum += items[i]->peak;
		g[k].count++;
	}
	/* sort groups by size desc */
	for (size_t i = 1; i < ng; i++)
		for (size_t j = i; j > 0 && g[j].sum > g[j - 1].sum; j--) {
			struct grp tmp = g[j];
			g[j] = g[j - 1];
			g[j - 1] = tmp;
		}
	size_t shown = 0, skipped = 0;
	int64_t skipped_sum = 0;
	for (size_t i = 0; i < ng; i++) {
		if (g[i].sum >= M->threshold && g[i].sum > 0)
			shown++;
		else {
			skipped++;
			skipped_sum += g[i].sum;
		}
	}
	for (size_t i = 0; i < depth; i++)
		fputc(' ', out);
	fprintf(out, "n%zu: %" PRId64, shown + (skipped ? 1 : 0), total);
	if (!here)
		fputs(" (heap allocation functions) malloc/new/new[], --alloc-fns, etc.\n", out);
	else
		massif_name(out, M->p, here);
	for (size_t i = 0; i < ng; i++) {
		if (!(g[i].sum >= M->threshold && g[i].sum > 0))
			continue;
		size_t m = 0;
		for (size_t j = 0; j < n; j++)
			if (items[j]->n > depth && items[j]->peak > 0 &&
			    heap_frame_key(&M->keys, M->p, &items[j]->frames[depth]) == g[i].key)
				sorted[m++] = items[j];
		massif_tree(M, sorted, m, depth + 1, g[i].sum, g[i].f);
	}
	if (skipped) {
		for (size_t i = 0; i <= depth; i++)
			fputc(' ', out);
		fprintf(out, "n0: %" PRId64 " in %zu place%s, all below massif's threshold (%.2f%%)\n", skipped_sum,
			skipped, skipped == 1 ? "" : "s", M->thr_pct);
	}
	free(sorted);
	free(g);
}

/* The peak snapshot's tree, from the model's peak weight. */
static void massif_peak_tree(FILE *out, const struct profile *p, int64_t peak, double threshold_pct)
{
	struct massif M;
	memset(&M, 0, sizeof(M));
	M.out = out;
	M.p = p;
	M.threshold = (int64_t)((double)peak * threshold_pct * 0.01);
	M.thr_pct = threshold_pct;
	struct mnode **items = xmalloc((p->samples.n + 1) * sizeof(*items));
	struct mnode *nodes = xmalloc((p->samples.n + 1) * sizeof(*nodes));
	for (size_t k = 0; k < p->samples.n; k++) {
		nodes[k].frames = heap_frames(p, k, &nodes[k].n);
		nodes[k].peak = prof_value_signed(p, k, HW_PEAK);
		items[k] = &nodes[k];
	}
	massif_tree(&M, items, p->samples.n, 0, peak, NULL);
	heap_keys_free(&M.keys);
	free(items);
	free(nodes);
}

int heap_report_massif(FILE *out, struct heap_view *v, const char *cmd, double threshold_pct)
{
	const struct heap_analysis *a = v->a;
	fprintf(out, "desc: sonde heap\ncmd: %s\ntime_unit: ms\n", cmd ? cmd : "");
	size_t snap = 0;
	bool peak_done = false;
	uint64_t prev_ms = 0;
	for (size_t i = 0; i <= a->timeline.n; i++) {
		uint64_t ms;
		int64_t heap;
		if (i < a->timeline.n) {
			ms = a->timeline.v[i].ms;
			heap = a->timeline.v[i].heap;
		} else {
			ms = a->total_ms;
			heap = a->leaked + v->supp_leaked; /* suppressed leaks are still on the heap */
		}
		if (!peak_done && a->peak > 0 && (i == a->timeline.n || ms > a->peak_ms)) {
			/* the peak snapshot, in time order */
			fprintf(out, "#-----------\nsnapshot=%zu\n#-----------\ntime=%" PRIu64
				     "\nmem_heap_B=%" PRId64 "\nmem_heap_extra_B=0\nmem_stacks_B=0\nheap_tree=peak\n",
				snap++, a->peak_ms < prev_ms ? prev_ms : a->peak_ms, a->peak);
			massif_peak_tree(out, heap_view_model(v), a->peak, threshold_pct);
			peak_done = true;
		}
		fprintf(out, "#-----------\nsnapshot=%zu\n#-----------\ntime=%" PRIu64 "\nmem_heap_B=%" PRId64
			     "\nmem_heap_extra_B=0\nmem_stacks_B=0\nheap_tree=empty\n",
			snap++, ms < prev_ms ? prev_ms : ms, heap < 0 ? 0 : heap);
		if (ms > prev_ms)
			prev_ms = ms;
	}
	return ferror(out) ? -1 : 0;
}
