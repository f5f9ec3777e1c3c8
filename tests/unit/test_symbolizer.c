/* The symbolizer against real binaries: tests/fixtures/sym_inline.c built
 * at test time with gcc -O2 -g (DWARF 5) and clang -gdwarf-4, stripped with
 * separate debug files, and a rebuilt file (build-id mismatch). Tests skip
 * cleanly when the compilers or binutils are missing. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "binary/buildid_cache.h"
#include "binary/elf_symbols.h"
#include "binary/kallsyms.h"
#include "binary/symbolizer.h"
#include "unit.h"

static char tmpdir[512];
static char fixture[2048];
static int line_inner, line_call_inner, line_call_middle;

/* unit.h has no skip: these print SKIP instead of PASS. */
static int skipped_;
#define SKIP(why)                                             \
	do {                                                  \
		printf("SKIP %s: %s\n", unit_current_, why); \
		skipped_ = 1;                                 \
		return;                                       \
	} while (0)
#define RUN_S(fn)                                              \
	do {                                                   \
		unit_current_ = #fn;                           \
		unit_current_failed_ = 0;                      \
		skipped_ = 0;                                  \
		fn();                                          \
		if (unit_current_failed_)                      \
			unit_failed_++;                        \
		else if (!skipped_)                            \
			printf("PASS %s\n", #fn);             \
		fflush(stdout);                                \
	} while (0)

static bool have(const char *tool)
{
	return unit_sh("command -v %s >/dev/null 2>&1", tool) == 0;
}

static char *tpath(const char *name)
{
	static char bufs[8][1024];
	static int k;
	char *b = bufs[k++ & 7];
	snprintf(b, sizeof(bufs[0]), "%s/%s", tmpdir, name);
	return b;
}

/* Root of the source tree: $SONDE_ROOT, else two levels above the binary
 * (BUILD/tests/test_symbolizer), else the current directory. */
static bool find_fixture(void)
{
	const char *root = getenv("SONDE_ROOT");
	if (root) {
		snprintf(fixture, sizeof(fixture), "%s/tests/fixtures/sym_inline.c", root);
		if (access(fixture, R_OK) == 0)
			return true;
	}
	char exe[1024];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = 0;
		for (int up = 0; up < 3; up++) {
			char *slash = strrchr(exe, '/');
			if (!slash)
				break;
			*slash = 0;
			snprintf(fixture, sizeof(fixture), "%s/tests/fixtures/sym_inline.c", exe);
			if (access(fixture, R_OK) == 0)
				return true;
		}
	}
	snprintf(fixture, sizeof(fixture), "tests/fixtures/sym_inline.c");
	if (access(fixture, R_OK) == 0) {
		char *abs = realpath(fixture, NULL);
		if (abs) {
			snprintf(fixture, sizeof(fixture), "%s", abs);
			free(abs);
		}
		return true;
	}
	return false;
}

static int find_line(const char *marker)
{
	FILE *f = fopen(fixture, "r");
	if (!f)
		return 0;
	char buf[512];
	int ln = 0, found = 0;
	while (fgets(buf, sizeof(buf), f)) {
		ln++;
		if (strstr(buf, marker)) {
			found = ln;
			break;
		}
	}
	fclose(f);
	return found;
}

/* Address and size of a symbol, from nm. */
static bool nm_symbol(const char *bin, const char *sym, uint64_t *addr, uint64_t *size)
{
	char cmd[2048];
	snprintf(cmd, sizeof(cmd), "nm -S '%s' 2>/dev/null", bin);
	FILE *p = popen(cmd, "r");
	if (!p)
		return false;
	char line[1024];
	bool ok = false;
	while (fgets(line, sizeof(line), p)) {
		unsigned long long a, s;
		char type, name[512];
		if (sscanf(line, "%llx %llx %c %511s", &a, &s, &type, name) == 4 && !strcmp(name, sym)) {
			*addr = a;
			*size = s;
			ok = true;
		}
	}
	pclose(p);
	return ok;
}

/* Like nm_symbol, for the first symbol whose mangled name contains `part`. */
static bool nm_symbol_like(const char *bin, const char *part, uint64_t *addr, uint64_t *size)
{
	char cmd[2048];
	snprintf(cmd, sizeof(cmd), "nm -S '%s' 2>/dev/null", bin);
	FILE *p = popen(cmd, "r");
	if (!p)
		return false;
	char line[4096];
	bool ok = false;
	while (fgets(line, sizeof(line), p)) {
		unsigned long long a, s;
		char type, name[4000];
		if (!ok && sscanf(line, "%llx %llx %c %3999s", &a, &s, &type, name) == 4 && strstr(name, part)) {
			*addr = a;
			*size = s;
			ok = true;
		}
	}
	pclose(p);
	return ok;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = s ? strlen(s) : 0, b = strlen(suffix);
	return s && a >= b && !strcmp(s + a - b, suffix);
}

