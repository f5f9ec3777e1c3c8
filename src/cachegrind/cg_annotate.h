/* cg_annotate's report (valgrind 3.19's Perl layout, byte for byte) from
 * a cachegrind.out file read by cg_read. */
#ifndef SONDE_CACHEGRIND_CG_ANNOTATE_H
#define SONDE_CACHEGRIND_CG_ANNOTATE_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cachegrind/cg_data.h"

struct cg_ann_opts {
	const char *data_file;  /* as named on the command line */
	const char *show, *sort; /* "A,B,C" (sort: "A:1,B" with thresholds), or NULL */
	const char *threshold;  /* as written ("0.1"): the report prints it back */
	bool show_percs, auto_annotate;
	int context;
	const char **include; /* "dir/" each; n_include of them */
	size_t n_include;
	const char **user_files; /* source files named on the command line */
	size_t n_user;
};

/* Validates --sort's "EVENT:N" thresholds (0..100) without the data. */
bool cg_ann_sort_ok(const char *sort);

/* Writes the report. Returns 0, or -1 with a one-line reason in err
 * (an event --show or --sort names that the file does not have). */
int cg_annotate_print(FILE *out, const struct cg_data *d, const struct cg_ann_opts *o, char *err, size_t errlen);

/* Shared with the source annotation (cg_ann_src.c). */
struct cg_ann {
	FILE *out;
	const struct cg_data *d;
	const struct cg_ann_opts *o;
	uint32_t ne, nshow, nsort;
	uint32_t show[CG_MAX_EVENTS], sort[CG_MAX_EVENTS];
	struct cg_line summary; /* none bits: the summary's "." counts */
};
void cg_ann_widths(const struct cg_ann *a, int *w);
void cg_ann_widen(const struct cg_ann *a, int *w, const struct cg_line *cc);
void cg_ann_print_cc(const struct cg_ann *a, const struct cg_line *cc, const int *w);
void cg_ann_print_events(const struct cg_ann *a, const int *w);
extern const char cg_ann_fancy[];

/* One source file's line counts (all functions' lines added up). */
struct cg_ann_file {
	uint32_t name; /* string id */
	VEC(struct cg_line) lines; /* sorted by line after cg_ann_src's sort */
};
/* Annotates the files: `files` of the data, `want` the names to annotate
 * (sorted), user[i] whether want[i] was named on the command line. */
int cg_ann_sources(const struct cg_ann *a, struct cg_ann_file *files, size_t n_files, const char **want,
		   const bool *user, size_t n_want, char *err, size_t errlen);

#endif
