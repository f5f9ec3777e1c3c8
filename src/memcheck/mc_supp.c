/* valgrind suppression files. The grammar and the error wording follow
 * what valgrind 3.19 accepts and prints (checked against the real one);
 * patterns are untrusted, so matching never backtracks exponentially. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memcheck/mc_opts.h"
#include "memcheck/mc_supp.h"

/* valgrind reads at most this many locations per suppression */
#define MC_SUPP_MAX_FRAMES 500

static void supp_free_one(struct mc_supp *p)
{
	free(p->name);
	free(p->extra);
	for (size_t i = 0; i < p->frames.n; i++)
		free(p->frames.v[i].pattern);
	vec_free(&p->frames);
}

void mc_supps_free(struct mc_supps *s)
{
	for (size_t i = 0; i < s->v.n; i++)
		supp_free_one(&s->v.v[i]);
	vec_free(&s->v);
	for (size_t i = 0; i < s->files.n; i++)
		free(s->files.v[i]);
	vec_free(&s->files);
}

/* ---- reading lines: trimmed, blank and '#' lines skipped ---- */

struct reader {
	const char *p, *end;
	unsigned lineno;
};

/* Next meaningful line into (*s, *n); false at the end of the text. */
static bool next_line(struct reader *r, const char **s, size_t *n)
{
	while (r->p < r->end) {
		const char *nl = memchr(r->p, '\n', (size_t)(r->end - r->p));
		const char *e = nl ? nl : r->end;
		const char *b = r->p;
		r->p = nl ? nl + 1 : r->end;
		r->lineno++;
		while (b < e && (*b == ' ' || *b == '\t' || *b == '\r'))
			b++;
		while (e > b && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
			e--;
		if (b == e || *b == '#')
			continue;
		*s = b;
		*n = (size_t)(e - b);
		return true;
	}
	return false;
}

static bool line_is(const char *s, size_t n, const char *word)
{
	return n == strlen(word) && !memcmp(s, word, n);
}

static bool line_starts(const char *s, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);
	return n >= k && !memcmp(s, prefix, k);
}

static bool is_location(const char *s, size_t n)
{
	return line_is(s, n, "...") || line_starts(s, n, "fun:") || line_starts(s, n, "obj:") ||
	       line_starts(s, n, "src:");
}

/* Kind names memcheck accepts after "Memcheck:" (3.19, plus the newer
 * ReallocZero/BadAlign that sonde reports). */
static bool parse_kind(const char *s, size_t n, struct mc_supp *p)
{
	static const struct { const char *name; enum mc_supp_kind kind; } simple[] = {
		{ "Leak", MC_SK_LEAK }, { "Free", MC_SK_FREE }, { "Overlap", MC_SK_OVERLAP },
		{ "FishyValue", MC_SK_FISHY }, { "Param", MC_SK_PARAM }, { "Cond", MC_SK_COND },
		{ "Jump", MC_SK_JUMP }, { "User", MC_SK_USER }, { "Mempool", MC_SK_MEMPOOL },
		{ "ReallocZero", MC_SK_REALLOC_ZERO }, { "BadAlign", MC_SK_BAD_ALIGN },
	};
	for (size_t i = 0; i < sizeof(simple) / sizeof(simple[0]); i++)
		if (line_is(s, n, simple[i].name)) {
			p->kind = simple[i].kind;
			return true;
		}
	static const char *const addr_sizes[] = { "1", "2", "4", "8", "16", "32" };
	bool addr = line_starts(s, n, "Addr"), value = line_starts(s, n, "Value");
	if (!addr && !value)
		return false;
	size_t k = addr ? 4 : 5;
	if (value && line_is(s + k, n - k, "0")) {
		p->kind = MC_SK_VALUE;
		p->size = 0;
		return true;
	}
	for (size_t i = 0; i < 6; i++)
		if (line_is(s + k, n - k, addr_sizes[i])) {
			p->kind = addr ? MC_SK_ADDR : MC_SK_VALUE;
			p->size = (unsigned)atoi(addr_sizes[i]);
			return true;
		}
	return false;
}

/* "Memcheck,Helgrind:Kind": does the tool list name memcheck? */
static bool for_memcheck(const char *s, size_t n)
{
	while (n) {
		size_t k = 0;
		while (k < n && s[k] != ',')
			k++;
		if (line_is(s, k, "Memcheck"))
			return true;
		s += k;
		n -= k;
		if (n) {
			s++;
			n--;
		}
	}
	return false;
}

static int fatal(struct strbuf *err, const char *name, unsigned line, const char *why)
{
	sb_addf(err, "FATAL: in suppressions file \"%s\" near line %u:\n   %s\nexiting now.\n", name,
		line, why);
	return -1;
}

