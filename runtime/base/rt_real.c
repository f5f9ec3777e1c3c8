/* The real allocator (dlsym RTLD_NEXT), the early arena that serves the
 * allocations dlsym itself makes while it looks the real functions up,
 * and the guard that lets the runtime's own calls pass through the hooks. */
#include <dlfcn.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "heap_protocol.h"
#include "rt.h"

struct rt_real rt_real;
_Atomic int rt_resolved;
__thread volatile int t_guard RT_TLS;
static __thread volatile int t_resolving RT_TLS; /* inside dlsym: serve from the arena */

/* ---- the early arena (allocations made while dlsym resolves the real functions) ---- */

_Alignas(64) char rt_arena[256 << 10];
static _Atomic size_t g_arena_pos;

void *rt_arena_alloc(size_t n, size_t align)
{
	if (align < 16)
		align = 16;
	if (n > sizeof rt_arena)
		return NULL;
	for (;;) {
		size_t pos = atomic_load(&g_arena_pos);
		size_t start = (pos + 16 + align - 1) & ~(align - 1);
		size_t end = start + ((n + 15) & ~(size_t)15);
		if (end > sizeof rt_arena)
			return NULL;
		if (atomic_compare_exchange_weak(&g_arena_pos, &pos, end)) {
			memcpy(rt_arena + start - sizeof(size_t), &n, sizeof n);
			return rt_arena + start;
		}
	}
}

size_t rt_arena_size(const void *p)
{
	size_t n;
	memcpy(&n, (const char *)p - sizeof n, sizeof n);
	return n;
}

bool rt_arena_block_slow(const void *p)
{
	size_t off = (size_t)((const char *)p - rt_arena), end = atomic_load(&g_arena_pos);
	return off >= 16 && !(off & 15) && off < end && rt_arena_size(p) <= end - off;
}

/* ---- the real functions ---------------------------------------------------- */

static void resolve(void)
{
	t_resolving = 1;
	struct rt_real r;
#define REAL(fn) r.fn = dlsym(RTLD_NEXT, #fn)
	REAL(malloc);
	REAL(free);
	REAL(calloc);
	REAL(realloc);
	REAL(reallocarray);
	REAL(posix_memalign);
	REAL(aligned_alloc);
	REAL(memalign);
	REAL(valloc);
	REAL(pvalloc);
	REAL(malloc_usable_size);
#undef REAL
	t_resolving = 0;
	if (!r.malloc || !r.free || !r.calloc || !r.realloc || !r.memalign || !r.posix_memalign) {
		static const char msg[] = "libsonde-rt: cannot find the real malloc\n";
		ssize_t w = write(2, msg, sizeof msg - 1);
		(void)w;
		abort();
	}
	rt_real = r;
	atomic_store_explicit(&rt_resolved, 1, memory_order_release);
}

bool rt_resolve(void)
{
	if (t_resolving)
		return false;
	resolve();
	return true;
}

void *rt_real_sym(const char *name)
{
	int g = t_guard;
	t_guard = 1;
	void *f = dlsym(RTLD_NEXT, name);
	t_guard = g;
	return f;
}

void *rt_real_aligned(int kind, size_t align, size_t n)
{
	switch (kind) {
	case HK_ALIGNED_ALLOC:
		return rt_real.aligned_alloc ? rt_real.aligned_alloc(align, n) : rt_real.memalign(align, n);
	case HK_VALLOC:
		return rt_real.valloc ? rt_real.valloc(n) : rt_real.memalign(align, n);
	case HK_PVALLOC:
		return rt_real.pvalloc ? rt_real.pvalloc(n) : rt_real.memalign(align, rt_pvalloc_size(n, align));
	default:
		return rt_real.memalign(align, n);
	}
}
