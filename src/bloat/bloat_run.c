/* Which view bloat_run shows. */
#include "bloat/bloat.h"

#include <errno.h>
#include <string.h>

#include "bloat/bloat_image.h"
#include "bloat/bloat_sections.h"
#include "bloat/bloat_view.h"
#include "util/die.h"

static int finish(FILE *out, int rc)
{
	if (rc < 0 || fflush(out) != 0) {
		error("cannot write the output: %s", strerror(errno));
		return 1;
	}
	return 0;
}

int bloat_run(FILE *out, const char *path, const struct bloat_opts *o)
{
	if (o->section_view)
		return bloat_sections_print(out, path, o);
	struct bloat_image img;
	if (o->diff_old) {
		struct bloat_image b;
		if (bloat_image_open(&img, o->diff_old, o) < 0)
			return 1;
		if (bloat_image_open(&b, o->diff_new, o) < 0) {
			bloat_image_close(&img);
			return 1;
		}
		int rc = bloat_view_diff(out, &img, &b, o);
		bloat_image_close(&img);
		bloat_image_close(&b);
		return finish(out, rc);
	}
	if (bloat_image_open(&img, path, o) < 0)
		return 1;
	if (o->inlined) {
		int rc = bloat_view_inlined(out, &img, o);
		bloat_image_close(&img);
		return rc > 0 ? rc : finish(out, rc);
	}
	int rc = o->generics ? bloat_view_generics(out, &img, o)
		 : o->crates ? bloat_view_crates(out, &img, o)
			     : bloat_view_functions(out, &img, o);
	bloat_image_close(&img);
	return finish(out, rc);
}
