/* The TOML reader's memory and errors: every allocation of a document is
 * chained to its root, so toml_free and a refused document free it all
 * at once. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "toml/toml_int.h"

struct tmem {
	struct tmem *next;
	max_align_t data[];
};

void *tp_alloc(struct tp *p, size_t n)
{
	if (n > ((size_t)1 << 40))
		tp_fail_at(p, p->pos, "document too large");
	struct tmem *m = calloc(1, sizeof *m + n);
	if (!m)
		tp_fail_at(p, p->pos, "out of memory");
	m->next = p->mem;
	p->mem = m;
	return m->data;
}

/* old stays allocated until the document is freed: growth doubles, so
 * what is left behind is at most what is kept */
void *tp_grow(struct tp *p, void *old, size_t oldn, size_t newn)
{
	void *n = tp_alloc(p, newn);
	if (oldn)
		memcpy(n, old, oldn);
	return n;
}

void tp_free_all(struct tmem *m)
{
	while (m) {
		struct tmem *next = m->next;
		free(m);
		m = next;
	}
}

void tp_linecol(struct tp *p, size_t pos, unsigned *line, unsigned *col)
{
	if (pos > p->len)
		pos = p->len;
	if (pos < p->lc_pos || !p->lc_line) {
		p->lc_pos = 0;
		p->lc_line = 1;
		p->lc_col = 1;
	}
	/* columns count characters, not UTF-8 bytes */
	for (size_t i = p->lc_pos; i < pos; i++) {
		unsigned char c = (unsigned char)p->s[i];
		if (c == '\n') {
			p->lc_line++;
			p->lc_col = 1;
		} else if ((c & 0xc0) != 0x80) {
			p->lc_col++;
		}
	}
	p->lc_pos = pos;
	*line = p->lc_line;
	*col = p->lc_col;
}

void tp_fail_at(struct tp *p, size_t pos, const char *fmt, ...)
{
	unsigned line, col;
	tp_linecol(p, pos, &line, &col);
	if (p->errsize) {
		int n = snprintf(p->err, p->errsize, "%u:%u: ", line, col);
		if (n >= 0 && (size_t)n < p->errsize) {
			va_list ap;
			va_start(ap, fmt);
			vsnprintf(p->err + n, p->errsize - n, fmt, ap);
			va_end(ap);
		}
	}
	longjmp(p->fail, 1);
}
