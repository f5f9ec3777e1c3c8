/* Opening the recording a report-like command reads (-i FILE). */
#ifndef SONDE_CMD_INPUT_H
#define SONDE_CMD_INPUT_H
#include <stdbool.h>
#include <stdint.h>

struct cmd_ctx;
struct profile;

/* The default input: sonde.data, or perf.data when run as perf (and when
 * only perf.data exists). */
const char *input_default(const struct cmd_ctx *ctx);
enum input_flags {
	INPUT_NO_INLINE = 1,       /* don't expand inlined frames */
	INPUT_HEADER_WARNINGS = 2, /* the caller prints stale modules in a header */
	INPUT_FULL_STACKS = 4,     /* a heap trace's stacks past main (pprof) */
};
/* Loads `path` (flags: enum input_flags) or exits with a one-line error
 * saying what to do. Modules that cannot be symbolized because their file
 * changed since the recording are warned about on stderr, unless the
 * caller prints them in a header. */
struct profile *input_load(const char *path, unsigned flags);
/* The weight column called `name` (NULL: `dflt`), or a usage error of
 * command `cmd` ("report") saying which ones the input has. */
uint32_t input_weight(const struct profile *p, const char *name, uint32_t dflt, const char *cmd);

#endif
