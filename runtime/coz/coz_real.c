/* The functions the wrappers stand in front of, looked up in the objects
 * after this one. pthread_cond_* need their version named: glibc keeps the
 * pre-2.3.2 condition variables under the same names, and an unversioned
 * lookup may return those. */
#include <dlfcn.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "coz_rt.h"

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
