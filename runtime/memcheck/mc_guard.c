/* Memcheck's precise mode: guarded blocks (mc_guard.h). A page map (page
 * number -> block) answers the fault handler; the region count stays
 * under the kernel's mapping limit (vm.max_map_count, 65530 by default;
 * a region takes two mappings while live).
 *
 * Big blocks (more than MAX_DATA_PAGES - 1 pages) cost only their guard
 * page too, but one page-map entry per page would not do: the map holds
 * their first page and guard page (enough for mc_guard_owns and faults
 * past the end), and a table of big regions answers faults elsewhere in
 * them (a freed one is inaccessible whole). Freed, their pages go back
 * to the system while they wait in the quarantine (mc_guard_protect). */
#include <stdatomic.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mc_guard.h"
#include "mc_guard_layout.h"
#include "mc_redzone.h"
#include "rt.h"

static unsigned g_every;
static _Atomic uint64_t g_count;
_Atomic int mc_guard_lock;
struct slot *mc_guard_map;
size_t mc_guard_used, mc_guard_regions;
static size_t g_page;
static struct big *g_big; /* MAX_BIG entries, mapped with the first big block */
size_t mc_guard_nbig;

/* Whether a block of n bytes is a big one (the same answer at allocation,
 * protection and release). */
static inline bool is_big(size_t n)
{
	return n > (MAX_DATA_PAGES - 1) * g_page;
}

void mc_guard_init(unsigned every)
{
	g_every = every;
	g_page = (size_t)sysconf(_SC_PAGESIZE);
}

bool mc_guard_wanted(void)
{
	if (!g_every)
		return false;
	return g_every == 1 || atomic_fetch_add_explicit(&g_count, 1, memory_order_relaxed) % g_every == 0;
}

/* A guarded block is aligned as glibc's malloc aligns every block: to 16
 * bytes (the x86-64 ABI's max_align_t; Rust's allocator and SSE code load
 * aligned 16-byte groups from such blocks, and programs keep tags in the
 * low bits). It ends as close to the guard page as that lets it: fewer
 * than 16 bytes of padding, which mc_redzone.c fills with canaries and
 * checks at free. Bigger alignments get redzones (mc_rz_alloc). */
size_t mc_guard_align(size_t n)
{
	(void)n;
	return 16;
}

/* Where the guard page of the block p of n bytes starts: after its
 * padding, at the next 16-byte boundary. */
static inline uint64_t guard_start(const void *p, size_t n)
{
	return ((uint64_t)(uintptr_t)p + n + 15) & ~(uint64_t)15;
}

/* The region of a block of n bytes: its data bytes (the guard page
 * follows). */
static inline size_t data_len(size_t n, size_t front)
{
	size_t a = mc_guard_align(n);
	return (((n + a - 1) & ~(a - 1)) + front + g_page - 1) & ~(g_page - 1);
}

/* Under the lock. */
void mc_guard_map_put(uint64_t page, uint64_t block)
{
	for (uint32_t i = mc_guard_slot_of(page);; i = (i + 1) & (SLOTS - 1)) {
		uint64_t k = atomic_load_explicit(&mc_guard_map[i].page, memory_order_relaxed);
		if (k == 0 || k == page + 1) {
			atomic_store_explicit(&mc_guard_map[i].block, block, memory_order_relaxed);
			atomic_store_explicit(&mc_guard_map[i].page, page + 1, memory_order_release);
			if (!k)
				mc_guard_used++;
			return;
		}
	}
}

