/* The line table `sonde coz run` builds from the in-scope objects' DWARF
 * (libdw: any DWARF version) for libsonde-coz.so (src/proto/coz_lines.h). */
#ifndef SONDE_COZ_LINETAB_H
#define SONDE_COZ_LINETAB_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "coz/coz_scope.h"

struct coz_linetab;

struct coz_linetab *coz_linetab_new(void);
/* Adds the ELF at path (the executable when is_main; path is its real
 * path, the name the table gives it): its lines in scope. Returns how
 * many ranges it got (an object with none is left out), or -1 with a
 * message in why when it cannot be read or has no DWARF. */
long coz_linetab_add(struct coz_linetab *t, const char *path, bool is_main, const struct coz_scope *scope, char *why,
		     size_t whysize);
/* The executable alone, patterns as -s gives them (none: the default).
 * NULL, with a message in why, when nothing is in scope. */
struct coz_linetab *coz_linetab_build(const char *path, char *const *scopes, size_t n, char *why, size_t whysize);
size_t coz_linetab_nlines(const struct coz_linetab *t);
size_t coz_linetab_nobjects(const struct coz_linetab *t);
/* The index of FILE:LINE, where FILE is the whole path or a tail of it
 * after a '/'; -1 when no line matches. */
long coz_linetab_find(const struct coz_linetab *t, const char *file, unsigned line);
/* The table in the wire format; 0, or -1 with errno. */
int coz_linetab_write(const struct coz_linetab *t, int fd);
void coz_linetab_free(struct coz_linetab *t);

/* For the CU reader (coz_cu.c): a file's id, and a range of the object
 * being added charged to file:line. */
uint32_t coz_linetab_file(struct coz_linetab *t, const char *path);
void coz_linetab_range(struct coz_linetab *t, uint64_t lo, uint64_t hi, uint32_t file, unsigned line);

#endif
