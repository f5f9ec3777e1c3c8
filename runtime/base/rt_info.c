/* Allocation infos: every distinct (kind, size, stack) an allocation had
 * gets a small index, sent once as an HR_INFO record; allocation and free
 * events then carry only that index (heaptrack interns the same pairs).
 *
 * A global table under a spinlock holds the interning (each slot holds its
 * key, so a look-up touches one place); each thread keeps a direct-mapped
 * cache in front of it, so the lock is taken once per new triple per thread. */
#include <stdatomic.h>
#include <sys/mman.h>

#include "rt.h"
#include "rt_info_layout.h"

static _Atomic int g_info_lock;
struct gslot *rt_info_chunks[CHUNKS];
struct tslot *rt_info_tab;
uint64_t rt_info_cap, rt_info_n;
uint32_t rt_info_next = 1;

static bool ggrow(void)
{
	uint64_t ncap = rt_info_cap ? rt_info_cap * 2 : 4096;
	struct tslot *ns = rt_map(ncap * sizeof(*ns));
	if (!ns)
		return false;
	for (uint64_t i = 0; i < rt_info_cap; i++) {
		const struct tslot *e = &rt_info_tab[i];
		if (!e->info)
			continue;
		uint64_t j = key_hash(e->kind, e->size, e->stack) & (ncap - 1);
		while (ns[j].info)
			j = (j + 1) & (ncap - 1);
		ns[j] = *e;
	}
	if (rt_info_tab)
		rt_unmap(rt_info_tab, rt_info_cap * sizeof(*rt_info_tab));
	rt_info_tab = ns;
	rt_info_cap = ncap;
	return true;
}

/* The entry for index i, its chunk mapped if needed (under the lock). */
static struct gslot *byidx_slot(uint32_t i)
{
	struct gslot **chunk = &rt_info_chunks[i >> CHUNK_BITS];
	struct gslot *c = __atomic_load_n(chunk, __ATOMIC_RELAXED);
	if (!c) {
		c = rt_map(CHUNK_ENTRIES * sizeof(struct gslot));
		if (!c)
			return NULL;
		__atomic_store_n(chunk, c, __ATOMIC_RELEASE);
	}
	return &c[i & (CHUNK_ENTRIES - 1)];
}

/* The global look-up; *is_new when this call created the index. */
static uint32_t intern_global(int kind, uint64_t size, uint32_t stack, uint64_t h, bool *is_new)
{
	uint32_t info = 0;
	bool locked = rt_spin_lock_if_threaded(&g_info_lock);
	if ((rt_info_n + 1) * 2 > rt_info_cap && !ggrow()) {
		rt_spin_unlock_if(locked, &g_info_lock);
		return 0;
	}
	uint64_t mask = rt_info_cap - 1, j = h & mask;
	for (; rt_info_tab[j].info; j = (j + 1) & mask) {
		const struct tslot *e = &rt_info_tab[j];
		if (e->size == size && e->stack == stack && e->kind == kind) {
			info = e->info;
			break;
		}
	}
	struct gslot *slot;
	if (!info && rt_info_next != UINT32_MAX && (slot = byidx_slot(rt_info_next))) {
		info = rt_info_next;
		*slot = (struct gslot){ size, stack, (uint8_t)kind };
		__atomic_store_n(&rt_info_next, info + 1, __ATOMIC_RELEASE); /* publishes *slot */
		rt_info_tab[j] = (struct tslot){ size, stack, info, (uint8_t)kind };
		rt_info_n++;
		*is_new = true;
	}
	rt_spin_unlock_if(locked, &g_info_lock);
	return info;
}

uint32_t rt_info_intern(struct rt_info_cache *c, int kind, uint64_t size, uint32_t stack, bool *is_new)
{
	*is_new = false;
	uint64_t h = key_hash(kind, size, stack);
	struct rt_info_slot *s = &c->slots[(h >> 20) & (RT_INFO_CACHE - 1)];
	if (RT_LIKELY(s->info && s->size == size && s->stack == stack && s->kind == kind))
		return s->info;
	uint32_t info = intern_global(kind, size, stack, h, is_new);
	if (info)
		*s = (struct rt_info_slot){ size, stack, info, (uint8_t)kind };
	return info;
}

bool rt_info_get(uint32_t info, uint64_t *size, uint32_t *stack, int *kind)
{
	if (!info || info >= __atomic_load_n(&rt_info_next, __ATOMIC_ACQUIRE))
		return false;
	const struct gslot *c = __atomic_load_n(&rt_info_chunks[info >> CHUNK_BITS], __ATOMIC_ACQUIRE);
	if (!c)
		return false;
	const struct gslot *e = &c[info & (CHUNK_ENTRIES - 1)];
	*size = e->size;
	*stack = e->stack;
	*kind = e->kind;
	return true;
}

uint64_t rt_info_size(uint32_t info)
{
	uint64_t size = 0;
	uint32_t stack;
	int kind;
	rt_info_get(info, &size, &stack, &kind);
	return size;
}
