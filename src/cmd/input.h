/* Opening the input a report-like command reads (-i FILE): a recording,
 * or folded / `perf script` text. */
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
 * caller prints them in a header. Anything that is not a recording ('-' =
 * stdin) is read as text: folded stacks or `perf script` output, told
 * apart by their lines (profile_read_text; input_is_text decides). */
struct profile *input_load(const char *path, unsigned flags);
/* The same, with *text_capped (may be NULL) set as profile_read_folded
 * sets it. */
struct profile *input_load_any(const char *path, unsigned flags, bool *text_capped);
/* Text (folded stacks, `perf script` output) rather than a recording
 * (sonde.data, perf.data, a heap trace)? The one place that decides:
 * '-' is text; an empty file, one with NUL bytes or a recording's magic
 * is not (its reader says what is wrong with it). */
bool input_is_text(const char *path);
/* The weight column called `name` (NULL: `dflt`), or a usage error of
 * command `cmd` ("report") saying which ones the input has. */
uint32_t input_weight(const struct profile *p, const char *name, uint32_t dflt, const char *cmd);

#endif