/* Under the lock; backward-shift deletion. */
void mc_guard_map_erase(uint64_t page)
{
	uint32_t i = mc_guard_slot_of(page);
	for (;; i = (i + 1) & (SLOTS - 1)) {
		uint64_t k = atomic_load_explicit(&mc_guard_map[i].page, memory_order_relaxed);
		if (!k)
			return;
		if (k == page + 1)
			break;
	}
	atomic_store_explicit(&mc_guard_map[i].page, 0, memory_order_release);
	mc_guard_used--;
	for (uint32_t j = i;;) {
		j = (j + 1) & (SLOTS - 1);
		uint64_t k = atomic_load_explicit(&mc_guard_map[j].page, memory_order_relaxed);
		if (!k)
			return;
		uint32_t h = mc_guard_slot_of(k - 1);
		if (i <= j ? (i < h && h <= j) : (i < h || h <= j))
			continue;
		atomic_store_explicit(&mc_guard_map[i].block, atomic_load_explicit(&mc_guard_map[j].block, memory_order_relaxed),
				      memory_order_relaxed);
		atomic_store_explicit(&mc_guard_map[i].page, k, memory_order_release);
		atomic_store_explicit(&mc_guard_map[j].page, 0, memory_order_release);
		i = j;
	}
}

/* Reserves room for a region (under the lock): false past the limits. */
static bool reserve(size_t pages, bool big)
{
	if (!mc_guard_map && !(mc_guard_map = rt_map(SLOTS * sizeof(*mc_guard_map))))
		return false;
	if (big && !g_big && !(g_big = rt_map(MAX_BIG * sizeof(*g_big))))
		return false;
	if (mc_guard_regions >= MAX_REGIONS || mc_guard_used + pages > SLOTS / 2 || (big && mc_guard_nbig >= MAX_BIG))
		return false;
	mc_guard_regions++;
	mc_guard_nbig += big;
	return true;
}

static void unreserve(bool big)
{
	rt_spin_lock(&mc_guard_lock);
	mc_guard_regions--;
	mc_guard_nbig -= big;
	rt_spin_unlock(&mc_guard_lock);
}

void *mc_guard_alloc(size_t n, size_t front)
{
	if (n > ((size_t)1 << 46))
		return NULL;
	size_t data = data_len(n, front);
	bool big = is_big(n);
	if (!big && data / g_page > MAX_DATA_PAGES)
		return NULL;
	rt_spin_lock(&mc_guard_lock);
	bool ok = reserve(big ? 2 : data / g_page + 1, big);
	rt_spin_unlock(&mc_guard_lock);
	if (!ok)
		return NULL;
	uint8_t *base = mmap(NULL, data + g_page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED || mprotect(base + data, g_page, PROT_NONE) != 0) {
		if (base != MAP_FAILED)
			munmap(base, data + g_page);
		unreserve(big);
		return NULL;
	}
	uint8_t *p = (uint8_t *)((uintptr_t)(base + data - n) & ~(uintptr_t)(mc_guard_align(n) - 1));
	uint64_t block = (uint64_t)(uintptr_t)p;
	rt_spin_lock(&mc_guard_lock);
	if (big) {
		struct big *e = g_big;
		while (atomic_load_explicit(&e->block, memory_order_relaxed))
			e++; /* reserve() left one free */
		atomic_store_explicit(&e->base, (uint64_t)(uintptr_t)base, memory_order_relaxed);
		atomic_store_explicit(&e->end, (uint64_t)(uintptr_t)(base + data + g_page), memory_order_relaxed);
		atomic_store_explicit(&e->block, block, memory_order_release);
		mc_guard_map_put(block / g_page, block);
		mc_guard_map_put((uint64_t)(uintptr_t)(base + data) / g_page, block);
	} else {
		for (size_t off = 0; off <= data; off += g_page)
			mc_guard_map_put((uint64_t)(uintptr_t)(base + off) / g_page, block);
	}
	rt_spin_unlock(&mc_guard_lock);
	return p;
}

/* The big region holding addr (lock-free: the fault handler), NULL if none. */
static struct big *big_holding(uint64_t addr)
{
	if (!g_big)
		return NULL;
	for (struct big *e = g_big; e < g_big + MAX_BIG; e++) {
		uint64_t b = atomic_load_explicit(&e->block, memory_order_acquire);
		if (b && atomic_load_explicit(&e->base, memory_order_relaxed) <= addr &&
		    addr < atomic_load_explicit(&e->end, memory_order_relaxed))
			return e;
	}
	return NULL;
}

