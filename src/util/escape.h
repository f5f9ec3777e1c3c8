/* Escaping for the text formats sonde writes: XML/HTML (the SVG
 * flamegraph, the heap HTML page, valgrind's XML) and JSON strings
 * (speedscope, the data inside the heap page's <script>). One place, so
 * every writer escapes a hostile symbol name the same way. */
#ifndef SONDE_UTIL_ESCAPE_H
#define SONDE_UTIL_ESCAPE_H
#include <stddef.h>

#include "util/strbuf.h"

/* Length of the UTF-8 character at s (1..4) if it is valid and allowed in
 * XML (not U+FFFE/U+FFFF), else 0. */
size_t xml_char_len(const unsigned char *s, size_t left);

/* Appends s (len bytes) as XML character data / attribute text: & < > " '
 * escaped, control characters shown as \xNN, invalid UTF-8 (and the
 * non-characters U+FFFE/U+FFFF) replaced by U+FFFD. Also right for HTML. */
void xml_escape(struct strbuf *sb, const char *s, size_t len);
/* The same for a NUL-terminated string; NULL appends nothing. */
void xml_escapes(struct strbuf *sb, const char *s);

/* Appends s (len bytes) as a JSON string literal with quotes: '"', '\\' and
 * control characters escaped, invalid UTF-8 bytes as \u00XX (Latin-1). */
void json_quote(struct strbuf *sb, const char *s, size_t len);
/* A quoted JSON string that is also safe inside an HTML <script>: < > & '
 * and U+2028/U+2029 as \u escapes too, invalid UTF-8 replaced by U+FFFD. */
void json_quote_html(struct strbuf *sb, const char *s, size_t len);

#endif
