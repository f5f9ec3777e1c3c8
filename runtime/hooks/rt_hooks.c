/* The interposed allocation functions: malloc and its family, C++
 * operator new and delete. What every mode shares stays here (the early
 * arena while dlsym looks the real functions up, the guard that lets the
 * runtime's own calls through, tracing or not); the rest is one call to
 * the mode's operation (rt_ops.h), chosen at init. The program's call
 * (RT_CALLER) is taken here, in the exported function's own frame. */
#include <dlfcn.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rt_ops.h"

EXPORT void *malloc(size_t n)
{
	if (RT_UNLIKELY(!rt_real_ready()))
		return rt_arena_alloc(n, 16);
	if (!tracing())
		return rt_real.malloc(n);
	t_guard = 1;
	void *p = rt_ops->malloc(n, RT_CALLER());
	t_guard = 0;
	return p;
}

static inline void free_call(void *p, int kind, struct rt_caller c)
{
	if (!p || rt_arena_block(p)) {
		if (!p && RT_UNLIKELY(rt_ops->free_null != NULL) && tracing())
			rt_ops->free_null(kind);
		return;
	}
	if (RT_UNLIKELY(!rt_real_ready()))
		return;
	if (!tracing()) {
		rt_ops->free_untraced(p);
		return;
	}
	t_guard = 1;
	rt_ops->free(p, kind, c);
	t_guard = 0;
}

EXPORT void free(void *p)
{
	free_call(p, HK_FREE, RT_CALLER());
}

EXPORT void *calloc(size_t n, size_t m)
{
	if (RT_UNLIKELY(!rt_real_ready())) {
		if (m && n > SIZE_MAX / m)
			return NULL;
		return rt_arena_alloc(n * m, 16); /* static: already zero */
	}
	if (!tracing())
		return rt_real.calloc(n, m);
	t_guard = 1;
	void *p = rt_ops->calloc(n, m, RT_CALLER());
	t_guard = 0;
	return p;
}

/* A block of the early arena reallocated: it moves to the real allocator. */
static void *realloc_arena(void *old, size_t n)
{
	size_t on = rt_arena_size(old);
	void *p = rt_real.malloc(n ? n : 1);
	if (p)
		memcpy(p, old, on < n ? on : n);
	return p;
}

static NOINLINE void *realloc_from_arena(void *old, size_t n, struct rt_caller c)
{
	if (!tracing())
		return realloc_arena(old, n);
	t_guard = 1;
	void *p = realloc_arena(old, n);
	if (p)
		rt_ops->rec_block(HK_REALLOC, n, p, 0, 0, c);
	t_guard = 0;
	return p;
}

EXPORT void *realloc(void *old, size_t n)
{
	if (RT_UNLIKELY(!rt_real_ready())) {
		void *p = rt_arena_alloc(n, 16);
		if (p && old && rt_arena_block(old)) {
			size_t on = rt_arena_size(old);
			memcpy(p, old, on < n ? on : n);
		}
		return p;
	}
	if (old && rt_arena_block(old))
		return realloc_from_arena(old, n, RT_CALLER());
	return rt_ops->realloc(old, n, RT_CALLER());
}

EXPORT void *reallocarray(void *old, size_t n, size_t m)
{
	if (m && n > SIZE_MAX / m) {
		errno = ENOMEM;
		return NULL;
	}
	if (RT_UNLIKELY(!rt_real_ready()) || (old && rt_arena_block(old)) || !rt_real.reallocarray)
		return realloc(old, n * m);
	return rt_ops->reallocarray(old, n, m, RT_CALLER());
}

EXPORT int posix_memalign(void **out, size_t align, size_t n)
{
	if (RT_UNLIKELY(!rt_real_ready())) {
		void *p = rt_arena_alloc(n, align);
		if (!p)
			return ENOMEM;
		*out = p;
		return 0;
	}
	if (!tracing())
		return rt_real.posix_memalign(out, align, n);
	t_guard = 1;
	void *p = NULL;
	int r = rt_ops->posix_memalign(&p, align, n, RT_CALLER());
	t_guard = 0;
	if (r == 0) /* the program's pointer: a bad one faults as the program's write (valgrind's too) */
		*out = p;
	return r;
}

/* aligned_alloc, memalign, valloc, pvalloc (align: a page for the last two). */
static inline void *aligned_call(int kind, size_t align, size_t n, struct rt_caller c)
{
	if (RT_UNLIKELY(!rt_real_ready()))
		return rt_arena_alloc(kind == HK_PVALLOC ? rt_pvalloc_size(n, align) : n, align);
	if (!tracing())
		return rt_real_aligned(kind, align, n);
	t_guard = 1;
	void *p = rt_ops->aligned(kind, align, n, c);
	t_guard = 0;
	return p;
}

EXPORT void *aligned_alloc(size_t align, size_t n)
{
	return aligned_call(HK_ALIGNED_ALLOC, align, n, RT_CALLER());
}

EXPORT void *memalign(size_t align, size_t n)
{
	return aligned_call(HK_MEMALIGN, align, n, RT_CALLER());
}

EXPORT void *valloc(size_t n)
{
	return aligned_call(HK_VALLOC, (size_t)sysconf(_SC_PAGESIZE), n, RT_CALLER());
}

EXPORT void *pvalloc(size_t n)
{
	return aligned_call(HK_PVALLOC, (size_t)sysconf(_SC_PAGESIZE), n, RT_CALLER());
}

