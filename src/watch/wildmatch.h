/* Shell-style wildcard matching, in the two flavours sonde watch needs:
 * gitignore patterns (WILD_PATHNAME: `*`, `?` and `[...]` never match '/',
 * `**` between slashes matches any number of directories) and bacon's
 * `ignore` globs (no flag: `*` matches '/' too, as Rust's glob crate does
 * by default). Both: `?` one character, `[abc]`, `[a-z]`, `[!x]` / `[^x]`,
 * and `\` quoting the next character. */
#ifndef SONDE_WATCH_WILDMATCH_H
#define SONDE_WATCH_WILDMATCH_H
#include <stdbool.h>

#define WILD_PATHNAME 1

bool wild_match(const char *pattern, const char *text, int flags);

#endif