static bool parse_leak_kinds(const char *s, size_t n, unsigned *out)
{
	const char *pre = "match-leak-kinds:";
	size_t k = strlen(pre);
	while (k < n && s[k] == ' ')
		k++;
	char *v = xstrndup(s + k, n - k);
	bool ok = mc_parse_kinds(v, out);
	free(v);
	return ok;
}

static int parse_frame(struct mc_supp *p, const char *s, size_t n)
{
	struct mc_supp_frame f = { MC_LOC_DOTS, NULL, 0 };
	if (!line_is(s, n, "...")) {
		f.type = s[0] == 'f' ? MC_LOC_FUN : s[0] == 'o' ? MC_LOC_OBJ : MC_LOC_SRC;
		const char *v = s + 4;
		size_t vn = n - 4;
		if (f.type == MC_LOC_SRC) {
			/* "src:file.c:12": a trailing all-digit field is the line */
			const char *colon = memrchr(v, ':', vn);
			const char *d = colon ? colon + 1 : NULL;
			while (d && d < v + vn && *d >= '0' && *d <= '9')
				d++;
			if (colon && colon + 1 < v + vn && d == v + vn) {
				unsigned long ln = 0;
				for (const char *c = colon + 1; c < d && ln < 100000000; c++)
					ln = ln * 10 + (unsigned long)(*c - '0');
				f.line = (unsigned)ln;
				vn = (size_t)(colon - v);
			}
		}
		f.pattern = xstrndup(v, vn);
	}
	vec_push(&p->frames, f);
	return 0;
}

/* One "{ ... }" block after its '{'. Returns 0, -1 on error (err filled);
 * *keep says whether it is for memcheck. */
static int parse_block(struct reader *r, struct mc_supp *p, const char *file, struct strbuf *err,
		       bool *keep)
{
	const char *s;
	size_t n;
	unsigned open_line = r->lineno;
	if (!next_line(r, &s, &n) || line_is(s, n, "}"))
		return fatal(err, file, open_line, "unexpected '}'");
	p->name = xstrndup(s, n);
	p->line = r->lineno;
	if (!next_line(r, &s, &n))
		return fatal(err, file, r->lineno, "unexpected end-of-file (expecting tool:suppr)");
	const char *colon = memchr(s, ':', n);
	if (!colon || colon == s || colon + 1 == s + n)
		return fatal(err, file, r->lineno, "malformed 'tool1,tool2,...:supp' line");
	*keep = for_memcheck(s, (size_t)(colon - s));
	if (!*keep) {
		/* another tool's: skip to its closing brace */
		while (next_line(r, &s, &n))
			if (line_is(s, n, "}"))
				return 0;
		return fatal(err, file, r->lineno, "unexpected end-of-file (when reading stack trace)");
	}
	if (!parse_kind(colon + 1, (size_t)(s + n - colon - 1), p))
		return fatal(err, file, r->lineno, "unknown tool suppression type");
	p->leak_kinds = MC_KINDS_ALL;
	bool pushed = false; /* a Leak's first location was read as its extra line */
	if (p->kind == MC_SK_LEAK || p->kind == MC_SK_PARAM || p->kind == MC_SK_FISHY) {
		if (!next_line(r, &s, &n))
			return fatal(err, file, r->lineno, "unexpected end-of-file (when reading stack trace)");
		if (p->kind == MC_SK_LEAK) {
			if (line_starts(s, n, "match-leak-kinds:")) {
				if (!parse_leak_kinds(s, n, &p->leak_kinds))
					return fatal(err, file, r->lineno, "bad or missing extra suppression info");
			} else if (is_location(s, n) && !line_is(s, n, "}")) {
				pushed = true;
			} else {
				return fatal(err, file, r->lineno, "bad or missing extra suppression info");
			}
		} else if (is_location(s, n)) {
			return fatal(err, file, r->lineno, "bad or missing extra suppression info");
		} else {
			p->extra = xstrndup(s, n);
		}
	}
	for (;;) {
		if (!pushed && !next_line(r, &s, &n))
			return fatal(err, file, r->lineno, "unexpected end-of-file (when reading stack trace)");
		pushed = false;
		if (line_is(s, n, "}"))
			break;
		if (!is_location(s, n))
			return fatal(err, file, r->lineno,
				     "location should be \"...\", or should start with \"fun:\", \"obj:\", or \"src:\"");
		if (p->frames.n >= MC_SUPP_MAX_FRAMES)
			return fatal(err, file, r->lineno, "too many callers in stack trace");
		parse_frame(p, s, n);
	}
	if (!p->frames.n)
		return fatal(err, file, r->lineno, "missing stack trace");
	return 0;
}

