/* bloat --sections (src/bloat/bloat_sections*.c, bloat_claim.c): the
 * columns add up to the file and to the PT_LOAD segments, sections match
 * their headers, a .o and .tbss are counted as bloaty would, -n folds rows
 * into [N Others], and hostile files give an error, never a crash. */
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bloat/bloat_claim.h"
#include "bloat/bloat_sections.h"
#include "unit.h"

static char dir[] = "/tmp/sonde-bloat-sec-XXXXXX";
static int have_cc;

static void test_claims(void)
{
	/* b overlaps a's tail and c is inside a: the first claimant keeps its bytes. */
	struct bloat_claim c[] = { { 10, 20, 0 }, { 15, 30, 1 }, { 12, 14, 2 }, { 40, 40, 2 }, { 50, 60, 0 } };
	uint64_t share[3] = { 0 };
	CHECK_INT(bloat_claims_resolve(c, 5, share), 30);
	CHECK_INT(share[0], 20);
	CHECK_INT(share[1], 10);
	CHECK_INT(share[2], 0);
	struct bloat_claim d[] = { { 0, UINT64_MAX, 1 }, { 5, 10, 0 } };
	uint64_t s2[2] = { 0 };
	CHECK(bloat_claims_resolve(d, 2, s2) == UINT64_MAX);
	CHECK(s2[1] == UINT64_MAX && s2[0] == 0);
	CHECK_INT(bloat_claims_resolve(NULL, 0, s2), 0);
}

static const struct bloat_sec_row *row(const struct bloat_sections *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->rows[i].name, name))
			return &s->rows[i];
	return NULL;
}

/* The invariants every file must keep. */
static int sums_ok(const struct bloat_sections *s, const char *path)
{
	struct stat st;
	uint64_t f = 0, v = 0, kf = 0;
	for (size_t i = 0; i < s->n; i++) {
		f += s->rows[i].file;
		v += s->rows[i].vm;
		if (i && s->rows[i - 1].file < s->rows[i].file && s->rows[i - 1].vm < s->rows[i].file)
			return 0; /* not biggest first */
	}
	for (int k = 0; k < BLOAT_KINDS; k++)
		kf += s->kind_file[k];
	return !stat(path, &st) && f == (uint64_t)st.st_size && s->file_size == f && kf == f && v == s->vm_size + s->tls_bss;
}

static void test_self(void)
{
	struct bloat_sections s;
	CHECK(bloat_sections_read("/proc/self/exe", &s) == 0);
	CHECK(sums_ok(&s, "/proc/self/exe"));
	const struct bloat_sec_row *text = row(&s, ".text"), *eh = row(&s, "[ELF Header]");
	CHECK(text && text->file == text->vm && text->file > 0 && text->kind == BLOAT_LOADED);
	CHECK(eh && eh->file == 64 && eh->vm == 0 && eh->kind == BLOAT_HEADERS);
	CHECK(row(&s, "[ELF Section Headers]") && row(&s, "[ELF Program Headers]"));
	CHECK(!s.relocatable && s.vm_size >= text->vm);
	const struct bloat_sec_row *bss = row(&s, ".bss");
	CHECK(!bss || (bss->file == 0 && bss->vm > 0));
	/* Built with -g: debug info, and strip saves at least it and the symbols. */
	CHECK(s.kind_file[BLOAT_DEBUG] > 0 && s.strip_debug_saves > s.kind_file[BLOAT_DEBUG]);
	CHECK(s.strip_saves > s.strip_debug_saves + s.kind_file[BLOAT_SYMTAB]);
	bloat_sections_free(&s);
}

/* The table, -n folding and JSON of one file, as text. */
static char *render(const struct bloat_sections *s, int n, enum bloat_format fmt)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct bloat_opts o = { .n = n, .format = fmt, .section_view = true };
	bloat_sections_write(f, "a \"b\"\n", s, &o);
	fclose(f);
	return buf;
}

static void test_output(void)
{
	struct bloat_sections s;
	CHECK(bloat_sections_read("/proc/self/exe", &s) == 0);
	CHECK(s.n > 6);
	char *all = render(&s, 0, BLOAT_TABLE), *five = render(&s, 5, BLOAT_TABLE);
	char others[32];
	snprintf(others, sizeof(others), "[%zu Others]\n", s.n - 5);
	CHECK(strstr(all, "    FILE SIZE        VM SIZE    \n --------------  -------------- \n") == all);
	CHECK(strstr(all, " 100.0%") && strstr(all, "    TOTAL\n") && !strstr(all, "Others]"));
	CHECK(strstr(five, others) && strstr(five, "strip would save about "));
	int lines = 0;
	for (char *p = strstr(five, "TOTAL"); p > five; p--)
		lines += *p == '\n';
	CHECK_INT(lines, 2 + 5 + 1);
	char *js = render(&s, 3, BLOAT_JSON);
	const char *head = "{\"file\":\"a \\\"b\\\"\\n\",\"file-size\":";
	CHECK(strncmp(js, head, strlen(head)) == 0);
	CHECK(strstr(js, "\"groups\":{\"loaded\":{") && strstr(js, "\"strip-debug-saves\":"));
	snprintf(others, sizeof(others), "\"name\":\"[%zu Others]\"", s.n - 3);
	CHECK(strstr(js, others));
	free(all);
	free(five);
	free(js);
	bloat_sections_free(&s);
}

