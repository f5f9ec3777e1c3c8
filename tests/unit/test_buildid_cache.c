/* The build-id cache (src/binary/buildid_cache.c): where entries go, what
 * is stored or skipped, eviction of the least recently used, writes that
 * never leave half a file, damaged entries. The ELF files are copies of
 * this test binary. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "binary/buildid_cache.h"
#include "binary/elf_symbols.h"
#include "unit.h"

static char tmpdir[512];
static uint8_t self_id[BUILDID_MAX];
static size_t self_len;
static char self_copy[600];
static off_t self_size;

static char *tpath(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *tpath(const char *fmt, ...)
{
	static char bufs[8][1024];
	static int k;
	char *b = bufs[k++ & 7], rel[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	snprintf(b, sizeof(bufs[0]), "%s/%s", tmpdir, rel);
	return b;
}

static bool exists(const char *p)
{
	return access(p, F_OK) == 0;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/* Files in DIR/ab/ whose name starts with '.' (temporary files). */
static int temp_files(const char *dir)
{
	char cmd[1200];
	snprintf(cmd, sizeof(cmd), "find '%s' -name '.*' -type f 2>/dev/null | wc -l", dir);
	FILE *p = popen(cmd, "r");
	int n = -1;
	if (p) {
		if (fscanf(p, "%d", &n) != 1)
			n = -1;
		pclose(p);
	}
	return n;
}

static struct buildid_cache_limits big = { 1ull << 30, 1ull << 28 };

static int store_self(const char *dir, const struct buildid_cache_limits *lim, struct buildid_store_stats *st)
{
	struct buildid_list l = { 0 };
	buildid_list_add(&l, self_copy, self_id, self_len);
	int rc = buildid_cache_store(dir, &l, lim, st);
	buildid_list_free(&l);
	return rc;
}

static void test_entry_layout(void)
{
	const uint8_t id[] = { 0xab, 0xcd, 0xef, 0x01 };
	char *p = buildid_cache_entry("/c", id, sizeof(id));
	CHECK_STR(p, "/c/ab/cdef01");
	free(p);
	CHECK(buildid_cache_entry("/c", id, 1) == NULL);
	char hex[9];
	buildid_hex(id, sizeof(id), hex);
	CHECK_STR(hex, "abcdef01");
	const uint8_t padded[] = { 0xab, 0xcd, 0xef, 0x01, 0, 0 };
	CHECK(buildid_equal(id, 4, padded, 6));
	CHECK(!buildid_equal(id, 4, id, 3)); /* a prefix is another build-id */
	CHECK(!buildid_equal(id, 4, (const uint8_t[]){ 0xab, 0xcd, 0xef, 0x02 }, 4));
	CHECK(!buildid_equal(id, 0, id, 0));
}

static void test_cache_dir(void)
{
	char *old_home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
	setenv("SONDE_BUILDID_DIR", "/somewhere/else", 1);
	char *d = buildid_cache_dir();
	CHECK_STR(d, "/somewhere/else");
	free(d);
	unsetenv("SONDE_BUILDID_DIR");
	setenv("XDG_CACHE_HOME", "/xdg", 1);
	d = buildid_cache_dir();
	CHECK_STR(d, "/xdg/sonde/buildid");
	free(d);
	setenv("XDG_CACHE_HOME", "relative", 1); /* ignored, as the XDG spec says */
	setenv("HOME", "/home/u", 1);
	d = buildid_cache_dir();
	CHECK_STR(d, "/home/u/.cache/sonde/buildid");
	free(d);
	unsetenv("XDG_CACHE_HOME");
	if (old_home)
		setenv("HOME", old_home, 1);
	free(old_home);
}

