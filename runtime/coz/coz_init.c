/* Load and exit of libsonde-coz.so. The profile covers this process only:
 * LD_PRELOAD and sonde's variables are removed so children run plain (as
 * coz does). exit ends the profile in the destructor; _exit and _Exit
 * skip destructors, so they end it themselves. */
#include <stdlib.h>
#include <unistd.h>

#include "coz_lines.h"
#include "coz_rt.h"

__attribute__((constructor)) static void coz_init(void)
{
	coz_real_init();
	coz_profiler_start();
	unsetenv("LD_PRELOAD");
	static const char *const vars[] = COZ_ENV_ALL;
	for (size_t i = 0; vars[i]; i++)
		unsetenv(vars[i]);
}

__attribute__((destructor)) static void coz_fini(void) { coz_profiler_stop(); }

/* (a vfork child shares the parent's memory: coz_profiler_stop leaves the
 * parent's profile alone there) */
COZ_API void _exit(int status)
{
	coz_profiler_stop();
	COZ_REAL(_exit)(status);
	__builtin_unreachable();
}

COZ_API void _Exit(int status)
{
	coz_profiler_stop();
	COZ_REAL(_Exit)(status);
	__builtin_unreachable();
}
