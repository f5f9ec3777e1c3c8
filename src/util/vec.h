/* Growable arrays: struct { T *v; size_t n, cap; } with push/reserve macros. */
#ifndef SONDE_UTIL_VEC_H
#define SONDE_UTIL_VEC_H
#include <stddef.h>
#include "util/die.h"

#define VEC(T) struct { T *v; size_t n, cap; }

#define vec_reserve(vec, want)                                                   \
	do {                                                                     \
		if ((want) > (vec)->cap) {                                       \
			size_t nc_ = (vec)->cap ? (vec)->cap * 2 : 16;           \
			while (nc_ < (want))                                     \
				nc_ *= 2;                                        \
			(vec)->v = xrealloc((vec)->v, nc_ * sizeof(*(vec)->v));  \
			(vec)->cap = nc_;                                        \
		}                                                                \
	} while (0)

#define vec_push(vec, x)                                                         \
	do {                                                                     \
		vec_reserve((vec), (vec)->n + 1);                                \
		(vec)->v[(vec)->n++] = (x);                                      \
	} while (0)

#define vec_free(vec)                                                            \
	do {                                                                     \
		free((vec)->v);                                                  \
		(vec)->v = NULL;                                                 \
		(vec)->n = (vec)->cap = 0;                                       \
	} while (0)

#endif