static void test_limits(void)
{
	struct buildid_cache_limits lim;
	unsetenv("SONDE_BUILDID_CACHE_SIZE");
	buildid_cache_default_limits(&lim);
	CHECK_INT(lim.max_bytes, 2ull << 30);
	CHECK_INT(lim.max_file, lim.max_bytes / 4);
	setenv("SONDE_BUILDID_CACHE_SIZE", "10M", 1);
	buildid_cache_default_limits(&lim);
	CHECK_INT(lim.max_bytes, 10 << 20);
	setenv("SONDE_BUILDID_CACHE_SIZE", "64KiB", 1);
	buildid_cache_default_limits(&lim);
	CHECK_INT(lim.max_bytes, 64 << 10);
	setenv("SONDE_BUILDID_CACHE_SIZE", "0", 1);
	buildid_cache_default_limits(&lim);
	CHECK_INT(lim.max_bytes, 0);
	setenv("SONDE_BUILDID_CACHE_SIZE", "lots", 1); /* a warning, and the default */
	buildid_cache_default_limits(&lim);
	CHECK_INT(lim.max_bytes, 2ull << 30);
	unsetenv("SONDE_BUILDID_CACHE_SIZE");
}

static void test_list(void)
{
	struct buildid_list l = { 0 };
	const uint8_t a[] = { 1, 2, 3, 4 }, b[] = { 1, 2, 3, 5 };
	buildid_list_add(&l, "/x/app", a, 4);
	buildid_list_add(&l, "/x/app", a, 4);
	buildid_list_add(&l, "/x/app", b, 4); /* the same path rebuilt during the run: both */
	buildid_list_add(&l, "[vdso]", a, 4);
	buildid_list_add(&l, "//anon", a, 4);
	buildid_list_add(&l, "/x/nobid", a, 0);
	CHECK_INT(l.files.n, 2);
	CHECK_STR(l.files.v[1].path, "/x/app");
	CHECK_INT(l.files.v[1].id[3], 5);
	buildid_list_free(&l);
}

static void test_store_and_keep(void)
{
	const char *dir = tpath("c_store");
	struct buildid_store_stats st;
	CHECK_INT(store_self(dir, &big, &st), 0);
	CHECK_INT(st.added, 1);
	CHECK_INT(st.bytes_added, self_size);
	char *entry = buildid_cache_entry(dir, self_id, self_len);
	CHECK(unit_sh("cmp -s '%s' '%s'", entry, self_copy) == 0);
	CHECK_INT(temp_files(dir), 0);
	/* seen again: kept, and marked used now */
	struct timespec old[2] = { { 1000, 0 }, { 1000, 0 } };
	CHECK(utimensat(AT_FDCWD, entry, old, 0) == 0);
	CHECK_INT(store_self(dir, &big, &st), 0);
	CHECK_INT(st.added, 0);
	CHECK_INT(st.kept, 1);
	struct stat sb;
	CHECK(stat(entry, &sb) == 0);
	CHECK(sb.st_mtime > 1000);
	/* and found again, verified */
	int fd;
	Elf *e = buildid_cache_open(dir, self_id, self_len, &fd);
	CHECK(e != NULL);
	elf_close_file(e, fd);
	free(entry);
}

static void test_store_skips(void)
{
	const char *dir = tpath("c_skip");
	struct buildid_list l = { 0 };
	char *text = tpath("notelf");
	write_file(text, "just text\n");
	buildid_list_add(&l, text, self_id, self_len);
	uint8_t other[BUILDID_MAX];
	memcpy(other, self_id, self_len);
	other[0] ^= 0xff; /* the file on disk is another build now */
	buildid_list_add(&l, self_copy, other, self_len);
	buildid_list_add(&l, tpath("missing"), self_id, self_len);
	struct buildid_store_stats st;
	CHECK_INT(buildid_cache_store(dir, &l, &big, &st), 0);
	CHECK_INT(st.skipped, 3);
	CHECK_INT(st.added, 0);
	buildid_list_free(&l);
	/* too big for the bound */
	struct buildid_cache_limits small = { 1 << 30, (uint64_t)self_size - 1 };
	CHECK_INT(store_self(dir, &small, &st), 0);
	CHECK_INT(st.skipped, 1);
	/* a bound of 0 caches nothing */
	struct buildid_cache_limits none = { 0, 0 };
	CHECK_INT(store_self(dir, &none, &st), 0);
	CHECK_INT(st.added + st.skipped + st.kept, 0);
	char *entry = buildid_cache_entry(dir, self_id, self_len);
	CHECK(!exists(entry));
	free(entry);
}

