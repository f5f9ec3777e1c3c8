/* Load and exit of libsonde-coz.so. The profile covers this process only:
 * LD_PRELOAD and sonde's variables are removed so children run plain (as
 * coz does). */
#include <stdlib.h>

#include "coz_lines.h"
#include "coz_rt.h"

__attribute__((constructor)) static void coz_init(void)
{
	coz_profiler_start();
	unsetenv("LD_PRELOAD");
	unsetenv(COZ_ENV_TABLE_FD);
	unsetenv(COZ_ENV_OUT_FD);
	unsetenv(COZ_ENV_FIXED_LINE);
	unsetenv(COZ_ENV_FIXED_SPEEDUP);
}

__attribute__((destructor)) static void coz_fini(void) { coz_profiler_stop(); }
