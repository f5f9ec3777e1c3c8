/* memcheck's leak classification over caller-given blocks, roots and memory
 * (see mc_mark.h). Facts from valgrind's memcheck/mc_leakcheck.c, own code. */
#include "mc_mark.h"

#include <string.h>
#include <sys/mman.h>

/* Working states, in the low bits of state[i] until mc_mark_finish. */
enum { ST_UNREACHED, ST_POSSIBLE, ST_REACHABLE, ST_INDIRECT };
#define ST_MASK 0x03u
#define ST_PENDING 0x08u
#define HEUR_SHIFT 4

#define CHUNK (64u << 10)
#define PAGE 4096u
#define W 8u
#define NO_CLIQUE ((size_t)-1)

static void *map_anon(size_t n)
{
	void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

long mc_find_block(const struct mc_block *b, size_t n, uint64_t a)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint64_t s = b[mid].start, e = s + (b[mid].size ? b[mid].size : 1);
		if (a < s)
			hi = mid;
		else if (a >= e)
			lo = mid + 1;
		else
			return (long)mid;
	}
	return -1;
}

int mc_mark_init(struct mc_mark *m, const struct mc_block *b, size_t n, const struct mc_mem *mem,
		 unsigned heuristics, uint8_t *state, uint64_t *indirect)
{
	memset(m, 0, sizeof *m);
	if (n > UINT32_MAX)
		return -1; /* mark stack entries are 32-bit */
	m->b = b;
	m->n = n;
	m->state = state;
	m->indirect = indirect;
	m->mem = *mem;
	m->heur = heuristics;
	if (n) {
		m->lo = b[0].start;
		m->hi = b[n - 1].start + (b[n - 1].size ? b[n - 1].size : 1);
	}
	memset(state, 0, n);
	memset(indirect, 0, n * sizeof *indirect);
	m->stack_bytes = (n ? n : 1) * sizeof *m->stack;
	m->stack = map_anon(m->stack_bytes);
	m->scratch = map_anon(CHUNK);
	if (!m->stack || !m->scratch) {
		mc_mark_free(m);
		return -1;
	}
	return 0;
}

void mc_mark_free(struct mc_mark *m)
{
	if (m->stack)
		munmap(m->stack, m->stack_bytes);
	if (m->scratch)
		munmap(m->scratch, CHUNK);
	m->stack = NULL;
	m->scratch = NULL;
}

static int read_word(struct mc_mark *m, uint64_t a, uint64_t *out)
{
	uint64_t tmp;
	const void *p = m->mem.read(m->mem.ctx, a, W, &tmp);
	if (!p)
		return 0;
	memcpy(out, p, W);
	return 1;
}

/* valgrind's vtable test: a word-aligned address in a file-backed readable
 * mapping whose first words (up to 21, NULLs skipped) point into
 * file-backed executable mappings, at least 2 of them. */
static int is_vtable(struct mc_mark *m, uint64_t a)
{
	uint64_t end;
	if (!m->mem.seg)
		return 0;
	unsigned f = m->mem.seg(m->mem.ctx, a, &end);
	if ((f & (MC_SEG_FILE | MC_SEG_R)) != (MC_SEG_FILE | MC_SEG_R))
		return 0;
	uint64_t last = a + 20 * W;
	if (last > end - W)
		last = end - W;
	int fns = 0;
	for (uint64_t s = a; s <= last; s += W) {
		uint64_t fn, fend;
		if (!read_word(m, s, &fn))
			return 0;
		if (!fn)
			continue;
		f = m->mem.seg(m->mem.ctx, fn, &fend);
		if ((f & (MC_SEG_FILE | MC_SEG_X)) != (MC_SEG_FILE | MC_SEG_X))
			return 0;
		if (++fns == 2)
			return 1;
	}
	return 0;
}

