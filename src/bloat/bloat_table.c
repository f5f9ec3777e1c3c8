/* Printing sonde bloat's tables. */
#include "bloat/bloat_table.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "util/die.h"

void bloat_table_init(struct bloat_table *t, const char *const *header, size_t ncols)
{
	memset(t, 0, sizeof(*t));
	t->ncols = ncols;
	bloat_table_row(t, header);
}

void bloat_table_row(struct bloat_table *t, const char *const *cells)
{
	for (size_t i = 0; i < t->ncols; i++)
		vec_push(&t->cells, xstrdup(cells[i] ? cells[i] : ""));
}

void bloat_table_free(struct bloat_table *t)
{
	for (size_t i = 0; i < t->cells.n; i++)
		free(t->cells.v[i]);
	vec_free(&t->cells);
}

size_t bloat_table_width(FILE *out, int wide)
{
	struct winsize ws;
	if (wide || !isatty(fileno(out)) || ioctl(fileno(out), TIOCGWINSZ, &ws) < 0 || ws.ws_col == 0)
		return 0;
	return ws.ws_col;
}

/* Display width of a cell: UTF-8 continuation bytes take no column. */
static size_t cols_of(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

int bloat_table_print(FILE *out, const struct bloat_table *t, size_t width)
{
	size_t rows = t->cells.n / t->ncols;
	size_t *w = xcalloc(t->ncols, sizeof(*w));
	for (size_t r = 0; r < rows; r++)
		for (size_t c = 0; c + 1 < t->ncols; c++) {
			size_t l = cols_of(t->cells.v[r * t->ncols + c]);
			if (l > w[c])
				w[c] = l;
		}
	size_t fixed = 0;
	for (size_t c = 0; c + 1 < t->ncols; c++)
		fixed += w[c] + 1;
	for (size_t r = 0; r < rows; r++) {
		for (size_t c = 0; c + 1 < t->ncols; c++) {
			const char *cell = t->cells.v[r * t->ncols + c];
			fprintf(out, "%*s%s ", (int)(w[c] - cols_of(cell)), "", cell);
		}
		const char *name = t->cells.v[r * t->ncols + t->ncols - 1];
		size_t room = width > fixed + 3 ? width - fixed : 0;
		if (width && room && cols_of(name) > room) {
			/* cut at a character boundary, room - 3 columns, then "..." */
			size_t cols = 0, i = 0;
			for (; name[i]; i++) {
				if (((unsigned char)name[i] & 0xc0) != 0x80 && cols++ == room - 3)
					break;
			}
			fprintf(out, "%.*s...\n", (int)i, name);
		} else {
			fprintf(out, "%s\n", name);
		}
	}
	free(w);
	return ferror(out) ? -1 : 0;
}