static bool build(const char *cc, const char *flags, const char *out, int variant)
{
	return unit_sh("%s %s -DVARIANT=%d -o '%s' '%s' 2>/dev/null", cc, flags, variant, out, fixture) == 0;
}

/* Scans outer_work for an address whose innermost frame is inner_mix on
 * its MARK_INNER line; returns that result (NULL if none). */
static const struct sym_result *find_inlined(struct symbolizer *s, int m, const char *bin, uint64_t *where)
{
	uint64_t addr, size;
	if (!nm_symbol(bin, "outer_work", &addr, &size) || !size)
		return NULL;
	for (uint64_t a = addr; a < addr + size; a++) {
		const struct sym_result *r = symbolizer_lookup(s, m, a);
		if (r->nr == 3 && r->frames[0].func && !strcmp(r->frames[0].func, "inner_mix") &&
		    r->frames[0].line == (unsigned)line_inner) {
			*where = a;
			return r;
		}
	}
	return NULL;
}

static void check_chain(const struct sym_result *r, uint64_t *fail_line)
{
	*fail_line = 0;
#define EXPECT(c)                         \
	if (!(c)) {                       \
		*fail_line = __LINE__;    \
		return;                   \
	}
	EXPECT(r && r->nr == 3);
	EXPECT(!strcmp(r->frames[0].func, "inner_mix"));
	EXPECT(r->frames[0].inlined);
	EXPECT(ends_with(r->frames[0].file, "/sym_inline.c"));
	EXPECT(r->frames[0].line == (unsigned)line_inner);
	EXPECT(r->frames[1].func && !strcmp(r->frames[1].func, "middle_step"));
	EXPECT(r->frames[1].inlined);
	EXPECT(ends_with(r->frames[1].file, "/sym_inline.c"));
	EXPECT(r->frames[1].line == (unsigned)line_call_inner);
	EXPECT(r->frames[2].func && !strcmp(r->frames[2].func, "outer_work"));
	EXPECT(!r->frames[2].inlined);
	EXPECT(ends_with(r->frames[2].file, "/sym_inline.c"));
	EXPECT(r->frames[2].line == (unsigned)line_call_middle);
	EXPECT(r->sym_offset > 0);
#undef EXPECT
}

static bool gcc_ok, clang_ok, binutils_ok;

static void test_inline_chain_gcc(void)
{
	if (!gcc_ok)
		SKIP("gcc not available");
	const char *bin = tpath("gcc");
	struct symbolizer *s = symbolizer_new();
	int m = symbolizer_module(s, bin, NULL, 0);
	CHECK(symbolizer_module_found(s, m));
	CHECK(symbolizer_module_problem(s, m) == NULL);
	CHECK_STR(symbolizer_module_name(s, m), "gcc");
	uint64_t a = 0, bad;
	const struct sym_result *r = find_inlined(s, m, bin, &a);
	check_chain(r, &bad);
	if (bad)
		symbolizer_free(s);
	CHECK_INT(bad, 0);
	/* Same answer from the cache, as the same object. */
	CHECK(symbolizer_lookup(s, m, a) == r);
	/* Cross-check with addr2line when it is there. */
	if (have("addr2line")) {
		char cmd[2048];
		snprintf(cmd, sizeof(cmd), "addr2line -f -i -e '%s' 0x%llx", bin, (unsigned long long)a);
		FILE *p = popen(cmd, "r");
		char l1[512] = "", l2[512] = "", l3[512] = "", l4[512] = "";
		if (p) {
			if (!fgets(l1, sizeof(l1), p) || !fgets(l2, sizeof(l2), p) || !fgets(l3, sizeof(l3), p) ||
			    !fgets(l4, sizeof(l4), p))
				l1[0] = 0;
			pclose(p);
		}
		char want[512];
		snprintf(want, sizeof(want), ":%u\n", r->frames[1].line);
		CHECK(!strcmp(l1, "inner_mix\n") && !strcmp(l3, "middle_step\n") && ends_with(l4, want));
	}
	/* The noinline function's entry has no inline frames. */
	uint64_t start, size;
	CHECK(nm_symbol(bin, "outer_work", &start, &size));
	r = symbolizer_lookup(s, m, start);
	CHECK_INT(r->nr, 1);
	CHECK_STR(r->frames[0].func, "outer_work");
	CHECK_INT(r->sym_offset, 0);
	/* --no-inline: only the ELF symbol. */
	symbolizer_set_inline(s, false);
	r = symbolizer_lookup(s, m, a);
	CHECK_INT(r->nr, 1);
	CHECK_STR(r->frames[0].func, "outer_work");
	CHECK(r->frames[0].file == NULL);
	CHECK_INT(r->sym_offset, a - start);
	symbolizer_set_inline(s, true);
	CHECK(symbolizer_lookup(s, m, a)->nr == 3);
	/* by name alone with inlining on: the ELF symbol, and the inline
	 * look-up is still whole after it */
	r = symbolizer_lookup_name(s, m, a);
	CHECK_INT(r->nr, 1);
	CHECK_STR(r->frames[0].func, "outer_work");
	CHECK(r->frames[0].file == NULL);
	CHECK(symbolizer_lookup(s, m, a)->nr == 3);
	symbolizer_free(s);
}