/* Which heuristic, if any, lets interior pointer p reach block b. */
static unsigned heuristic(struct mc_mark *m, uint64_t p, const struct mc_block *b)
{
	uint64_t w0, w1;
	if ((m->heur & (1u << MC_HEUR_STDSTRING)) && p == b->start + 3 * W &&
	    read_word(m, b->start + W, &w1) && 3 * W + w1 + 1 == b->size &&
	    read_word(m, b->start, &w0) && w0 <= w1)
		return MC_HEUR_STDSTRING; /* length, capacity, refcount, chars */
	if ((m->heur & (1u << MC_HEUR_LENGTH64)) && p == b->start + W &&
	    read_word(m, b->start, &w0) && w0 > 0 && b->size - W == w0)
		return MC_HEUR_LENGTH64; /* a 64-bit length of the rest, then data */
	if ((m->heur & (1u << MC_HEUR_NEWARRAY)) && p == b->start + W &&
	    read_word(m, b->start, &w0) && w0 > 0 && (b->size - W) % w0 == 0)
		return MC_HEUR_NEWARRAY; /* new[] of destructible elements: count first */
	if ((m->heur & (1u << MC_HEUR_MULTIINH)) && p % W == 0 && read_word(m, p, &w1) &&
	    w1 % W == 0 && w1 >= PAGE && read_word(m, b->start, &w0) && w0 % W == 0 &&
	    w0 >= PAGE && is_vtable(m, w1) && is_vtable(m, w0))
		return MC_HEUR_MULTIINH; /* a second base's vtable pointer */
	return MC_HEUR_NONE;
}

/* glibc's chunk after block b starts at b->start - 16 + the chunk size:
 * the request plus its 8-byte size field, rounded up to 16, at least 32. */
static int is_glibc_link(uint64_t w, const struct mc_block *b)
{
	uint64_t chunk = (b->size + 8 + 15) & ~(uint64_t)15;
	if (chunk < 32)
		chunk = 32;
	return w == b->start - 16 + chunk;
}

static void push(struct mc_mark *m, size_t i)
{
	if (m->state[i] & ST_PENDING)
		return;
	m->state[i] |= ST_PENDING;
	m->stack[m->top++] = (uint32_t)i;
}

static void set_state(struct mc_mark *m, size_t i, unsigned st)
{
	m->state[i] = (uint8_t)((m->state[i] & ~ST_MASK) | st);
}

/* A word seen from the roots or from a block reached from them: states only
 * improve (unreached -> possible -> reachable), and a block whose state
 * improved is scanned again. Only a definite chain can make it reachable. */
static void reach(struct mc_mark *m, uint64_t w, int prior_definite)
{
	long i = mc_find_block(m->b, m->n, w);
	if (i < 0)
		return;
	const struct mc_block *b = &m->b[i];
	unsigned st = m->state[i] & ST_MASK;
	if (st == ST_REACHABLE) {
		if (w == b->start) /* reachable directly now, not by heuristic */
			m->state[i] &= (uint8_t)~(0x7u << HEUR_SHIFT);
		return;
	}
	int via_start = w == b->start;
	if (!via_start && (m->heur & MC_IGNORE_GLIBC_LINKS) && is_glibc_link(w, b))
		return;
	if (!via_start && (m->heur & MC_HEUR_ALL)) {
		unsigned h = heuristic(m, w, b);
		m->state[i] = (uint8_t)((m->state[i] & ~(0x7u << HEUR_SHIFT)) | (h << HEUR_SHIFT));
		via_start = h != MC_HEUR_NONE;
	}
	if (via_start && prior_definite) {
		set_state(m, (size_t)i, ST_REACHABLE);
		push(m, (size_t)i);
	} else if (st == ST_UNREACHED) {
		set_state(m, (size_t)i, ST_POSSIBLE);
		push(m, (size_t)i);
	}
}

/* A word seen from clique `leader`'s blocks: every unreached block but the
 * leader joins the clique, bringing the indirect bytes it led. */
