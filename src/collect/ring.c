/* perf ring buffer reader. The kernel writes records and advances data_head;
 * we read up to data_head (load-acquire, pairs with the kernel's smp_wmb
 * before publishing head) and publish data_tail with a store-release so the
 * kernel does not overwrite records we are still reading. */
#include "collect/ring.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int ring_map(struct ring *r, int fd, size_t data_pages)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t len = (1 + data_pages) * (size_t)page;
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -1;
	r->fd = fd;
	r->base = p;
	r->map_len = len;
	r->meta = p;
	uint64_t off = r->meta->data_offset, size = r->meta->data_size;
	if (!off || !size || off + size > len) { /* kernels before 4.1 leave these 0 */
		off = (uint64_t)page;
		size = data_pages * (size_t)page;
	}
	r->data = (unsigned char *)p + off;
	r->size = size;
	r->mask = size - 1;
	return 0;
}

void ring_unmap(struct ring *r)
{
	if (r->base)
		munmap(r->base, r->map_len);
	r->base = NULL;
	r->meta = NULL;
}

size_t ring_drain(struct ring *r, ring_fn fn, void *arg)
{
	if (!r->base)
		return 0;
	uint64_t head = __atomic_load_n(&r->meta->data_head, __ATOMIC_ACQUIRE);
	uint64_t tail = r->meta->data_tail;
	size_t count = 0;
	while (tail < head) {
		uint64_t off = tail & r->mask;
		struct perf_event_header h;
		/* The header itself may straddle the end (it is 8 bytes, records are
		 * 8-aligned, so in practice it does not, but be safe). */
		if (off + sizeof(h) <= r->size) {
			memcpy(&h, r->data + off, sizeof(h));
		} else {
			size_t first = (size_t)(r->size - off);
			memcpy(&h, r->data + off, first);
			memcpy((char *)&h + first, r->data, sizeof(h) - first);
		}
		if (h.size < sizeof(h) || h.size > head - tail)
			break; /* corrupt or incomplete: stop; should not happen */
		const unsigned char *rec;
		if (off + h.size <= r->size) {
			rec = r->data + off;
		} else {
			size_t first = (size_t)(r->size - off);
			memcpy(r->wrap, r->data + off, first);
			memcpy(r->wrap + first, r->data, h.size - first);
			rec = r->wrap;
		}
		fn(arg, rec, h.size);
		tail += h.size;
		count++;
	}
	__atomic_store_n(&r->meta->data_tail, tail, __ATOMIC_RELEASE);
	return count;
}