static void test_inline_chain_clang_dwarf4(void)
{
	if (!clang_ok)
		SKIP("clang not available");
	const char *bin = tpath("clang4");
	struct symbolizer *s = symbolizer_new();
	int m = symbolizer_module(s, bin, NULL, 0);
	uint64_t a, bad;
	check_chain(find_inlined(s, m, bin, &a), &bad);
	symbolizer_free(s);
	CHECK_INT(bad, 0);
}

/* PLT stubs are named like perf names them: "strtoul@plt". */
static void test_plt(void)
{
	if (!gcc_ok || !have("objdump"))
		SKIP("gcc or objdump not available");
	char cmd[2048];
	snprintf(cmd, sizeof(cmd), "objdump -d '%s' 2>/dev/null", tpath("gcc"));
	FILE *p = popen(cmd, "r");
	CHECK(p);
	char line[1024];
	unsigned long long plt = 0;
	while (fgets(line, sizeof(line), p))
		if (!plt && strstr(line, "<strtoul@plt>:"))
			sscanf(line, "%llx", &plt);
	pclose(p);
	if (!plt)
		SKIP("no strtoul@plt stub in the fixture");
	struct symbolizer *s = symbolizer_new();
	int m = symbolizer_module(s, tpath("gcc"), NULL, 0);
	const struct sym_result *r = symbolizer_lookup(s, m, plt + 6);
	const char *f = r->frames[0].func ? r->frames[0].func : "(null)";
	char got[256];
	snprintf(got, sizeof(got), "%s+%llu", f, (unsigned long long)r->sym_offset);
	symbolizer_free(s);
	CHECK_STR(got, "strtoul@plt+6");
}

/* Compressed DWARF sections (gcc -gz, as Debian's debug packages ship). */
static void test_compressed_dwarf(void)
{
	if (!gcc_ok || !build("gcc", "-O2 -g -gz", tpath("gcc_gz"), 0))
		SKIP("gcc -gz not available");
	const char *bin = tpath("gcc_gz");
	struct symbolizer *s = symbolizer_new();
	int m = symbolizer_module(s, bin, NULL, 0);
	uint64_t a, bad;
	check_chain(find_inlined(s, m, bin, &a), &bad);
	symbolizer_free(s);
	CHECK_INT(bad, 0);
}

static void test_unknown_addresses(void)
{
	if (!gcc_ok)
		SKIP("gcc not available");
	struct symbolizer *s = symbolizer_new();
	int m = symbolizer_module(s, tpath("gcc"), NULL, 0);
	const uint64_t addrs[] = { 0, 1, 0x10, 0x7fffffffffffULL, UINT64_MAX };
	for (size_t i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		const struct sym_result *r = symbolizer_lookup(s, m, addrs[i]);
		CHECK(r && r->nr == 1 && r->frames[0].func == NULL);
	}
	/* Bad handles and missing files resolve nothing, without crashing. */
	CHECK(symbolizer_lookup(s, -1, 0x1000)->frames[0].func == NULL);
	CHECK(symbolizer_lookup(s, 12345, 0x1000)->frames[0].func == NULL);
	int missing = symbolizer_module(s, "/nonexistent/dir/libnothing.so.1", NULL, 0);
	CHECK(!symbolizer_module_found(s, missing));
	CHECK_STR(symbolizer_module_problem(s, missing), "no such file");
	CHECK_STR(symbolizer_module_name(s, missing), "libnothing.so.1");
	CHECK(symbolizer_lookup(s, missing, 0x1000)->frames[0].func == NULL);
	uint64_t v;
	CHECK(!symbolizer_offset_to_vaddr(s, missing, 0x1000, &v));
	/* Not an ELF file. */
	int notelf = symbolizer_module(s, fixture, NULL, 0);
	CHECK(!symbolizer_module_found(s, notelf));
	CHECK_STR(symbolizer_module_problem(s, notelf), "not an ELF file");
	symbolizer_free(s);
}

