/* Per-stack costs as text (cg_stacks.h), sorted by stack. */
#include "cachegrind/cg_stacks.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/die.h"
#include "util/outfile.h"

static int by_name(const void *a, const void *b, void *arg)
{
	const struct interner *s = arg;
	const struct cg_stack *x = a, *y = b;
	return strcmp(interned(s, x->name), interned(s, y->name));
}

int cg_stacks_write(const char *path, const struct cg_raw *r)
{
	size_t n = r->stack_costs.n;
	struct cg_stack *v = malloc((n ? n : 1) * sizeof(*v));
	if (!v)
		return -1;
	memcpy(v, r->stack_costs.v, n * sizeof(*v));
	qsort_r(v, n, sizeof(*v), by_name, (void *)&r->stacks);
	struct outfile o;
	FILE *f = outfile_fopen(&o, path);
	if (!f) {
		free(v);
		return -1;
	}
	fputs(CG_STACKS_HEADER, f);
	for (uint32_t e = 0; e < r->data.n_events; e++)
		fprintf(f, " %s", r->data.events[e]);
	fputc('\n', f);
	for (size_t i = 0; i < n; i++) {
		bool any = false;
		for (uint32_t e = 0; e < r->data.n_events; e++)
			any |= v[i].c[e] != 0;
		if (!any)
			continue;
		fputs(interned(&r->stacks, v[i].name), f);
		for (uint32_t e = 0; e < r->data.n_events; e++)
			fprintf(f, " %" PRIu64, v[i].c[e]);
		fputc('\n', f);
	}
	free(v);
	bool ok = !ferror(f);
	int err = errno;
	if (outfile_fclose(&o, f, ok) < 0)
		return -1;
	errno = err;
	return ok ? 0 : -1;
}

char *cg_stacks_path(const char *out)
{
	const char *base = strrchr(out, '/');
	base = base ? base + 1 : out;
	if (!strncmp(base, "cachegrind.out.", 15))
		return xasprintf("%.*scachegrind.stacks.%s", (int)(base - out), out, base + 15);
	return xasprintf("%s.stacks", out);
}
