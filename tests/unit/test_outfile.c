/* util/outfile: nothing at the path changes until a file is placed. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"
#include "util/outfile.h"

static char dir[] = "/tmp/sonde-test-outfile-XXXXXX";

static char *at(const char *name)
{
	static char buf[4][256];
	static int i;
	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
	return buf[i];
}

static void put(const char *name, const char *text)
{
	FILE *f = fopen(at(name), "w");
	fputs(text, f);
	fclose(f);
}

static const char *get(const char *name)
{
	static char buf[64];
	FILE *f = fopen(at(name), "r");
	if (!f)
		return "(none)";
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

static int entries(void)
{
	DIR *d = opendir(dir);
	int n = 0;
	for (struct dirent *e; (e = readdir(d));)
		n += e->d_name[0] != '.' || (e->d_name[1] && strcmp(e->d_name, ".."));
	closedir(d);
	return n;
}

static void test_drop_leaves_all(void)
{
	put("rec", "A");
	put("rec.old", "B");
	struct outfile o;
	int fd = outfile_open(&o, at("rec"));
	CHECK(fd >= 0 && write(fd, "new", 3) == 3);
	CHECK(entries() == 3); /* the temporary beside it */
	close(fd);
	outfile_drop(&o);
	CHECK_STR(get("rec"), "A");
	CHECK_STR(get("rec.old"), "B");
	CHECK(entries() == 2);
}

static void test_place_keeps_old(void)
{
	struct outfile o;
	int fd = outfile_open(&o, at("rec"));
	CHECK(fd >= 0 && write(fd, "new", 3) == 3);
	CHECK_STR(get("rec"), "A"); /* not yet */
	CHECK(outfile_place(&o, true) == 0);
	CHECK(write(fd, "er", 2) == 2); /* still writing, now in place */
	close(fd);
	outfile_done(&o);
	CHECK_STR(get("rec"), "newer");
	CHECK_STR(get("rec.old"), "A");
	struct stat st;
	CHECK(stat(at("rec"), &st) == 0 && (st.st_mode & 0777) == (0666 & ~(mode_t)022));
}

static void test_fclose(void)
{
	put("g.svg", "old");
	struct outfile o;
	FILE *f = outfile_fopen(&o, at("g.svg"));
	CHECK(f != NULL);
	fputs("partial", f);
	CHECK(outfile_fclose(&o, f, false) < 0);
	CHECK_STR(get("g.svg"), "old");
	f = outfile_fopen(&o, at("g.svg"));
	fputs("whole", f);
	CHECK(outfile_fclose(&o, f, true) == 0);
	CHECK_STR(get("g.svg"), "whole");
	CHECK_STR(get("g.svg.old"), "(none)");
}

static void test_symlink_and_devices(void)
{
	put("target", "t");
	CHECK(symlink(at("target"), at("link")) == 0);
	struct outfile o;
	FILE *f = outfile_fopen(&o, at("link"));
	fputs("via link", f);
	CHECK(outfile_fclose(&o, f, true) == 0);
	struct stat st;
	CHECK(lstat(at("link"), &st) == 0 && S_ISLNK(st.st_mode));
	CHECK_STR(get("target"), "via link");
	/* no temporary for what is no regular file */
	int fd = outfile_open(&o, "/dev/null");
	CHECK(fd >= 0 && o.tmp == NULL);
	close(fd);
	outfile_done(&o);
	CHECK(outfile_open(&o, "-") == STDOUT_FILENO && o.tmp == NULL);
	outfile_done(&o);
	CHECK(outfile_open(&o, at("no/such/dir/x")) < 0);
	outfile_done(&o);
}

int main(void)
{
	umask(022);
	if (!mkdtemp(dir))
		return 1;
	RUN(test_drop_leaves_all);
	RUN(test_place_keeps_old);
	RUN(test_fclose);
	RUN(test_symlink_and_devices);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 1;
	UNIT_EXIT();
}
