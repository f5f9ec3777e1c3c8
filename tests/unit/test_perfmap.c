/* binary/perfmap: perf's JIT maps, parsed as perf reads them, and only
 * trusted when perf would trust them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "binary/perfmap.h"
#include "unit.h"

static void parse(struct perfmap *m, const char *text)
{
	perfmap_parse(m, text, strlen(text));
}

static void test_lines(void)
{
	struct perfmap m;
	parse(&m, "7f0000001000 20 LazyCompile:~add /app/a.js:1\n"
		  "0x7f0000002000 0x10 Interpreter\r\n"
		  "garbage line\n"
		  "7f0000003000 0 zero_size\n"
		  "7f0000004000 10\n"
		  "7f0000005000 10    spaced name  \n"
		  "10000000000000000 10 too_wide\n"
		  "7f0000006000 8 last"); /* no newline at the end */
	CHECK_INT(m.n, 4);
	CHECK_STR(perfmap_find(&m, 0x7f0000001000), "LazyCompile:~add /app/a.js:1");
	CHECK_STR(perfmap_find(&m, 0x7f000000101f), "LazyCompile:~add /app/a.js:1");
	CHECK(perfmap_find(&m, 0x7f0000001020) == NULL);
	CHECK_STR(perfmap_find(&m, 0x7f0000002008), "Interpreter");
	CHECK(perfmap_find(&m, 0x7f0000003000) == NULL);
	CHECK_STR(perfmap_find(&m, 0x7f0000005000), "spaced name");
	CHECK_STR(perfmap_find(&m, 0x7f0000006007), "last");
	CHECK(perfmap_find(&m, 0x1000) == NULL);
	perfmap_free(&m);
}

static void test_rewritten_code(void)
{
	/* A JIT that recompiles in place writes the start again: the last
	 * line wins; an entry running into the next one ends where it starts. */
	struct perfmap m;
	parse(&m, "1000 100 old\n1080 10 inner\n1000 40 new\n");
	CHECK_INT(m.n, 2);
	CHECK_STR(perfmap_find(&m, 0x1000), "new");
	CHECK(perfmap_find(&m, 0x1040) == NULL);
	CHECK_STR(perfmap_find(&m, 0x1085), "inner");
	perfmap_free(&m);
	parse(&m, "2000 100 outer\n2010 10 inner\n");
	CHECK_STR(perfmap_find(&m, 0x2005), "outer");
	CHECK_STR(perfmap_find(&m, 0x2015), "inner");
	CHECK(perfmap_find(&m, 0x2050) == NULL);
	perfmap_free(&m);
}

static void test_load_trust(void)
{
	char dir[] = "/tmp/sonde-test-perfmap-XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	setenv("SONDE_PERF_MAP_DIR", dir, 1);
	char path[128];
	snprintf(path, sizeof(path), "%s/perf-4242.map", dir);
	FILE *f = fopen(path, "w");
	fputs("5000 10 jitted\n", f);
	fclose(f);
	struct perfmap m;
	CHECK_INT(perfmap_load(&m, 4242), 0);
	CHECK_STR(perfmap_find(&m, 0x5004), "jitted");
	perfmap_free(&m);
	CHECK_INT(perfmap_load(&m, 4243), -1); /* none */
	/* another user's file is not trusted (root may give it away) */
	if (getuid() == 0 && chown(path, 65534, 65534) == 0)
		CHECK_INT(perfmap_load(&m, 4242), -1);
	/* nor a symlink */
	char link[128];
	snprintf(link, sizeof(link), "%s/perf-4244.map", dir);
	if (getuid() == 0 && chown(path, 0, 0) == 0 && symlink(path, link) == 0)
		CHECK_INT(perfmap_load(&m, 4244), -1);
	struct perfmaps *ms = perfmaps_new();
	CHECK_STR(perfmaps_find(ms, 4242, 0x5000), "jitted");
	CHECK(perfmaps_find(ms, 4243, 0x5000) == NULL);
	CHECK(perfmaps_find(ms, 4243, 0x5000) == NULL);
	perfmaps_free(ms);
	unlink(link);
	unlink(path);
	rmdir(dir);
	unsetenv("SONDE_PERF_MAP_DIR");
}

static void test_anon_names(void)
{
	CHECK(perfmap_anon_name("//anon"));
	CHECK(perfmap_anon_name("[anon:v8]"));
	CHECK(perfmap_anon_name("/memfd:jit (deleted)"));
	CHECK(perfmap_anon_name("/anon_hugepage"));
	CHECK(!perfmap_anon_name("/usr/lib/libc.so.6"));
	CHECK(!perfmap_anon_name("[vdso]"));
}

int main(void)
{
	RUN(test_lines);
	RUN(test_rewritten_code);
	RUN(test_load_trust);
	RUN(test_anon_names);
	UNIT_EXIT();
}
