/* Pieces of the SVG flamegraph writer shared with tests: the embedded
 * script and the text helpers. */
#ifndef SONDE_RENDER_FLAME_JS_H
#define SONDE_RENDER_FLAME_JS_H
#include <stddef.h>

#include "util/strbuf.h"

/* The interactive script (zoom, search, URL state, fluid width). */
extern const char flame_js[];

/* Appends s (len bytes) as XML character data / attribute text: & < > " '
 * escaped, control characters shown as \xNN, invalid UTF-8 (and the
 * non-characters U+FFFE/U+FFFF) replaced by U+FFFD. */
void flame_xml_escape(struct strbuf *sb, const char *s, size_t len);
/* How many bytes of s to keep so it fits `px` pixels at font size `fs`
 * (0: no text at all); *dots is set when ".." must follow. Cuts between
 * UTF-8 characters. */
size_t flame_fit_text(const char *s, size_t len, double px, double fs, int *dots);

#endif
