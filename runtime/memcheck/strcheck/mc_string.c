/* libsonde-mcstr.so: preloaded next to libsonde-rt.so in memcheck mode
 * only, so `sonde heap` keeps the C library's string functions untouched.
 * It interposes the copying functions whose arguments must not overlap
 * and reports overlaps through the runtime (sonde_rt_mc_overlap), like
 * valgrind's "Source and destination overlap in memcpy(dst, src, n)",
 * then does the copy with the C library's own function.
 *
 * Overlap rules follow valgrind's: the destination range is what the call
 * writes, the source range what it reads (string lengths include the
 * terminator). memcpy(p, p, n) is not reported: compilers emit it for
 * struct self-assignment and rely on it. */
#include <dlfcn.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <wchar.h>

#include "heap_protocol.h"

#define EXPORT __attribute__((visibility("default")))

/* In libsonde-rt.so (preloaded first); weak so a lone preload still loads. */
extern void sonde_rt_mc_overlap(int fn, const void *dst, const void *src, size_t len_plus1, uint64_t ip,
				uint64_t sp, uint64_t bp) __attribute__((weak, visibility("default")));

/* The interposed function's caller: the return address, the caller's
 * stack pointer and frame pointer (this file keeps frame pointers). */
#define REPORT(fn, dst, src, lenp1)                                                                  \
	do {                                                                                         \
		if (sonde_rt_mc_overlap)                                                             \
			sonde_rt_mc_overlap(fn, dst, src, lenp1,                                     \
					    (uint64_t)(uintptr_t)__builtin_return_address(0),        \
					    (uint64_t)(uintptr_t)__builtin_frame_address(0) + 16,    \
					    *(uint64_t *)__builtin_frame_address(0));                \
	} while (0)

static bool overlap(const void *dst, size_t dlen, const void *src, size_t slen)
{
	uintptr_t d = (uintptr_t)dst, s = (uintptr_t)src;
	if (!dlen || !slen)
		return false;
	return d < s + slen && s < d + dlen;
}

/* The C library's functions, found once; until then (inside the dynamic
 * loader's own early calls) simple loops stand in. */
static struct {
	void *(*memcpy)(void *, const void *, size_t);
	void *(*mempcpy)(void *, const void *, size_t);
	char *(*strcpy)(char *, const char *);
	char *(*stpcpy)(char *, const char *);
	char *(*strncpy)(char *, const char *, size_t);
	char *(*stpncpy)(char *, const char *, size_t);
	char *(*strcat)(char *, const char *);
	char *(*strncat)(char *, const char *, size_t);
	wchar_t *(*wcscpy)(wchar_t *, const wchar_t *);
	void *(*memcpy_chk)(void *, const void *, size_t, size_t);
	char *(*strcpy_chk)(char *, const char *, size_t);
	char *(*strcat_chk)(char *, const char *, size_t);
} real;

__attribute__((constructor)) static void resolve(void)
{
	real.memcpy = dlsym(RTLD_NEXT, "memcpy");
	real.mempcpy = dlsym(RTLD_NEXT, "mempcpy");
	real.strcpy = dlsym(RTLD_NEXT, "strcpy");
	real.stpcpy = dlsym(RTLD_NEXT, "stpcpy");
	real.strncpy = dlsym(RTLD_NEXT, "strncpy");
	real.stpncpy = dlsym(RTLD_NEXT, "stpncpy");
	real.strcat = dlsym(RTLD_NEXT, "strcat");
	real.strncat = dlsym(RTLD_NEXT, "strncat");
	real.wcscpy = dlsym(RTLD_NEXT, "wcscpy");
	real.memcpy_chk = dlsym(RTLD_NEXT, "__memcpy_chk");
	real.strcpy_chk = dlsym(RTLD_NEXT, "__strcpy_chk");
	real.strcat_chk = dlsym(RTLD_NEXT, "__strcat_chk");
}

/* Stand-ins (this file is built with -fno-builtin and without loop
 * pattern distribution, so these loops stay loops). */
static void *copy_bytes(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;
	while (n--)
		*d++ = *s++;
	return dst;
}

