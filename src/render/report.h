/* perf-report-like text report over a loaded profile. */
#ifndef SONDE_RENDER_REPORT_H
#define SONDE_RENDER_REPORT_H
#include <stdbool.h>
#include <stdio.h>

struct profile;

enum report_key { RK_COMM = 1, RK_PID = 2, RK_TID = 4, RK_DSO = 8, RK_SYM = 16, RK_CPU = 32 };
enum report_graph { RG_AUTO, RG_NONE, RG_CALLER, RG_CALLEE };

struct report_opts {
	bool children;         /* Children + Self columns (default) */
	unsigned keys;         /* enum report_key bits, in `key_order` order */
	enum report_key key_order[6];
	unsigned nkeys;
	const char *comm;      /* only this command name (comma list) */
	const char *dso;       /* only this module (comma list) */
	bool relative;         /* percentages of the filtered samples, not of all (perf's
	                        * --percentage relative; absolute is its default) */
	double percent_limit;  /* hide rows below this percent */
	enum report_graph graph;
	double graph_threshold; /* hide call-graph branches below this percent */
};

/* Parses "comm,dso,sym"; returns -1 on an unknown key (the caller says so). */
int report_parse_sort(struct report_opts *o, const char *keys);
void report_print(FILE *out, const struct profile *p, const struct report_opts *o);

#endif
