/* The runtime's own memory: every mmap it makes goes through here, so the
 * leak check can leave these ranges out of the program's roots (the live
 * map holds the address of every block, the thread caches hold stack words:
 * scanned as roots they would make every leak look reachable). */
#include <errno.h>
#include <stdatomic.h>
#include <sys/mman.h>

#include "rt.h"

#define MAX_MAPS 8192

static _Atomic int g_mem_lock;
static uint64_t g_maps[MAX_MAPS][2];
static size_t g_nmaps;
static _Atomic uint64_t g_bytes; /* everything noted, for the room rt_rlimit.c keeps */

void rt_map_note(void *m, size_t n)
{
	atomic_fetch_add(&g_bytes, n);
	rt_spin_lock(&g_mem_lock);
	if (g_nmaps < MAX_MAPS) { /* beyond: the leak check may see a few false roots */
		g_maps[g_nmaps][0] = (uint64_t)(uintptr_t)m;
		g_maps[g_nmaps][1] = (uint64_t)(uintptr_t)m + n;
		g_nmaps++;
	}
	rt_spin_unlock(&g_mem_lock);
}

/* Out of memory: room under the program's limits if that is what is
 * short (rt_rlimit.c), else the runtime stops recording (rt_out_of_memory, core/rt_writer.c, says so). */
void *rt_map(size_t n)
{
	void *m = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED && errno == ENOMEM && rt_rlimit_make_room(n, true))
		m = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED) {
		rt_out_of_memory(n, errno);
		return NULL;
	}
	rt_map_note(m, n);
	return m;
}

uint64_t rt_map_bytes(void)
{
	return atomic_load_explicit(&g_bytes, memory_order_relaxed);
}

void rt_unmap(void *p, size_t n)
{
	uint64_t a = (uint64_t)(uintptr_t)p;
	atomic_fetch_sub(&g_bytes, n);
	rt_spin_lock(&g_mem_lock);
	for (size_t i = 0; i < g_nmaps; i++)
		if (g_maps[i][0] == a) {
			g_maps[i][0] = g_maps[g_nmaps - 1][0];
			g_maps[i][1] = g_maps[g_nmaps - 1][1];
			g_nmaps--;
			break;
		}
	rt_spin_unlock(&g_mem_lock);
	munmap(p, n);
}

size_t rt_map_ranges(uint64_t *out, size_t max)
{
	size_t n = 0;
	rt_spin_lock(&g_mem_lock);
	for (size_t i = 0; i < g_nmaps && n < max; i++, n++) {
		out[2 * n] = g_maps[i][0];
		out[2 * n + 1] = g_maps[i][1];
	}
	rt_spin_unlock(&g_mem_lock);
	return n;
}
