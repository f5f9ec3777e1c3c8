/* --sections output: bloaty's two-column table (FILE SIZE, VM SIZE: percent
 * and size), the bytes by kind with the strip estimates, or all of it as
 * one JSON object. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "bloat/bloat_sections.h"
#include "util/die.h"
#include "util/escape.h"
#include "util/strbuf.h"

static const char *const kind_label[BLOAT_KINDS] = {
	[BLOAT_LOADED] = "loaded (SHF_ALLOC sections, segment bytes in no section)",
	[BLOAT_DEBUG] = "debug info (.debug_*, .zdebug_*)",
	[BLOAT_SYMTAB] = "symbol table (.symtab, .strtab)",
	[BLOAT_OTHER] = "other, not loaded (.comment, .shstrtab, [Unmapped] padding)",
	[BLOAT_HEADERS] = "ELF headers (file, program, section)",
};
static const char *const kind_key[BLOAT_KINDS] = {
	[BLOAT_LOADED] = "loaded", [BLOAT_DEBUG] = "debug", [BLOAT_SYMTAB] = "symtab",
	[BLOAT_OTHER] = "other", [BLOAT_HEADERS] = "headers",
};

/* bloaty's sizes: bytes below 1 KiB, else three significant digits and a
 * binary suffix (8.32Mi, 440Ki). */
static void human(char *buf, size_t len, uint64_t v)
{
	static const char *const suffix[] = { "Ki", "Mi", "Gi", "Ti", "Pi", "Ei" };
	if (v < 1024) {
		snprintf(buf, len, "%" PRIu64, v);
		return;
	}
	double d = (double)v / 1024;
	int i = 0;
	while (d >= 1024 && i < 5) {
		d /= 1024;
		i++;
	}
	snprintf(buf, len, d < 10 ? "%.2f%s" : d < 100 ? "%.1f%s" : "%.0f%s", d, suffix[i]);
}

static void percent(char *buf, size_t len, uint64_t v, uint64_t total)
{
	snprintf(buf, len, "%.1f%%", total ? 100.0 * (double)v / (double)total : 0.0);
}

/* Section names come from the file: control bytes would drive the terminal. */
static void put_name(FILE *out, const char *name)
{
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		fputc(*p < 0x20 || *p == 0x7f ? '?' : *p, out);
	fputc('\n', out);
}

static void put_row(FILE *out, const struct bloat_sections *s, uint64_t file, uint64_t vm, const char *name)
{
	char fp[16], fs[16], vp[16], vs[16];
	percent(fp, sizeof(fp), file, s->file_size);
	human(fs, sizeof(fs), file);
	percent(vp, sizeof(vp), vm, s->vm_size);
	human(vs, sizeof(vs), vm);
	fprintf(out, "%7s%8s%7s%8s    ", fp, fs, vp, vs);
	put_name(out, name);
}

static uint64_t row_key(const struct bloat_sec_row *r)
{
	return r->file > r->vm ? r->file : r->vm;
}

/* The rows to show: the n biggest and one [K Others] row for the rest,
 * placed by its size as bloaty does. *others_at is its index (or -1). */
static size_t shown_rows(const struct bloat_sections *s, int n, struct bloat_sec_row *others, char *name,
			 size_t namesz, size_t *others_at)
{
	*others_at = (size_t)-1;
	if (n <= 0 || (size_t)n >= s->n)
		return s->n;
	*others = (struct bloat_sec_row){ .name = name };
	for (size_t i = (size_t)n; i < s->n; i++) {
		others->file += s->rows[i].file;
		others->vm += s->rows[i].vm;
	}
	snprintf(name, namesz, "[%zu Others]", s->n - (size_t)n);
	size_t at = 0;
	while (at < (size_t)n && row_key(&s->rows[at]) >= row_key(others))
		at++;
	*others_at = at;
	return (size_t)n + 1;
}

/* Row i of the shown table. */
static const struct bloat_sec_row *shown(const struct bloat_sections *s, const struct bloat_sec_row *others,
					 size_t others_at, size_t i)
{
	if (others_at == (size_t)-1 || i < others_at)
		return &s->rows[i];
	return i == others_at ? others : &s->rows[i - 1];
}

