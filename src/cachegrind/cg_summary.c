/* cachegrind's exit summary (cg_main.c's cg_fini in 3.19): column widths
 * from the largest count of each column, commas, rates rounded to one or
 * two decimals and right-aligned. */
#include "cachegrind/cg_summary.h"

#include <inttypes.h>
#include <string.h>

#include "cachegrind/cg_raw.h"

static uint64_t total_of(const struct cg_data *d, const uint64_t *c, const char *ev)
{
	for (uint32_t i = 0; i < d->n_events; i++)
		if (!strcmp(d->events[i], ev))
			return c[i] == CG_NONE ? 0 : c[i];
	return 0;
}

static uint64_t total(const struct cg_data *d, const char *ev)
{
	return total_of(d, d->summary, ev);
}

static bool has(const struct cg_data *d, const char *ev)
{
	for (uint32_t i = 0; i < d->n_events; i++)
		if (!strcmp(d->events[i], ev))
			return true;
	return false;
}

static int width(uint64_t n)
{
	int w = 0;
	for (; n; n /= 10)
		w++;
	if (!w)
		w = 1;
	return w + (w - 1) / 3;
}

/* n with thousands separators, right-aligned in w */
static const char *commas(uint64_t n, int w, char *buf)
{
	char digits[32], tmp[48];
	int len = snprintf(digits, sizeof(digits), "%" PRIu64, n), o = 0;
	for (int i = 0; i < len; i++) {
		if (i && (len - i) % 3 == 0)
			tmp[o++] = ',';
		tmp[o++] = digits[i];
	}
	tmp[o] = 0;
	snprintf(buf, 48, "%*s", w, tmp);
	return buf;
}

static const char *pct(uint64_t n, uint64_t m, int decimals, int w, char *buf)
{
	char tmp[48];
	if (m == 0)
		snprintf(tmp, sizeof(tmp), "--%%");
	else
		snprintf(tmp, sizeof(tmp), "%.*f%%", decimals, (double)n * 100.0 / (double)m);
	snprintf(buf, 48, "%*s", w, tmp);
	return buf;
}

static void row3(FILE *f, int pid, const char *label, uint64_t a, uint64_t b, uint64_t c, const int *w,
		 const char *kind_b, const char *kind_c)
{
	char x[48], y[48], z[48];
	fprintf(f, "==%d== %s %s  (%s %s + %s %s)\n", pid, label, commas(a, w[0], x), commas(b, w[1], y), kind_b,
		commas(c, w[2], z), kind_c);
}

static void rate3(FILE *f, int pid, const char *label, const char *p1, const char *p2, const char *p3,
		  const char *pad)
{
	fprintf(f, "==%d== %s %s (%s     + %s%s)\n", pid, label, p1, p2, p3, pad);
}

