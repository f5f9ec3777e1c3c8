/* What the CFI parser and unwinder (src/binary/cfi.c, dwarf_expr.c,
 * unwind.c) need from the rest of sonde, re-done for the runtime, which
 * links libc only:
 *  - xmalloc & co. from src/util/die.c, over the real allocator;
 *  - libelf helpers (separate debug files are not searched in-process:
 *    .eh_frame is what unwinds a live program);
 *  - zlib/zstd (a compressed .debug_frame is skipped). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "binary/elf_symbols.h"
#include "util/die.h"
#include "rt.h"

/* Out of memory even with room made under the program's limits: the
 * runtime cannot go on (its callers need the memory); the crash handler
 * sends what was recorded, with the HR_LOST that says why. */
static void oom(size_t n)
{
	static const char msg[] = "libsonde-rt: out of memory\n";
	rt_out_of_memory(n, ENOMEM);
	ssize_t r = write(2, msg, sizeof msg - 1);
	(void)r;
	abort();
}

void *rt_xmalloc(size_t n)
{
	void *p = rt_real.malloc(n ? n : 1);
	if (!p && rt_rlimit_make_room(n, true))
		p = rt_real.malloc(n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

void *rt_xcalloc(size_t n, size_t m)
{
	void *p = rt_real.calloc(n ? n : 1, m ? m : 1);
	if (!p && rt_rlimit_make_room(n * m, true))
		p = rt_real.calloc(n ? n : 1, m ? m : 1);
	if (!p)
		oom(n * m);
	return p;
}

void *rt_xrealloc(void *p, size_t n)
{
	void *q = rt_real.realloc(p, n ? n : 1);
	if (!q && rt_rlimit_make_room(n, true))
		q = rt_real.realloc(p, n ? n : 1);
	if (!q)
		oom(n);
	return q;
}

void rt_xfree(void *p)
{
	rt_real.free(p);
}

/* ---- src/util/die.c ---- */

const char *sonde_progname = "libsonde-rt";
int sonde_quiet = 1;

void *xmalloc(size_t n) { return rt_xmalloc(n); }
void *xcalloc(size_t n, size_t size) { return rt_xcalloc(n, size); }
void *xrealloc(void *p, size_t n) { return rt_xrealloc(p, n); }

char *xstrdup(const char *s)
{
	size_t n = strlen(s);
	char *p = rt_xmalloc(n + 1);
	memcpy(p, s, n + 1);
	return p;
}

char *xstrndup(const char *s, size_t n)
{
	n = strnlen(s, n);
	char *p = rt_xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		oom(0);
	char *p = rt_xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void die(const char *fmt, ...)
{
	(void)fmt;
	abort();
}

void die_status(int status, const char *fmt, ...)
{
	(void)status;
	(void)fmt;
	abort();
}

int error(const char *fmt, ...)
{
	(void)fmt;
	return -1;
}

void warn(const char *fmt, ...) { (void)fmt; }
void note(const char *fmt, ...) { (void)fmt; }

/* ---- src/binary/elf_symbols.c (libelf) ---- */

Elf *elf_open_file(const char *path, int *fd_out)
{
	(void)path;
	*fd_out = -1;
	return NULL;
}

void elf_close_file(Elf *elf, int fd)
{
	(void)elf;
	(void)fd;
}

size_t elf_build_id(Elf *elf, uint8_t *out, size_t max)
{
	(void)elf;
	(void)out;
	(void)max;
	return 0;
}

bool elf_debuglink(Elf *elf, char *name, size_t namesz, uint32_t *crc)
{
	(void)elf;
	(void)name;
	(void)namesz;
	(void)crc;
	return false;
}

bool elf_loads_offset_to_vaddr(const struct elf_load *loads, size_t n, uint64_t off, uint64_t *vaddr)
{
	for (size_t i = 0; i < n; i++)
		if (off >= loads[i].offset && off - loads[i].offset < loads[i].filesz) {
			*vaddr = loads[i].vaddr + (off - loads[i].offset);
			return true;
		}
	return false;
}

/* ---- zlib / zstd ---- */

/* Not from <zstd.h>: it declares these with default visibility, and the
 * runtime must not export (and so interpose) a fake libzstd. */
#define RT_HIDDEN __attribute__((visibility("hidden")))
RT_HIDDEN size_t ZSTD_decompress(void *dst, size_t dstCapacity, const void *src, size_t compressedSize);
RT_HIDDEN unsigned ZSTD_isError(size_t code);

int uncompress(Bytef *dest, uLongf *destLen, const Bytef *source, uLong sourceLen)
{
	(void)dest;
	(void)destLen;
	(void)source;
	(void)sourceLen;
	return Z_DATA_ERROR;
}

size_t ZSTD_decompress(void *dst, size_t dstCapacity, const void *src, size_t compressedSize)
{
	(void)dst;
	(void)dstCapacity;
	(void)src;
	(void)compressedSize;
	return (size_t)-1;
}

unsigned ZSTD_isError(size_t code)
{
	return code > (size_t)-120;
}
