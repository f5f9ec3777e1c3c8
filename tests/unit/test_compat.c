/* compat helpers: shell quoting for `sonde shims`, finding the real tool */
#include <errno.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"
#include "compat/passthrough.h"
#include "util/path_search.h"
#include "util/shquote.h"
#include "util/strbuf.h"

static char *quoted(const char *s)
{
	struct strbuf sb = STRBUF_INIT;
	sb_add_shquoted(&sb, s);
	return sb_detach(&sb);
}

static void test_shquote(void)
{
	char *q;
	CHECK_STR(q = quoted("/home/u/shims"), "'/home/u/shims'");
	free(q);
	CHECK_STR(q = quoted("$(touch PWNED)"), "'$(touch PWNED)'");
	free(q);
	CHECK_STR(q = quoted("a'b"), "'a'\\''b'");
	free(q);
	CHECK_STR(q = quoted("''"), "''\\'''\\'''");
	free(q);
	CHECK_STR(q = quoted("`x` \"y\" \\ \n z"), "'`x` \"y\" \\ \n z'");
	free(q);
	CHECK_STR(q = quoted(""), "''");
	free(q);
}

static void test_parse_chain(void)
{
	struct file_ids skip = { 0 };
	bool re;
	/* a sonde binary, a program run by pid 50 (ours), one by pid 7 (not ours) */
	size_t hops = passthrough_parse_chain("1:2 3:4@50 5:6@7", 50, 40, NULL, &skip, &re);
	CHECK_INT(hops, 2);
	CHECK_INT(skip.n, 2);
	CHECK(skip.v[0].dev == 1 && skip.v[0].ino == 2);
	CHECK(skip.v[1].dev == 3 && skip.v[1].ino == 4);
	CHECK(re);
	skip.n = 0;
	/* the parent's entry counts too (a wrapper script that forks sonde) */
	struct file_id shell = { 8, 8 }, tool = { 3, 4 };
	hops = passthrough_parse_chain("3:4@40", 50, 40, &shell, &skip, &re);
	CHECK_INT(hops, 1);
	CHECK_INT(skip.n, 1);
	CHECK(re);
	skip.n = 0;
	/* ... unless the parent still is that program: the real tool's own
	 * workload runs the tool again (perf trace -- ./script calling perf) */
	hops = passthrough_parse_chain("3:4@40", 50, 40, &tool, &skip, &re);
	CHECK_INT(hops, 1);
	CHECK_INT(skip.n, 0);
	CHECK(!re);
	/* ... but the program itself exec'ing back into sonde is passed over */
	hops = passthrough_parse_chain("3:4@50", 50, 40, &tool, &skip, &re);
	CHECK_INT(skip.n, 1);
	CHECK(re);
	skip.n = 0;
	hops = passthrough_parse_chain("1:2", 50, 40, NULL, &skip, &re);
	CHECK(!re);
	CHECK_INT(hops, 0);
	CHECK_INT(skip.n, 1);
	skip.n = 0;
	/* garbage is passed over, not trusted */
	hops = passthrough_parse_chain("  x 1: :2 1:2@ 9:9@50junk 4:5  ", 50, 40, NULL, &skip, &re);
	CHECK_INT(hops, 2);
	CHECK_INT(skip.n, 1);
	CHECK(skip.v[0].dev == 4 && skip.v[0].ino == 5);
	skip.n = 0;
	CHECK_INT(passthrough_parse_chain("7", 1, 1, NULL, &skip, &re), 0);
	CHECK_INT(passthrough_parse_chain("7:", 1, 1, NULL, &skip, &re), 0);
	CHECK_INT(skip.n, 0);
	CHECK_INT(passthrough_parse_chain(NULL, 1, 1, NULL, &skip, &re), 0);
	CHECK_INT(passthrough_parse_chain("", 1, 1, NULL, &skip, &re), 0);
	free(skip.v);
}

static void write_exe(const char *path, int mode)
{
	FILE *f = fopen(path, "w");
	if (f) {
		fputs("#!/bin/sh\n", f);
		fclose(f);
	}
	chmod(path, mode);
}

static void test_search(void)
{
	char dir[] = "/tmp/sonde-test-compat.XXXXXX";
	CHECK(mkdtemp(dir));
	char *a = xasprintf("%s/a", dir), *b = xasprintf("%s/b", dir), *c = xasprintf("%s/c", dir);
	mkdir(a, 0755);
	mkdir(b, 0755);
	mkdir(c, 0755);
	char *real = xasprintf("%s/tool", c), *link = xasprintf("%s/tool", a), *noexec = xasprintf("%s/tool", b);
	write_exe(real, 0755);
	write_exe(noexec, 0644);
	CHECK(symlink(real, link) == 0);
	char *path = xasprintf("%s:%s:%s", a, b, c);

	/* the symlink leads to c/tool: skipping that file skips both */
	struct stat st;
	CHECK(stat(real, &st) == 0);
	struct file_id id = { st.st_dev, st.st_ino };
	struct file_ids none = { 0 }, skip = { &id, 1, 1 };
	char *got = passthrough_search(path, "tool", &none);
	CHECK_STR(got, link);
	free(got);
	CHECK(passthrough_search(path, "tool", &skip) == NULL);
	CHECK(passthrough_search(path, "nosuch", &none) == NULL);

	/* what execvp would say: a file without x is EACCES, nothing ENOENT */
	int err = 0;
	char *bonly = xasprintf("%s:%s", b, dir);
	CHECK(path_search(bonly, "tool", NULL, NULL, &err) == NULL);
	CHECK_INT(err, EACCES);
	CHECK(path_search(bonly, "nosuch", NULL, NULL, &err) == NULL);
	CHECK_INT(err, ENOENT);
	/* a directory of that name is not a program */
	CHECK(path_search(dir, "a", NULL, NULL, &err) == NULL);
	CHECK_INT(err, ENOENT);

	unlink(link);
	unlink(real);
	unlink(noexec);
	rmdir(a);
	rmdir(b);
	rmdir(c);
	rmdir(dir);
	free(a), free(b), free(c), free(real), free(link), free(noexec), free(path), free(bonly);
}

int main(void)
{
	RUN(test_shquote);
	RUN(test_parse_chain);
	RUN(test_search);
	UNIT_EXIT();
}
