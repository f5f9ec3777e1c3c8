/* valgrind's stderr around cachegrind's summary: the preamble before the
 * program runs and the block about the signal it died of, in memcheck's
 * words (src/memcheck/mc_text.c), sonde's name where valgrind names
 * itself. */
#ifndef SONDE_CACHEGRIND_CG_VGTEXT_H
#define SONDE_CACHEGRIND_CG_VGTEXT_H
#include <stdio.h>

#include "cachegrind/cg_raw.h"

/* "==PID== sonde cachegrind, ...", two more lines, "Command: ...", and a
 * blank "==PID== " line. */
void cg_print_preamble(FILE *f, int pid, char *const *argv);

/* "Process terminating with default action of signal N (SIGx)", the
 * kernel's words and address, the stack: nothing when the guest did not
 * die of a signal or when valgrind prints nothing (-q and a signal a
 * process sent). */
void cg_print_fatal(FILE *f, const struct cg_raw *r, bool quiet);

#endif
