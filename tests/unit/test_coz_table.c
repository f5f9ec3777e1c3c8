/* The runtime's reader of the coz line table (runtime/coz/coz_table.c)
 * on hand-made tables: an address maps to its line through the object
 * that holds it, each object with its own load bias (the executable, and
 * libc found by its file's identity, whatever path the loader used); a
 * broken table (sizes, slices, strings) is refused. */
#include <dlfcn.h>
#include <link.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "coz_lines.h"
#include "coz_rt.h"
#include "unit.h"

struct table {
	struct coz_lines_header h;
	struct coz_object o[2];
	struct coz_range r[3];
	struct coz_line l[3];
	char s[64];
};

__attribute__((noinline)) static int here(int x) { return x * 7 + 1; }

static uint64_t libc_bias;
static const char *libc_name;

static int find_libc(struct dl_phdr_info *info, size_t size, void *data)
{
	Dl_info di;
	if (dladdr(data, &di) && di.dli_fname && info->dlpi_name && !strcmp(info->dlpi_name, di.dli_fname)) {
		libc_bias = info->dlpi_addr;
		libc_name = info->dlpi_name;
	}
	return 0;
}

static uint64_t main_bias;
static int first(struct dl_phdr_info *info, size_t size, void *data)
{
	main_bias = info->dlpi_addr;
	return 1;
}

/* Writes t (size bytes) to a memfd and loads it; the loader's verdict. */
static bool load(const void *t, size_t size)
{
	int fd = memfd_create("coz-table-test", 0);
	if (fd < 0 || write(fd, t, size) != (ssize_t)size)
		return false;
	char s[16];
	snprintf(s, sizeof(s), "%d", fd);
	setenv(COZ_ENV_TABLE_FD, s, 1);
	return coz_table_load();
}

/* two objects: this executable (line 0 on here()), libc (lines 1, 2 on
 * the start of getpid and around strlen); libc's path is a wrong one, so
 * only its st_dev/st_ino can identify it */
static void make(struct table *t)
{
	memset(t, 0, sizeof(*t));
	dl_iterate_phdr(first, NULL);
	dl_iterate_phdr(find_libc, (void *)getpid);
	struct stat st;
	stat(libc_name ? libc_name : "/", &st);
	uint64_t h = (uint64_t)(uintptr_t)here - main_bias, g = (uint64_t)(uintptr_t)getpid - libc_bias;
	uint64_t sl = (uint64_t)(uintptr_t)strlen - libc_bias;
	t->h = (struct coz_lines_header){ COZ_LINES_MAGIC, 2, 3, 3, sizeof(t->s) };
	strcpy(t->s, "/src/main.c");
	strcpy(t->s + 12, "/src/libc.c");
	strcpy(t->s + 24, "/nowhere/libc.so");
	t->o[0] = (struct coz_object){ 0, 0, h, h + 4, 24, COZ_OBJECT_MAIN, 0, 1 };
	t->o[1] = (struct coz_object){ st.st_dev, st.st_ino, g < sl ? g : sl - 8, (g < sl ? sl : g) + 8, 24, 0, 1, 2 };
	t->r[0] = (struct coz_range){ h, h + 4, 0, 0 };
	struct coz_range a = { g, g + 4, 1, 0 }, b = { sl - 8, sl + 8, 2, 0 };
	t->r[1] = g < sl ? a : b;
	t->r[2] = g < sl ? b : a;
	t->l[0] = (struct coz_line){ 0, 10 };
	t->l[1] = (struct coz_line){ 12, 20 };
	t->l[2] = (struct coz_line){ 12, 30 };
}

static void objects(void)
{
	struct table t;
	make(&t);
	CHECK(libc_name != NULL);
	CHECK(load(&t, sizeof(t)));
	CHECK_INT(coz_table_nlines(), 3);
	CHECK_INT(coz_table_line((uint64_t)(uintptr_t)here), 0);
	CHECK_INT(coz_table_line((uint64_t)(uintptr_t)here + 4), -1);
	CHECK_INT(coz_table_line((uint64_t)(uintptr_t)getpid + 3), 1);
	CHECK_INT(coz_table_line((uint64_t)(uintptr_t)strlen), 2);
	if ((uintptr_t)getpid + 4 < (uintptr_t)strlen - 8 || (uintptr_t)getpid > (uintptr_t)strlen + 8)
		CHECK_INT(coz_table_line((uint64_t)(uintptr_t)getpid + 4), -1);
	char name[64];
	coz_table_name(2, name, sizeof(name));
	CHECK_STR(name, "/src/libc.c:30");
	coz_table_name(7, name, sizeof(name)); /* out of range: no crash */
	CHECK_STR(name, "?:0");
	/* the main program's range, biased as libc: not libc's */
	CHECK_INT(coz_table_line((uint64_t)(uintptr_t)here - main_bias + libc_bias), -1);
}

static void broken(void)
{
	struct table t;
	make(&t);
	CHECK(!load(&t, sizeof(t) - 1)); /* the strings cut */
	t.h.magic ^= 1;
	CHECK(!load(&t, sizeof(t)));
	make(&t);
	t.o[1].nranges = 3; /* past the ranges */
	CHECK(!load(&t, sizeof(t)));
	make(&t);
	t.o[1].first = 0xffffffffu;
	CHECK(!load(&t, sizeof(t)));
	make(&t);
	t.s[sizeof(t.s) - 1] = 'x'; /* strings not NUL-terminated */
	CHECK(!load(&t, sizeof(t)));
	make(&t);
	t.h.nobjects = COZ_MAX_OBJECTS + 1;
	CHECK(!load(&t, sizeof(t)));
	make(&t);
	t.h.nranges = 0x40000000u; /* sizes beyond the file */
	CHECK(!load(&t, sizeof(t)));
	CHECK(!load(&t, 4));
	/* a range naming a line past the lines maps to nothing */
	make(&t);
	t.r[0].line = 99;
	CHECK(load(&t, sizeof(t)));
	CHECK_INT(coz_table_line((uint64_t)(uintptr_t)here), -1);
}

int main(void)
{
	RUN(objects);
	RUN(broken);
	UNIT_EXIT();
}
