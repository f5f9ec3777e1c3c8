/* UTF-8 checks for writers of text formats (SVG, HTML, JSON) that must
 * not pass invalid sequences through from untrusted names. */
#ifndef SONDE_UTIL_UTF8_H
#define SONDE_UTIL_UTF8_H
#include <stddef.h>

/* Length (1..4) of the valid UTF-8 sequence at s, reading at most left
 * bytes (left >= 1); 0 if it is not one (overlong forms, surrogates, code
 * points above U+10FFFF, stray continuation bytes, cut short). */
size_t utf8_valid_len(const unsigned char *s, size_t left);

/* Writes code point cp (below 0x110000) as UTF-8 into out; returns the
 * length (1..4). */
size_t utf8_encode(unsigned long cp, char out[4]);

#endif
