/* The coz line table round trip: sonde builds it from this test binary's
 * DWARF (src/coz/coz_linetab.c), the runtime's reader (runtime/coz/
 * coz_table.c) maps a running address back to its line; an inlined
 * helper from an out-of-scope file counts for its in-scope call line;
 * plus coz's '%' wildcard, the default source scope and path
 * canonicalisation. */
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "coz/coz_linetab.h"
#include "coz/coz_scope.h"
#include "coz_lines.h"
#include "coz_rt.h"
#include "unit.h"

static unsigned marked_line, call_line;

/* defined at the end of the file under another file name (#line) */
static inline __attribute__((always_inline)) unsigned long helper(unsigned long x);

/* noinline: the helper's bytes are inside it, called on call_line */
__attribute__((noinline)) static unsigned long caller(unsigned long x, int n)
{
	call_line = __LINE__ + 2;
	for (int i = 0; i < n; i++)
		x = helper(x + (unsigned long)i);
	return x;
}

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

static void scope(void)
{
	struct coz_scope def = { NULL, 0 };
	CHECK(coz_source_in_scope(&def, "/home/u/p/main.c"));
	CHECK(!coz_source_in_scope(&def, "/rustc/59807616e1fa/library/core/src/num/mod.rs"));
	CHECK(!coz_source_in_scope(&def, "/rust/deps/hashbrown-0.16.1/src/map.rs"));
	CHECK(!coz_source_in_scope(&def, "/usr/include/coz.h"));
	CHECK(!coz_source_in_scope(&def, "/src/sonde/include/sonde/coz.h"));
	CHECK(coz_source_in_scope(&def, "/src/mycoz.h"));
	CHECK(coz_source_in_scope(&def, "/rustcc/a.rs"));
	setenv("HOME", "/home/u", 1);
	CHECK(!coz_source_in_scope(&def, "/home/u/.cargo/registry/src/x/lib.rs"));
	CHECK(coz_source_in_scope(&def, "/home/u/.cargo/bin.rs"));
	char *pats[] = { "%/coz.h", "/rustc/%" };
	struct coz_scope mine = { pats, 2 }; /* explicit patterns decide */
	CHECK(coz_source_in_scope(&mine, "/usr/include/coz.h"));
	CHECK(coz_source_in_scope(&mine, "/rustc/x/lib.rs"));
	CHECK(!coz_source_in_scope(&mine, "/home/u/p/main.c"));
}

static void canon(void)
{
	char b[64];
	CHECK_STR(coz_canon_path("a/./b//../c.c", "/w/x/", b, sizeof(b)), "/w/x/a/c.c");
	CHECK_STR(coz_canon_path("/abs/../../f.c", "/ignored", b, sizeof(b)), "/f.c");
	CHECK_STR(coz_canon_path("../lib/x.h", "/w/build", b, sizeof(b)), "/w/lib/x.h");
	CHECK_STR(coz_canon_path("/", NULL, b, sizeof(b)), "/");
	char small[8];
	CHECK(strlen(coz_canon_path("/aaaa/bbbb/cccc", NULL, small, sizeof(small))) < sizeof(small));
}

/* The line of each of the first n bytes of fn, through the runtime. */
static void lines_of(const struct coz_linetab *t, const void *fn, int32_t *out, int n)
{
	int fd = memfd_create("coz-lines-test", 0);
	char fds[16];
	snprintf(fds, sizeof(fds), "%d", fd);
	setenv(COZ_ENV_TABLE_FD, fds, 1);
	if (fd < 0 || coz_linetab_write(t, fd) != 0 || !coz_table_load()) {
		memset(out, 0xff, (size_t)n * sizeof(*out));
		return;
	}
	for (int i = 0; i < n; i++)
		out[i] = coz_table_line((uint64_t)(uintptr_t)fn + (uint64_t)i);
}

static void inline_chain(void)
{
	CHECK(caller(3, 2) != 0);
	char *in_helper[] = { "%coz_helper_test.h" }, *in_test[] = { "%test_coz_linetab.c" };
	char why[200];
	struct coz_linetab *th = coz_linetab_build("/proc/self/exe", in_helper, 1, why, sizeof(why));
	struct coz_linetab *tt = coz_linetab_build("/proc/self/exe", in_test, 1, why, sizeof(why));
	CHECK(th && tt);
	long call = coz_linetab_find(tt, "test_coz_linetab.c", call_line);
	CHECK(call >= 0);
	enum { N = 256 };
	int32_t h[N], c[N];
	lines_of(th, (const void *)caller, h, N);
	lines_of(tt, (const void *)caller, c, N);
	coz_linetab_free(th);
	coz_linetab_free(tt);
	/* every byte the helper's own lines cover counts for call_line */
	int inlined = 0;
	for (int i = 0; i < N; i++)
		if (h[i] >= 0) {
			inlined++;
			CHECK_INT(c[i], call);
		}
	CHECK(inlined > 0);
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
	RUN(scope);
	RUN(canon);
	RUN(round_trip);
	RUN(inline_chain);
	UNIT_EXIT();
}

#line 1 "coz_helper_test.h"
static inline __attribute__((always_inline)) unsigned long helper(unsigned long x)
{
	x ^= x >> 29;
	x *= 6364136223846793005ul;
	return x ^ (x >> 31);
}
