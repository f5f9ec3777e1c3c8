/* `sonde coz plot`'s outputs: the self-contained HTML page and the text table. */
#ifndef SONDE_COZ_COZ_HTML_H
#define SONDE_COZ_COZ_HTML_H
#include <stdio.h>

#include "coz/coz_profile.h"
#include "coz/coz_speedup.h"

/* The page: one chart per line for the progress point chosen in its menu,
 * ranked by slope, the minimum-points filter a slider starting at
 * min_points. title names the profile. Returns ferror(out). */
int coz_write_html(FILE *out, const char *title, const struct coz_profile *p, const struct coz_result *r,
		   size_t min_points);
/* The ranked table of the series with min_points or more; the number of rows. */
size_t coz_write_text(FILE *out, const char *title, const struct coz_profile *p, const struct coz_result *r,
		      size_t min_points);

#endif
