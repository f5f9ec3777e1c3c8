/* Memcheck mode's settings: one variable, SONDE_MEMCHECK = "1" or
 * "noleak", then ",key=value" items (src/heap/record.c memcheck_env
 * writes it). One variable rather than one per setting: the program's
 * environment grows by as much as under valgrind. */
#include "mc_mode.h"

#include <stdlib.h>
#include <string.h>

uint64_t mc_setting(const char *key, uint64_t dflt)
{
	const char *v = getenv("SONDE_MEMCHECK");
	size_t kn = strlen(key);
	for (const char *p = v ? strchr(v, ',') : NULL; p; p = strchr(p + 1, ',')) {
		if (strncmp(p + 1, key, kn) || p[1 + kn] != '=')
			continue;
		char *end;
		unsigned long long x = strtoull(p + 2 + kn, &end, 10);
		return end != p + 2 + kn && (*end == ',' || !*end) ? (uint64_t)x : dflt;
	}
	return dflt;
}

bool mc_leak_check_wanted(void)
{
	const char *v = getenv("SONDE_MEMCHECK");
	return !v || strncmp(v, "noleak", 6) || (v[6] && v[6] != ',');
}
