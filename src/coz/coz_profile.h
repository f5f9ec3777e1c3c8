/* A reader of coz's profile.coz (coz 0.2.2's text records, several runs
 * appended): every progress-point measurement with the experiment it
 * belongs to. Nothing in the file is trusted: a broken record is one
 * "FILE:LINE: what" error, never a crash. */
#ifndef SONDE_COZ_COZ_PROFILE_H
#define SONDE_COZ_COZ_PROFILE_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util/hashmap.h"
#include "util/vec.h"

enum coz_kind { COZ_THROUGHPUT, COZ_LATENCY };

/* One progress point's line after an `experiment` line. */
struct coz_rec {
	uint32_t line;  /* the selected line: index into lines */
	uint32_t point; /* the progress point: index into points */
	enum coz_kind kind;
	int pct;         /* the line's virtual speedup, 0..100 (coz: 2 decimals) */
	double duration; /* ns, the experiment's */
	double delta;    /* throughput: visits */
	double arrivals, departures, difference; /* latency */
};

struct coz_profile {
	struct interner lines;  /* "file:line" as selected */
	struct interner points; /* progress-point names */
	VEC(struct coz_rec) recs;
	size_t experiments, runs; /* runs: `startup` records */
};

/* Reads in (named name in errors) into p (zeroed by the caller). 0, or -1
 * with a one-line "NAME:LINE: what" in err; p then holds what was read
 * before and must still be freed. */
int coz_read_stream(FILE *in, const char *name, struct coz_profile *p, char *err, size_t errlen);
/* The same for a file ("-": standard input). */
int coz_read_file(const char *path, struct coz_profile *p, char *err, size_t errlen);
void coz_profile_free(struct coz_profile *p);

#endif
