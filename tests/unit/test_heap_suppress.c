/* Leak suppressions: the pattern matcher, the file parser (hostile input
 * too), the builtin list, and reading embedded suppressions from an ELF. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "heap/suppress.h"
#include "unit.h"

/* This binary's own embedded suppressions, read back by test_embedded_self.
 * (Under ASan, LeakSanitizer reads them too: the pattern matches nothing.) */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "# sonde unit test\nleak:sonde_test_no_such_function\n";
}

static void test_match_substring(void)
{
	CHECK(supp_match("leak_named", "leak_named"));
	CHECK(supp_match("named", "leak_named"));
	CHECK(supp_match("leak", "leak_named"));
	CHECK(supp_match("b.c", "/tmp/supp/b.c"));
	CHECK(supp_match("libfoo", "/usr/lib/libfoo.so.1"));
	CHECK(!supp_match("leak_other", "leak_named"));
	CHECK(!supp_match("x", ""));
	CHECK(supp_match("", "")); /* equal strings always match */
	CHECK(!supp_match("leak_namedX", "leak_named"));
}

static void test_match_wildcards(void)
{
	CHECK(supp_match("*", "anything"));
	CHECK(supp_match("a*c", "abc"));
	CHECK(supp_match("a*c", "xxaYYcxx"));
	CHECK(supp_match("a*c", "ac"));
	CHECK(!supp_match("a*c", "ca"));
	CHECK(supp_match("std::*::push", "std::vector<int>::push"));
	CHECK(supp_match("a**b", "ab"));
	CHECK(supp_match("a*b*c", "a1b2c"));
	CHECK(!supp_match("a*b*c", "a1c2b"));
	/* each segment after the previous one, not overlapping it */
	CHECK(!supp_match("aba*aba", "ababa"));
	CHECK(supp_match("aba*aba", "abaXaba"));
}

static void test_match_anchors(void)
{
	CHECK(supp_match("^leak", "leak_named"));
	CHECK(!supp_match("^named", "leak_named"));
	CHECK(supp_match("named$", "leak_named"));
	CHECK(!supp_match("leak$", "leak_named"));
	CHECK(supp_match("^leak_named$", "leak_named"));
	CHECK(!supp_match("^leak_name$", "leak_named"));
	CHECK(!supp_match("^eak_named$", "leak_named"));
	CHECK(supp_match("^l*d$", "leak_named"));
	CHECK(supp_match("^*named", "leak_named"));
	CHECK(supp_match("leak*$", "leak_named"));
	/* the segment before '$' is tried at the end, not where it first occurs
	 * (LSan's own matcher misses this one) */
	CHECK(supp_match("a$", "aXa"));
	CHECK(supp_match("*a$", "aXa"));
	/* '$' alone: only the empty string, which never matches */
	CHECK(!supp_match("$", "x"));
	CHECK(!supp_match("^$", "x"));
	CHECK(supp_match("^", "x"));
	/* text after '$' is ignored, as LSan does */
	CHECK(supp_match("named$junk", "leak_named"));
	CHECK(supp_match("a$b", "a$b")); /* but an equal string matches */
	/* '^' only means something first */
	CHECK(supp_match("x^y", "x^y"));
	CHECK(supp_match("b^", "ab^c"));
}

struct bad {
	int n;
	char last[256];
};

static void on_bad(const char *line, size_t n, void *ctx)
{
	struct bad *b = ctx;
	b->n++;
	snprintf(b->last, sizeof(b->last), "%.*s", (int)n, line);
}

static void test_parse(void)
{
	const char text[] = "# a comment\n"
			    "\n"
			    "leak:leak_named\n"
			    "   leak:padded   \t\n"
			    "leak:crlf\r\n"
			    "leak:\n"
			    "  # indented comment\n"
			    "interceptor_via_fun:foo\n"
			    "leak: inner space\n"
			    "leak:last";
	struct heap_suppressions s = { 0 };
	struct bad b = { 0 };
	CHECK_INT(supp_parse(&s, text, sizeof(text) - 1, on_bad, &b), 5);
	CHECK_INT(s.v.n, 5);
	CHECK_STR(s.v.v[0].pattern, "leak_named");
	CHECK_STR(s.v.v[1].pattern, "padded");
	CHECK_STR(s.v.v[2].pattern, "crlf");
	CHECK_STR(s.v.v[3].pattern, " inner space");
	CHECK_STR(s.v.v[4].pattern, "last");
	CHECK_INT(b.n, 1);
	CHECK_STR(b.last, "interceptor_via_fun:foo");
	CHECK_INT(supp_find(&s, "x_leak_named_y"), 0);
	CHECK_INT(supp_find(&s, "crlf"), 2);
	CHECK_INT(supp_find(&s, "nothing"), -1);
	CHECK_INT(supp_find(&s, NULL), -1);
	supp_free(&s);
	CHECK_INT(s.v.n, 0);
}

