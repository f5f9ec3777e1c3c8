/* The coz line table round trip: sonde builds it from this test binary's
 * DWARF (src/coz/coz_linetab.c), the runtime's reader (runtime/coz/
 * coz_table.c) maps a running address back to its line; plus coz's '%'
 * source-scope wildcard. */
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "coz/coz_linetab.h"
#include "coz_lines.h"
#include "coz_rt.h"
#include "unit.h"

static unsigned marked_line;

/* noinline: its first instructions are on the line recorded below */
__attribute__((noinline)) static int marked(int x)
{
	marked_line = __LINE__ + 1;
	return x * 3 + (int)marked_line;
}

static void wildcard(void)
{
	CHECK(coz_wildcard_match("%", "/a/b.c"));
	CHECK(coz_wildcard_match("%/b.c", "/a/b.c"));
	CHECK(coz_wildcard_match("/a/%.c", "/a/b.c"));
	CHECK(!coz_wildcard_match("%.h", "/a/b.c"));
	CHECK(!coz_wildcard_match("/a/b", "/a/b.c"));
	CHECK(coz_wildcard_match("%a%c", "/a/b.c"));
}

static void round_trip(void)
{
	marked(1);
	char *scope[] = { "%test_coz_linetab.c" };
	char why[200];
	struct coz_linetab *t = coz_linetab_build("/proc/self/exe", scope, 1, why, sizeof(why));
	CHECK(t != NULL);
	long id = coz_linetab_find(t, "unit/test_coz_linetab.c", marked_line);
	CHECK(id >= 0);
	CHECK(coz_linetab_find(t, "st_coz_linetab.c", marked_line) < 0); /* a tail starts after a '/' */
	CHECK(coz_linetab_find(t, "test_coz_linetab.c", 1) < 0);
	int fd = memfd_create("coz-lines-test", 0);
	CHECK(fd >= 0);
	CHECK(coz_linetab_write(t, fd) == 0);
	char fds[16];
	snprintf(fds, sizeof(fds), "%d", fd);
	setenv(COZ_ENV_TABLE_FD, fds, 1);
	CHECK(coz_table_load());
	CHECK_INT(coz_table_nlines(), coz_linetab_nlines(t));
	coz_linetab_free(t);
	/* some byte of marked() maps to its marked line; nothing maps out of scope */
	bool found = false;
	for (int i = 0; i < 64 && !found; i++)
		found = coz_table_line((uint64_t)(uintptr_t)marked + i) == id;
	CHECK(found);
	CHECK(coz_table_line((uint64_t)(uintptr_t)wildcard) != id);
	CHECK(coz_table_line(1) < 0);
	char name[300];
	coz_table_name((uint32_t)id, name, sizeof(name));
	char want[64];
	snprintf(want, sizeof(want), "/test_coz_linetab.c:%u", marked_line);
	CHECK(strlen(name) > strlen(want) && !strcmp(name + strlen(name) - strlen(want), want));
}

int main(void)
{
	RUN(wildcard);
	RUN(round_trip);
	UNIT_EXIT();
}