static size_t len_of(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

static size_t nlen_of(const char *s, size_t max)
{
	size_t n = 0;
	while (n < max && s[n])
		n++;
	return n;
}

/* strncpy's copy: s bytes, then zeros up to n; returns the end of the copy. */
static char *ncopy(char *dst, const char *src, size_t s, size_t n)
{
	copy_bytes(dst, src, s);
	for (size_t i = s; i < n; i++)
		dst[i] = 0;
	return dst + s;
}

EXPORT void *memcpy(void *dst, const void *src, size_t n)
{
	if (__builtin_expect(dst != src && overlap(dst, n, src, n), 0))
		REPORT(HS_MEMCPY, dst, src, n + 1);
	return real.memcpy ? real.memcpy(dst, src, n) : copy_bytes(dst, src, n);
}

EXPORT void *__memcpy_chk(void *dst, const void *src, size_t n, size_t dstlen)
{
	if (__builtin_expect(dst != src && overlap(dst, n, src, n), 0))
		REPORT(HS_MEMCPY, dst, src, n + 1);
	if (real.memcpy_chk)
		return real.memcpy_chk(dst, src, n, dstlen);
	return real.memcpy ? real.memcpy(dst, src, n) : copy_bytes(dst, src, n);
}

EXPORT void *mempcpy(void *dst, const void *src, size_t n)
{
	if (__builtin_expect(dst != src && overlap(dst, n, src, n), 0))
		REPORT(HS_MEMPCPY, dst, src, n + 1);
	if (real.mempcpy)
		return real.mempcpy(dst, src, n);
	return (char *)copy_bytes(dst, src, n) + n;
}

EXPORT char *strcpy(char *dst, const char *src)
{
	size_t n = len_of(src) + 1;
	if (overlap(dst, n, src, n))
		REPORT(HS_STRCPY, dst, src, 0);
	return real.strcpy ? real.strcpy(dst, src) : copy_bytes(dst, src, n);
}

EXPORT char *__strcpy_chk(char *dst, const char *src, size_t dstlen)
{
	size_t n = len_of(src) + 1;
	if (overlap(dst, n, src, n))
		REPORT(HS_STRCPY, dst, src, 0);
	if (real.strcpy_chk)
		return real.strcpy_chk(dst, src, dstlen);
	return real.strcpy ? real.strcpy(dst, src) : copy_bytes(dst, src, n);
}

EXPORT char *stpcpy(char *dst, const char *src)
{
	size_t n = len_of(src) + 1;
	if (overlap(dst, n, src, n))
		REPORT(HS_STPCPY, dst, src, 0);
	if (real.stpcpy)
		return real.stpcpy(dst, src);
	copy_bytes(dst, src, n);
	return dst + n - 1;
}

EXPORT char *strncpy(char *dst, const char *src, size_t n)
{
	size_t s = nlen_of(src, n);
	if (overlap(dst, n, src, s < n ? s + 1 : n))
		REPORT(HS_STRNCPY, dst, src, n + 1);
	if (real.strncpy)
		return real.strncpy(dst, src, n);
	ncopy(dst, src, s, n);
	return dst;
}

EXPORT char *stpncpy(char *dst, const char *src, size_t n)
{
	size_t s = nlen_of(src, n);
	if (overlap(dst, n, src, s < n ? s + 1 : n))
		REPORT(HS_STPNCPY, dst, src, n + 1);
	if (real.stpncpy)
		return real.stpncpy(dst, src, n);
	return ncopy(dst, src, s, n);
}

EXPORT char *strcat(char *dst, const char *src)
{
	size_t d = len_of(dst), s = len_of(src);
	if (overlap(dst, d + s + 1, src, s + 1))
		REPORT(HS_STRCAT, dst, src, 0);
	if (real.strcat)
		return real.strcat(dst, src);
	copy_bytes(dst + d, src, s + 1);
	return dst;
}

EXPORT char *__strcat_chk(char *dst, const char *src, size_t dstlen)
{
	size_t d = len_of(dst), s = len_of(src);
	if (overlap(dst, d + s + 1, src, s + 1))
		REPORT(HS_STRCAT, dst, src, 0);
	if (real.strcat_chk)
		return real.strcat_chk(dst, src, dstlen);
	if (real.strcat)
		return real.strcat(dst, src);
	copy_bytes(dst + d, src, s + 1);
	return dst;
}

EXPORT char *strncat(char *dst, const char *src, size_t n)
{
	size_t d = len_of(dst), s = nlen_of(src, n);
	if (overlap(dst, d + s + 1, src, s < n ? s + 1 : s))
		REPORT(HS_STRNCAT, dst, src, n + 1);
	if (real.strncat)
		return real.strncat(dst, src, n);
	copy_bytes(dst + d, src, s);
	dst[d + s] = 0;
	return dst;
}

EXPORT wchar_t *wcscpy(wchar_t *dst, const wchar_t *src)
{
	size_t n = 0;
	while (src[n])
		n++;
	n = (n + 1) * sizeof(wchar_t);
	if (overlap(dst, n, src, n))
		REPORT(HS_WCSCPY, dst, src, 0);
	return real.wcscpy ? real.wcscpy(dst, src) : copy_bytes(dst, src, n);
}