static void test_module_names(void)
{
	struct symbolizer *s = symbolizer_new();
	const uint8_t id1[] = { 1, 2, 3, 4 }, id2[] = { 1, 2, 3, 5 };
	int a = symbolizer_module(s, "/usr/lib/libfoo.so.1", id1, sizeof(id1));
	CHECK_INT(symbolizer_module(s, "/usr/lib/libfoo.so.1", id1, sizeof(id1)), a);
	CHECK(symbolizer_module(s, "/usr/lib/libfoo.so.1", id2, sizeof(id2)) != a);
	CHECK(symbolizer_module(s, "/usr/lib/libfoo.so.1", NULL, 0) != a);
	CHECK_STR(symbolizer_module_name(s, a), "libfoo.so.1");
	CHECK_STR(symbolizer_module_name(s, symbolizer_module(s, "/tmp/x/prog (deleted)", NULL, 0)), "prog");
	CHECK_STR(symbolizer_module_name(s, symbolizer_module(s, "[vdso]", NULL, 0)), "[vdso]");
	CHECK_STR(symbolizer_module_name(s, symbolizer_module(s, "[heap]", NULL, 0)), "[heap]");
	CHECK_STR(symbolizer_module_name(s, symbolizer_module(s, "/memfd:jit (deleted)", NULL, 0)), "memfd:jit");
	CHECK(symbolizer_module_name(s, 999) == NULL);
	int heap = symbolizer_module(s, "[heap]", NULL, 0);
	CHECK(!symbolizer_module_found(s, heap));
	symbolizer_free(s);
}

static void test_deleted_suffix(void)
{
	if (!gcc_ok)
		SKIP("gcc not available");
	struct symbolizer *s = symbolizer_new();
	char p[1100];
	snprintf(p, sizeof(p), "%s (deleted)", tpath("gcc"));
	int m = symbolizer_module(s, p, NULL, 0);
	CHECK(symbolizer_module_found(s, m));
	uint64_t start, size;
	CHECK(nm_symbol(tpath("gcc"), "outer_work", &start, &size));
	CHECK_STR(symbolizer_lookup(s, m, start)->frames[0].func, "outer_work");
	symbolizer_free(s);
}

static void test_vdso(void)
{
	struct symbolizer *s = symbolizer_new();
	int m = symbolizer_module(s, "[vdso]", NULL, 0);
	if (!symbolizer_module_found(s, m)) {
		symbolizer_free(s);
		SKIP("no vdso in this process");
	}
	CHECK(symbolizer_module_problem(s, m) == NULL);
	symbolizer_free(s);
}

static void test_offset_to_vaddr(void)
{
	if (!gcc_ok)
		SKIP("gcc not available");
	struct symbolizer *s = symbolizer_new();
	int m = symbolizer_module(s, tpath("gcc"), NULL, 0);
	uint64_t start, size, v = 0;
	CHECK(nm_symbol(tpath("gcc"), "outer_work", &start, &size));
	/* GNU ld lays out the text segment with p_offset == p_vaddr. */
	CHECK(symbolizer_offset_to_vaddr(s, m, start, &v));
	CHECK_INT(v, start);
	CHECK(!symbolizer_offset_to_vaddr(s, m, 1ULL << 40, &v));
	symbolizer_free(s);
}

static const uint8_t *file_build_id(const char *path, uint8_t *buf, size_t *len)
{
	int fd;
	Elf *e = elf_open_file(path, &fd);
	*len = e ? elf_build_id(e, buf, ELF_BUILD_ID_MAX) : 0;
	elf_close_file(e, fd);
	return *len ? buf : NULL;
}

static void test_stripped_with_debuglink(void)
{
	if (!gcc_ok || !binutils_ok)
		SKIP("gcc or binutils not available");
	const char *full = tpath("gcc"), *dir = tpath("dl");
	CHECK(unit_sh("mkdir -p '%s' && cp '%s' '%s/prog' && cd '%s' && objcopy --only-keep-debug prog prog.debug && "
		 "strip prog && objcopy --add-gnu-debuglink=prog.debug prog",
		 dir, full, dir, dir) == 0);
	char prog[1100];
	snprintf(prog, sizeof(prog), "%s/prog", dir);
	struct symbolizer *s = symbolizer_new();
	int m = symbolizer_module(s, prog, NULL, 0);
	CHECK(symbolizer_module_found(s, m));
	CHECK(symbolizer_module_problem(s, m) == NULL);
	uint64_t a, bad;
	check_chain(find_inlined(s, m, full, &a), &bad);
	CHECK_INT(bad, 0);
	/* Names alone (no inline expansion) come from the debug file's .symtab. */
	symbolizer_set_inline(s, false);
	CHECK_STR(symbolizer_lookup(s, m, a)->frames[0].func, "outer_work");
	symbolizer_free(s);

	/* A debug file in .debug/ with a wrong CRC is refused. */
	CHECK(unit_sh("cd '%s' && mkdir -p .debug && mv prog.debug .debug/ && echo x >> .debug/prog.debug", dir) == 0);
	s = symbolizer_new();
	m = symbolizer_module(s, prog, NULL, 0);
	symbolizer_set_inline(s, false);
	CHECK(symbolizer_lookup(s, m, a)->frames[0].func == NULL ||
	      strcmp(symbolizer_lookup(s, m, a)->frames[0].func, "outer_work") != 0);
	symbolizer_free(s);
}

