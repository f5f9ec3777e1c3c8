/* Which view bloat_run shows. */
#include "bloat/bloat.h"

#include "util/die.h"

int bloat_run(FILE *out, const char *path, const struct bloat_opts *o)
{
	(void)out;
	(void)o;
	error("'%s': sonde bloat is not written yet", path ? path : o->diff_new);
	return 1;
}
