/* Quoting a string for a POSIX shell, for lines users paste or eval. */
#ifndef SONDE_UTIL_SHQUOTE_H
#define SONDE_UTIL_SHQUOTE_H
#include "util/strbuf.h"

/* Appends s as one shell word: in single quotes, each ' written as '\''.
 * Nothing inside is special to sh, bash or dash ($, `, ", \, newlines). */
void sb_add_shquoted(struct strbuf *sb, const char *s);

#endif