static void test_stripped_with_build_id_dir(void)
{
	if (!gcc_ok || !binutils_ok)
		SKIP("gcc or binutils not available");
	const char *full = tpath("gcc"), *dir = tpath("bid");
	uint8_t bid[ELF_BUILD_ID_MAX];
	size_t bid_len;
	if (!file_build_id(full, bid, &bid_len))
		SKIP("gcc made no build-id");
	char hex[2 * ELF_BUILD_ID_MAX + 1];
	for (size_t i = 0; i < bid_len; i++)
		snprintf(hex + 2 * i, 3, "%02x", bid[i]);
	CHECK(unit_sh("mkdir -p '%s/root/.build-id/%.2s' && cp '%s' '%s/prog' && objcopy --only-keep-debug '%s/prog' "
		 "'%s/root/.build-id/%.2s/%s.debug' && strip '%s/prog'",
		 dir, hex, full, dir, dir, dir, hex, hex + 2, dir) == 0);
	char root[1100], prog[1100];
	snprintf(root, sizeof(root), "%s/root", dir);
	snprintf(prog, sizeof(prog), "%s/prog", dir);
	setenv("SONDE_DEBUG_DIRS", root, 1);
	struct symbolizer *s = symbolizer_new();
	unsetenv("SONDE_DEBUG_DIRS");
	int m = symbolizer_module(s, prog, NULL, 0); /* build-id from the file's note */
	uint64_t a, bad;
	check_chain(find_inlined(s, m, full, &a), &bad);
	CHECK_INT(bad, 0);
	/* The file gone: the recorded build-id still finds the debug file. */
	int gone = symbolizer_module(s, "/nonexistent/prog", bid, bid_len);
	CHECK(symbolizer_module_found(s, gone));
	CHECK_STR(symbolizer_lookup(s, gone, a)->frames[0].func, "inner_mix");
	symbolizer_free(s);
}

static void test_build_id_mismatch(void)
{
	if (!gcc_ok || !binutils_ok)
		SKIP("gcc or binutils not available");
	/* "Recorded" build: variant 1; on disk now: variant 0 (a rebuild). */
	const char *old = tpath("gcc_v1"), *dir = tpath("mm");
	uint8_t old_bid[ELF_BUILD_ID_MAX], new_bid[ELF_BUILD_ID_MAX];
	size_t old_len, new_len;
	if (!file_build_id(old, old_bid, &old_len) || !file_build_id(tpath("gcc"), new_bid, &new_len))
		SKIP("gcc made no build-id");
	CHECK(old_len != new_len || memcmp(old_bid, new_bid, old_len));
	struct symbolizer *s = symbolizer_new();
	int m = symbolizer_module(s, tpath("gcc"), old_bid, old_len);
	CHECK(!symbolizer_module_found(s, m));
	CHECK_STR(symbolizer_module_problem(s, m),
		  "build-id mismatch: the file changed since recording and is not in the build-id cache");
	CHECK_INT(symbolizer_module_stale(s, m), SYM_STALE_CHANGED);
	char msg[512], want[300];
	symbolizer_stale_message(s, m, "EFFECT", msg, sizeof(msg));
	snprintf(want, sizeof(want), "%s changed since the recording (build-id ", tpath("gcc"));
	CHECK(!strncmp(msg, want, strlen(want)));
	CHECK(strstr(msg, "EFFECT; record again") != NULL);
	uint64_t start, size;
	CHECK(nm_symbol(tpath("gcc"), "outer_work", &start, &size));
	CHECK(symbolizer_lookup(s, m, start)->frames[0].func == NULL);
	/* The matching build-id on disk is fine. */
	int ok = symbolizer_module(s, tpath("gcc"), new_bid, new_len);
	CHECK(symbolizer_module_problem(s, ok) == NULL);
	CHECK_INT(symbolizer_module_stale(s, ok), SYM_NOT_STALE);
	/* Gone, with a recorded build-id: stale too; without one it is not
	 * (an old recording: nothing to tell). */
	CHECK_INT(symbolizer_module_stale(s, symbolizer_module(s, "/nonexistent/prog", old_bid, old_len)),
		  SYM_STALE_GONE);
	CHECK_INT(symbolizer_module_stale(s, symbolizer_module(s, "/nonexistent/prog", NULL, 0)), SYM_NOT_STALE);
	symbolizer_free(s);

	/* Better: a debug file with the recorded build-id resolves the old build. */
	char hex[2 * ELF_BUILD_ID_MAX + 1];
	for (size_t i = 0; i < old_len; i++)
		snprintf(hex + 2 * i, 3, "%02x", old_bid[i]);
	CHECK(unit_sh("mkdir -p '%s/.build-id/%.2s' && objcopy --only-keep-debug '%s' '%s/.build-id/%.2s/%s.debug'", dir, hex,
		 old, dir, hex, hex + 2) == 0);
	setenv("SONDE_DEBUG_DIRS", dir, 1);
	s = symbolizer_new();
	unsetenv("SONDE_DEBUG_DIRS");
	m = symbolizer_module(s, tpath("gcc"), old_bid, old_len);
	CHECK(symbolizer_module_found(s, m));
	CHECK(symbolizer_module_problem(s, m) == NULL);
	uint64_t a, bad;
	check_chain(find_inlined(s, m, old, &a), &bad);
	symbolizer_free(s);
	CHECK_INT(bad, 0);
}

