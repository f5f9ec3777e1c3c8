/* "Did you mean ...?" for mistyped names. */
#ifndef SONDE_UTIL_SUGGEST_H
#define SONDE_UTIL_SUGGEST_H
#include <stddef.h>

/* Edit (Damerau-Levenshtein) distance between two short strings. */
size_t edit_distance(const char *a, const char *b);
/* The candidate closest to `typed`, or NULL if none is close enough
 * (distance at most max(2, len/3), or `typed` is a prefix of it). */
const char *suggest(const char *typed, const char *const *candidates, size_t n);

#endif