int mc_supp_parse_text(struct mc_supps *s, const char *text, size_t len, const char *name,
		       struct strbuf *err)
{
	char *file = xstrdup(name);
	vec_push(&s->files, file);
	struct reader r = { text, text + len, 0 };
	const char *l;
	size_t n;
	while (next_line(&r, &l, &n)) {
		if (!line_is(l, n, "{"))
			return fatal(err, file, r.lineno, "expected '{' or end-of-file");
		struct mc_supp p = { 0 };
		p.file = file;
		bool keep = false;
		if (parse_block(&r, &p, file, err, &keep)) {
			supp_free_one(&p);
			return -1;
		}
		if (keep)
			vec_push(&s->v, p);
		else
			supp_free_one(&p);
	}
	return 0;
}

int mc_supp_load_file(struct mc_supps *s, const char *path, struct strbuf *err)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		sb_addf(err, "FATAL: can't open suppressions file \"%s\"\n", path);
		return -1;
	}
	struct strbuf text = STRBUF_INIT;
	char buf[65536];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sb_add(&text, buf, n);
	fclose(f);
	int rc = mc_supp_parse_text(s, text.buf ? text.buf : "", text.len, path, err);
	sb_free(&text);
	return rc;
}

/* ---- matching ---- */

/* One pattern character against one string character: '?' any, '\\c'
 * the character c itself, a '\\' that ends the pattern nothing. */
static bool glob_char(const char **pp, char c)
{
	const char *p = *pp;
	if (*p == '\\') {
		if (!*++p)
			return false;
		*pp = p + 1;
		return *p == c;
	}
	*pp = p + 1;
	return *p == '?' || *p == c;
}

bool mc_supp_glob(const char *pattern, const char *str)
{
	/* the classic two-pointer match: on a mismatch go back to just after
	 * the last '*' and let it swallow one more character; O(n*m) worst */
	const char *p = pattern, *s = str, *star_p = NULL, *star_s = NULL;
	while (*s) {
		if (*p == '*') {
			while (*p == '*')
				p++;
			star_p = p;
			star_s = s;
			continue;
		}
		const char *q = p;
		if (*p && glob_char(&q, *s)) {
			p = q;
			s++;
			continue;
		}
		if (!star_p)
			return false;
		p = star_p;
		s = ++star_s;
	}
	while (*p == '*')
		p++;
	return !*p;
}

static bool frame_matches(const struct mc_supp_frame *sf, const struct mc_frame *f)
{
	switch (sf->type) {
	case MC_LOC_FUN: {
		const char *name = mc_frame_supp_name(f);
		return mc_supp_glob(sf->pattern, name ? name : "???");
	}
	case MC_LOC_OBJ:
		return mc_supp_glob(sf->pattern, f->object ? f->object : "???");
	case MC_LOC_SRC:
		return f->file && mc_supp_glob(sf->pattern, f->file) && (!sf->line || sf->line == f->line);
	default:
		return true;
	}
}

/* The suppression's locations against the first frames of the stack: a
 * prefix match, where "..." stands for any number of frames (matched like
 * '*' above, so hostile files stay polynomial). */
static bool stack_matches(const struct mc_supp *p, const struct mc_stack *st, unsigned num_callers)
{
	size_t nf = mc_stack_shown(st, num_callers), np = p->frames.n;
	size_t i = 0, j = 0, star_i = 0, star_j = 0;
	bool star = false;
	while (i < np) {
		const struct mc_supp_frame *sf = &p->frames.v[i];
		if (sf->type == MC_LOC_DOTS) {
			while (i < np && p->frames.v[i].type == MC_LOC_DOTS)
				i++;
			if (i == np)
				return true;
			star = true;
			star_i = i;
			star_j = j;
			continue;
		}
		if (j < nf && frame_matches(sf, &st->frames.v[j])) {
			i++;
			j++;
			continue;
		}
		if (!star || star_j >= nf)
			return false;
		i = star_i;
		j = ++star_j;
	}
	return true; /* the remaining frames are below what the suppression names */
}

struct mc_supp *mc_supp_find_loss(struct mc_supps *s, const struct mc_loss *l, unsigned num_callers)
{
	for (size_t i = s->v.n; i-- > 0;) {
		struct mc_supp *p = &s->v.v[i];
		if (p->kind == MC_SK_LEAK && (p->leak_kinds & MC_KIND_BIT(l->kind)) &&
		    stack_matches(p, &l->alloc, num_callers))
			return p;
	}
	return NULL;
}

