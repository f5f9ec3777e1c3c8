#include <stddef.h>
#include <string.h>

#include "compat/compat.h"

const struct compat_name compat_names[] = {
	{ "perf", "perf record/report/script/stat" },
	{ NULL, NULL },
};

int compat_main(const char *name, int argc, char **argv)
{
	if (!strcmp(name, "perf"))
		return compat_perf(argc, argv);
	return 2;
}
