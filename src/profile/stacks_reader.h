/* Folded stacks with several named counts per line (the cachegrind
 * engine's cachegrind.out.PID.stacks, cachegrind/cg_stacks.h) as a
 * profile model: one unsigned weight per column, named by the header. */
#ifndef SONDE_PROFILE_STACKS_READER_H
#define SONDE_PROFILE_STACKS_READER_H
#include <stdbool.h>
#include <stddef.h>

struct profile;

/* Whether the file at path starts with the header. */
bool stacks_sniff(const char *path);

/* The model, or NULL with a one-line reason in why. */
struct profile *profile_read_stacks(const char *path, char *why, size_t why_len);

#endif
