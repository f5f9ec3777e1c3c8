/* `perf script` text -> folded stacks.
 *
 * Behaves like FlameGraph's stackcollapse-perf.pl (the version with
 * --all/--jit/--addrs/--event-filter and period weights), re-expressed as a
 * single pass over a big read buffer: no regex, no per-line allocation.
 * Each regular expression of the Perl script is emulated by a small
 * matcher that picks the same match (leftmost, greedy/lazy as written),
 * so odd lines fold the same way. Deviations, all for input the Perl script
 * mangles or annotates less: CR before LF is dropped, blank-only lines are
 * ignored, kernel modules given as *.ko paths and vmlinux-* files count as
 * kernel, jitted-PID-N.so files (perf inject --jit) count as JIT. */
#include "collapse/perf_script.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "binary/symbolizer.h"
#include "util/die.h"
#include "util/lines.h"

struct buf {
	char *p;
	size_t n, cap;
};

static inline void buf_grow(struct buf *b, size_t more)
{
	if (b->n + more > b->cap) {
		size_t nc = b->cap ? b->cap * 2 : 4096;
		while (nc < b->n + more)
			nc *= 2;
		b->p = xrealloc(b->p, nc);
		b->cap = nc;
	}
}

static inline void buf_add(struct buf *b, const char *s, size_t n)
{
	if (!n)
		return;
	buf_grow(b, n);
	memcpy(b->p + b->n, s, n);
	b->n += n;
}

static inline void buf_addc(struct buf *b, char c)
{
	buf_grow(b, 1);
	b->p[b->n++] = c;
}

struct group {
	size_t off, len;
};

struct state {
	const struct collapse_opts *o;
	struct folded_set *out;
	struct collapse_stats *st;
	struct buf pname;    /* root frame of the current sample */
	bool have_pname;
	uint64_t period;
	struct buf frames;   /* the groups' text, leaf-first */
	VEC(struct group) groups;
	struct buf stack;    /* the assembled stack */
	struct buf tmp;      /* one frame while it is tidied */
	char filter[256];
	size_t filter_len;
	bool filter_set;
	bool in_sample_first; /* next stack line is the sample's first (leaf) */
	struct symbolizer *sym;
};