static void test_parse_hostile(void)
{
	struct heap_suppressions s = { 0 };
	struct bad b = { 0 };
	/* NUL bytes: the line is invalid, nothing after it is lost */
	const char nul[] = "leak:ab\0cd\nleak:ok\n\0\0\0\nleak:tail";
	CHECK_INT(supp_parse(&s, nul, sizeof(nul) - 1, on_bad, &b), 2);
	CHECK_STR(s.v.v[0].pattern, "ok");
	CHECK_STR(s.v.v[1].pattern, "tail");
	CHECK_INT(b.n, 2);
	supp_free(&s);
	/* a 4 MiB line without a newline: one pattern, whole */
	size_t big = 4u << 20;
	char *huge = malloc(big);
	CHECK(huge);
	memcpy(huge, "leak:", 5);
	memset(huge + 5, 'x', big - 5);
	CHECK_INT(supp_parse(&s, huge, big, NULL, NULL), 1);
	CHECK_INT(strlen(s.v.v[0].pattern), big - 5);
	CHECK(supp_match(s.v.v[0].pattern, "xx") == false);
	supp_free(&s);
	/* an invalid huge line is handed over cut to 200 bytes */
	huge[0] = 'X';
	b.n = 0;
	CHECK_INT(supp_parse(&s, huge, big, on_bad, &b), 0);
	CHECK_INT(b.n, 1);
	CHECK_INT(strlen(b.last), 200);
	free(huge);
	/* random bytes: parse, then match every pattern against random text */
	uint32_t x = 12345;
	for (int round = 0; round < 200; round++) {
		char buf[512], str[64];
		size_t n = 0;
		while (n < sizeof(buf)) {
			x = x * 1103515245u + 12345u;
			uint8_t c = (uint8_t)(x >> 16);
			if (c % 7 == 0)
				buf[n++] = '\n';
			else if (c % 11 == 0 && n + 5 < sizeof(buf))
				memcpy(buf + n, "leak:", 5), n += 5;
			else
				buf[n++] = "ab*^$\0 \t#x"[c % 10];
		}
		supp_parse(&s, buf, round % 2 ? n : n / 3, NULL, NULL);
		for (size_t k = 0; k < sizeof(str) - 1; k++) {
			x = x * 1103515245u + 12345u;
			str[k] = "ab*^$x"[(x >> 16) % 6];
		}
		str[(x >> 8) % sizeof(str)] = 0;
		str[sizeof(str) - 1] = 0;
		for (size_t k = 0; k < s.v.n; k++)
			(void)supp_match(s.v.v[k].pattern, str);
		supp_free(&s);
	}
	/* nothing at all */
	CHECK_INT(supp_parse(&s, "", 0, on_bad, &b), 0);
	CHECK_INT(supp_parse(&s, "\n\n\n", 3, on_bad, &b), 0);
	CHECK_INT(s.v.n, 0);
}

static void test_load_file(void)
{
	const char *dir = getenv("SONDE_TMP");
	char path[512];
	snprintf(path, sizeof(path), "%s/test_heap_suppress.%d.supp", dir && *dir ? dir : "/tmp", (int)getpid());
	FILE *f = fopen(path, "w");
	CHECK(f);
	fputs("leak:one\n# two\nleak:three", f);
	fclose(f);
	struct heap_suppressions s = { 0 };
	CHECK_INT(supp_load_file(&s, path), 0);
	remove(path);
	CHECK_INT(s.v.n, 2);
	CHECK_STR(s.v.v[1].pattern, "three");
	CHECK_INT(supp_load_file(&s, path), -1); /* gone now */
	CHECK_INT(s.v.n, 2);
	supp_free(&s);
}

static void test_builtin(void)
{
	struct heap_suppressions s = { 0 };
	supp_add_builtin(&s);
	CHECK(s.v.n >= 7);
	CHECK(supp_find(&s, "tzset_internal") >= 0);
	CHECK(supp_find(&s, "dl_open_worker_begin") >= 0); /* newer glibc's name */
	CHECK(supp_find(&s, "__nss_module_allocate") >= 0);
	CHECK(supp_find(&s, "__gconv_read_conf") >= 0);
	CHECK(supp_find(&s, "__new_exitfn") >= 0);
	CHECK(supp_find(&s, "g_main_context_new") >= 0);
	CHECK(supp_find(&s, "g_thread_self") >= 0);
	CHECK_INT(supp_find(&s, "main"), -1);
	CHECK_INT(supp_find(&s, "/usr/lib/x86_64-linux-gnu/libc.so.6"), -1);
	supp_free(&s);
}

