/* profile.coz: one record per line, `type<TAB>key=value<TAB>...`.
 * Point records belong to the last `experiment` before them. Unknown keys
 * are ignored (as coz's viewer does); a missing or malformed value of a
 * key the math needs is an error, so a bad file is never half-plotted. */
#include "coz/coz_profile.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FIELDS 16

struct fields {
	int n;
	const char *key[MAX_FIELDS], *val[MAX_FIELDS];
};

/* Splits line (modified) at tabs; fields without '=' (the type) are skipped. */
static void split(char *line, struct fields *f)
{
	f->n = 0;
	char *s = strchr(line, '\t');
	while (s && f->n < MAX_FIELDS) {
		*s++ = 0;
		char *next = strchr(s, '\t');
		if (next)
			*next = 0;
		char *eq = strchr(s, '=');
		if (eq) {
			*eq = 0;
			f->key[f->n] = s;
			f->val[f->n++] = eq + 1;
		}
		s = next; /* already cut: the loop's top steps past it */
	}
}

static const char *field(const struct fields *f, const char *key)
{
	for (int i = f->n - 1; i >= 0; i--) /* the last wins, as in the viewer */
		if (!strcmp(f->key[i], key))
			return f->val[i];
	return NULL;
}

struct rd {
	const char *name;
	size_t lineno;
	char *err;
	size_t errlen;
};

SONDE_PRINTF(2, 3) static int fail(struct rd *r, const char *fmt, ...)
{
	int k = snprintf(r->err, r->errlen, "%s:%zu: ", r->name, r->lineno);
	va_list ap;
	va_start(ap, fmt);
	if (k >= 0 && (size_t)k < r->errlen)
		vsnprintf(r->err + k, r->errlen - k, fmt, ap);
	va_end(ap);
	return -1;
}

/* key's value: a finite number >= 0; with integer, digits only, as coz
 * writes them (its viewer's parseInt would read "1.5" as 1 and "1e5" as
 * 1; sonde refuses what the two would read differently). */
static int number(struct rd *r, const struct fields *f, const char *key, bool integer, double *out)
{
	const char *v = field(f, key);
	if (!v)
		return fail(r, "no %s= field", key);
	if (integer && !(*v && strspn(v, "0123456789") == strlen(v)))
		return fail(r, "bad %s= value (not an integer)", key);
	char *end;
	errno = 0;
	double d = strtod(v, &end);
	if (end == v || *end || !isfinite(d) || d < 0 || errno == ERANGE)
		return fail(r, "bad %s= value", key);
	*out = d;
	return 0;
}

/* The experiment the next point records belong to. */
struct exp {
	bool have;
	uint32_t line;
	int pct;
	double duration;
};

static int read_experiment(struct rd *r, const struct fields *f, struct coz_profile *p, struct exp *e)
{
	const char *sel = field(f, "selected");
	double sp;
	if (!sel || !*sel)
		return fail(r, "experiment without selected=");
	if (number(r, f, "speedup", false, &sp) || number(r, f, "duration", true, &e->duration))
		return -1;
	if (sp > 1)
		return fail(r, "speedup=%g is above 1", sp);
	e->line = intern(&p->lines, sel);
	e->pct = (int)lround(sp * 100);
	e->have = true;
	p->experiments++;
	return 0;
}

static int read_point(struct rd *r, const struct fields *f, struct coz_profile *p, const struct exp *e,
		      enum coz_kind kind)
{
	const char *name = field(f, "name");
	if (!e->have)
		return fail(r, "progress point before any experiment");
	if (!name)
		return fail(r, "progress point without name=");
	struct coz_rec c = { .line = e->line, .kind = kind, .pct = e->pct, .duration = e->duration };
	if (kind == COZ_THROUGHPUT) {
		if (number(r, f, "delta", true, &c.delta))
			return -1;
	} else if (number(r, f, "arrivals", true, &c.arrivals) ||
		   number(r, f, "departures", true, &c.departures) || number(r, f, "difference", true, &c.difference)) {
		return -1;
	}
	c.point = intern(&p->points, name);
	vec_push(&p->recs, c);
	return 0;
}

static int read_line(struct rd *r, char *line, struct coz_profile *p, struct exp *e)
{
	if (line[0] == '{')
		return fail(r, "JSON records (coz after 0.2.2) are not read; use coz 0.2.2's text format");
	struct fields f;
	split(line, &f);
	if (!strcmp(line, "experiment"))
		return read_experiment(r, &f, p, e);
	/* progress-point: the 2015 format's throughput point */
	if (!strcmp(line, "throughput-point") || !strcmp(line, "progress-point"))
		return read_point(r, &f, p, e, COZ_THROUGHPUT);
	if (!strcmp(line, "latency-point"))
		return read_point(r, &f, p, e, COZ_LATENCY);
	if (!strcmp(line, "startup")) {
		p->runs++;
		e->have = false; /* a new run: its points follow its own experiments */
		return 0;
	}
	if (!strcmp(line, "runtime") || !strcmp(line, "samples") || !strcmp(line, "shutdown"))
		return 0;
	return fail(r, "unknown record type");
}

int coz_read_stream(FILE *in, const char *name, struct coz_profile *p, char *err, size_t errlen)
{
	struct rd r = { name, 0, err, errlen };
	struct exp e = { 0 };
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = 0;
	while (!rc && (n = getline(&line, &cap, in)) >= 0) {
		r.lineno++;
		while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = 0;
		if ((size_t)n != strlen(line))
			rc = fail(&r, "NUL byte in a record");
		else if (n)
			rc = read_line(&r, line, p, &e);
	}
	if (!rc && ferror(in)) {
		snprintf(err, errlen, "%s: %s", name, strerror(errno));
		rc = -1;
	}
	free(line);
	return rc;
}

int coz_read_file(const char *path, struct coz_profile *p, char *err, size_t errlen)
{
	bool std = !strcmp(path, "-");
	FILE *in = std ? stdin : fopen(path, "r");
	if (!in) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	int rc = coz_read_stream(in, std ? "(stdin)" : path, p, err, errlen);
	if (!std)
		fclose(in);
	return rc;
}

void coz_profile_free(struct coz_profile *p)
{
	interner_free(&p->lines);
	interner_free(&p->points);
	vec_free(&p->recs);
	memset(p, 0, sizeof(*p));
}
