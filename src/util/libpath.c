/* Libraries shipped beside sonde (libpath.h). */
#include "util/libpath.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/die.h"

static char *try_path(const char *dir, const char *rel, const char *name)
{
	char *p = xasprintf("%s/%s%s", dir, rel, name);
	if (access(p, R_OK) == 0)
		return p;
	free(p);
	return NULL;
}

char *sonde_find_lib(const char *env, const char *name)
{
	const char *val = env ? getenv(env) : NULL;
	if (val && *val) {
		if (access(val, R_OK) == 0)
			return xstrdup(val);
		warn("%s='%s' is not readable; looking next to sonde", env, val);
	}
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return NULL;
	self[n] = 0;
	char *slash = strrchr(self, '/');
	if (!slash)
		return NULL;
	*slash = 0;
	static const char *const rel[] = { "", "../lib/sonde/", "../lib/", "build/" };
	for (size_t i = 0; i < sizeof(rel) / sizeof(*rel); i++) {
		char *p = try_path(self, rel[i], name);
		if (p)
			return p;
	}
	return NULL;
}
