/* Pieces of the SVG flamegraph writer shared with tests: the embedded
 * script and the text helpers. */
#ifndef SONDE_RENDER_FLAME_JS_H
#define SONDE_RENDER_FLAME_JS_H
#include <stddef.h>

#include "util/strbuf.h"

/* The interactive script (zoom, search, URL state, fluid width). */
extern const char flame_js[];

/* How many bytes of s to keep so it fits `px` pixels at font size `fs`
 * (0: no text at all); *dots is set when ".." must follow. Cuts between
 * UTF-8 characters. */
size_t flame_fit_text(const char *s, size_t len, double px, double fs, int *dots);

#endif
