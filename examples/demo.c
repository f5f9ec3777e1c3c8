/* demo.c: the small program the README's first command profiles.
 *
 *   cc -O2 -g -fno-omit-frame-pointer -o demo examples/demo.c
 *   sonde record -g -- ./demo && sonde report
 *
 * It runs for about a second, all on the CPU, through a pipeline of a few
 * recognisable functions, so the report has something to show:
 *
 *   main → run_pipeline → parse_records  (text → structs)
 *                        → hash_records   (key hashing; mix64 is inlined into it)
 *                        → sort_records   (libc qsort calling compare_records)
 *
 * Expect roughly: hash_records ~40%, sorting (compare_records, strcmp and
 * libc's merge sort) ~45%, parse_records ~10%.
 *
 * Build it with -fno-omit-frame-pointer so `sonde record -g` gets full call
 * stacks; -g gives file:line and the inlined mix64 frame. The output is a
 * checksum, printed so the compiler cannot drop the work.
 * usage: demo [ROUNDS]   (default 56, about 18 ms each: ~1 s) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NRECORDS 40000

struct record {
	char key[24];
	uint32_t id;
	uint32_t value;
	uint64_t hash;
};

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t next_random(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Input text: one "id=<n> key=<word> value=<n>" line per record. */
static char *make_input(size_t n, size_t *len)
{
	size_t cap = n * 64, pos = 0;
	char *text = malloc(cap);
	if (!text)
		exit(1);
	for (size_t i = 0; i < n; i++) {
		char word[16];
		int wl = 6 + (int)(next_random() % 8);
		for (int j = 0; j < wl; j++)
			word[j] = (char)('a' + next_random() % 26);
		word[wl] = 0;
		pos += (size_t)snprintf(text + pos, cap - pos, "id=%zu key=%s value=%u\n", i, word,
					(unsigned)(next_random() % 100000));
	}
	*len = pos;
	return text;
}

static uint32_t parse_number(const char **p)
{
	uint32_t v = 0;
	while (**p >= '0' && **p <= '9')
		v = v * 10 + (uint32_t)(*(*p)++ - '0');
	return v;
}

/* Parses the text into records; returns how many. */
__attribute__((noinline)) size_t parse_records(const char *text, size_t len, struct record *out)
{
	const char *p = text, *end = text + len;
	size_t n = 0;
	while (p < end) {
		struct record *r = &out[n];
		memset(r, 0, sizeof(*r));
		if (!strncmp(p, "id=", 3)) {
			p += 3;
			r->id = parse_number(&p);
		}
		while (*p == ' ')
			p++;
		if (!strncmp(p, "key=", 4)) {
			p += 4;
			size_t k = 0;
			while (*p != ' ' && *p != '\n' && k < sizeof(r->key) - 1)
				r->key[k++] = *p++;
		}
		while (*p == ' ')
			p++;
		if (!strncmp(p, "value=", 6)) {
			p += 6;
			r->value = parse_number(&p);
		}
		while (p < end && *p++ != '\n')
			;
		n++;
	}
	return n;
}

static inline uint64_t mix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

/* Hashes each record's key (FNV-1a, then strengthened a few times over). */
__attribute__((noinline)) void hash_records(struct record *rs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t h = 0xcbf29ce484222325ULL;
		for (const char *c = rs[i].key; *c; c++)
			h = (h ^ (unsigned char)*c) * 0x100000001b3ULL;
		for (int round = 0; round < 48; round++)
			h = mix64(h + rs[i].value + (uint64_t)round);
		rs[i].hash = h;
	}
}

__attribute__((noinline)) int compare_records(const void *a, const void *b)
{
	const struct record *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	if (c)
		return c;
	return (x->hash > y->hash) - (x->hash < y->hash);
}

__attribute__((noinline)) void sort_records(struct record *rs, size_t n)
{
	qsort(rs, n, sizeof(*rs), compare_records);
}

__attribute__((noinline)) uint64_t run_pipeline(const char *text, size_t len, struct record *rs)
{
	size_t n = parse_records(text, len, rs);
	hash_records(rs, n);
	sort_records(rs, n);
	uint64_t sum = 0;
	for (size_t i = 0; i < n; i += 97)
		sum = sum * 31 + rs[i].hash;
	return sum;
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 56;
	size_t len;
	char *text = make_input(NRECORDS, &len);
	struct record *rs = malloc(NRECORDS * sizeof(*rs));
	if (!rs)
		return 1;
	uint64_t sum = 0;
	for (int i = 0; i < rounds; i++)
		sum = sum * 1000003 + run_pipeline(text, len, rs);
	printf("demo: %d rounds over %d records, checksum %016llx\n", rounds, NRECORDS,
	       (unsigned long long)sum);
	free(rs);
	free(text);
	return 0;
}