static int copy_patch(const char *src, const char *dst, size_t len, const uint64_t *patch, int n);

/* The header index of section `name` (0 if none), and e_shoff. */
static size_t section_index(const char *path, const char *name, uint64_t *shoff, uint32_t *sh_name)
{
	int fd = open(path, O_RDONLY);
	elf_version(EV_CURRENT);
	Elf *elf = fd >= 0 ? elf_begin(fd, ELF_C_READ, NULL) : NULL;
	size_t found = 0, strndx;
	GElf_Ehdr eh;
	if (elf && gelf_getehdr(elf, &eh) && !elf_getshdrstrndx(elf, &strndx)) {
		*shoff = eh.e_shoff;
		for (Elf_Scn *scn = NULL; !found && (scn = elf_nextscn(elf, scn));) {
			GElf_Shdr sh;
			const char *n = gelf_getshdr(scn, &sh) ? elf_strptr(elf, strndx, sh.sh_name) : NULL;
			if (n && !strcmp(n, name)) {
				found = elf_ndxscn(scn);
				*sh_name = sh.sh_name;
			}
		}
	}
	if (elf)
		elf_end(elf);
	if (fd >= 0)
		close(fd);
	return found;
}

/* The compiled tls.c's paths (main), or false when there is no cc. */
static bool tls_files(const char *test, char *exe, char *obj, size_t n)
{
	if (!have_cc)
		printf("SKIP %s: no cc\n", test);
	snprintf(exe, n, "%s/tls", dir);
	snprintf(obj, n, "%s/tls.o", dir);
	return have_cc;
}

/* A C file with thread-locals, as an executable and as a .o. */
static void test_object_and_tbss(void)
{
	char exe[64], obj[64];
	if (!tls_files(__func__, exe, obj, sizeof(exe)))
		return;
	struct bloat_sections s;
	CHECK(bloat_sections_read(obj, &s) == 0);
	CHECK(sums_ok(&s, obj) && s.relocatable);
	CHECK(!row(&s, "[ELF Program Headers]") && !row(&s, "[LOAD #0 [R]]"));
	const struct bloat_sec_row *tb = row(&s, ".tbss"), *text = row(&s, ".text");
	CHECK(tb && tb->tls_bss && tb->vm == 4096 && tb->file == 0 && s.tls_bss == 4096);
	CHECK(text && s.vm_size >= text->vm);
	CHECK(row(&s, ".rela.debug_info") && row(&s, ".rela.debug_info")->kind == BLOAT_DEBUG);
	bloat_sections_free(&s);
	CHECK(bloat_sections_read(exe, &s) == 0);
	CHECK(sums_ok(&s, exe) && !s.relocatable);
	tb = row(&s, ".tbss");
	CHECK(tb && tb->vm == 4096 && s.tls_bss == 4096);
	CHECK(row(&s, ".symtab")->kind == BLOAT_SYMTAB && row(&s, ".strtab")->kind == BLOAT_SYMTAB);
	CHECK(row(&s, ".comment") && row(&s, ".comment")->kind == BLOAT_OTHER);
	bloat_sections_free(&s);
	/* .tbss named .data (fuzz_bloat_sections' regress/tbss-name-merged):
	 * one row of both, its per-thread part still apart from the TOTAL. */
	uint64_t shoff = 0;
	uint32_t data_name = 0, tbss_name = 0;
	size_t data = section_index(exe, ".data", &shoff, &data_name), tbss = section_index(exe, ".tbss", &shoff, &tbss_name);
	CHECK(data && tbss);
	char renamed[80];
	snprintf(renamed, sizeof(renamed), "%s/renamed", dir);
	uint64_t patch[] = { shoff + tbss * 64, data_name | (uint64_t)SHT_NOBITS << 32 };
	CHECK(copy_patch(exe, renamed, 0, patch, 1) == 0);
	CHECK(bloat_sections_read(renamed, &s) == 0);
	CHECK(sums_ok(&s, renamed) && !row(&s, ".tbss") && row(&s, ".data")->vm > 4096);
	CHECK(s.tls_bss == 4096);
	bloat_sections_free(&s);
}

/* Writes the first `len` bytes of src (all if 0) to dst, then `n` patches
 * of 8 bytes (little-endian) at the given offsets. */
static int copy_patch(const char *src, const char *dst, size_t len, const uint64_t *patch, int n)
{
	int in = open(src, O_RDONLY), out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	struct stat st;
	if (in < 0 || out < 0 || fstat(in, &st))
		return -1;
	size_t size = len ? len : (size_t)st.st_size;
	char *buf = malloc(size);
	int ok = read(in, buf, size) == (ssize_t)size;
	for (int i = 0; ok && i < n; i++)
		if (patch[2 * i] + 8 <= size)
			memcpy(buf + patch[2 * i], &patch[2 * i + 1], 8);
	ok = ok && write(out, buf, size) == (ssize_t)size;
	free(buf);
	close(in);
	close(out);
	return ok ? 0 : -1;
}

