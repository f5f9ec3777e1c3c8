/* The vDSO is the same image in every process on this kernel: callers that
 * need a target's vDSO (symbols, CFI) read the one mapped into sonde. */
#ifndef SONDE_BINARY_VDSO_H
#define SONDE_BINARY_VDSO_H
#include <stdbool.h>
#include <stddef.h>

/* Where our own vDSO is mapped; false if there is none. */
bool own_vdso(const void **start, size_t *len);

#endif
