/* Per-process address spaces; see addrspace.h. */
#include "binary/addrspace.h"

#include <stdlib.h>
#include <string.h>

#include "util/die.h"
#include "util/hashmap.h"
#include "util/vec.h"

struct space {
	VEC(struct as_map) maps; /* sorted by start, non-overlapping */
	uint32_t gen;
};

struct addrspaces {
	struct u64map pids; /* pid -> index + 1 into spaces */
	VEC(struct space) spaces;
};

struct addrspaces *addrspaces_new(void)
{
	return xcalloc(1, sizeof(struct addrspaces));
}

void addrspaces_free(struct addrspaces *as)
{
	if (!as)
		return;
	for (size_t i = 0; i < as->spaces.n; i++)
		vec_free(&as->spaces.v[i].maps);
	vec_free(&as->spaces);
	u64map_free(&as->pids);
	free(as);
}

static struct space *lookup(const struct addrspaces *as, uint32_t pid)
{
	uint64_t *slot = u64map_get(&as->pids, pid);
	return slot ? &as->spaces.v[*slot - 1] : NULL;
}

/* The pid's space, made on first use (may move the others). */
static struct space *space_of(struct addrspaces *as, uint32_t pid)
{
	bool fresh;
	uint64_t *slot = u64map_upsert(&as->pids, pid, 0, &fresh);
	if (fresh) {
		struct space sp = { 0 };
		vec_push(&as->spaces, sp);
		*slot = as->spaces.n;
	}
	return &as->spaces.v[*slot - 1];
}

void addrspaces_mmap(struct addrspaces *as, uint32_t pid, const struct as_map *nm)
{
	uint64_t start = nm->start, end = nm->end;
	if (end <= start)
		return;
	struct space *sp = space_of(as, pid);
	/* Drop or trim what the new mapping covers. */
	size_t out = 0;
	struct as_map tail = { 0 };
	bool have_tail = false;
	for (size_t i = 0; i < sp->maps.n; i++) {
		struct as_map m = sp->maps.v[i];
		if (m.end <= start || m.start >= end) {
			sp->maps.v[out++] = m;
			continue;
		}
		if (m.start < start) {
			struct as_map head = m;
			head.end = start;
			sp->maps.v[out++] = head;
		}
		if (m.end > end) {
			tail = m;
			tail.start = end;
			have_tail = true;
		}
	}
	sp->maps.n = out;
	vec_push(&sp->maps, *nm);
	if (have_tail)
		vec_push(&sp->maps, tail);
	for (size_t i = 1; i < sp->maps.n; i++) { /* insertion sort: maps arrive mostly in order */
		struct as_map m = sp->maps.v[i];
		size_t j = i;
		while (j > 0 && sp->maps.v[j - 1].start > m.start) {
			sp->maps.v[j] = sp->maps.v[j - 1];
			j--;
		}
		sp->maps.v[j] = m;
	}
	sp->gen++;
}

void addrspaces_exec(struct addrspaces *as, uint32_t pid)
{
	struct space *sp = space_of(as, pid);
	sp->maps.n = 0;
	sp->gen++;
}

void addrspaces_fork(struct addrspaces *as, uint32_t parent_pid, uint32_t child_pid)
{
	if (parent_pid == child_pid)
		return;
	struct space *parent = lookup(as, parent_pid);
	size_t n = parent ? parent->maps.n : 0;
	struct as_map *copy = xmalloc((n ? n : 1) * sizeof(*copy));
	if (n) /* a parent never seen mapping anything has no array */
		memcpy(copy, parent->maps.v, n * sizeof(*copy));
	struct space *child = space_of(as, child_pid); /* may move parent */
	child->maps.n = 0;
	for (size_t i = 0; i < n; i++)
		vec_push(&child->maps, copy[i]);
	child->gen++;
	free(copy);
}

void addrspaces_exit(struct addrspaces *as, uint32_t pid)
{
	struct space *sp = lookup(as, pid);
	if (sp) {
		vec_free(&sp->maps); /* the slot stays; pids are rarely reused */
		sp->gen++;
	}
}

const struct as_map *addrspaces_find(const struct addrspaces *as, uint32_t pid, uint64_t addr)
{
	size_t n;
	const struct as_map *maps = addrspaces_maps(as, pid, &n);
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (maps[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && maps[lo].start <= addr ? &maps[lo] : NULL;
}

const struct as_map *addrspaces_maps(const struct addrspaces *as, uint32_t pid, size_t *n)
{
	const struct space *sp = lookup(as, pid);
	*n = sp ? sp->maps.n : 0;
	return sp ? sp->maps.v : NULL;
}

uint32_t addrspaces_gen(const struct addrspaces *as, uint32_t pid)
{
	const struct space *sp = lookup(as, pid);
	return sp ? sp->gen : 0;
}