static void test_hostile(void)
{
	char p[96];
	struct bloat_sections s;
	struct stat st;
	CHECK(stat("/proc/self/exe", &st) == 0);
	fprintf(stderr, "(test_hostile: the errors below are expected)\n");
	CHECK(bloat_sections_read("/nonexistent/sonde-bloat", &s) == -1);
	CHECK(bloat_sections_read(dir, &s) == -1);
	snprintf(p, sizeof(p), "%s/text", dir);
	CHECK(unit_sh("printf 'hello' > %s", p) == 0);
	CHECK(bloat_sections_read(p, &s) == -1);
	CHECK(unit_sh(": > %s", p) == 0);
	CHECK(bloat_sections_read(p, &s) == -1);
	CHECK(unit_sh("printf '!<arch>\\n' > %s", p) == 0);
	CHECK(bloat_sections_read(p, &s) == -1);
	/* Cut short: in the ELF header, then in the section data. */
	snprintf(p, sizeof(p), "%s/cut", dir);
	CHECK(copy_patch("/proc/self/exe", p, 40, NULL, 0) == 0);
	CHECK(bloat_sections_read(p, &s) == -1);
	CHECK(copy_patch("/proc/self/exe", p, (size_t)st.st_size / 2, NULL, 0) == 0);
	CHECK(bloat_sections_read(p, &s) == -1);
	/* e_shoff far away; then section 1's data at an offset that wraps. */
	uint64_t shoff;
	int fd = open("/proc/self/exe", O_RDONLY);
	CHECK(fd >= 0 && pread(fd, &shoff, 8, 0x28) == 8);
	close(fd);
	uint64_t far[] = { 0x28, UINT64_MAX - 100 };
	CHECK(copy_patch("/proc/self/exe", p, 0, far, 1) == 0);
	CHECK(bloat_sections_read(p, &s) == -1);
	uint64_t wrap[] = { shoff + 64 + 24, UINT64_MAX - 2 };
	CHECK(copy_patch("/proc/self/exe", p, 0, wrap, 1) == 0);
	CHECK(bloat_sections_read(p, &s) == -1);
	/* Section 1 over the ELF header, section 2 at a wrapping address:
	 * read, and the columns still add up. */
	uint64_t overlap[] = { shoff + 64 + 24, 0, shoff + 64 + 32, 4096, shoff + 128 + 16, UINT64_MAX - 8,
			       shoff + 128 + 8, SHF_ALLOC };
	CHECK(copy_patch("/proc/self/exe", p, 0, overlap, 4) == 0);
	CHECK(bloat_sections_read(p, &s) == 0);
	CHECK(sums_ok(&s, p));
	CHECK(!row(&s, "[ELF Header]"));
	bloat_sections_free(&s);
}

/* The .o cut to its first k sections (e_shnum = k), for every k: the row
 * array grows past each size, at each row added (the [Unmapped] row once
 * wrote through the array's old address: fuzz regress/unmapped-row-realloc). */
static void test_section_counts(void)
{
	char exe[64], obj[64], cut[80];
	if (!tls_files(__func__, exe, obj, sizeof(exe)))
		return;
	snprintf(cut, sizeof(cut), "%s/cut.o", dir);
	struct bloat_sections s;
	CHECK(bloat_sections_read(obj, &s) == 0);
	size_t rows = s.n;
	bloat_sections_free(&s);
	CHECK(rows > 20);
	uint16_t strndx = 0;
	int fd = open(obj, O_RDONLY);
	CHECK(fd >= 0 && pread(fd, &strndx, 2, 0x3e) == 2);
	close(fd);
	for (uint64_t k = 1; k < rows; k++) {
		/* e_phnum, e_shentsize, e_shnum, e_shstrndx (names lost past k) */
		uint64_t patch[] = { 0x38, (uint64_t)64 << 16 | k << 32 | (uint64_t)strndx << 48 };
		CHECK(copy_patch(obj, cut, 0, patch, 1) == 0);
		CHECK(bloat_sections_read(cut, &s) == 0);
		CHECK(sums_ok(&s, cut));
		bloat_sections_free(&s);
	}
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	have_cc = unit_sh("printf '__thread char t[4096]; __thread int u = 1;\\nint main(void) { return t[0] + u; }\\n' "
			  ">%s/tls.c && cc -g -O0 -o %s/tls %s/tls.c && cc -g -c -o %s/tls.o %s/tls.c",
			  dir, dir, dir, dir, dir) == 0;
	RUN(test_claims);
	RUN(test_self);
	RUN(test_output);
	RUN(test_object_and_tbss);
	RUN(test_hostile);
	RUN(test_section_counts);
	unit_sh("rm -rf %s", dir);
	UNIT_EXIT();
}
