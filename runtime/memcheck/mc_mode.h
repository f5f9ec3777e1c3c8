/* Memcheck mode (SONDE_MEMCHECK=1) inside the runtime: what its files
 * share. mc_block.c: the checked blocks behind the hooks (redzones, the
 * quarantine, the checks of every call); mc_mode.c: the mode's process
 * operations (init, errors as HR_ERROR records, the checks at exit, fatal
 * signals) and its struct rt_ops. */
#ifndef SONDE_RT_MC_MODE_H
#define SONDE_RT_MC_MODE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rt_core.h"

/* A numeric setting of SONDE_MEMCHECK's ",key=value" items, or dflt
 * (mc_settings.c); a flag is key=1. */
uint64_t mc_setting(const char *key, uint64_t dflt);
/* SONDE_MEMCHECK does not start with "noleak" (--leak-check=no). */
bool mc_leak_check_wanted(void);

/* An HR_ERROR record (fields as in enum heap_error). */
struct rt_error {
	uint8_t kind, how, free_how;
	uint32_t where, info, free_stack;
	uint64_t addr, size, block;
};
#define RT_ERROR_REC 96 /* bytes an encoded HR_ERROR takes at most */
/* Encodes e, with the calling thread's number and name (the thread that
 * found the error) and the error's place among all threads' errors. */
size_t rt_put_error(uint8_t *p, const struct rt_error *e);

/* ---- valgrind's thread numbers (rt_thread_num.c, memcheck mode) ---- */

/* In the main thread, once: it is thread 1. */
void rt_thread_num_init(void);
/* The calling thread's number (1 when none could be given). */
uint32_t rt_thread_num(void);
/* The calling thread's name into out (no NUL), if it was given one other
 * than the process's; returns its length (0: none). */
size_t rt_thread_name(char out[16]);
/* pthread_create through real, the new thread numbered. */
int rt_thread_num_create(rt_pthread_create_fn real, pthread_t *th, const pthread_attr_t *attr,
			 void *(*fn)(void *), void *arg);

/* Memcheck mode: every live block, in the live map and the slots, with its
 * age (its place in allocation order) (mc_block.c). */
void rt_live_foreach(void (*fn)(uint64_t ptr, uint32_t info, uint32_t age, void *ctx), void *ctx);

/* ---- a thread's state (struct rt_thread's mode area) ---- */

struct mc_ring;

/* What memcheck mode keeps per thread: its counts (it sends no events;
 * freed: bytes) and the ages this thread may hand out, zeroed when the
 * thread ends (mc_thread_gone); the quarantine ring is kept when the
 * state is reused. */
struct mc_thread {
	uint64_t allocs, frees, bytes, freed;
	uint32_t age_next, age_end;
	struct mc_ring *ring;
};

_Static_assert(sizeof(struct mc_thread) <= RT_MODE_STATE, "struct mc_thread outgrew struct rt_thread's mode area");

static inline struct mc_thread *mc_thread(struct rt_thread *t)
{
	return (struct mc_thread *)(void *)t->mode;
}

/* ---- mc_block.c ---- */

/* --show-mismatched-frees=no */
extern bool mc_no_mismatch;
/* The lowest key an event of t's may have (memcheck sends no events: no
 * clock, only their order in the live map matters). */
uint64_t mc_key_floor(struct rt_thread *t);
/* The info of a live block (0: none), the map unchanged. */
uint32_t mc_live_get(void *ptr);
/* The operations of struct rt_ops (rt_mc_ops, in mc_mode.c). */
void *mc_malloc(size_t n, struct rt_caller c);
void *mc_calloc(size_t n, size_t m, struct rt_caller c);
void mc_free(void *p, int kind, struct rt_caller c);
void mc_free_null(int kind);
int mc_posix_memalign(void **out, size_t align, size_t n, struct rt_caller c);
void *mc_aligned_op(int kind, size_t align, size_t n, struct rt_caller c);
void *mc_cxx_new(const char *name, int kind, size_t n, size_t al, bool aligned, struct rt_caller c);
void mc_rec_block_op(int kind, size_t size, void *ptr, int64_t old_info, uint64_t floor, struct rt_caller c);
void *mc_realloc_op(void *old, size_t n, struct rt_caller c);
void *mc_reallocarray(void *old, size_t n, size_t m, struct rt_caller c);
void mc_free_untraced(void *p);
size_t mc_usable_size(void *p);

/* ---- mc_mode.c ---- */

/* An HR_ERROR record (as a definition: it carries no key), sent at once. */
void mc_rec_error_where(struct rt_error e);
/* The same with the stack of the program's call c as where. */
void mc_rec_error(struct rt_error e, struct rt_caller c);
/* The stack of the program's call c (the trie nodes written). */
uint32_t mc_call_stack(struct rt_caller c);

#endif
