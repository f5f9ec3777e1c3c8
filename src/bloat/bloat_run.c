/* Which view bloat_run shows. */
#include "bloat/bloat.h"

#include <errno.h>
#include <string.h>

#include "bloat/bloat_image.h"
#include "bloat/bloat_view.h"
#include "util/die.h"

int bloat_run(FILE *out, const char *path, const struct bloat_opts *o)
{
	struct bloat_image img;
	if (bloat_image_open(&img, path, o) < 0)
		return 1;
	int rc = o->crates ? bloat_view_crates(out, &img, o) : bloat_view_functions(out, &img, o);
	bloat_image_close(&img);
	if (rc < 0 || fflush(out) != 0) {
		error("cannot write the table: %s", strerror(errno));
		return 1;
	}
	return 0;
}
