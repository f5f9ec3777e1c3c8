/* The runtime's own allocations, through the real allocator (never
 * recorded), and what the CFI tables of src/binary get from the runtime. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "binary/cfi_table.h"
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

/* What the CFI tables of src/binary (cfi_table.c) get from the runtime:
 * its allocator; no decompression (a compressed .debug_frame is skipped)
 * and no separate debug files (.eh_frame is what unwinds a live program). */
const struct cfi_env rt_cfi_env = { rt_xmalloc, rt_xrealloc, rt_xfree, NULL, NULL };