static void test_x86_decode(void)
{
	uint64_t a = 0;
	/* lea 0xe21(%rip), %rax; ret  at 0x11e0 -> 0x2008 */
	const uint8_t lea[] = { 0x48, 0x8d, 0x05, 0x21, 0x0e, 0x00, 0x00, 0xc3 };
	CHECK(supp_x86_returned_address(lea, sizeof(lea), 0x11e0, &a));
	CHECK_INT(a, 0x2008);
	/* negative displacement */
	const uint8_t back[] = { 0x48, 0x8d, 0x05, 0xf0, 0xff, 0xff, 0xff, 0xc3 };
	CHECK(supp_x86_returned_address(back, sizeof(back), 0x1000, &a));
	CHECK_INT(a, 0x1000 + 7 - 16);
	/* endbr64; push %rbp; mov %rsp,%rbp; lea; pop; ret (-O0 with CET) */
	const uint8_t o0[] = { 0xf3, 0x0f, 0x1e, 0xfa, 0x55, 0x48, 0x89, 0xe5, 0x48, 0x8d,
			       0x05, 0x10, 0x00, 0x00, 0x00, 0x5d, 0xc3 };
	CHECK(supp_x86_returned_address(o0, sizeof(o0), 0x400000, &a));
	CHECK_INT(a, 0x400000 + 15 + 0x10);
	/* mov $0x402010, %eax; ret (non-PIE) */
	const uint8_t imm[] = { 0xb8, 0x10, 0x20, 0x40, 0x00, 0xc3 };
	CHECK(supp_x86_returned_address(imm, sizeof(imm), 0x401000, &a));
	CHECK_INT(a, 0x402010);
	/* movabs $0x123456789, %rax */
	const uint8_t abs64[] = { 0x48, 0xb8, 0x89, 0x67, 0x45, 0x23, 0x01, 0x00, 0x00, 0x00, 0xc3 };
	CHECK(supp_x86_returned_address(abs64, sizeof(abs64), 0, &a));
	CHECK_INT(a, 0x123456789ll);
	/* mov $simm32, %rax */
	const uint8_t simm[] = { 0x48, 0xc7, 0xc0, 0x00, 0x10, 0x60, 0x00, 0xc3 };
	CHECK(supp_x86_returned_address(simm, sizeof(simm), 0, &a));
	CHECK_INT(a, 0x601000);
	/* anything else: a call, a load through memory, xor (returns NULL) */
	const uint8_t call[] = { 0xe8, 0x00, 0x00, 0x00, 0x00, 0xc3 };
	const uint8_t load[] = { 0x48, 0x8b, 0x05, 0x00, 0x10, 0x00, 0x00, 0xc3 };
	const uint8_t xor[] = { 0x31, 0xc0, 0xc3 };
	const uint8_t push_other[] = { 0x55, 0x48, 0x89, 0xe0 };
	CHECK(!supp_x86_returned_address(call, sizeof(call), 0, &a));
	CHECK(!supp_x86_returned_address(load, sizeof(load), 0, &a));
	CHECK(!supp_x86_returned_address(xor, sizeof(xor), 0, &a));
	CHECK(!supp_x86_returned_address(push_other, sizeof(push_other), 0, &a));
	/* every truncation of the valid forms: no match, no overread (ASan) */
	const uint8_t *forms[] = { lea, o0, imm, abs64, simm };
	const size_t lens[] = { sizeof(lea), sizeof(o0), sizeof(imm), sizeof(abs64), sizeof(simm) };
	const size_t need[] = { 7, 15, 5, 10, 7 }; /* up to the end of the load */
	for (size_t f = 0; f < 5; f++)
		for (size_t n = 0; n <= lens[f]; n++) {
			uint8_t *copy = malloc(n + 1);
			memcpy(copy, forms[f], n);
			bool ok = supp_x86_returned_address(copy, n, 0, &a);
			free(copy);
			CHECK(ok == (n >= need[f]));
		}
}

static void test_embedded_self(void)
{
	const char *why = "unset";
#if defined(__x86_64__)
	char *text = supp_embedded_text("/proc/self/exe", &why);
	if (!text)
		printf("note: embedded suppressions not read: %s\n", why ? why : "no function found");
	CHECK(text);
	CHECK_STR(text, __lsan_default_suppressions());
	free(text);
#endif
	/* not an ELF file, a missing file: nothing, no reason */
	why = "unset";
	CHECK(!supp_embedded_text("/proc/self/status", &why));
	CHECK(why == NULL);
	CHECK(!supp_embedded_text("/nonexistent/sonde", &why));
	CHECK(why == NULL);
	CHECK(!supp_embedded_text(NULL, &why));
	/* an ELF file without the function */
	CHECK(!supp_embedded_text("/bin/sh", &why));
	CHECK(why == NULL);
}

int main(void)
{
	RUN(test_match_substring);
	RUN(test_match_wildcards);
	RUN(test_match_anchors);
	RUN(test_parse);
	RUN(test_parse_hostile);
	RUN(test_load_file);
	RUN(test_builtin);
	RUN(test_x86_decode);
	RUN(test_embedded_self);
	UNIT_EXIT();
}
