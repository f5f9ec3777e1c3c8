/* sonde bloat's views of one image, and the helpers they share. */
#ifndef SONDE_BLOAT_BLOAT_VIEW_H
#define SONDE_BLOAT_BLOAT_VIEW_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bloat/bloat_image.h"

/* cargo-bloat's functions table (or JSON): the biggest entries, the
 * "And N smaller methods" row, the section total. 0, or -1 on a write error. */
int bloat_view_functions(FILE *out, struct bloat_image *img, const struct bloat_opts *o);
/* Its crates table (or JSON). */
int bloat_view_crates(FILE *out, struct bloat_image *img, const struct bloat_opts *o);

/* --generics: copies and bytes per generic function (bloat_generics.c). */
int bloat_view_generics(FILE *out, struct bloat_image *img, const struct bloat_opts *o);
/* A name without its type arguments: "core::ptr::drop_in_place::<Vec<u8>>"
 * -> "core::ptr::drop_in_place", "<Vec<T> as Drop>::drop" -> "<Vec as
 * Drop>::drop"; qualified paths and "<impl X>" blocks stay. Malloc'd. */
char *bloat_strip_generics(const char *name);

/* --inlined: bytes by source function (--crates: crate), DWARF (bloat_inlined.c). */
int bloat_view_inlined(FILE *out, struct bloat_image *img, const struct bloat_opts *o);
/* --diff: per function (--crates: per crate) from a to b (bloat_diff.c). */
int bloat_view_diff(FILE *out, struct bloat_image *a, struct bloat_image *b, const struct bloat_opts *o);

struct crate_sum {
	const char *name;
	uint64_t size;
	uint64_t file_size; /* of size, the bytes in the file (not .bss) */
};
/* Bytes per crate over all entries, biggest first (malloc'd, *count of them). */
struct crate_sum *bloat_crate_sums(struct bloat_image *img, size_t *count);
/* Entry indexes, biggest first (malloc'd). */
size_t *bloat_order_by_size(const struct bloat_image *img);

struct strbuf;
/* {"file-size":N,"text-section-size":N,"LIST":[ : the opening of
 * cargo-bloat's JSON documents (and of sonde's views in its manner). */
void bloat_json_open(struct strbuf *sb, const struct bloat_image *img, const char *list);
/* ]} and a newline, written to out, sb freed; 0, or -1 on a write error. */
int bloat_json_close(FILE *out, struct strbuf *sb);

/* "12.3%" of whole (cargo-bloat: one decimal). */
void bloat_fmt_pct(uint64_t part, uint64_t whole, char *buf, size_t n);
/* The section column's header: ".text", or "Sects" for several. */
const char *bloat_section_column(const struct bloat_image *img);
/* ".text section size, the file size is 4.6MiB" */
void bloat_total_row_text(const struct bloat_image *img, char *buf, size_t n);

#endif
