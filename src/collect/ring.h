/* A perf mmap ring buffer: mapping and draining. */
#ifndef SONDE_COLLECT_RING_H
#define SONDE_COLLECT_RING_H
#include <linux/perf_event.h>
#include <stddef.h>
#include <stdint.h>

struct ring {
	int fd;
	void *base;
	size_t map_len;
	struct perf_event_mmap_page *meta;
	unsigned char *data;
	uint64_t size, mask;
	unsigned char wrap[65536]; /* a record straddling the buffer end is copied here */
};

/* Maps 1 + data_pages pages (data_pages a power of two) of fd. Returns 0, or
 * -1 with errno (EPERM when over the mlock budget). */
int ring_map(struct ring *r, int fd, size_t data_pages);
void ring_unmap(struct ring *r);

/* Calls fn for every complete record between data_tail and data_head, then
 * releases the space to the kernel. `rec` is contiguous (copied if it wrapped)
 * and valid only during the call. Returns the number of records. */
typedef void (*ring_fn)(void *arg, const unsigned char *rec, size_t size);
size_t ring_drain(struct ring *r, ring_fn fn, void *arg);

#endif
