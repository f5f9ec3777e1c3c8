/* First-claimant-wins shares of overlapping ranges: a sweep over the range
 * ends with a min-heap of the open claims by priority (array index). */
#include "bloat/bloat_claim.h"

#include <stdlib.h>

#include "util/die.h"

struct open_claim {
	size_t prio;
	uint64_t end;
};

static void heap_push(struct open_claim *h, size_t *n, struct open_claim x)
{
	size_t i = (*n)++;
	while (i && h[(i - 1) / 2].prio > x.prio) {
		h[i] = h[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h[i] = x;
}

static void heap_pop(struct open_claim *h, size_t *n)
{
	struct open_claim last = h[--*n];
	size_t i = 0;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= *n)
			break;
		if (c + 1 < *n && h[c + 1].prio < h[c].prio)
			c++;
		if (h[c].prio >= last.prio)
			break;
		h[i] = h[c];
		i = c;
	}
	if (*n)
		h[i] = last;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static int cmp_start(const void *a, const void *b)
{
	uint64_t x = ((const struct open_claim *)a)->end, y = ((const struct open_claim *)b)->end;
	return x < y ? -1 : x > y;
}

uint64_t bloat_claims_resolve(const struct bloat_claim *c, size_t n, uint64_t *share)
{
	/* The claims by start (prio = index, end = start while sorting). */
	struct open_claim *order = xmalloc((n ? n : 1) * sizeof(*order));
	uint64_t *pts = xmalloc((n ? 2 * n : 1) * sizeof(*pts));
	struct open_claim *heap = xmalloc((n ? n : 1) * sizeof(*heap));
	size_t m = 0, np = 0, nh = 0;
	for (size_t i = 0; i < n; i++) {
		if (c[i].end <= c[i].start)
			continue;
		order[m++] = (struct open_claim){ i, c[i].start };
		pts[np++] = c[i].start;
		pts[np++] = c[i].end;
	}
	qsort(order, m, sizeof(*order), cmp_start);
	qsort(pts, np, sizeof(*pts), cmp_u64);
	uint64_t total = 0;
	size_t j = 0;
	for (size_t k = 0; k + 1 < np; k++) {
		uint64_t x = pts[k], next = pts[k + 1];
		while (j < m && order[j].end <= x) {
			heap_push(heap, &nh, (struct open_claim){ order[j].prio, c[order[j].prio].end });
			j++;
		}
		/* Claims that ended stay in the heap until they reach the top. */
		while (nh && heap[0].end <= x)
			heap_pop(heap, &nh);
		if (nh && next > x) {
			share[c[heap[0].prio].owner] += next - x;
			total += next - x;
		}
	}
	free(order);
	free(pts);
	free(heap);
	return total;
}
