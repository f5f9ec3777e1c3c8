/* Open-addressing hash map from a 64-bit key to a 64-bit value, and a string
 * interner built on it. Key 0 is allowed; an occupancy byte marks used slots. */
#ifndef SONDE_UTIL_HASHMAP_H
#define SONDE_UTIL_HASHMAP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct u64map {
	uint64_t *keys, *vals;
	uint8_t *used;
	size_t n, cap;
};

uint64_t hash_u64(uint64_t x);
uint64_t hash_bytes(const void *data, size_t n);

/* Returns a pointer to the value slot for key, inserting `def` if absent.
 * `*inserted` (may be NULL) tells whether it was new. The pointer is valid
 * until the next insertion. */
uint64_t *u64map_upsert(struct u64map *m, uint64_t key, uint64_t def, bool *inserted);
uint64_t *u64map_get(const struct u64map *m, uint64_t key);
void u64map_free(struct u64map *m);

/* String interner: each distinct string gets a dense id (0, 1, 2, ...). */
struct interner {
	struct u64map index; /* hash -> first id in chain */
	char **strs;
	uint32_t *next; /* chain of ids with the same hash */
	size_t n, cap;
};

uint32_t intern(struct interner *in, const char *s);
uint32_t intern_n(struct interner *in, const char *s, size_t len);
static inline const char *interned(const struct interner *in, uint32_t id) { return in->strs[id]; }
void interner_free(struct interner *in);

#endif