/* A file rebuilt (then removed) after the recorder put its build in the
 * build-id cache: the report reads the cached copy; a damaged entry is
 * refused and the module is stale again. */
static void test_build_id_cache(void)
{
	if (!gcc_ok)
		SKIP("gcc not available");
	const char *prog = tpath("cached_prog"), *cache = tpath("bidcache");
	uint8_t old_bid[ELF_BUILD_ID_MAX];
	size_t old_len;
	CHECK(unit_sh("cp '%s' '%s'", tpath("gcc_v1"), prog) == 0);
	if (!file_build_id(prog, old_bid, &old_len))
		SKIP("gcc made no build-id");
	struct buildid_list l = { 0 };
	buildid_list_add(&l, prog, old_bid, old_len);
	struct buildid_cache_limits lim = { 1 << 30, 1 << 28 };
	struct buildid_store_stats st;
	CHECK_INT(buildid_cache_store(cache, &l, &lim, &st), 0);
	buildid_list_free(&l);
	CHECK_INT(st.added, 1);
	CHECK(unit_sh("cp '%s' '%s'", tpath("gcc"), prog) == 0); /* the rebuild */

	setenv("SONDE_BUILDID_DIR", cache, 1);
	struct symbolizer *s = symbolizer_new();
	int m = symbolizer_module(s, prog, old_bid, old_len);
	CHECK(symbolizer_module_found(s, m));
	CHECK(symbolizer_module_problem(s, m) == NULL);
	CHECK_INT(symbolizer_module_stale(s, m), SYM_NOT_STALE);
	uint64_t a, bad;
	check_chain(find_inlined(s, m, tpath("gcc_v1"), &a), &bad);
	CHECK_INT(bad, 0);
	symbolizer_free(s);

	CHECK(unlink(prog) == 0); /* gone: still read from the cache */
	s = symbolizer_new();
	m = symbolizer_module(s, prog, old_bid, old_len);
	CHECK_STR(symbolizer_lookup(s, m, a)->frames[0].func, "inner_mix");
	symbolizer_free(s);

	char *entry = buildid_cache_entry(cache, old_bid, old_len);
	CHECK(truncate(entry, 4096) == 0); /* damaged: its section headers are gone */
	free(entry);
	s = symbolizer_new();
	setenv("SONDE_BUILDID_DIR", tpath("no-cache"), 1);
	m = symbolizer_module(s, prog, old_bid, old_len);
	CHECK(!symbolizer_module_found(s, m));
	CHECK_INT(symbolizer_module_stale(s, m), SYM_STALE_GONE);
	symbolizer_free(s);
}

