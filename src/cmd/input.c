#include "cmd/input.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmds.h"
#include "profile/format.h"
#include "profile/model.h"
#include "util/die.h"

const char *input_default(const struct cmd_ctx *ctx)
{
	if (ctx && ctx->compat && !strcmp(ctx->compat, "perf"))
		return "perf.data";
	if (access("sonde.data", F_OK) != 0 && access("perf.data", F_OK) == 0)
		return "perf.data";
	return "sonde.data";
}

struct profile *input_load(const char *path, bool no_inline)
{
	if (access(path, F_OK) != 0) {
		int e = errno;
		if (e == ENOENT)
			die("cannot open '%s': No such file; record one first with 'sonde record -- CMD'", path);
		die("cannot open '%s': %s", path, strerror(e));
	}
	if (sd_is_perf_data(path))
		die("'%s' was written by Linux perf, which sonde cannot read yet; "
		    "record with 'sonde record' (or 'perf' through 'sonde shims'), or read it with Linux perf",
		    path);
	struct profile_opts po = { .no_inline = no_inline, .progress = true };
	struct profile *p = profile_load(path, &po);
	if (!p)
		exit(1);
	profile_warn_damage(p, path);
	return p;
}
