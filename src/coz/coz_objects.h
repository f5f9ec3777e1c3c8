/* The objects `sonde coz run -b` can put in scope: the executable and the
 * shared libraries the dynamic loader will load for it. */
#ifndef SONDE_COZ_OBJECTS_H
#define SONDE_COZ_OBJECTS_H
#include <stdbool.h>

#include "util/vec.h"

struct coz_obj {
	char *name; /* as the loader names it (the executable: as given) */
	char *real; /* its real path: what -b patterns match, and the table's name */
	bool main, picked;
};

typedef VEC(struct coz_obj) coz_objs;

/* The executable, then the DT_NEEDED closure as its interpreter resolves
 * it (`INTERP --list EXE`, what ldd runs): search paths, RUNPATH, $ORIGIN
 * and LD_LIBRARY_PATH exactly as at run time. A static executable, or one
 * the interpreter cannot list, gives the executable alone. */
void coz_objects_list(const char *exe, coz_objs *out);
/* Marks the objects a -b pattern names ("MAIN": the executable); a
 * pattern without '%' naming an existing file outside the closure (a
 * library the program will dlopen) is added. False when it names none. */
bool coz_objects_pick(coz_objs *objs, const char *pattern);
void coz_objects_free(coz_objs *objs);

#endif