static void fake_entry(const char *dir, const char *sub, const char *name, size_t size, time_t mtime)
{
	char path[1100];
	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	mkdir(dir, 0755);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/%s", dir, sub, name);
	FILE *f = fopen(path, "w");
	for (size_t i = 0; f && i < size; i++)
		fputc('x', f);
	if (f)
		fclose(f);
	struct timespec t[2] = { { mtime, 0 }, { mtime, 0 } };
	utimensat(AT_FDCWD, path, t, 0);
}

static void test_eviction_lru(void)
{
	const char *dir = tpath("c_lru");
	time_t now = time(NULL);
	fake_entry(dir, "aa", "0001", 1000, now - 300); /* least recently used */
	fake_entry(dir, "bb", "0002", 1000, now - 200);
	fake_entry(dir, "cc", "0003", 1000, now - 100);
	fake_entry(dir, "cc", ".0004.77.tmp", 1000, now - 7200); /* left by a recorder that died */
	fake_entry(dir, "cc", ".0005.78.tmp", 1000, now);        /* another recorder, copying now */
	fake_entry(dir, "zz", "0006", 1000, now - 400);          /* not a cache directory: left alone */
	struct buildid_cache_limits lim = { (uint64_t)self_size + 2000, (uint64_t)self_size };
	struct buildid_store_stats st;
	CHECK_INT(store_self(dir, &lim, &st), 0);
	CHECK_INT(st.added, 1);
	CHECK(!exists(tpath("c_lru/aa/0001")));
	CHECK(exists(tpath("c_lru/bb/0002")));
	CHECK(exists(tpath("c_lru/cc/0003")));
	CHECK(!exists(tpath("c_lru/cc/.0004.77.tmp")));
	CHECK(exists(tpath("c_lru/cc/.0005.78.tmp")));
	CHECK(exists(tpath("c_lru/zz/0006")));
	char *entry = buildid_cache_entry(dir, self_id, self_len);
	CHECK(exists(entry));
	/* Room for one entry's worth: the most recently used stay, even
	 * when that drops what this very store added. */
	lim.max_bytes = (uint64_t)self_size;
	fake_entry(dir, "dd", "0007", 10, now + 100); /* newer than the entry */
	CHECK(truncate(entry, 0) == 0);                /* damaged: stored again */
	CHECK_INT(store_self(dir, &lim, &st), 0);
	CHECK_INT(st.added, 1);
	CHECK(!exists(tpath("c_lru/bb/0002")));
	CHECK(!exists(tpath("c_lru/cc/0003")));
	CHECK(!exists(entry));
	CHECK(exists(tpath("c_lru/dd/0007")));
	free(entry);
}

/* A write that fails part way (a full disk; here the file size limit)
 * leaves neither an entry nor a temporary file, and says so once. */
static void test_failed_write(void)
{
	const char *dir = tpath("c_full");
	struct rlimit old, lim;
	CHECK(getrlimit(RLIMIT_FSIZE, &old) == 0);
	lim = old;
	lim.rlim_cur = 4096;
	signal(SIGXFSZ, SIG_IGN);
	CHECK(setrlimit(RLIMIT_FSIZE, &lim) == 0);
	struct buildid_store_stats st;
	int rc = store_self(dir, &big, &st);
	setrlimit(RLIMIT_FSIZE, &old);
	signal(SIGXFSZ, SIG_DFL);
	CHECK_INT(rc, -1);
	CHECK_INT(st.added, 0);
	char *entry = buildid_cache_entry(dir, self_id, self_len);
	CHECK(!exists(entry));
	free(entry);
	CHECK_INT(temp_files(dir), 0);
	/* a cache directory that cannot exist */
	write_file(tpath("c_file"), "a file, not a directory\n");
	CHECK_INT(store_self(tpath("c_file/sub"), &big, &st), -1);
}

