/* dlopen and dlclose, wrapped so the line table learns where a library in
 * binary scope was loaded (or that it is gone): the sampling signal's
 * lookups cannot call dl_iterate_phdr themselves (it takes the loader's
 * lock). */
#include <dlfcn.h>

#include "coz_rt.h"

static void *real(void **slot, const char *name)
{
	void *f = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
	if (!f) {
		f = dlsym(RTLD_NEXT, name);
		__atomic_store_n(slot, f, __ATOMIC_RELEASE);
	}
	return f;
}

COZ_API void *dlopen(const char *file, int flags)
{
	static void *fn;
	void *(*open_fn)(const char *, int) = (void *(*)(const char *, int))real(&fn, "dlopen");
	void *h = open_fn ? open_fn(file, flags) : NULL;
	if (h)
		coz_table_rescan();
	return h;
}

COZ_API int dlclose(void *handle)
{
	static void *fn;
	int (*close_fn)(void *) = (int (*)(void *))real(&fn, "dlclose");
	int r = close_fn ? close_fn(handle) : -1;
	coz_table_rescan();
	return r;
}
