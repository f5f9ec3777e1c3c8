/* coz's source scope: which source files' lines `sonde coz run` may charge
 * samples to and run experiments on. */
#ifndef SONDE_COZ_SCOPE_H
#define SONDE_COZ_SCOPE_H
#include <stdbool.h>
#include <stddef.h>

/* coz's scope patterns: '%' matches any run of characters. */
bool coz_wildcard_match(const char *pattern, const char *s);

struct coz_scope {
	char *const *pats; /* -s patterns; none: the default scope */
	size_t n;
};

/* Whether the (canonical, absolute) source file is in scope. With patterns,
 * they decide; the default is every file but Rust's toolchain sources
 * (/rustc/..., ~/.rustup, ~/.cargo/registry and git: coz HEAD's filter;
 * /rust/deps/..., std's vendored crates, too) and
 * coz.h, whose inline progress-point code must never be an experiment. */
bool coz_source_in_scope(const struct coz_scope *s, const char *file);

/* path made absolute under dir (when relative and dir is given) with ".",
 * ".." and repeated '/' removed, as coz names files; into buf, which is
 * returned (truncated to size). */
char *coz_canon_path(const char *path, const char *dir, char *buf, size_t size);

#endif
