/* The slots of coz_real.h's functions, filled by coz_real_init. */
#include "coz_real.h"

#include <dlfcn.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define COZ_REAL_DEFINE(fn, version) void *coz_slot_##fn;
COZ_REAL_FUNCTIONS(COZ_REAL_DEFINE)

void *coz_real(void **slot, const char *name, const char *version)
{
	void *f = __atomic_load_n(slot, __ATOMIC_RELAXED); /* racing threads store the same value */
	if (f)
		return f;
	f = version ? dlvsym(RTLD_NEXT, name, version) : NULL;
	if (!f)
		f = dlsym(RTLD_NEXT, name);
	if (!f) {
		static const char msg[] = "sonde coz: cannot find libc's ";
		(void)!write(2, msg, sizeof(msg) - 1);
		(void)!write(2, name, strlen(name));
		(void)!write(2, "\n", 1);
		syscall(SYS_exit_group, 127); /* not _exit: the runtime wraps it */
	}
	__atomic_store_n(slot, f, __ATOMIC_RELAXED);
	return f;
}

const char *coz_real_version(const char *name)
{
#define COZ_REAL_VERSION_OF(fn, version)                                                                    \
	if (!strcmp(name, #fn))                                                                             \
		return version;
	COZ_REAL_FUNCTIONS(COZ_REAL_VERSION_OF)
	return NULL;
}

void coz_real_init(void)
{
#define COZ_REAL_LOOKUP(fn, version) coz_real(&coz_slot_##fn, #fn, version);
	COZ_REAL_FUNCTIONS(COZ_REAL_LOOKUP)
}