/* The page map alone. */
static bool map_find(uint64_t addr, uint64_t *block)
{
	uint64_t page = addr / g_page;
	for (uint32_t i = mc_guard_slot_of(page), probes = 0; probes < SLOTS; i = (i + 1) & (SLOTS - 1), probes++) {
		uint64_t k = atomic_load_explicit(&mc_guard_map[i].page, memory_order_acquire);
		if (!k)
			return false;
		if (k == page + 1) {
			*block = atomic_load_explicit(&mc_guard_map[i].block, memory_order_relaxed);
			return true;
		}
	}
	return false;
}

bool mc_guard_find(uint64_t addr, uint64_t *block)
{
	if (!mc_guard_map || !g_page)
		return false;
	if (map_find(addr, block))
		return true;
	struct big *e = big_holding(addr);
	if (e)
		*block = atomic_load_explicit(&e->block, memory_order_relaxed);
	return e != NULL;
}

bool mc_guard_owns(const void *p)
{
	uint64_t b; /* a block's own page is in the map, big or not */
	return g_every && mc_guard_map && map_find((uint64_t)(uintptr_t)p, &b) && b == (uint64_t)(uintptr_t)p;
}

bool mc_guard_protect(void *p, size_t n)
{
	/* from the block's first page to the guard page (pages before it hold
	 * only the front slack) */
	uint64_t a = (uint64_t)(uintptr_t)p & ~(uint64_t)(g_page - 1);
	uint64_t end = guard_start(p, n);
	if (end > a)
		mprotect((void *)(uintptr_t)a, end - a, PROT_NONE);
	if (!is_big(n))
		return false;
	/* nothing reads a freed block's bytes, nor its header, again: the
	 * memory can go */
	uint64_t h = ((uint64_t)(uintptr_t)p - MC_RZ_FRONT) & ~(uint64_t)(g_page - 1);
	madvise((void *)(uintptr_t)h, end - h, MADV_DONTNEED);
	return true;
}

void mc_guard_release(void *p, size_t n)
{
	uint64_t block = (uint64_t)(uintptr_t)p, first = block / g_page;
	if (is_big(n)) {
		rt_spin_lock(&mc_guard_lock);
		struct big *e = g_big;
		while (e && e < g_big + MAX_BIG && atomic_load_explicit(&e->block, memory_order_relaxed) != block)
			e++;
		if (!e || e == g_big + MAX_BIG) {
			rt_spin_unlock(&mc_guard_lock);
			return;
		}
		uint64_t base = atomic_load_explicit(&e->base, memory_order_relaxed);
		uint64_t end = atomic_load_explicit(&e->end, memory_order_relaxed);
		atomic_store_explicit(&e->block, 0, memory_order_release);
		mc_guard_map_erase(first);
		mc_guard_map_erase(end / g_page - 1);
		mc_guard_regions--;
		mc_guard_nbig--;
		rt_spin_unlock(&mc_guard_lock);
		munmap((void *)(uintptr_t)base, end - base);
		return;
	}
	rt_spin_lock(&mc_guard_lock);
	/* the region starts at the first page mapped to this block */
	while (first > 0) {
		uint64_t b;
		if (!map_find((first - 1) * g_page, &b) || b != block)
			break;
		first--;
	}
	uint64_t end_page = guard_start(p, n) / g_page;
	for (uint64_t pg = first; pg <= end_page; pg++)
		mc_guard_map_erase(pg);
	mc_guard_regions--;
	rt_spin_unlock(&mc_guard_lock);
	munmap((void *)(uintptr_t)(first * g_page), (end_page - first + 1) * g_page);
}

void mc_guard_open_page(uint64_t addr)
{
	mprotect((void *)(uintptr_t)(addr & ~(uint64_t)(g_page - 1)), g_page, PROT_READ | PROT_WRITE);
}

void mc_guard_close_page(uint64_t addr)
{
	mprotect((void *)(uintptr_t)(addr & ~(uint64_t)(g_page - 1)), g_page, PROT_NONE);
}
