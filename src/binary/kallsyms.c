#include "binary/kallsyms.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/die.h"
#include "util/strbuf.h"

static uint32_t add_name(struct kallsyms *k, const char *s, size_t n)
{
	return strtab_add(&k->names, &k->names_len, &k->names_cap, s, n);
}

static int cmp_ksym(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->name < y->name ? -1 : x->name > y->name;
}

bool kallsyms_load(struct kallsyms *k, const char *path)
{
	memset(k, 0, sizeof(*k));
	FILE *f = fopen(path, "re");
	if (!f)
		return false;
	size_t cap = 0;
	char *line = NULL;
	size_t linecap = 0;
	ssize_t len;
	/* The module names repeat for every symbol; remember the last one. */
	char last_mod[128] = "";
	uint32_t last_mod_off = UINT32_MAX;
	while ((len = getline(&line, &linecap, f)) > 0) {
		char *end;
		unsigned long long addr = strtoull(line, &end, 16);
		if (end == line || *end != ' ')
			continue;
		if (addr)
			k->visible = true;
		char type = end[1];
		if (!type || end[2] != ' ')
			continue;
		if (type != 't' && type != 'T' && type != 'w' && type != 'W')
			continue;
		char *name = end + 3;
		size_t nlen = strcspn(name, " \t\n");
		if (!nlen)
			continue;
		uint32_t mod = UINT32_MAX;
		char *m = name + nlen;
		m += strspn(m, " \t");
		if (*m == '[') {
			size_t mlen = strcspn(m, "]\n");
			if (m[mlen] == ']') {
				mlen++;
				if (mlen < sizeof(last_mod) && !strncmp(last_mod, m, mlen) && !last_mod[mlen]) {
					mod = last_mod_off;
				} else {
					mod = add_name(k, m, mlen);
					if (mlen < sizeof(last_mod)) {
						memcpy(last_mod, m, mlen);
						last_mod[mlen] = 0;
						last_mod_off = mod;
					}
				}
			}
		}
		if (k->n == cap) {
			cap = cap ? cap * 2 : 65536;
			k->syms = xrealloc(k->syms, cap * sizeof(*k->syms));
		}
		k->syms[k->n++] = (struct ksym){ addr, 0, add_name(k, name, nlen), mod };
	}
	free(line);
	fclose(f);
	if (!k->visible) {
		free(k->syms);
		k->syms = NULL;
		k->n = 0;
		return true;
	}
	qsort(k->syms, k->n, sizeof(*k->syms), cmp_ksym);
	/* Drop aliases at one address (keep the first by name order). */
	size_t w = 0;
	for (size_t i = 0; i < k->n; i++) {
		if (w && k->syms[w - 1].start == k->syms[i].start)
			continue;
		k->syms[w++] = k->syms[i];
	}
	k->n = w;
	for (size_t i = 0; i < k->n; i++) {
		struct ksym *s = &k->syms[i];
		uint64_t next = i + 1 < k->n ? k->syms[i + 1].start : 0;
		/* A module symbol does not run into the next module or the kernel. */
		if (next && (i + 1 >= k->n || k->syms[i + 1].module == s->module || next - s->start < (1u << 20)))
			s->end = next;
		else
			s->end = s->start + 4096;
	}
	return true;
}

const struct ksym *kallsyms_find(const struct kallsyms *k, uint64_t addr)
{
	if (!k->n || addr < k->syms[0].start)
		return NULL;
	size_t lo = 0, hi = k->n;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (k->syms[mid].start <= addr)
			lo = mid;
		else
			hi = mid;
	}
	const struct ksym *s = &k->syms[lo];
	return addr < s->end ? s : NULL;
}

void kallsyms_free(struct kallsyms *k)
{
	free(k->syms);
	free(k->names);
	memset(k, 0, sizeof(*k));
}
