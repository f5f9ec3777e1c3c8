/* Multi-column folded stacks -> profile model (stacks_reader.h). Like
 * folded text, the model has no frames: a stack is its leaf trie node. */
#include "profile/stacks_reader.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cachegrind/cg_data.h"
#include "cachegrind/cg_stacks.h"
#include "profile/model.h"
#include "util/die.h"

bool stacks_sniff(const char *path)
{
	char head[sizeof(CG_STACKS_HEADER)];
	FILE *f = fopen(path, "re");
	if (!f)
		return false;
	size_t n = fread(head, 1, sizeof(head) - 1, f);
	fclose(f);
	head[n] = 0;
	return !strcmp(head, CG_STACKS_HEADER);
}

static uint32_t frame_loc(struct profile *p, const char *s, size_t len)
{
	struct prof_loc l;
	memset(&l, 0, sizeof(l)); /* locations are hashed as bytes */
	l.func = intern_n(&p->strs, s, len);
	return profile_intern_loc(p, &l);
}

/* A thread frame "COMM-PID/TID" (cg_stacks.h) into the sample's pid,
 * tid and comm; false when the frame is not one. */
static bool thread_frame(struct profile *p, const char *s, size_t len, struct prof_sample *smp)
{
	size_t i = len, digits = 0;
	while (i && s[i - 1] >= '0' && s[i - 1] <= '9')
		i--, digits++;
	if (!digits || digits > 9 || !i || s[--i] != '/')
		return false;
	size_t slash = i;
	digits = 0;
	while (i && s[i - 1] >= '0' && s[i - 1] <= '9')
		i--, digits++;
	if (!digits || digits > 9 || !i || s[--i] != '-')
		return false;
	smp->pid = (uint32_t)strtoul(s + i + 1, NULL, 10);
	smp->tid = (uint32_t)strtoul(s + slash + 1, NULL, 10);
	smp->comm = intern_n(&p->strs, s, i);
	return true;
}

/* The counts at the end of line (n of them, cut off): false when missing. */
static bool take_counts(char *line, uint32_t n, int64_t *out)
{
	size_t len = strlen(line);
	for (uint32_t k = n; k > 0; k--) {
		while (len && line[len - 1] == ' ')
			len--;
		size_t end = len;
		while (len && line[len - 1] >= '0' && line[len - 1] <= '9')
			len--;
		if (len == end || !len || line[len - 1] != ' ')
			return false;
		errno = 0;
		unsigned long long v = strtoull(line + len, NULL, 10);
		if (errno)
			return false;
		out[k - 1] = (int64_t)v;
		line[len] = 0;
	}
	while (len && line[len - 1] == ' ')
		line[--len] = 0;
	return len > 0;
}

struct profile *profile_read_stacks(const char *path, char *why, size_t why_len)
{
	FILE *f = fopen(path, "re");
	if (!f) {
		snprintf(why, why_len, "cannot open '%s': %s", path, strerror(errno));
		return NULL;
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t len = getline(&line, &cap, f);
	if (len < 0 || strncmp(line, CG_STACKS_HEADER, strlen(CG_STACKS_HEADER))) {
		snprintf(why, why_len, "'%s' is not a sonde stacks file", path);
		free(line);
		fclose(f);
		return NULL;
	}
	struct profile *p = profile_new();
	p->from_text = true;
	profile_add_meta(p, "event", "cachegrind"); /* report's "of event" line */
	profile_add_module(p, "[unknown]", false);
	uint32_t n = 0;
	for (char *save = NULL, *t = strtok_r(line + strlen(CG_STACKS_HEADER), " \n", &save);
	     t && n < CG_MAX_EVENTS; t = strtok_r(NULL, " \n", &save), n++)
		profile_add_weight_unsigned(p, t, "count");
	int64_t vals[CG_MAX_EVENTS];
	uint64_t lineno = 1, bad = 0;
	while (n && (len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		line[strcspn(line, "\n")] = 0;
		if (!take_counts(line, n, vals)) {
			bad++;
			continue;
		}
		uint32_t node = 0;
		struct prof_sample smp = { 0 };
		thread_frame(p, line, strcspn(line, ";"), &smp);
		for (char *at = line;;) {
			char *semi = strchr(at, ';');
			size_t flen = semi ? (size_t)(semi - at) : strlen(at);
			node = profile_node_child(p, node, frame_loc(p, at, flen));
			if (!semi)
				break;
			at = semi + 1;
		}
		struct prof_rstack rs = { 0, 0, node, false };
		vec_push(&p->rstacks, rs);
		smp.rstack = (uint32_t)p->rstacks.n - 1;
		profile_add_sample(p, &smp, vals);
	}
	free(line);
	fclose(f);
	if (!n) {
		profile_free(p);
		snprintf(why, why_len, "'%s' names no events", path);
		return NULL;
	}
	if (bad)
		warn("'%s': skipped %" PRIu64 " line%s without %u counts", path, bad, bad == 1 ? "" : "s", n);
	return p;
}
