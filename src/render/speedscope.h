/* speedscope's JSON file format (https://www.speedscope.app/file-format-schema.json):
 * shared frames, one "sampled" profile per thread of a recording, or one
 * profile for text input. */
#ifndef SONDE_RENDER_SPEEDSCOPE_H
#define SONDE_RENDER_SPEEDSCOPE_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct profile;
struct strbuf;

struct speedscope_opts {
	const char *name;  /* the file's "name" (e.g. the command or input file) */
	bool no_inline;    /* recordings: only out-of-line frames */
	bool weighted;     /* recordings: widths in `weight` (a weight index), not samples */
	uint32_t weight;
};

/* A recording: one profile per thread (pid/tid), samples in time order,
 * consecutive identical stacks merged into one weighted sample. Text
 * (p->from_text: folded stacks, perf script): one profile with one
 * weighted sample per stack, frames named as written. Returns 0, or -1
 * on a write error. */
int speedscope_write_profile(FILE *out, const struct profile *p, const struct speedscope_opts *o);

#endif