void cg_print_summary(FILE *f, int pid, const struct cg_data *d)
{
	uint64_t ir = total(d, "Ir"), i1 = total(d, "I1mr"), il = total(d, "ILmr");
	uint64_t dr = total(d, "Dr"), d1r = total(d, "D1mr"), dlr = total(d, "DLmr");
	uint64_t dw = total(d, "Dw"), d1w = total(d, "D1mw"), dlw = total(d, "DLmw");
	uint64_t bc = total(d, "Bc"), bcm = total(d, "Bcm"), bi = total(d, "Bi"), bim = total(d, "Bim");
	int w[3] = { width(ir), width(dr > bc ? dr : bc), width(dw > bi ? dw : bi) };
	char a[48], b[48], c[48];
	fprintf(f, "==%d== \n", pid);
	fprintf(f, "==%d== I   refs:      %s\n", pid, commas(ir, w[0], a));
	if (has(d, "I1mr")) {
		fprintf(f, "==%d== I1  misses:    %s\n", pid, commas(i1, w[0], a));
		fprintf(f, "==%d== LLi misses:    %s\n", pid, commas(il, w[0], a));
		uint64_t irn = ir ? ir : 1;
		fprintf(f, "==%d== I1  miss rate: %s\n", pid, pct(i1, irn, 2, w[0] + 1, a));
		fprintf(f, "==%d== LLi miss rate: %s\n", pid, pct(il, irn, 2, w[0] + 1, a));
		fprintf(f, "==%d== \n", pid);
		row3(f, pid, "D   refs:     ", dr + dw, dr, dw, w, "rd  ", "wr");
		row3(f, pid, "D1  misses:   ", d1r + d1w, d1r, d1w, w, "rd  ", "wr");
		row3(f, pid, "LLd misses:   ", dlr + dlw, dlr, dlw, w, "rd  ", "wr");
		uint64_t dn = dr + dw ? dr + dw : 1, drn = dr ? dr : 1, dwn = dw ? dw : 1;
		rate3(f, pid, "D1  miss rate:", pct(d1r + d1w, dn, 1, w[0] + 1, a), pct(d1r, drn, 1, w[1] + 1, b),
		      pct(d1w, dwn, 1, w[2] + 1, c), "  ");
		rate3(f, pid, "LLd miss rate:", pct(dlr + dlw, dn, 1, w[0] + 1, a), pct(dlr, drn, 1, w[1] + 1, b),
		      pct(dlw, dwn, 1, w[2] + 1, c), "  ");
		fprintf(f, "==%d== \n", pid);
		row3(f, pid, "LL refs:      ", d1r + d1w + i1, d1r + i1, d1w, w, "rd  ", "wr");
		row3(f, pid, "LL misses:    ", dlr + dlw + il, dlr + il, dlw, w, "rd  ", "wr");
		rate3(f, pid, "LL miss rate: ", pct(dlr + dlw + il, ir + dn, 1, w[0] + 1, a),
		      pct(dlr + il, ir + drn, 1, w[1] + 1, b), pct(dlw, dwn, 1, w[2] + 1, c), "  ");
	}
	if (has(d, "Bc")) {
		uint64_t bcn = bc ? bc : 1, bin = bi ? bi : 1;
		fprintf(f, "==%d== \n", pid);
		row3(f, pid, "Branches:     ", bcn + bin, bcn, bin, w, "cond", "ind");
		row3(f, pid, "Mispredicts:  ", bcm + bim, bcm, bim, w, "cond", "ind");
		rate3(f, pid, "Mispred rate: ", pct(bcm + bim, bcn + bin, 1, w[0] + 1, a), pct(bcm, bcn, 1, w[1] + 1, b),
		      pct(bim, bin, 1, w[2] + 1, c), "   ");
	}
}

void cg_print_threads(FILE *f, int pid, const struct cg_raw *r)
{
	const struct cg_data *d = &r->data;
	char a[48], b[48], c[48], e[48], g[48];
	fprintf(f, "==%d== \n", pid);
	for (size_t i = 0; i < r->threads.n; i++) {
		const struct cg_thread *t = &r->threads.v[i];
		uint64_t ir = total_of(d, t->c, "Ir");
		if (!ir)
			continue; /* a vCPU that never ran (a fork's other threads) */
		fprintf(f, "==%d== thread %d (%s): I refs: %s", pid, t->tid, t->comm, commas(ir, 0, a));
		if (has(d, "Dr")) {
			uint64_t dr = total_of(d, t->c, "Dr"), dw = total_of(d, t->c, "Dw");
			uint64_t d1 = total_of(d, t->c, "D1mr") + total_of(d, t->c, "D1mw");
			uint64_t ll = total_of(d, t->c, "DLmr") + total_of(d, t->c, "DLmw") + total_of(d, t->c, "ILmr");
			fprintf(f, "  D refs: %s (%s rd + %s wr)  D1 misses: %s  LL misses: %s", commas(dr + dw, 0, b),
				commas(dr, 0, c), commas(dw, 0, e), commas(d1, 0, g), commas(ll, 0, a));
		}
		fputc('\n', f);
	}
}
