#include "cmd/input.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cachegrind/cg_profile.h"
#include "cachegrind/cg_stacks.h"
#include "cmd/cmds.h"
#include "heap/heap_profile.h"
#include "profile/folded_reader.h"
#include "profile/format.h"
#include "profile/model.h"
#include "profile/perf_data.h"
#include "profile/stacks_reader.h"
#include "util/die.h"
#include "util/options.h"

const char *input_default(const struct cmd_ctx *ctx)
{
	if (ctx && ctx->compat && !strcmp(ctx->compat, "perf"))
		return "perf.data";
	if (access("sonde.data", F_OK) != 0 && access("perf.data", F_OK) == 0)
		return "perf.data";
	return "sonde.data";
}

/* A stacks file, or a cachegrind.out with its stacks beside it (that
 * file is read instead: *path changes to it; cg_stacks_path). */
static bool cg_stacks_input(const char **path)
{
	if (stacks_sniff(*path))
		return true;
	static char *beside;
	if (!cg_profile_sniff(*path))
		return false;
	free(beside);
	beside = cg_stacks_path(*path);
	if (!stacks_sniff(beside))
		return false;
	*path = beside;
	return true;
}

bool input_is_text(const char *path)
{
	if (!strcmp(path, "-"))
		return true; /* recordings are read by seeking: stdin is text */
	char buf[1 << 16];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false; /* input_load says why */
	ssize_t n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n <= 0 || (n >= 8 && !memcmp(buf, SONDE_DATA_MAGIC, 8)))
		return false; /* nothing at all is an empty recording */
	if (memchr(buf, 0, (size_t)n))
		return false; /* binary: a damaged recording, say; its reader says so */
	const char *cg = path;
	return !perf_data_sniff(path) && !heap_trace_sniff(path) && !cg_profile_sniff(path) && !cg_stacks_input(&cg);
}

struct profile *input_load(const char *path, unsigned flags)
{
	return input_load_any(path, flags, NULL);
}

struct profile *input_load_any(const char *path, unsigned flags, bool *text_capped)
{
	bool no_inline = flags & INPUT_NO_INLINE, header_warnings = flags & INPUT_HEADER_WARNINGS;
	if (strcmp(path, "-") && access(path, F_OK) != 0) {
		int e = errno;
		if (e == ENOENT)
			die("cannot open '%s': No such file; record one first with '%s record -- CMD'", path,
			    sonde_progname); /* "perf record" when run as perf */
		die("cannot open '%s': %s", path, strerror(e));
	}
	if (input_is_text(path)) { /* folded stacks or `perf script` text */
		bool capped = false;
		struct profile *p = profile_read_text(path, &capped);
		if (text_capped)
			*text_capped = capped;
		return p;
	}
	struct profile_opts po = { .no_inline = no_inline, .progress = true };
	if (heap_trace_sniff(path)) { /* a heap trace: its costs are the weights */
		struct profile *p = heap_profile_load(path, no_inline, flags & INPUT_FULL_STACKS);
		if (!p)
			exit(1);
		return p;
	}
	if (cg_stacks_input(&path)) { /* the cachegrind engine's stacks */
		char why[300];
		struct profile *p = profile_read_stacks(path, why, sizeof(why));
		if (!p)
			die("%s", why);
		return p;
	}
	if (cg_profile_sniff(path)) /* cachegrind.out: its events are the weights */
		return cg_profile_load(path);
	if (perf_data_sniff(path)) {
		/* Linux perf's file: convert it into sonde's record stream in memory */
		char conv[64], why[256];
		bool damaged;
		int fd = perf_data_to_sonde(path, PD_PROGRESS, conv, sizeof(conv), &damaged, why, sizeof(why));
		if (fd < 0)
			die("cannot read '%s': %s", path, why);
		if (damaged)
			warn("'%s' is damaged: %s; showing what was read before that", path, why);
		struct profile *p = profile_load(conv, &po);
		close(fd);
		if (!p)
			exit(1);
		if (!header_warnings)
			profile_warn_stale(p);
		return p;
	}
	struct profile *p = profile_load(path, &po);
	if (!p)
		exit(1);
	profile_warn_damage(p, path);
	if (!header_warnings)
		profile_warn_stale(p);
	return p;
}

uint32_t input_weight(const struct profile *p, const char *name, uint32_t dflt, const char *cmd)
{
	if (!name)
		return dflt;
	int64_t w = profile_weight_find(p, name);
	if (w < 0) {
		char list[256];
		profile_weight_list(p, list, sizeof(list));
		const struct opt_cmd c = { .name = cmd };
		opt_usage_error(&c, "unknown weight '%s' for --weight; this input has %s", name, list);
	}
	return (uint32_t)w;
}
