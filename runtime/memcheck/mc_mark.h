/* memcheck's leak classification (valgrind's mc_leakcheck.c semantics),
 * pure: the heap blocks, the roots and a memory reader come from the caller
 * (runtime/mc_roots.c for a live process, tests for a synthetic one).
 * libc only, never calls malloc: working memory is mmap'd.
 *
 *   mc_mark_init(&m, ...);            blocks sorted by address, no overlap
 *   mc_mark_range(&m, a, len) ...     root memory
 *   mc_mark_word(&m, w) ...           root words (registers)
 *   mc_mark_finish(&m);               propagate, cliques, final kinds
 *   mc_mark_free(&m);
 *
 * Kinds (state[i] & MC_KIND_MASK): a block reached from the roots through
 * start pointers only is REACHABLE, through at least one interior pointer
 * POSSIBLE; the rest are lost: walking them in address order (or the
 * caller's order, mc_mark_set_order), each block still unreached leads a
 * clique (DEFINITE) and every unreached block it reaches becomes INDIRECT,
 * its size (and, if it led an earlier clique, that clique's indirect bytes)
 * added to the leader's indirect[] bytes. An
 * interior pointer matching a heuristic (stdstring, length64, newarray,
 * multipleinheritance: valgrind 3.19's default "all") counts as a start
 * pointer; MC_HEUR(state[i]) says which one, as valgrind's "reachable via
 * heuristic" (it is set on whatever block the heuristic matched, as
 * valgrind does). */
#ifndef SONDE_MC_MARK_H
#define SONDE_MC_MARK_H
#include <stddef.h>
#include <stdint.h>

#define MC_HIDDEN __attribute__((visibility("hidden")))

struct mc_block {
	uint64_t start, size;
};

struct mc_range {
	uint64_t start, end; /* [start, end) */
};

enum mc_kind { MC_DEFINITE = 1, MC_INDIRECT = 2, MC_POSSIBLE = 3, MC_REACHABLE = 4 };
enum mc_heur { MC_HEUR_NONE, MC_HEUR_STDSTRING, MC_HEUR_LENGTH64, MC_HEUR_NEWARRAY, MC_HEUR_MULTIINH };
#define MC_KIND_MASK 0x07u
#define MC_KIND(s) ((s) & MC_KIND_MASK)
#define MC_HEUR(s) (((s) >> 4) & 0x07u)

/* heuristics bit set: 1u << enum mc_heur */
#define MC_HEUR_ALL ((1u << MC_HEUR_STDSTRING) | (1u << MC_HEUR_LENGTH64) | \
		     (1u << MC_HEUR_NEWARRAY) | (1u << MC_HEUR_MULTIINH))

/* Not a heuristic of valgrind's: a word pointing exactly at the glibc
 * chunk header that follows a block (block start - 16 + its chunk size) is
 * the allocator's own link (main_arena's top, bins), not the program's, and
 * falls inside the block because a block may use the next chunk's first
 * word. Under valgrind glibc's allocator is not used, so such words do not
 * exist there: ignoring them keeps the two in agreement. */
#define MC_IGNORE_GLIBC_LINKS (1u << 8)

/* Mapping flags for the multipleinheritance heuristic (vtables live in
 * file-backed readable mappings and point at file-backed executable ones). */
#define MC_SEG_R 1u
#define MC_SEG_X 4u
#define MC_SEG_FILE 8u

struct mc_mem {
	/* len bytes at addr: a pointer to them (direct, or copied into buf, which
	 * holds len bytes), or NULL if any of them cannot be read. */
	const void *(*read)(void *ctx, uint64_t addr, size_t len, void *buf);
	/* MC_SEG_* of the mapping holding addr and its end; 0 if unmapped.
	 * May be NULL: then multipleinheritance never matches. */
	unsigned (*seg)(void *ctx, uint64_t addr, uint64_t *end);
	void *ctx;
};

struct mc_mark_stats {
	uint64_t root_bytes;    /* root memory scanned */
	uint64_t skipped_bytes; /* root or block memory that could not be read */
	uint64_t root_words;    /* register words */
};

struct mc_mark {
	const struct mc_block *b;
	size_t n;
	uint64_t lo, hi; /* quick filter: [first start, last end] */
	uint8_t *state;  /* caller's: working state, then kinds */
	uint64_t *indirect;
	uint32_t *stack; /* mmap'd, n entries: a block is on it at most once */
	size_t top, stack_bytes;
	uint8_t *scratch; /* mmap'd read buffer */
	struct mc_mem mem;
	unsigned heur;
	const uint32_t *order; /* the clique walk's order (NULL: by address) */
	struct mc_mark_stats st;
};

/* state[n] and indirect[n] are the caller's (outputs). Returns 0, or -1 if
 * working memory cannot be mapped. */
MC_HIDDEN int mc_mark_init(struct mc_mark *m, const struct mc_block *b, size_t n,
			   const struct mc_mem *mem, unsigned heuristics, uint8_t *state,
			   uint64_t *indirect);
/* The order mc_mark_finish walks the lost blocks in to form cliques:
 * order[0..n) is a permutation of the block indices; it must outlive
 * mc_mark_finish. valgrind walks them in address order, and its allocator
 * gives rising addresses in allocation order: a caller whose blocks lie
 * elsewhere passes allocation order to pick the same clique leaders. */
MC_HIDDEN void mc_mark_set_order(struct mc_mark *m, const uint32_t *order);
MC_HIDDEN void mc_mark_range(struct mc_mark *m, uint64_t start, uint64_t len);
MC_HIDDEN void mc_mark_word(struct mc_mark *m, uint64_t w);
MC_HIDDEN void mc_mark_finish(struct mc_mark *m);
MC_HIDDEN void mc_mark_free(struct mc_mark *m);

/* Index of the block holding address a (a zero-sized block holds its start),
 * or -1. */
MC_HIDDEN long mc_find_block(const struct mc_block *b, size_t n, uint64_t a);

#endif
