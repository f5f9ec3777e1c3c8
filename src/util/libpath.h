/* Finding a library sonde ships beside itself (libsonde-rt.so, the
 * cachegrind engine libsonde-cg.so): $ENV when set, else next to the sonde
 * binary, then ../lib/sonde/, ../lib/, build/. */
#ifndef SONDE_UTIL_LIBPATH_H
#define SONDE_UTIL_LIBPATH_H

/* A malloc'd path, or NULL when none is readable. env may be NULL. */
char *sonde_find_lib(const char *env, const char *name);

#endif
