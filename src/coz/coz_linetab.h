/* The line table `sonde coz run` builds from the in-scope binary's DWARF
 * (libdw: any DWARF version) for libsonde-coz.so (src/proto/coz_lines.h). */
#ifndef SONDE_COZ_LINETAB_H
#define SONDE_COZ_LINETAB_H
#include <stdbool.h>
#include <stddef.h>

struct coz_linetab;

/* coz's source-scope patterns: '%' matches any run of characters. */
bool coz_wildcard_match(const char *pattern, const char *s);

/* The lines of the ELF at path whose source file matches one of the
 * patterns (all when n is 0). NULL, with a message in why, when the file
 * cannot be read or has no line table. */
struct coz_linetab *coz_linetab_build(const char *path, char *const *scopes, size_t n, char *why, size_t whysize);
size_t coz_linetab_nlines(const struct coz_linetab *t);
/* The index of FILE:LINE, where FILE is the whole path or a tail of it
 * after a '/'; -1 when no line matches. */
long coz_linetab_find(const struct coz_linetab *t, const char *file, unsigned line);
/* The table in the wire format; 0, or -1 with errno. */
int coz_linetab_write(const struct coz_linetab *t, int fd);
void coz_linetab_free(struct coz_linetab *t);

#endif
