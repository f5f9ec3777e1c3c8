/* Memcheck mode's block layout: every block the program gets sits between
 * redzones filled with canary bytes, so writes just before or past it are
 * found when the block is freed, reallocated or checked at exit; a freed
 * block is filled with a pattern so writes after the free are found when it
 * leaves the quarantine (mc_freed.c).
 *
 *   base ... | header (16) | canaries (16) | the block (n) | canaries (to 16-byte end + 16)
 *                                          ^ what the program gets
 *
 * A block that needs more alignment than 16 gets a front of a multiple of
 * its alignment; the header always sits just before the front canaries. */
#ifndef SONDE_RT_MC_REDZONE_H
#define SONDE_RT_MC_REDZONE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MC_CANARY 0xbe /* redzone bytes */
#define MC_FREED 0xfd  /* a freed block's bytes while it is in quarantine */
#define MC_RZ_FRONT 32 /* header and front canaries of a block aligned to 16 or less */

/* Damaged bytes: the lowest one and the span to the highest, in one zone. */
struct mc_damage {
	uint64_t addr, len;
};

/* A block of n bytes aligned to align (0: malloc's 16) with its redzones,
 * from the real allocator; NULL when out of memory or n is absurd. */
void *mc_rz_alloc(size_t n, size_t align);
/* Frees a block mc_rz_alloc returned (its redzones included). A block
 * whose header was overwritten is left alone (its base is unknown). */
void mc_rz_release(void *p, size_t n);
/* Checks the canaries of the block p of n bytes: false if intact, else
 * fills *before (damage in front) and/or *after (damage behind); a span
 * with len 0 is intact. */
bool mc_rz_check(const void *p, size_t n, struct mc_damage *before, struct mc_damage *after);
/* A freed block: its bytes get the freed pattern (a guarded block: its
 * pages become inaccessible). True when its memory went back to the
 * system: it can wait in the quarantine at no cost. */
bool mc_rz_fill_freed(void *p, size_t n);
/* Whether the freed pattern still holds; else the damage in *d. */
bool mc_rz_freed_intact(const void *p, size_t n, struct mc_damage *d);

#endif
