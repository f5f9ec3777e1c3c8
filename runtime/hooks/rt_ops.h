/* What a mode does behind the hooks: the operations of heap profiling
 * (heap/heap_ops.c) or of memcheck (memcheck/mc_block.c, mc_mode.c), one
 * table chosen once at init (rt_init), before any call is traced. The
 * hooks (rt_hooks.c) keep what every mode shares (the early
 * arena, the guard, tracing or not) and make one indirect call; the core
 * calls the process operations (NULL: the mode has none). */
#ifndef SONDE_RT_OPS_H
#define SONDE_RT_OPS_H
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <ucontext.h>

#include "rt_core.h"

typedef int (*rt_main_fn)(int, char **, char **);

struct rt_ops {
	/* ---- allocation calls while tracing (t_guard set; c: the program's call) ---- */
	void *(*malloc)(size_t n, struct rt_caller c);
	void *(*calloc)(size_t n, size_t m, struct rt_caller c);
	/* p: neither NULL nor an arena block; kind: enum heap_kind of the free */
	void (*free)(void *p, int kind, struct rt_caller c);
	/* *p: the block when 0 is returned (the hook stores it for the program) */
	int (*posix_memalign)(void **p, size_t align, size_t n, struct rt_caller c);
	/* aligned_alloc, memalign, valloc and pvalloc (align: a page) by kind */
	void *(*aligned)(int kind, size_t align, size_t n, struct rt_caller c);
	/* operator new (name: its symbol; aligned: the align_val_t forms) */
	void *(*cxx_new)(const char *name, int kind, size_t n, size_t al, bool aligned, struct rt_caller c);
	/* a block the hook allocated itself (realloc of an early arena block);
	 * old_info and floor as a realloc's (rt_heap_rec_block) */
	void (*rec_block)(int kind, size_t size, void *ptr, int64_t old_info, uint64_t floor, struct rt_caller c);
	/* free(NULL), traced (NULL: nothing to do) */
	void (*free_null)(int kind);

	/* ---- whether tracing or not (the operation asks tracing()) ---- */
	void *(*realloc)(void *old, size_t n, struct rt_caller c); /* old: no arena block */
	void *(*reallocarray)(void *old, size_t n, size_t m, struct rt_caller c);

	/* ---- not tracing ---- */
	void (*free_untraced)(void *p);
	size_t (*usable_size)(void *p); /* neither NULL nor in the arena */

	/* the lowest key an event of t's may have now (rt_key.h) */
	uint64_t (*key_floor)(struct rt_thread *t);

	/* ---- the process (NULL: none) ---- */
	/* at init, before the stream's hello */
	void (*init)(void);
	/* global lock held: a thread's state is released (t: its last
	 * state), to be reused by a later thread: the mode folds in and
	 * resets its part of it */
	void (*thread_gone)(struct rt_thread *t);
	/* the thread's state is gone (t_self NULL) */
	void (*thread_exit)(void);
	/* in a forked child (not traced) */
	void (*forked)(void);
	/* pthread_create while tracing */
	int (*thread_create)(pthread_t *th, const pthread_attr_t *attr, void *(*fn)(void *), void *arg);
	/* main, as __libc_start_main is to call it */
	rt_main_fn (*wrap_main)(rt_main_fn main);
	/* the program's stack below sp is dead or the runtime's own */
	void (*stack_from)(uint64_t sp);
	/* the program called exit or _exit with the stack at sp and regs[0..n)
	 * in the callee-saved registers its frames keep (rt_exit.c) */
	void (*exit_regs)(uint64_t sp, const uint64_t *regs, size_t n);
	/* the program is ending from c (how: HOW_EXIT, HOW_UEXIT) */
	void (*found_at)(struct rt_caller c, uint8_t how);
	/* a kept signal (rt_signal_keep) struck: true if it was the mode's */
	bool (*kept_signal)(int sig, siginfo_t *si, ucontext_t *uc);
	/* the program dies of sig (before the stream ends) */
	void (*fatal)(int sig, siginfo_t *si, ucontext_t *uc);
	/* global lock held, every buffer written: the checks at exit (how:
	 * enum heap_exit), then what ends the stream before HR_EXIT */
	void (*finish)(int how);
	/* global lock held: records after each HR_TIME (returns their length) */
	size_t (*timer_recs)(uint8_t *p);
	/* glibc frees its one-time allocations at exit (__libc_freeres) */
	bool libc_freeres;
};

#define RT_TIMER_RECS 48 /* bytes timer_recs writes at most */

extern const struct rt_ops *rt_ops;
extern const struct rt_ops rt_heap_ops, rt_mc_ops;

#endif
