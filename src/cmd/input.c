#include "cmd/input.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmds.h"
#include "heap/heap_profile.h"
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

/* A stacks file, or a cachegrind.out with its .stacks beside it (that
 * file is read instead: *path changes to it). */
static bool cg_stacks_input(const char **path)
{
	if (stacks_sniff(*path))
		return true;
	static char beside[4096];
	FILE *f = fopen(*path, "re");
	char head[8] = { 0 };
	if (!f)
		return false;
	size_t n = fread(head, 1, sizeof(head) - 1, f);
	fclose(f);
	if (n < 5 || (strncmp(head, "desc:", 5) && strncmp(head, "cmd:", 4) && strncmp(head, "events:", 7)))
		return false;
	snprintf(beside, sizeof(beside), "%s.stacks", *path);
	if (!stacks_sniff(beside))
		return false;
	*path = beside;
	return true;
}

struct profile *input_load(const char *path, bool no_inline, bool header_warnings)
{
	if (access(path, F_OK) != 0) {
		int e = errno;
		if (e == ENOENT)
			die("cannot open '%s': No such file; record one first with '%s record -- CMD'", path,
			    sonde_progname); /* "perf record" when run as perf */
		die("cannot open '%s': %s", path, strerror(e));
	}
	struct profile_opts po = { .no_inline = no_inline, .progress = true };
	if (heap_trace_sniff(path)) { /* a heap trace: its costs are the weights */
		struct profile *p = heap_profile_load(path, no_inline);
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
