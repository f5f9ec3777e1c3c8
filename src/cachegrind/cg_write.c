/* cachegrind.out writer, valgrind 3.19's layout (see cg_write.h). */
#include "cachegrind/cg_write.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "util/outfile.h"

static void counts(FILE *f, const uint64_t *c, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		if (c[i] == CG_NONE)
			fputs(" .", f);
		else
			fprintf(f, " %" PRIu64, c[i]);
	}
}

int cg_write(FILE *f, const struct cg_data *d)
{
	for (size_t i = 0; i < d->desc.n; i++)
		fprintf(f, "desc: %s\n", d->desc.v[i]);
	fprintf(f, "cmd: %s\n", d->cmd ? d->cmd : "");
	fputs("events:", f);
	for (uint32_t i = 0; i < d->n_events; i++)
		fprintf(f, " %s", d->events[i]);
	/* 3.19 prints "events: Ir I1mr ILmr Dr D1mr DLmr Dw D1mw DLmw " */
	fputs(d->n_events == 9 && !strcmp(d->events[1], "I1mr") ? " \n" : "\n", f);
	uint32_t file = UINT32_MAX;
	for (size_t i = 0; i < d->fns.n; i++) {
		const struct cg_fn *fn = &d->fns.v[i];
		if (fn->file != file)
			fprintf(f, "fl=%s\n", interned(&d->strs, fn->file));
		file = fn->file;
		fprintf(f, "fn=%s\n", interned(&d->strs, fn->name));
		for (size_t k = 0; k < fn->lines.n; k++) {
			fprintf(f, "%u", fn->lines.v[k].line);
			counts(f, fn->lines.v[k].c, d->n_events);
			fputc('\n', f);
		}
	}
	uint64_t sum[CG_MAX_EVENTS] = { 0 };
	const uint64_t *s = d->summary;
	if (!d->has_summary) {
		for (size_t i = 0; i < d->fns.n; i++)
			for (size_t k = 0; k < d->fns.v[i].lines.n; k++)
				for (uint32_t e = 0; e < d->n_events; e++)
					if (d->fns.v[i].lines.v[k].c[e] != CG_NONE)
						sum[e] += d->fns.v[i].lines.v[k].c[e];
		s = sum;
	}
	fputs("summary:", f);
	counts(f, s, d->n_events);
	fputc('\n', f);
	return ferror(f) ? -1 : 0;
}

int cg_write_file(const char *path, const struct cg_data *d)
{
	struct outfile o;
	FILE *f = outfile_fopen(&o, path);
	if (!f)
		return -1;
	int rc = cg_write(f, d);
	int err = errno;
	if (outfile_fclose(&o, f, rc == 0) < 0)
		return -1;
	errno = err;
	return rc;
}
