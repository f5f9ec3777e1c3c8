#include "util/hashmap.h"

#include <stdlib.h>
#include <string.h>

#include "util/die.h"

uint64_t hash_u64(uint64_t x)
{
	/* splitmix64 finalizer: cheap and mixes all bits. */
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

uint64_t hash_bytes(const void *data, size_t n)
{
	/* FNV-1a, then mixed. */
	const unsigned char *p = data;
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return hash_u64(h);
}

static void u64map_rehash(struct u64map *m, size_t ncap)
{
	struct u64map nm = { xcalloc(ncap, 8), xcalloc(ncap, 8), xcalloc(ncap, 1), 0, ncap };
	for (size_t i = 0; i < m->cap; i++) {
		if (!m->used[i])
			continue;
		size_t j = hash_u64(m->keys[i]) & (ncap - 1);
		while (nm.used[j])
			j = (j + 1) & (ncap - 1);
		nm.used[j] = 1;
		nm.keys[j] = m->keys[i];
		nm.vals[j] = m->vals[i];
		nm.n++;
	}
	u64map_free(m);
	*m = nm;
}

uint64_t *u64map_upsert(struct u64map *m, uint64_t key, uint64_t def, bool *inserted)
{
	if ((m->n + 1) * 4 > m->cap * 3)
		u64map_rehash(m, m->cap ? m->cap * 2 : 64);
	size_t j = hash_u64(key) & (m->cap - 1);
	while (m->used[j]) {
		if (m->keys[j] == key) {
			if (inserted)
				*inserted = false;
			return &m->vals[j];
		}
		j = (j + 1) & (m->cap - 1);
	}
	m->used[j] = 1;
	m->keys[j] = key;
	m->vals[j] = def;
	m->n++;
	if (inserted)
		*inserted = true;
	return &m->vals[j];
}

uint64_t *u64map_get(const struct u64map *m, uint64_t key)
{
	if (!m->cap)
		return NULL;
	size_t j = hash_u64(key) & (m->cap - 1);
	while (m->used[j]) {
		if (m->keys[j] == key)
			return &m->vals[j];
		j = (j + 1) & (m->cap - 1);
	}
	return NULL;
}

void u64map_free(struct u64map *m)
{
	free(m->keys);
	free(m->vals);
	free(m->used);
	memset(m, 0, sizeof(*m));
}

uint32_t intern_n(struct interner *in, const char *s, size_t len)
{
	uint64_t h = hash_bytes(s, len);
	bool fresh;
	uint64_t *head = u64map_upsert(&in->index, h, UINT32_MAX, &fresh);
	for (uint32_t id = (uint32_t)*head; id != UINT32_MAX; id = in->next[id])
		if (strlen(in->strs[id]) == len && !memcmp(in->strs[id], s, len))
			return id;
	if (in->n == in->cap) {
		in->cap = in->cap ? in->cap * 2 : 256;
		in->strs = xrealloc(in->strs, in->cap * sizeof(*in->strs));
		in->next = xrealloc(in->next, in->cap * sizeof(*in->next));
	}
	uint32_t id = (uint32_t)in->n++;
	in->strs[id] = xstrndup(s, len);
	in->next[id] = (uint32_t)*head;
	*head = id;
	return id;
}

uint32_t intern(struct interner *in, const char *s) { return intern_n(in, s, strlen(s)); }

void interner_free(struct interner *in)
{
	for (size_t i = 0; i < in->n; i++)
		free(in->strs[i]);
	free(in->strs);
	free(in->next);
	u64map_free(&in->index);
	memset(in, 0, sizeof(*in));
}
