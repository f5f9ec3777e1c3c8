/* The program speedup coz's viewer (0.2.2, profile.ts) draws for each
 * selected line and progress point, and a straight-line fit over it. */
#ifndef SONDE_COZ_COZ_SPEEDUP_H
#define SONDE_COZ_COZ_SPEEDUP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "coz/coz_profile.h"

/* One distinct line speedup: its experiments added up. */
struct coz_meas {
	double speedup;  /* the line's, 0..1 */
	double progress; /* the program's, as the viewer computes it */
};

/* One (line, progress point) pair with a baseline. */
struct coz_series {
	uint32_t line, point;
	enum coz_kind kind;
	VEC(struct coz_meas) m; /* by speedup */
	/* least squares through the origin (the baseline is 0 by definition):
	 * progress = slope * speedup; se is the slope's standard error */
	double slope, se;
};

struct coz_result {
	VEC(struct coz_series) s; /* ranked: slope, highest first */
};

/* Computes every series of p that has a valid baseline. */
void coz_speedups(const struct coz_profile *p, struct coz_result *r);
/* Whether a series is shown under the viewer's "Minimum Points". */
static inline bool coz_enough(const struct coz_series *s, size_t min_points) { return s->m.n >= min_points; }
void coz_result_free(struct coz_result *r);

#endif