static void test_lookup_speed(void)
{
	if (!gcc_ok)
		SKIP("gcc not available");
	const char *libc = "/lib/x86_64-linux-gnu/libc.so.6";
	struct symbolizer *s = symbolizer_new();
	int m = symbolizer_module(s, access(libc, R_OK) == 0 ? libc : tpath("gcc"), NULL, 0);
	uint64_t addrs[1000];
	uint64_t base = 0;
	symbolizer_offset_to_vaddr(s, m, 0x30000, &base);
	for (int i = 0; i < 1000; i++)
		addrs[i] = base + (uint64_t)i * 97;
	struct timespec t0, t1, t2;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	size_t named = 0;
	for (int i = 0; i < 1000; i++)
		named += symbolizer_lookup(s, m, addrs[i])->frames[0].func != NULL;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	uint64_t sum = 0;
	for (int i = 0; i < 1000000; i++)
		sum += symbolizer_lookup(s, m, addrs[((unsigned)i * 7919u) % 1000u])->nr;
	clock_gettime(CLOCK_MONOTONIC, &t2);
	double first = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	double cached = (double)(t2.tv_sec - t1.tv_sec) + (double)(t2.tv_nsec - t1.tv_nsec) / 1e9;
	fprintf(stderr, "symbolizer: 1000 distinct addresses (%zu named) %.3f s; 1M cached lookups %.3f s\n", named,
		first, cached);
	symbolizer_free(s);
	CHECK(sum >= 1000000);
	CHECK(cached < 1.0);
}

static const char rust_src[] =
	"#[inline(always)]\n"
	"fn inner(x: u64) -> u64 {\n"
	"    let mut h = x;\n"
	"    for _ in 0..7 { h = (h ^ (h >> 17)).rotate_left(5) ^ 0x9e37; }\n"
	"    h\n"
	"}\n"
	"#[inline(never)]\n"
	"fn hot(n: u64) -> u64 {\n"
	"    let mut a = 0;\n"
	"    for i in 0..n { a += inner(i ^ a); }\n"
	"    a\n"
	"}\n"
	"fn main() { println!(\"{}\", hot(std::env::args().count() as u64 * 100)); }\n";

/* Rust, optimized, both manglings: inlined frames named by their demangled
 * linkage names ("sym_rust::inner"), lines from rustc's DWARF 5. */
static void test_rust_inline(void)
{
	if (!have("rustc") || !binutils_ok)
		SKIP("rustc not available");
	FILE *f = fopen(tpath("sym_rust.rs"), "w");
	CHECK(f);
	fputs(rust_src, f);
	fclose(f);
	static const char *const variants[] = { "legacy", "v0" };
	for (int v = 0; v < 2; v++) {
		char *bin = tpath(variants[v]);
		CHECK(unit_sh("cd '%s' && rustc -O -g %s -o '%s' sym_rust.rs 2>/dev/null", tmpdir,
			 v ? "-C symbol-mangling-version=v0" : "", bin) == 0);
		uint64_t start, size;
		CHECK(nm_symbol_like(bin, "8sym_rust3hot", &start, &size));
		struct symbolizer *s = symbolizer_new();
		int m = symbolizer_module(s, bin, NULL, 0);
		CHECK_STR(symbolizer_lookup(s, m, start)->frames[0].func, "sym_rust::hot");
		const struct sym_result *hit = NULL;
		for (uint64_t a = start; a < start + size && !hit; a++) {
			const struct sym_result *r = symbolizer_lookup(s, m, a);
			for (uint32_t i = 0; i + 1 < r->nr; i++)
				if (r->frames[i].func && !strcmp(r->frames[i].func, "sym_rust::inner"))
					hit = r;
		}
		bool ok = hit && !strcmp(hit->frames[hit->nr - 1].func, "sym_rust::hot") &&
			  ends_with(hit->frames[hit->nr - 1].file, "sym_rust.rs") && hit->frames[hit->nr - 1].line == 10 &&
			  !hit->frames[hit->nr - 1].inlined && hit->frames[hit->nr - 2].inlined;
		symbolizer_free(s);
		CHECK(ok);
	}
}

static void test_kallsyms(void)
{
	const char *p = tpath("kallsyms");
	FILE *f = fopen(p, "w");
	CHECK(f);
	fputs("ffffffff81000000 T _text\n"
	      "ffffffff81000000 T startup_64\n"
	      "ffffffff81001000 t do_one\n"
	      "ffffffff81002000 D some_data\n"
	      "ffffffff81003000 T do_two\n"
	      "ffffffffc0010000 t ext4_read\t[ext4]\n"
	      "ffffffffc0010100 t ext4_write\t[ext4]\n",
	      f);
	fclose(f);
	setenv("SONDE_KALLSYMS", p, 1);
	struct symbolizer *s = symbolizer_new();
	CHECK(symbolizer_kernel_available(s));
	const struct sym_result *r = symbolizer_kernel(s, 0xffffffff81001010ULL);
	CHECK(r && r->nr == 1);
	CHECK_STR(r->frames[0].func, "do_one");
	CHECK_INT(r->sym_offset, 0x10);
	CHECK(r->frames[0].file == NULL);
	/* Data symbols are not functions: do_one runs to do_two. */
	CHECK_STR(symbolizer_kernel(s, 0xffffffff81002010ULL)->frames[0].func, "do_one");
	r = symbolizer_kernel(s, 0xffffffffc0010104ULL);
	CHECK_STR(r->frames[0].func, "ext4_write");
	CHECK_STR(r->frames[0].file, "[ext4]");
	CHECK(symbolizer_kernel(s, 0xffffffffc0010104ULL) == r);
	CHECK(symbolizer_kernel(s, 0x1000)->frames[0].func == NULL);
	symbolizer_free(s);

	f = fopen(p, "w");
	CHECK(f);
	fputs("0000000000000000 T _text\n0000000000000000 t do_one\n", f);
	fclose(f);
	s = symbolizer_new();
	CHECK(!symbolizer_kernel_available(s));
	CHECK(symbolizer_kernel(s, 0xffffffff81001010ULL) == NULL);
	symbolizer_free(s);
	unsetenv("SONDE_KALLSYMS");
}

