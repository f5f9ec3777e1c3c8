/* The table of coz_real.h's functions, filled by coz_real_init. */
#include "coz_real.h"

#include <dlfcn.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define COZ_REAL_ENTRY(fn, version) { NULL, #fn, version },
struct coz_real_entry coz_real_table[COZ_REAL_COUNT] = { COZ_REAL_FUNCTIONS(COZ_REAL_ENTRY) };

void *coz_real_lookup(enum coz_real_fn i)
{
	struct coz_real_entry *e = &coz_real_table[i];
	void *f = __atomic_load_n(&e->f, __ATOMIC_RELAXED);
	if (f)
		return f;
	f = e->version ? dlvsym(RTLD_NEXT, e->name, e->version) : NULL;
	if (!f)
		f = dlsym(RTLD_NEXT, e->name);
	if (!f) {
		static const char msg[] = "sonde coz: cannot find libc's ";
		(void)!write(2, msg, sizeof(msg) - 1);
		(void)!write(2, e->name, strlen(e->name));
		(void)!write(2, "\n", 1);
		syscall(SYS_exit_group, 127); /* not _exit: the runtime wraps it */
	}
	__atomic_store_n(&e->f, f, __ATOMIC_RELAXED);
	return f;
}

void coz_real_init(void)
{
	for (int i = 0; i < COZ_REAL_COUNT; i++)
		coz_real_lookup((enum coz_real_fn)i);
}