EXPORT size_t malloc_usable_size(void *p)
{
	if (!p)
		return 0;
	if (rt_in_arena(p))
		return rt_arena_block_slow(p) ? rt_arena_size(p) : 0;
	if (RT_UNLIKELY(!rt_real_ready()))
		return 0;
	return rt_ops->usable_size(p);
}

/* ---- C++ operator new / delete ------------------------------------------------------- */

/* The throwing forms on failure: libstdc++'s own operator runs the
 * new-handler loop and throws std::bad_alloc (through our frame). */
static void *cxx_fallback(const char *sym, size_t n, size_t align, bool aligned)
{
	t_guard = 0;
	void *f = dlsym(RTLD_NEXT, sym);
	if (!f)
		abort();
	if (aligned)
		return ((void *(*)(size_t, size_t))f)(n, align);
	return ((void *(*)(size_t))f)(n);
}

/* Every operator new: name, its symbol; aligned, an align_val_t form
 * (al its alignment); throws: on failure libstdc++'s own operator takes
 * over (cxx_fallback), the nothrow forms return NULL. */
static inline void *cxx_new(const char *name, int kind, size_t n, size_t al, bool aligned, bool throws,
			    struct rt_caller c)
{
	if (RT_UNLIKELY(!rt_real_ready()))
		return rt_arena_alloc(n, aligned ? al : 16);
	bool tr = tracing();
	int g = t_guard;
	t_guard = 1;
	void *p = tr	    ? rt_ops->cxx_new(name, kind, n, al, aligned, c)
		  : aligned ? rt_real.memalign(al, n ? n : 1)
			    : rt_real.malloc(n ? n : 1);
	t_guard = g;
	if (!p && throws)
		return cxx_fallback(name, n, al, aligned);
	return p;
}

#define NEW_HOOK(name, kind)                                                   \
	EXPORT void *name(size_t n)                                            \
	{                                                                      \
		return cxx_new(#name, kind, n, 0, false, true, RT_CALLER());   \
	}
#define NEW_NOTHROW_HOOK(name, kind)                                           \
	EXPORT void *name(size_t n, const void *nt)                            \
	{                                                                      \
		return cxx_new(#name, kind, n, 0, false, false, RT_CALLER());  \
	}
#define NEW_ALIGNED_HOOK(name, kind)                                           \
	EXPORT void *name(size_t n, size_t al)                                 \
	{                                                                      \
		return cxx_new(#name, kind, n, al, true, true, RT_CALLER());   \
	}
#define NEW_ALIGNED_NOTHROW_HOOK(name, kind)                                   \
	EXPORT void *name(size_t n, size_t al, const void *nt)                 \
	{                                                                      \
		return cxx_new(#name, kind, n, al, true, false, RT_CALLER());  \
	}

NEW_HOOK(_Znwm, HK_NEW)
NEW_HOOK(_Znam, HK_NEW_ARRAY)
NEW_NOTHROW_HOOK(_ZnwmRKSt9nothrow_t, HK_NEW)
NEW_NOTHROW_HOOK(_ZnamRKSt9nothrow_t, HK_NEW_ARRAY)
NEW_ALIGNED_HOOK(_ZnwmSt11align_val_t, HK_NEW)
NEW_ALIGNED_HOOK(_ZnamSt11align_val_t, HK_NEW_ARRAY)
NEW_ALIGNED_NOTHROW_HOOK(_ZnwmSt11align_val_tRKSt9nothrow_t, HK_NEW)
NEW_ALIGNED_NOTHROW_HOOK(_ZnamSt11align_val_tRKSt9nothrow_t, HK_NEW_ARRAY)

/* delete: (p), (p, size), (p, align), (p, size, align), (p, nothrow), (p, align, nothrow) */
#define DELETE_HOOK(name, kind, ...)             \
	EXPORT void name(void *p, ##__VA_ARGS__) \
	{                                        \
		free_call(p, kind, RT_CALLER()); \
	}

DELETE_HOOK(_ZdlPv, HK_DELETE)
DELETE_HOOK(_ZdaPv, HK_DELETE_ARRAY)
DELETE_HOOK(_ZdlPvm, HK_DELETE | HK_SIZED, size_t n)
DELETE_HOOK(_ZdaPvm, HK_DELETE_ARRAY | HK_SIZED, size_t n)
DELETE_HOOK(_ZdlPvSt11align_val_t, HK_DELETE | HK_ALIGNED, size_t al)
DELETE_HOOK(_ZdaPvSt11align_val_t, HK_DELETE_ARRAY | HK_ALIGNED, size_t al)
DELETE_HOOK(_ZdlPvmSt11align_val_t, HK_DELETE | HK_SIZED | HK_ALIGNED, size_t n, size_t al)
DELETE_HOOK(_ZdaPvmSt11align_val_t, HK_DELETE_ARRAY | HK_SIZED | HK_ALIGNED, size_t n, size_t al)
DELETE_HOOK(_ZdlPvRKSt9nothrow_t, HK_DELETE | HK_NOTHROW, const void *nt)
DELETE_HOOK(_ZdaPvRKSt9nothrow_t, HK_DELETE_ARRAY | HK_NOTHROW, const void *nt)
DELETE_HOOK(_ZdlPvSt11align_val_tRKSt9nothrow_t, HK_DELETE | HK_ALIGNED | HK_NOTHROW, size_t al, const void *nt)
DELETE_HOOK(_ZdaPvSt11align_val_tRKSt9nothrow_t, HK_DELETE_ARRAY | HK_ALIGNED | HK_NOTHROW, size_t al, const void *nt)
