/* Progress points: coz's exported ABI. Programs built with coz.h (or the
 * Rust coz crate) look _coz_get_counter up with dlsym(RTLD_DEFAULT) and
 * increment the returned counter themselves; the points array never moves,
 * so the pointers stay valid for the whole run. */
#include <string.h>

#include "coz_rt.h"

static struct coz_point points[COZ_MAX_POINTS];
static size_t npoints; /* release-published after the point is filled in */
static int lock;

static void spin_lock(void)
{
	while (__atomic_exchange_n(&lock, 1, __ATOMIC_ACQUIRE))
		;
}

COZ_API struct coz_counter *_coz_get_counter(int type, const char *name)
{
	if (type < 1 || type > 3 || !name)
		return NULL;
	int kind = type == 1 ? 1 : 2; /* begin and end of one name share a point */
	struct coz_counter *c = NULL;
	spin_lock();
	size_t i;
	for (i = 0; i < npoints; i++)
		if (points[i].type == kind && !strncmp(points[i].name, name, sizeof(points[i].name) - 1))
			break;
	if (i == npoints && i < COZ_MAX_POINTS) {
		points[i].type = kind;
		strncpy(points[i].name, name, sizeof(points[i].name) - 1);
		__atomic_store_n(&npoints, i + 1, __ATOMIC_RELEASE);
	}
	if (i < npoints)
		c = type == 3 ? &points[i].end : &points[i].begin;
	__atomic_store_n(&lock, 0, __ATOMIC_RELEASE);
	return c;
}

/* A fork child has one thread: a lock another thread held is free. */
void coz_points_after_fork(void) { __atomic_store_n(&lock, 0, __ATOMIC_RELEASE); }

size_t coz_points(struct coz_point **p)
{
	*p = points;
	return __atomic_load_n(&npoints, __ATOMIC_ACQUIRE);
}

/* coz HEAD's calls for blocking the program does itself (a spin-wait on
 * another thread, say); the same rules as the wrappers in coz_block.c. */
COZ_API void _coz_add_delays(void) { coz_catch_up(); }

COZ_API void _coz_pre_block(void) { coz_pre_block(); }

COZ_API void _coz_post_block(int skip_delays) { coz_post_block(skip_delays != 0); }