static void test_damaged_entries(void)
{
	const char *dir = tpath("c_bad");
	char *entry = buildid_cache_entry(dir, self_id, self_len);
	CHECK(unit_sh("mkdir -p \"$(dirname '%s')\"", entry) == 0);
	write_file(entry, "not an ELF file at all\n");
	int fd;
	CHECK(buildid_cache_open(dir, self_id, self_len, &fd) == NULL);
	/* an ELF cut short: header fine, section headers gone */
	CHECK(unit_sh("head -c 8192 '%s' > '%s'", self_copy, entry) == 0);
	CHECK(buildid_cache_open(dir, self_id, self_len, &fd) == NULL);
	/* another build under this name */
	uint8_t other[BUILDID_MAX];
	memcpy(other, self_id, self_len);
	other[1] ^= 0xff;
	char *other_entry = buildid_cache_entry(dir, other, self_len);
	CHECK(unit_sh("mkdir -p \"$(dirname '%s')\" && cp '%s' '%s'", other_entry, self_copy, other_entry) == 0);
	CHECK(buildid_cache_open(dir, other, self_len, &fd) == NULL);
	free(other_entry);
	/* the recorder replaces a damaged entry */
	struct buildid_store_stats st;
	CHECK_INT(store_self(dir, &big, &st), 0);
	CHECK_INT(st.added, 1);
	Elf *e = buildid_cache_open(dir, self_id, self_len, &fd);
	CHECK(e != NULL);
	elf_close_file(e, fd);
	free(entry);
}

/* perf's ~/.debug: .build-id/ab/cdef... links to a directory with "elf". */
static void test_perf_cache(void)
{
	char hex[2 * BUILDID_MAX + 1];
	buildid_hex(self_id, self_len, hex);
	CHECK(unit_sh("mkdir -p '%s/.build-id/%.2s' '%s/prog/%s' && cp '%s' '%s/prog/%s/elf' && "
		 "ln -s '../../prog/%s' '%s/.build-id/%.2s/%s'",
		 tpath("perfdebug"), hex, tpath("perfdebug"), hex, self_copy, tpath("perfdebug"), hex, hex,
		 tpath("perfdebug"), hex, hex + 2) == 0);
	setenv("PERF_BUILDID_DIR", tpath("perfdebug"), 1);
	int fd;
	Elf *e = buildid_cache_open(tpath("c_none"), self_id, self_len, &fd);
	unsetenv("PERF_BUILDID_DIR");
	CHECK(e != NULL);
	elf_close_file(e, fd);
}

int main(void)
{
	const char *base = getenv("SONDE_TMP");
	snprintf(tmpdir, sizeof(tmpdir), "%s/bidcacheXXXXXX", base && *base ? base : "/tmp");
	mkdir(base && *base ? base : "/tmp", 0755);
	if (!mkdtemp(tmpdir)) {
		printf("FAIL test_buildid_cache: cannot create a temp dir\n");
		return 1;
	}
	elf_version(EV_CURRENT);
	snprintf(self_copy, sizeof(self_copy), "%s/self", tmpdir);
	if (unit_sh("cp /proc/%d/exe '%s'", (int)getpid(), self_copy) != 0) {
		printf("FAIL test_buildid_cache: cannot copy the test binary\n");
		return 1;
	}
	int fd;
	Elf *e = elf_open_file(self_copy, &fd);
	self_len = e ? elf_build_id(e, self_id, sizeof(self_id)) : 0;
	elf_close_file(e, fd);
	struct stat sb;
	self_size = stat(self_copy, &sb) == 0 ? sb.st_size : 0;
	setenv("PERF_BUILDID_DIR", tpath("no-perf-cache"), 1);

	RUN(test_entry_layout);
	RUN(test_cache_dir);
	RUN(test_limits);
	RUN(test_list);
	if (!self_len || !self_size) {
		printf("SKIP test_buildid_cache: the test binary has no build-id\n");
	} else {
		RUN(test_store_and_keep);
		RUN(test_store_skips);
		RUN(test_eviction_lru);
		RUN(test_failed_write);
		RUN(test_damaged_entries);
		RUN(test_perf_cache);
	}
	unit_sh("rm -rf '%s'", tmpdir);
	UNIT_EXIT();
}