static void strip_lines(FILE *out, const struct bloat_sections *s)
{
	char a[16], ap[16], b[16], bp[16];
	human(a, sizeof(a), s->strip_saves);
	percent(ap, sizeof(ap), s->strip_saves, s->file_size);
	human(b, sizeof(b), s->strip_debug_saves);
	percent(bp, sizeof(bp), s->strip_debug_saves, s->file_size);
	if (!s->strip_saves)
		fprintf(out, "Nothing for strip to remove: no debug info and no symbol table (already stripped).\n");
	else if (!s->strip_debug_saves)
		fprintf(out, "strip would save about %s (%s of the file): the symbol table; there is no debug info.\n", a, ap);
	else
		fprintf(out,
			"strip would save about %s (%s of the file): debug info and symbol table;\n"
			"strip --strip-debug about %s (%s): the debug info only.\n",
			a, ap, b, bp);
}

static void write_table(FILE *out, const struct bloat_sections *s, const struct bloat_opts *o)
{
	struct bloat_sec_row others;
	char oname[48];
	size_t at, n = shown_rows(s, o->n, &others, oname, sizeof(oname), &at);
	fprintf(out, "    FILE SIZE        VM SIZE    \n --------------  -------------- \n");
	for (size_t i = 0; i < n; i++) {
		const struct bloat_sec_row *r = shown(s, &others, at, i);
		put_row(out, s, r->file, r->vm, r->name);
	}
	put_row(out, s, s->file_size, s->vm_size, "TOTAL");
	fprintf(out, "\nBy kind:\n");
	for (int k = 0; k < BLOAT_KINDS; k++)
		put_row(out, s, s->kind_file[k], s->kind_vm[k], kind_label[k]);
	if (s->tls_bss) {
		char t[16];
		human(t, sizeof(t), s->tls_bss);
		fprintf(out, "(.tbss, %s, is per-thread memory over the sections after it: not in the VM TOTAL.)\n", t);
	}
	strip_lines(out, s);
}

static void json_sizes(struct strbuf *sb, uint64_t file, uint64_t vm)
{
	char buf[64];
	snprintf(buf, sizeof(buf), "\"file-size\":%" PRIu64 ",\"vm-size\":%" PRIu64, file, vm);
	sb_adds(sb, buf);
}

static void write_json(FILE *out, const char *path, const struct bloat_sections *s, const struct bloat_opts *o)
{
	struct bloat_sec_row others;
	char oname[48], buf[160];
	size_t at, n = shown_rows(s, o->n, &others, oname, sizeof(oname), &at);
	struct strbuf sb = { 0 };
	sb_adds(&sb, "{\"file\":");
	json_quote(&sb, path, strlen(path));
	sb_addc(&sb, ',');
	json_sizes(&sb, s->file_size, s->vm_size);
	sb_adds(&sb, ",\"sections\":[");
	for (size_t i = 0; i < n; i++) {
		const struct bloat_sec_row *r = shown(s, &others, at, i);
		sb_adds(&sb, i ? ",{\"name\":" : "{\"name\":");
		json_quote(&sb, r->name, strlen(r->name));
		sb_addc(&sb, ',');
		json_sizes(&sb, r->file, r->vm);
		sb_addc(&sb, '}');
	}
	sb_adds(&sb, "],\"groups\":{");
	for (int k = 0; k < BLOAT_KINDS; k++) {
		snprintf(buf, sizeof(buf), "%s\"%s\":{", k ? "," : "", kind_key[k]);
		sb_adds(&sb, buf);
		json_sizes(&sb, s->kind_file[k], s->kind_vm[k]);
		sb_addc(&sb, '}');
	}
	snprintf(buf, sizeof(buf), "},\"tls-bss\":%" PRIu64 ",\"strip-saves\":%" PRIu64 ",\"strip-debug-saves\":%" PRIu64 "}\n",
		 s->tls_bss, s->strip_saves, s->strip_debug_saves);
	sb_adds(&sb, buf);
	fwrite(sb.buf, 1, sb.len, out);
	sb_free(&sb);
}

void bloat_sections_write(FILE *out, const char *path, const struct bloat_sections *s, const struct bloat_opts *o)
{
	if (o->format == BLOAT_JSON)
		write_json(out, path, s, o);
	else
		write_table(out, s, o);
}

int bloat_sections_print(FILE *out, const char *path, const struct bloat_opts *o)
{
	struct bloat_sections s;
	if (bloat_sections_read(path, &s))
		return 1;
	bloat_sections_write(out, path, &s, o);
	bloat_sections_free(&s);
	if (fflush(out) || ferror(out)) {
		error("cannot write the output: %s", strerror(errno));
		return 1;
	}
	return 0;
}