static void test_hostile_files(void)
{
	if (!gcc_ok)
		SKIP("gcc not available");
	/* Truncations and corruptions of a real binary never crash. */
	FILE *f = fopen(tpath("gcc"), "rb");
	CHECK(f);
	static unsigned char img[1 << 20];
	size_t n = fread(img, 1, sizeof(img), f);
	fclose(f);
	CHECK(n > 4096);
	const size_t cuts[] = { 0, 4, 16, 63, 64, 200, 1000, 4096, 8192, 12000, 13000, 14000 };
	for (size_t c = 0; c < sizeof(cuts) / sizeof(cuts[0]) + 8; c++) {
		const char *p = tpath("bad");
		f = fopen(p, "wb");
		CHECK(f);
		size_t len = c < sizeof(cuts) / sizeof(cuts[0]) ? (cuts[c] < n ? cuts[c] : n) : n;
		unsigned char *copy = malloc(len ? len : 1);
		memcpy(copy, img, len);
		if (c >= sizeof(cuts) / sizeof(cuts[0])) {
			srand((unsigned)c);
			for (int k = 0; k < 200; k++)
				copy[64 + (size_t)rand() % (len - 64)] ^= (unsigned char)(1 + rand() % 255);
		}
		fwrite(copy, 1, len, f);
		fclose(f);
		free(copy);
		struct symbolizer *s = symbolizer_new();
		int m = symbolizer_module(s, p, NULL, 0);
		for (uint64_t a = 0x1000; a < 0x1400; a += 3)
			(void)symbolizer_lookup(s, m, a);
		uint64_t v;
		(void)symbolizer_offset_to_vaddr(s, m, 0x1100, &v);
		symbolizer_free(s);
	}
}

int main(void)
{
	if (!find_fixture()) {
		printf("SKIP test_symbolizer: tests/fixtures/sym_inline.c not found\n");
		return 0;
	}
	line_inner = find_line("MARK_INNER");
	line_call_inner = find_line("MARK_CALL_INNER");
	line_call_middle = find_line("MARK_CALL_MIDDLE");
	const char *base = getenv("SONDE_TMP");
	snprintf(tmpdir, sizeof(tmpdir), "%s/symXXXXXX", base && *base ? base : "/tmp");
	mkdir(base && *base ? base : "/tmp", 0755);
	if (!mkdtemp(tmpdir)) {
		printf("FAIL test_symbolizer: cannot create a temp dir\n");
		return 1;
	}
	/* no build-id cache but the tests' own */
	setenv("PERF_BUILDID_DIR", tpath("no-perf-cache"), 1);
	setenv("SONDE_BUILDID_DIR", tpath("no-cache"), 1);
	gcc_ok = have("gcc") && build("gcc", "-O2 -g", tpath("gcc"), 0) && build("gcc", "-O2 -g", tpath("gcc_v1"), 1);
	clang_ok = have("clang") && build("clang", "-O2 -g -gdwarf-4", tpath("clang4"), 0);
	binutils_ok = have("objcopy") && have("strip") && have("nm");

	RUN_S(test_inline_chain_gcc);
	RUN_S(test_inline_chain_clang_dwarf4);
	RUN_S(test_compressed_dwarf);
	RUN_S(test_plt);
	RUN_S(test_unknown_addresses);
	RUN_S(test_module_names);
	RUN_S(test_deleted_suffix);
	RUN_S(test_vdso);
	RUN_S(test_offset_to_vaddr);
	RUN_S(test_stripped_with_debuglink);
	RUN_S(test_stripped_with_build_id_dir);
	RUN_S(test_build_id_mismatch);
	RUN_S(test_build_id_cache);
	RUN_S(test_lookup_speed);
	RUN_S(test_rust_inline);
	RUN_S(test_kallsyms);
	RUN_S(test_hostile_files);

	unit_sh("rm -rf '%s'", tmpdir);
	UNIT_EXIT();
}
