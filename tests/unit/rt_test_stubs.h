/* For unit tests that link runtime objects: a stand-in rt_map
 * (plain mmap, failing on demand through map_fail, calls counted) and
 * SCALE, the factor work is divided by under the sanitizers. */
#ifndef SONDE_TEST_RT_STUBS_H
#define SONDE_TEST_RT_STUBS_H
#include <stdatomic.h>
#include <stddef.h>
#include <sys/mman.h>

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_SAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_SAN 1
#endif
#endif
#ifdef UNDER_SAN
#define SCALE 4
#else
#define SCALE 1
#endif

static _Atomic int map_calls, map_fail; /* map_fail: rt_map returns NULL */

_Atomic int rt_multi; /* set by the tests' threaded parts: take the locks */

void rt_map_note(void *m, size_t n)
{
	(void)m;
	(void)n;
}

void *rt_map(size_t n)
{
	atomic_fetch_add(&map_calls, 1);
	if (atomic_load(&map_fail))
		return NULL;
	void *m = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return m == MAP_FAILED ? NULL : m;
}

void rt_unmap(void *p, size_t n)
{
	munmap(p, n);
}

#endif
