#include "util/path_search.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/die.h"

const char *path_env(void)
{
	const char *p = getenv("PATH");
	return p ? p : "/bin:/usr/bin";
}

char *path_search(const char *path, const char *name, path_skip_fn skip, void *arg, int *err)
{
	int why = ENOENT;
	for (const char *p = path;;) {
		const char *end = strchr(p, ':');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		char *cand = n ? xasprintf("%.*s/%s", (int)n, p, name) : xasprintf("./%s", name);
		struct stat st;
		if (stat(cand, &st) == 0 && S_ISREG(st.st_mode)) {
			if (access(cand, X_OK) != 0)
				why = EACCES; /* execvp goes on looking, and fails with this */
			else if (!skip || !skip(cand, &st, arg))
				return cand;
		}
		free(cand);
		if (!end)
			break;
		p = end + 1;
	}
	if (err)
		*err = why;
	return NULL;
}
