/* Memcheck mode: recently freed blocks, for reports on frees of them. */
#ifndef SONDE_RT_MC_FREED_H
#define SONDE_RT_MC_FREED_H
#include <stdbool.h>
#include <stdint.h>

/* A block was freed at free_stack. */
void mc_freed_note(uint64_t ptr, uint32_t info, uint32_t free_stack);
/* The freed block at ptr, if it is remembered. */
bool mc_freed_find(uint64_t ptr, uint32_t *info, uint32_t *free_stack);

#endif