/* Perl's \s and \w on bytes */
static inline bool is_s(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
static inline bool is_d(unsigned char c) { return c >= '0' && c <= '9'; }
static inline bool is_w(unsigned char c)
{
	return is_d(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool bytes_eq(const char *a, size_t an, const char *b)
{
	size_t bn = strlen(b);
	return an == bn && !memcmp(a, b, an);
}

static bool has_sub(const char *p, size_t n, const char *needle)
{
	if (!n)
		return false;
	return memmem(p, n, needle, strlen(needle)) != NULL;
}

/* ---- event line: the regex ^(\S.+?)\s+(\d+)[/]*(\d+)*\s+ ---- */
struct event_line {
	size_t comm_len;
	const char *pid;
	size_t pid_len;
	const char *tid; /* NULL if absent */
	size_t tid_len;
};

static bool match_event_line(const char *p, size_t n, struct event_line *ev)
{
	if (n < 2 || is_s((unsigned char)p[0]))
		return false;
	for (size_t i = 2; i < n; i++) {
		if (!is_s((unsigned char)p[i]))
			continue;
		size_t j = i;
		while (j < n && is_s((unsigned char)p[j]))
			j++;
		size_t d = j;
		while (j < n && is_d((unsigned char)p[j]))
			j++;
		if (j == d)
			continue;
		size_t dend = j;
		while (j < n && p[j] == '/')
			j++;
		size_t t = j;
		while (j < n && is_d((unsigned char)p[j]))
			j++;
		if (j >= n || !is_s((unsigned char)p[j]))
			continue;
		ev->comm_len = i;
		ev->pid = p + d;
		ev->pid_len = dend - d;
		ev->tid = j > t ? p + t : NULL;
		ev->tid_len = j - t;
		return true;
	}
	return false;
}

/* /:\s*(\d+)*\s+(\S+):\s*$/ : the period (may be empty) and event name. */
static bool match_event_name(const char *p, size_t n, const char **per, size_t *per_len,
			     const char **ev, size_t *ev_len)
{
	/* The tail must be: TOKEN (non-blank, ends with ':', >= 2 bytes), then blanks. */
	size_t e = n;
	while (e > 0 && is_s((unsigned char)p[e - 1]))
		e--;
	if (e < 2 || p[e - 1] != ':')
		return false;
	size_t ts = e;
	while (ts > 0 && !is_s((unsigned char)p[ts - 1]))
		ts--;
	/* (\S+) is greedy but may start later inside the token when a ':'
	 * ... only the whole-token start can follow \s+, so ts is fixed. */
	if (e - ts < 2 || ts == 0)
		return false;
	/* before the token: \s+ ; before that optionally (\d+) and \s* after a ':' */
	size_t b = ts;
	while (b > 0 && is_s((unsigned char)p[b - 1]))
		b--;
	/* leftmost ':' wins: candidates are ':' right before the blank run
	 * (no period), or ':' then blanks* then digits then the blank run. */
	size_t ds = b;
	while (ds > 0 && is_d((unsigned char)p[ds - 1]))
		ds--;
	size_t c = ds;
	while (c > 0 && is_s((unsigned char)p[c - 1]))
		c--;
	if (ds < b && c > 0 && p[c - 1] == ':') {
		*per = p + ds;
		*per_len = b - ds;
	} else if (b > 0 && p[b - 1] == ':') {
		*per = p + b;
		*per_len = 0;
	} else {
		/* ':' inside the blank run before the token is impossible (blanks
		 * only), and any ':' further left would need these same pieces */
		return false;
	}
	*ev = p + ts;
	*ev_len = e - 1 - ts;
	return true;
}

/* ---- stack line: /^\s*(\w+)\s*(.+) \((.*)\)/ ---- */
struct stack_line {
	const char *pc, *func, *mod;
	size_t pc_len, func_len, mod_len;
};

static bool match_stack_line(const char *p, size_t n, struct stack_line *sl)
{
	size_t a = 0;
	while (a < n && is_s((unsigned char)p[a]))
		a++;
	size_t w = a;
	while (w < n && is_w((unsigned char)p[w]))
		w++;
	if (w == a)
		return false;
	const char *rp = memrchr(p, ')', n);
	if (!rp)
		return false;
	size_t r = (size_t)(rp - p);
	if (r < 2)
		return false;
	/* largest k with p[k..k+2) == " (" and k + 2 <= r */
	size_t k = r - 2 + 1;
	bool found = false;
	while (k-- > a) {
		if (p[k] == ' ' && p[k + 1] == '(') {
			found = true;
			break;
		}
	}
	if (!found)
		return false;
	size_t wlen = w - a, s;
	if (w + 1 <= k) {
		size_t ws = w;
		while (ws < n && is_s((unsigned char)p[ws]))
			ws++;
		s = ws;
		if (s > k - 1)
			s = k - 1;
	} else {
		/* the " (" directly follows the word: \w+ gives up its last byte */
		if (k < a + 2)
			return false;
		wlen = k - 1 - a;
		s = k - 1;
	}
	sl->pc = p + a;
	sl->pc_len = wlen;
	sl->func = p + s;
	sl->func_len = k - s;
	sl->mod = p + k + 2;
	sl->mod_len = r - (k + 2);
	return true;
}

static bool is_kernel_mod(const char *m, size_t n)
{
	if (has_sub(m, n, "unknown"))
		return false;
	if (n && m[0] == '[')
		return true;
	if (n >= 7 && !memcmp(m + n - 7, "vmlinux", 7))
		return true;
	/* sonde extensions: module files and vmlinux-VERSION images */
	if (n >= 3 && !memcmp(m + n - 3, ".ko", 3))
		return true;
	const char *base = memrchr(m, '/', n);
	base = base ? base + 1 : m;
	return (size_t)(m + n - base) >= 7 && !memcmp(base, "vmlinux", 7);
}

static bool is_jit_mod(const char *m, size_t n)
{
	/* m:/tmp/perf-\d+\.map: (unanchored; "." of ".map" is any byte in the Perl) */
	const char *q = m, *end = m + n;
	while ((q = memmem(q, (size_t)(end - q), "/tmp/perf-", 10))) {
		const char *d = q + 10;
		while (d < end && is_d((unsigned char)*d))
			d++;
		if (d > q + 10 && end - d >= 4 && d[0] == '.' && !memcmp(d + 1, "map", 3))
			return true;
		q++;
	}
	/* sonde extension: perf inject --jit's jitted-PID-N.so */
	const char *base = memrchr(m, '/', n);
	base = base ? base + 1 : m;
	size_t bl = (size_t)(end - base);
	if (bl > 10 && !memcmp(base, "jitted-", 7) && !memcmp(end - 3, ".so", 3))
		return true;
	return false;
}

/* tidy_generic on st->tmp: ';' -> ':', argument lists dropped (not Go
 * methods ".(...)." nor "(anonymous namespace)"), quotes dropped. */
static void tidy(struct buf *t)
{
	char *p = t->p;
	size_t n = t->n;
	if (!n)
		return;
	for (char *q = p; (q = memchr(q, ';', (size_t)(p + n - q)));)
		*q++ = ':';
	char *par = memchr(p, '(', n);
	if (par) {
		bool go = false;
		const char *gs = memmem(p, n, ".(", 2);
		if (gs) {
			const char *ge = NULL;
			for (size_t i = n; i >= 2; i--)
				if (p[i - 2] == ')' && p[i - 1] == '.') {
					ge = p + i - 2;
					break;
				}
			go = ge && ge >= gs + 2;
		}
		if (!go) {
			static const char anon[] = "anonymous namespace)";
			for (char *q = par; q; q = memchr(q + 1, '(', (size_t)(p + n - q - 1))) {
				size_t rest = (size_t)(p + n - q - 1);
				if (rest >= sizeof(anon) - 1 && !memcmp(q + 1, anon, sizeof(anon) - 1))
					continue;
				n = (size_t)(q - p);
				break;
			}
		}
	}
	if (memchr(p, '"', n) || memchr(p, '\'', n)) {
		size_t o = 0;
		for (size_t i = 0; i < n; i++)
			if (p[i] != '"' && p[i] != '\'')
				p[o++] = p[i];
		n = o;
	}
	t->n = n;
}

/* One frame name (after splitting on "->"): fallback name, tidy,
 * annotations; appended to s->frames. `idx` is its place in the line. */
static void add_func(struct state *s, const char *f, size_t fn, const struct stack_line *sl, size_t idx)
{
	const struct collapse_opts *o = s->o;
	struct buf *t = &s->tmp;
	t->n = 0;
	if (bytes_eq(f, fn, "[unknown]")) {
		buf_addc(t, '[');
		if (!bytes_eq(sl->mod, sl->mod_len, "[unknown]")) {
			const char *b = memrchr(sl->mod, '/', sl->mod_len);
			b = b ? b + 1 : sl->mod;
			buf_add(t, b, (size_t)(sl->mod + sl->mod_len - b));
		} else {
			buf_add(t, "unknown", 7);
		}
		if (o->addrs) {
			buf_add(t, " <", 2);
			buf_add(t, sl->pc, sl->pc_len);
			buf_addc(t, '>');
		}
		buf_addc(t, ']');
	} else {
		buf_add(t, f, fn);
	}
	tidy(t);
	if (s->pname.n >= 4 && !memcmp(s->pname.p, "java", 4) && t->n && t->p[0] == 'L' &&
	    memchr(t->p, '/', t->n)) {
		memmove(t->p, t->p + 1, t->n - 1);
		t->n--;
	}
	if (idx > 0) {
		if (!has_sub(t->p, t->n, "_[i]"))
			buf_add(t, "_[i]", 4);
	} else if (o->kernel && is_kernel_mod(sl->mod, sl->mod_len)) {
		buf_add(t, "_[k]", 4);
	} else if (o->jit && is_jit_mod(sl->mod, sl->mod_len)) {
		if (!has_sub(t->p, t->n, "_[j]"))
			buf_add(t, "_[j]", 4);
	}
	if (idx > 0)
		buf_addc(&s->frames, ';');
	buf_add(&s->frames, t->p, t->n);
}

static uint64_t parse_hex(const char *p, size_t n, bool *ok)
{
	uint64_t v = 0;
	*ok = n > 0 && n <= 16;
	for (size_t i = 0; i < n && *ok; i++) {
		unsigned char c = (unsigned char)p[i];
		int d = is_d(c) ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
		if (d < 0)
			*ok = false;
		v = v << 4 | (uint64_t)(d < 0 ? 0 : d);
	}
	return v;
}

/* --inline: the frame's inline chain from DWARF, when the printed address
 * resolves (as an ELF address of the module) to the printed symbol.
 * Returns true if it appended a group. */
static bool add_inline(struct state *s, const struct stack_line *sl, const char *fname, size_t fnlen, bool leaf)
{
	if (!sl->mod_len || sl->mod[0] != '/' || is_jit_mod(sl->mod, sl->mod_len))
		return false;
	bool ok;
	uint64_t pc = parse_hex(sl->pc, sl->pc_len, &ok);
	if (!ok || !pc)
		return false;
	if (!s->sym) {
		s->sym = symbolizer_new();
		symbolizer_set_symbol_names(s->sym, true); /* the printed symbol's own name */
	}
	char path[4096];
	if (sl->mod_len >= sizeof(path))
		return false;
	memcpy(path, sl->mod, sl->mod_len);
	path[sl->mod_len] = 0;
	int m = symbolizer_module(s->sym, path, NULL, 0);
	const struct sym_result *r = symbolizer_lookup(s->sym, m, leaf ? pc : pc - 1);
	if (!r || !r->nr || !r->frames[r->nr - 1].func)
		return false;
	/* the address must be a module address: its function must be the printed one */
	const char *outer = r->frames[r->nr - 1].func;
	size_t ol = strlen(outer);
	if (!(fnlen >= ol && !memcmp(fname, outer, ol) &&
	      (fnlen == ol || fname[ol] == '(' || fname[ol] == '<')))
		return false;
	if (r->nr < 2)
		return false; /* nothing inlined: the normal path names it */
	struct group g = { s->frames.n, 0 };
	for (uint32_t i = r->nr; i-- > 0;) {
		const char *fn = r->frames[i].func ? r->frames[i].func : "[unknown]";
		s->tmp.n = 0;
		buf_add(&s->tmp, fn, strlen(fn));
		tidy(&s->tmp);
		if (i != r->nr - 1)
			buf_addc(&s->frames, ';');
		buf_add(&s->frames, s->tmp.p, s->tmp.n);
		if (i != r->nr - 1)
			buf_add(&s->frames, "_[i]", 4);
	}
	g.len = s->frames.n - g.off;
	vec_push(&s->groups, g);
	return true;
}

static void on_stack_line(struct state *s, const struct stack_line *sl)
{
	const char *f = sl->func;
	size_t fn = sl->func_len;
	bool leaf = s->in_sample_first;
	s->in_sample_first = false;
	/* s/\+0x[\da-f]+$//: "+0x" right before the trailing lowercase-hex run */
	{
		size_t j = fn;
		while (j > 0 && (is_d((unsigned char)f[j - 1]) || (f[j - 1] >= 'a' && f[j - 1] <= 'f')))
			j--;
		if (j < fn && j >= 3 && f[j - 3] == '+' && f[j - 2] == '0' && f[j - 1] == 'x')
			fn = j - 3;
	}
	if (fn && f[0] == '(')
		return;
	if (s->o->inline_frames && add_inline(s, sl, f, fn, leaf))
		return;
	/* split /->/: leading empty fields kept, trailing ones dropped */
	size_t nf = 0, nkeep = 0;
	for (size_t i = 0;;) {
		const char *arrow = fn - i >= 2 ? memmem(f + i, fn - i, "->", 2) : NULL;
		size_t e = arrow ? (size_t)(arrow - f) : fn;
		nf++;
		if (e > i)
			nkeep = nf;
		if (!arrow)
			break;
		i = e + 2;
	}
	if (!nkeep)
		return;
	struct group g = { s->frames.n, 0 };
	size_t idx = 0;
	for (size_t i = 0; idx < nkeep;) {
		const char *arrow = fn - i >= 2 ? memmem(f + i, fn - i, "->", 2) : NULL;
		size_t e = arrow ? (size_t)(arrow - f) : fn;
		add_func(s, f + i, e - i, sl, idx++);
		if (!arrow)
			break;
		i = e + 2;
	}
	g.len = s->frames.n - g.off;
	vec_push(&s->groups, g);
}

static void end_sample(struct state *s)
{
	if (!s->have_pname)
		return;
	struct buf *b = &s->stack;
	b->n = 0;
	bool any = false;
	if (!s->o->no_comm) {
		buf_add(b, s->pname.p, s->pname.n);
		any = true;
	}
	for (size_t i = s->groups.n; i-- > 0;) {
		if (any)
			buf_addc(b, ';');
		if (s->groups.v[i].len)
			buf_add(b, s->frames.p + s->groups.v[i].off, s->groups.v[i].len);
		any = true;
	}
	if (any) {
		folded_add(s->out, b->p ? b->p : "", b->n, s->period);
		s->st->samples++;
	}
	s->groups.n = 0;
	s->frames.n = 0;
	s->have_pname = false;
}

static void bad(struct state *s, uint64_t lineno)
{
	s->st->bad_lines++;
	if (!s->st->first_bad_line)
		s->st->first_bad_line = lineno;
}

static void on_line(struct state *s, const char *p, size_t n, uint64_t lineno)
{
	if (n && p[n - 1] == '\r')
		n--;
	if (n && p[0] == '#')
		return;
	if (n == 0) {
		end_sample(s);
		return;
	}
	struct event_line ev;
	if (match_event_line(p, n, &ev)) {
		const char *per = NULL, *evn;
		size_t per_len = 0, evn_len;
		if (match_event_name(p, n, &per, &per_len, &evn, &evn_len)) {
			if (!s->filter_set) {
				size_t l = evn_len < sizeof(s->filter) - 1 ? evn_len : sizeof(s->filter) - 1;
				memcpy(s->filter, evn, l);
				s->filter[l] = 0;
				s->filter_len = l;
				s->filter_set = true;
				size_t l2 = l < sizeof(s->st->first_event) - 1 ? l : sizeof(s->st->first_event) - 1;
				memcpy(s->st->first_event, evn, l2);
				s->st->first_event[l2] = 0;
			} else if (evn_len != s->filter_len || memcmp(evn, s->filter, evn_len)) {
				s->st->skipped_samples++;
				return;
			}
		}
		uint64_t period = 1;
		if (per_len && !(per_len == 1 && per[0] == '0')) {
			period = 0;
			for (size_t i = 0; i < per_len && period != UINT64_MAX; i++) {
				uint64_t d = (uint64_t)(per[i] - '0');
				if (period > (UINT64_MAX - d) / 10) { /* 2^64 or more: kept at the most there is */
					period = UINT64_MAX;
					s->out->capped = true;
				} else {
					period = period * 10 + d;
				}
			}
		}
		s->period = period;
		const char *pid = ev.pid, *tid = ev.tid;
		size_t pid_len = ev.pid_len, tid_len = ev.tid_len;
		if (!tid || (tid_len == 1 && tid[0] == '0')) {
			tid = pid;
			tid_len = pid_len;
			pid = "?";
			pid_len = 1;
		}
		struct buf *pn = &s->pname;
		pn->n = 0;
		buf_add(pn, p, ev.comm_len);
		for (size_t i = 0; i < pn->n; i++)
			if (pn->p[i] == ' ')
				pn->p[i] = '_';
		if (s->o->pid || s->o->tid) {
			buf_addc(pn, '-');
			buf_add(pn, pid, pid_len);
			if (s->o->tid) {
				buf_addc(pn, '/');
				buf_add(pn, tid, tid_len);
			}
		}
		s->have_pname = true;
		s->in_sample_first = true;
		return;
	}
	struct stack_line sl;
	if (match_stack_line(p, n, &sl)) {
		if (s->have_pname)
			on_stack_line(s, &sl);
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (!is_s((unsigned char)p[i])) {
			bad(s, lineno);
			return;
		}
}

static void on_line_cb(void *ctx, const char *p, size_t n, uint64_t lineno)
{
	on_line(ctx, p, n, lineno);
}

int collapse_perf_script(FILE *in, const struct collapse_opts *o, struct folded_set *out,
			 struct collapse_stats *st)
{
	struct collapse_stats dummy;
	if (!st)
		st = &dummy;
	memset(st, 0, sizeof(*st));
	struct state s = { .o = o, .out = out, .st = st };
	if (o->event_filter && *o->event_filter) {
		size_t l = strlen(o->event_filter);
		if (l > sizeof(s.filter) - 1)
			l = sizeof(s.filter) - 1;
		memcpy(s.filter, o->event_filter, l);
		s.filter_len = l;
		s.filter_set = true;
	}
	int64_t n = for_each_line(in, 4 << 20, on_line_cb, &s, &st->stop_offset);
	int ret = n < 0 ? -1 : 0;
	st->lines = n < 0 ? 0 : (uint64_t)n;
	free(s.pname.p);
	free(s.frames.p);
	free(s.stack.p);
	free(s.tmp.p);
	vec_free(&s.groups);
	if (s.sym)
		symbolizer_free(s.sym);
	return ret;
}