static void gather(struct mc_mark *m, uint64_t w, size_t leader)
{
	long i = mc_find_block(m->b, m->n, w);
	if (i < 0 || (size_t)i == leader || (m->state[i] & ST_MASK) != ST_UNREACHED)
		return;
	push(m, (size_t)i);
	m->indirect[leader] += m->b[i].size + m->indirect[i];
	set_state(m, (size_t)i, ST_INDIRECT);
}

static void scan_words(struct mc_mark *m, const uint64_t *w, size_t nw, int prior_definite,
		       size_t leader)
{
	for (size_t k = 0; k < nw; k++) {
		uint64_t v = w[k];
		if (v < m->lo || v >= m->hi)
			continue;
		if (leader == NO_CLIQUE)
			reach(m, v, prior_definite);
		else
			gather(m, v, leader);
	}
}

/* Every aligned word of [start, start+len); unreadable pages are skipped. */
static void scan(struct mc_mark *m, uint64_t start, uint64_t len, int prior_definite,
		 size_t leader, int is_root)
{
	uint64_t a = (start + W - 1) & ~(uint64_t)(W - 1);
	uint64_t end = (start + len) & ~(uint64_t)(W - 1);
	if (start + len < start)
		return;
	while (a < end) {
		uint64_t n = end - a < CHUNK ? end - a : CHUNK;
		const void *p = m->mem.read(m->mem.ctx, a, n, m->scratch);
		if (!p) {
			/* Page by page: one bad page must not hide the rest. */
			n = ((a + PAGE) & ~(uint64_t)(PAGE - 1)) - a;
			if (n > end - a)
				n = end - a;
			p = m->mem.read(m->mem.ctx, a, n, m->scratch);
			if (!p) {
				m->st.skipped_bytes += n;
				a += n;
				continue;
			}
		}
		if (is_root)
			m->st.root_bytes += n;
		scan_words(m, p, n / W, prior_definite, leader);
		a += n;
	}
}

static void drain(struct mc_mark *m, size_t leader)
{
	while (m->top) {
		size_t i = m->stack[--m->top];
		m->state[i] &= (uint8_t)~ST_PENDING;
		int prior_definite = (m->state[i] & ST_MASK) != ST_POSSIBLE;
		scan(m, m->b[i].start, m->b[i].size, prior_definite, leader, 0);
	}
}

void mc_mark_set_order(struct mc_mark *m, const uint32_t *order)
{
	m->order = order;
}

void mc_mark_range(struct mc_mark *m, uint64_t start, uint64_t len)
{
	if (m->n)
		scan(m, start, len, 1, NO_CLIQUE, 1);
}

void mc_mark_word(struct mc_mark *m, uint64_t w)
{
	m->st.root_words++;
	if (m->n && w >= m->lo && w < m->hi)
		reach(m, w, 1);
}

void mc_mark_finish(struct mc_mark *m)
{
	drain(m, NO_CLIQUE);
	/* Cliques in address (or the caller's) order: a later leader may
	 * swallow an earlier one. */
	for (size_t k = 0; k < m->n; k++) {
		size_t i = m->order ? m->order[k] : k;
		if (i >= m->n || (m->state[i] & ST_MASK) != ST_UNREACHED)
			continue;
		push(m, i);
		drain(m, i);
	}
	static const uint8_t kind[4] = {
		[ST_UNREACHED] = MC_DEFINITE,
		[ST_POSSIBLE] = MC_POSSIBLE,
		[ST_REACHABLE] = MC_REACHABLE,
		[ST_INDIRECT] = MC_INDIRECT,
	};
	for (size_t i = 0; i < m->n; i++) {
		unsigned s = m->state[i];
		if ((s & ST_MASK) != ST_UNREACHED)
			m->indirect[i] = 0; /* valgrind reports it for leaders only */
		m->state[i] = (uint8_t)(kind[s & ST_MASK] | (s & (0x7u << HEUR_SHIFT)));
	}
}