static bool kind_matches(const struct mc_supp *p, const struct mc_error *e)
{
	switch (e->kind) {
	case MC_INVALID_FREE:
	case MC_MISMATCHED_FREE:
		return p->kind == MC_SK_FREE;
	case MC_INVALID_READ:
	case MC_INVALID_WRITE:
		return p->kind == MC_SK_ADDR && p->size == e->size;
	case MC_OVERLAP:
		return p->kind == MC_SK_OVERLAP;
	case MC_FISHY_VALUE: {
		if (p->kind != MC_SK_FISHY)
			return false;
		char want[512];
		snprintf(want, sizeof(want), "%s(%s)", e->func ? e->func : "???", e->arg ? e->arg : "size");
		return !p->extra || mc_supp_glob(p->extra, want);
	}
	case MC_BAD_ALIGNMENT:
		return p->kind == MC_SK_BAD_ALIGN;
	case MC_REALLOC_ZERO:
		return p->kind == MC_SK_REALLOC_ZERO;
	case MC_INVALID_JUMP:
		return p->kind == MC_SK_JUMP;
	default:
		return false;
	}
}

struct mc_supp *mc_supp_find_error(struct mc_supps *s, const struct mc_error *e, unsigned num_callers)
{
	for (size_t i = s->v.n; i-- > 0;) {
		struct mc_supp *p = &s->v.v[i];
		if (kind_matches(p, e) && stack_matches(p, &e->where, num_callers))
			return p;
	}
	return NULL;
}

void mc_supp_apply(struct mc_supps *s, struct mc_result *r, unsigned num_callers)
{
	for (size_t i = 0; i < r->losses.n; i++) {
		struct mc_loss *l = &r->losses.v[i];
		struct mc_supp *p = mc_supp_find_loss(s, l, num_callers);
		if (!p)
			continue;
		l->suppressed = true;
		l->supp_name = p->name;
		p->count++;
		p->leak_bytes += l->bytes + l->indirect_bytes;
		p->leak_blocks += l->blocks;
	}
	for (size_t i = 0; i < r->errors.n; i++) {
		struct mc_error *e = &r->errors.v[i];
		struct mc_supp *p = mc_supp_find_error(s, e, num_callers);
		if (!p)
			continue;
		e->suppressed = true;
		e->supp_name = p->name;
		p->count += e->count ? e->count : 1;
	}
}

/* ---- generating ---- */

const char *mc_supp_error_kind(const struct mc_error *e, char *buf, size_t n)
{
	switch (e->kind) {
	case MC_INVALID_FREE:
	case MC_MISMATCHED_FREE:
		return "Memcheck:Free";
	case MC_INVALID_READ:
	case MC_INVALID_WRITE:
		snprintf(buf, n, "Memcheck:Addr%llu", (unsigned long long)e->size);
		return buf;
	case MC_OVERLAP:
		return "Memcheck:Overlap";
	case MC_FISHY_VALUE:
		return "Memcheck:FishyValue";
	case MC_BAD_ALIGNMENT:
		return "Memcheck:BadAlign";
	case MC_REALLOC_ZERO:
		return "Memcheck:ReallocZero";
	case MC_INVALID_JUMP:
		return "Memcheck:Jump";
	default:
		return "Memcheck:Unknown";
	}
}

void mc_supp_frame_line(struct strbuf *sb, const struct mc_frame *f)
{
	const char *name = mc_frame_supp_name(f);
	if (name)
		sb_addf(sb, "fun:%s", name);
	else if (f->object)
		sb_addf(sb, "obj:%s", f->object);
	else
		sb_adds(sb, "obj:*");
}

static void gen(struct strbuf *sb, const char *kind, const char *aux, const struct mc_stack *st,
		unsigned num_callers)
{
	sb_addf(sb, "{\n   <insert_a_suppression_name_here>\n   %s\n", kind);
	if (aux)
		sb_addf(sb, "   %s\n", aux);
	size_t n = mc_stack_shown(st, num_callers);
	for (size_t i = 0; i < n; i++) {
		sb_adds(sb, "   ");
		mc_supp_frame_line(sb, &st->frames.v[i]);
		sb_addc(sb, '\n');
	}
	sb_adds(sb, "}\n");
}

void mc_supp_gen_loss(struct strbuf *sb, const struct mc_loss *l, unsigned num_callers)
{
	char aux[64];
	snprintf(aux, sizeof(aux), "match-leak-kinds: %s", mc_leak_kind_word(l->kind));
	gen(sb, "Memcheck:Leak", aux, &l->alloc, num_callers);
}

void mc_supp_gen_error(struct strbuf *sb, const struct mc_error *e, unsigned num_callers)
{
	char kind[64], aux[512];
	const char *a = NULL;
	if (e->kind == MC_FISHY_VALUE) {
		snprintf(aux, sizeof(aux), "%s(%s)", e->func ? e->func : "???", e->arg ? e->arg : "size");
		a = aux;
	}
	gen(sb, mc_supp_error_kind(e, kind, sizeof(kind)), a, &e->where, num_callers);
}
