/* Memcheck mode: which heap block a report names for an address, as
 * valgrind describes one ("Address 0x.. is 8 bytes inside a block of size
 * 100 alloc'd"): a live block whose bytes or 16-byte redzones hold it,
 * else a recently freed one. Only the runtime's tables are read, never
 * the address: it may be wild. */
#ifndef SONDE_RT_MC_DESCRIBE_H
#define SONDE_RT_MC_DESCRIBE_H
#include <stdbool.h>
#include <stdint.h>

/* valgrind's redzone: an address this close to a block is described by it */
#define MC_DESCRIBE_SLACK 16

struct mc_heap_desc {
	uint64_t block;      /* the block's start */
	uint32_t info;       /* its allocation info */
	uint32_t free_stack; /* 0: live */
	uint8_t free_how;    /* the function that freed it */
};

/* False when no block is near addr. */
bool mc_describe_heap(uint64_t addr, struct mc_heap_desc *d);

#endif
