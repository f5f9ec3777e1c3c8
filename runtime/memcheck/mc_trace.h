/* Memcheck mode's --trace-malloc=yes: one line per allocation call in
 * valgrind's words ("--PID-- malloc(10) = 0x4A42040", "free(0x4A42040)",
 * "memalign(al 64, size 100) = 0x...", "_Znwm(4) = 0x..."), written to
 * the file sonde names; sonde puts them in its report after the preamble. */
#ifndef SONDE_RT_MC_TRACE_H
#define SONDE_RT_MC_TRACE_H
#include <stdbool.h>
#include <stdint.h>

extern bool mc_trace_on;

/* fd: where the lines go; stamp: valgrind's --time-stamp prefix, counted
 * from t0_ns (CLOCK_MONOTONIC). */
void mc_trace_init(int fd, bool stamp, uint64_t t0_ns);

/* A line: fmt's %u is a decimal number, %p an address as valgrind prints
 * it (0x4A42040, 0x0), %s a string, %n a line break; each argument a
 * uint64_t (%s: a const char *). */
void mc_trace(const char *fmt, ...);

/* The name a free function traces under (free, _ZdlPvm, ...). */
const char *mc_trace_free_name(int how);

#endif
