/* --generics: generic functions grouped by their name without type
 * arguments, with how many copies the binary holds and their bytes (the
 * question `cargo llvm-lines` answers from LLVM IR, here from the binary:
 * copies LLVM merged or inlined away are not counted). */
#include "bloat/bloat_view.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "bloat/bloat_table.h"
#include "util/die.h"
#include "util/escape.h"
#include "util/hashmap.h"
#include "util/strbuf.h"

static bool ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

char *bloat_strip_generics(const char *name)
{
	struct strbuf out = STRBUF_INIT;
	/* each '<' open: 1 = type arguments (dropped), 0 = a qualified path
	 * "<A as B>" or an impl "<impl X>" (kept, its own arguments dropped) */
	char stack[256];
	size_t depth = 0, skipping = 0;
	for (const char *p = name; *p; p++) {
		char c = *p;
		/* C++'s operator<, operator<<=, operator->: not brackets */
		if (!skipping && (c == '<' || c == '>' || c == '-') && out.len >= 8 &&
		    !memcmp(out.buf + out.len - 8, "operator", 8)) {
			while (*p && strchr("<>=-", *p))
				sb_addc(&out, *p++);
			p--;
			continue;
		}
		if (c == '<') {
			char prev = out.len ? out.buf[out.len - 1] : 0;
			/* "operator<< <T>": C++ puts a space between */
			bool op_args = prev == ' ' && out.len >= 2 && strchr("<>=", out.buf[out.len - 2]);
			bool args = !skipping && (ident_char(prev) || prev == ':' || op_args) && strncmp(p + 1, "impl ", 5);
			if (depth < sizeof(stack))
				stack[depth] = skipping || args;
			depth++;
			if (skipping || args) {
				skipping++;
				/* "f::<T>": the turbofish's "::" goes too */
				if (args && prev == ':' && out.len >= 2 && out.buf[out.len - 2] == ':')
					out.len -= 2;
				continue;
			}
		} else if (c == '>' && depth && !(p > name && p[-1] == '-')) {
			depth--;
			bool dropped = depth < sizeof(stack) ? stack[depth] : skipping > 0;
			if (dropped) {
				skipping--;
				continue;
			}
		} else if (skipping) {
			continue;
		}
		sb_addc(&out, c);
	}
	if (!out.buf)
		sb_adds(&out, "");
	out.buf[out.len] = 0;
	return sb_detach(&out);
}

struct generic {
	const char *name; /* in the interner */
	const char *crate;
	size_t copies;
	uint64_t size;
};

static int by_size(const void *a, const void *b)
{
	const struct generic *x = a, *y = b;
	if (x->size != y->size)
		return x->size > y->size ? -1 : 1;
	return strcmp(x->name, y->name);
}

int bloat_view_generics(FILE *out, struct bloat_image *img, const struct bloat_opts *o)
{
	struct interner names = { 0 }; /* a name's id is its row */
	VEC(struct generic) g = { 0 };
	for (size_t i = 0; i < img->nsyms; i++) {
		char *key = bloat_strip_generics(bloat_name(img, i, false));
		uint32_t k = intern(&names, key);
		free(key);
		if (k == g.n)
			vec_push(&g, ((struct generic){ interned(&names, k), bloat_crate(img, i), 0, 0 }));
		g.v[k].copies++;
		g.v[k].size += img->entries.v[i].size;
	}
	/* only what was stamped out more than once */
	size_t m = 0;
	uint64_t all = 0;
	size_t copies = 0;
	for (size_t k = 0; k < g.n; k++) {
		if (g.v[k].copies > 1) {
			all += g.v[k].size;
			copies += g.v[k].copies;
			g.v[m++] = g.v[k];
		}
	}
	if (m)
		qsort(g.v, m, sizeof(*g.v), by_size);
	size_t want = o->n && (size_t)o->n < m ? (size_t)o->n : m;
	int rc;
	if (o->format == BLOAT_JSON) {
		struct strbuf sb = STRBUF_INIT;
		bloat_json_open(&sb, img, "generics");
		for (size_t k = 0; k < want; k++) {
			sb_adds(&sb, k ? ",{\"crate\":" : "{\"crate\":");
			json_quote(&sb, g.v[k].crate, strlen(g.v[k].crate));
			sb_adds(&sb, ",\"name\":");
			json_quote(&sb, g.v[k].name, strlen(g.v[k].name));
			sb_addf(&sb, ",\"copies\":%zu,\"size\":%" PRIu64 "}", g.v[k].copies, g.v[k].size);
		}
		rc = bloat_json_close(out, &sb);
	} else {
		struct bloat_table t;
		const char *h[] = { "Copies", bloat_section_column(img), "Size", "Crate", "Name" };
		const char *h2[] = { "Copies", "Size", "Crate", "Name" };
		bool rel = !o->no_relative_size;
		bloat_table_init(&t, rel ? h : h2, rel ? 5 : 4);
		uint64_t rest = 0;
		for (size_t k = 0; k < m; k++) {
			if (k >= want) {
				rest += g.v[k].size;
				continue;
			}
			char cp[32], pct[16], sz[32];
			snprintf(cp, sizeof(cp), "%zu", g.v[k].copies);
			bloat_fmt_pct(g.v[k].size, img->chosen_size, pct, sizeof(pct));
			bloat_fmt_size(g.v[k].size, sz, sizeof(sz));
			const char *r[] = { cp, pct, sz, g.v[k].crate, g.v[k].name };
			const char *r2[] = { cp, sz, g.v[k].crate, g.v[k].name };
			bloat_table_row(&t, rel ? r : r2);
		}
		char pct[16], sz[32], text[200];
		if (want < m) {
			bloat_fmt_pct(rest, img->chosen_size, pct, sizeof(pct));
			bloat_fmt_size(rest, sz, sizeof(sz));
			snprintf(text, sizeof(text), "And %zu more generic functions. Use -n N to show more.", m - want);
			const char *r[] = { "", pct, sz, "", text };
			const char *r2[] = { "", sz, "", text };
			bloat_table_row(&t, rel ? r : r2);
		}
		bloat_fmt_pct(all, img->chosen_size, pct, sizeof(pct));
		bloat_fmt_size(all, sz, sizeof(sz));
		char cp[32];
		snprintf(cp, sizeof(cp), "%zu", copies);
		snprintf(text, sizeof(text), "%zu generic functions with more than one copy, in %s", m, img->chosen_label);
		const char *r[] = { cp, pct, sz, "", text };
		const char *r2[] = { cp, sz, "", text };
		bloat_table_row(&t, rel ? r : r2);
		rc = bloat_table_print(out, &t, bloat_table_width(out, o->wide));
		bloat_table_free(&t);
	}
	interner_free(&names);
	vec_free(&g);
	return rc;
}
