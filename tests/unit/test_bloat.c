/* bloat/: crates from Rust paths, v0 symbols and DWARF unit names; names
 * without type arguments (--generics); cargo-bloat's table layout and
 * sizes. (Whole binaries: tests/e2e/e2e_bloat.sh.) */
#include <stdlib.h>
#include <string.h>

#include "bloat/bloat_crate.h"
#include "bloat/bloat_image.h"
#include "bloat/bloat_table.h"
#include "bloat/bloat_view.h"
#include "unit.h"

static char tc[64], rc[64];

static void crates(const char *name)
{
	bloat_path_crates(name, tc, rc, sizeof(tc));
}

static void test_path_crates(void)
{
	crates("shapes::summarize");
	CHECK_STR(tc, "shapes");
	CHECK_STR(rc, "");
	crates("<shapes::Circle as shapes::Shape>::area");
	CHECK_STR(tc, "shapes");
	CHECK_STR(rc, "shapes");
	crates("<u8 as core::fmt::Debug>::fmt");
	CHECK_STR(tc, "");
	CHECK_STR(rc, "core");
	crates("<&mut alloc::vec::Vec<u8> as std::io::Write>::write");
	CHECK_STR(tc, "alloc");
	CHECK_STR(rc, "std");
	crates("<dyn core::any::Any>::type_id");
	CHECK_STR(tc, "core");
	crates("<alloc::vec::Vec<T,A> as core::ops::drop::Drop>::drop");
	CHECK_STR(tc, "alloc");
	CHECK_STR(rc, "core");
	crates("<[u8]>::copy_within::<core::ops::range::Range<usize>>");
	CHECK_STR(tc, "");
	crates("hashbrown::rustc_entry::<impl hashbrown::map::HashMap<K,V,S,A>>::rustc_entry");
	CHECK_STR(tc, "hashbrown");
	crates("main");
	CHECK_STR(tc, "");
	crates("");
	CHECK_STR(tc, "");
	crates("<<<<");
	CHECK_STR(tc, "");
	crates(NULL);
	CHECK_STR(tc, "");
	/* a crate name longer than the buffer is no crate */
	char longname[200];
	memset(longname, 'a', 100);
	strcpy(longname + 100, "::f");
	crates(longname);
	CHECK_STR(tc, "");
}

static void test_unit_crate(void)
{
	char out[64];
	CHECK(bloat_unit_crate("src/main.rs/@/bloatapp.1a2b3c-cgu.0", "/w/app", true, out, sizeof(out)));
	CHECK_STR(out, "bloatapp");
	CHECK(bloat_unit_crate("/rustc/59807616/library/std/src/lib.rs/@/std.e28293b1-cgu.0", "/rustc/59807616", true, out,
			       sizeof(out)));
	CHECK_STR(out, "std");
	CHECK(bloat_unit_crate("crates/my-lib/src/lib.rs", "/ws", true, out, sizeof(out)));
	CHECK_STR(out, "my_lib");
	CHECK(bloat_unit_crate("geom.c", "/tmp/x/libgeom", false, out, sizeof(out)));
	CHECK_STR(out, "libgeom");
	CHECK(bloat_unit_crate("../csu/init-first.c", "/build/glibc-2.36/csu", false, out, sizeof(out)));
	CHECK_STR(out, "glibc");
	CHECK(bloat_unit_crate("/src/proj/main.c", NULL, false, out, sizeof(out)));
	CHECK_STR(out, "proj");
	CHECK(!bloat_unit_crate("main.c", NULL, false, out, sizeof(out)));
	/* a dash before digits is a version only when dotted to the end */
	CHECK(bloat_unit_crate("a.c", "/home/u/my-2fa-app", false, out, sizeof(out)));
	CHECK_STR(out, "my-2fa-app");
	CHECK(bloat_unit_crate("a.c", "/src/openssl-3.0.11/crypto/aes", false, out, sizeof(out)));
	CHECK_STR(out, "openssl");
	CHECK(!bloat_unit_crate(NULL, NULL, false, out, sizeof(out)));
}

static void test_v0_crate(void)
{
	char out[64];
	CHECK(bloat_v0_crate("_RINvMNtCsgEmfK2I1SDS_4core3stre18trim_start_matchesReECsgY6Mt91CT9J_14rustc_demangle", out,
			     sizeof(out)));
	CHECK_STR(out, "core");
	CHECK(bloat_v0_crate("_RNvCs1a_5hello4main", out, sizeof(out)));
	CHECK_STR(out, "hello");
	CHECK(bloat_v0_crate("_RNvC5hello4main", out, sizeof(out)));
	CHECK_STR(out, "hello");
	CHECK(!bloat_v0_crate("_ZN5hello4main17h0123456789abcdefE", out, sizeof(out)));
	CHECK(!bloat_v0_crate("_RC", out, sizeof(out)));
	CHECK(!bloat_v0_crate("_RCs_99999999999999999999", out, sizeof(out)));
}

static void test_strip_generics(void)
{
	char *s = bloat_strip_generics("core::ptr::drop_in_place::<alloc::vec::Vec<u8>>");
	CHECK_STR(s, "core::ptr::drop_in_place");
	free(s);
	s = bloat_strip_generics("<alloc::vec::Vec<T,A> as core::ops::drop::Drop>::drop");
	CHECK_STR(s, "<alloc::vec::Vec as core::ops::drop::Drop>::drop");
	free(s);
	s = bloat_strip_generics("hashbrown::rustc_entry::<impl hashbrown::map::HashMap<K,V,S,A>>::rustc_entry");
	CHECK_STR(s, "hashbrown::rustc_entry::<impl hashbrown::map::HashMap>::rustc_entry");
	free(s);
	s = bloat_strip_generics("app::apply::<fn() -> u8, [u8; 4]>");
	CHECK_STR(s, "app::apply");
	free(s);
	s = bloat_strip_generics("shapes::summarize");
	CHECK_STR(s, "shapes::summarize");
	free(s);
	s = bloat_strip_generics("std::operator<< <std::char_traits<char> >(std::ostream&, char const*)");
	CHECK_STR(s, "std::operator<< (std::ostream&, char const*)");
	free(s);
	s = bloat_strip_generics("Foo::operator<(Foo const&) const");
	CHECK_STR(s, "Foo::operator<(Foo const&) const");
	free(s);
	s = bloat_strip_generics("Foo<int>::operator->()");
	CHECK_STR(s, "Foo::operator->()");
	free(s);
	s = bloat_strip_generics("a>b<<c");
	CHECK(s); /* unbalanced: no crash, some string */
	free(s);
	s = bloat_strip_generics("");
	CHECK_STR(s, "");
	free(s);
}

static void test_sizes(void)
{
	char b[32];
	bloat_fmt_size(0, b, sizeof(b));
	CHECK_STR(b, "0B");
	bloat_fmt_size(1023, b, sizeof(b));
	CHECK_STR(b, "1023B");
	bloat_fmt_size(1024, b, sizeof(b));
	CHECK_STR(b, "1.0KiB");
	bloat_fmt_size(15974, b, sizeof(b));
	CHECK_STR(b, "15.6KiB");
	bloat_fmt_size(4811016, b, sizeof(b));
	CHECK_STR(b, "4.6MiB");
	bloat_fmt_pct(1, 3, b, sizeof(b));
	CHECK_STR(b, "33.3%");
	bloat_fmt_pct(1, 0, b, sizeof(b));
	CHECK_STR(b, "0.0%");
}

static void test_table(void)
{
	const char *h[] = { "File", ".text", "Size", "Crate", "Name" };
	const char *r1[] = { "0.3%", "5.5%", "15.6KiB", "std", "std::a_rather_long_function_name" };
	const char *r2[] = { "10.0%", "100.0%", "1B", "shapes", "shapes::f" };
	struct bloat_table t;
	bloat_table_init(&t, h, 5);
	bloat_table_row(&t, r1);
	bloat_table_row(&t, r2);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	CHECK(bloat_table_print(f, &t, 0) == 0);
	fclose(f);
	CHECK_STR(buf, " File  .text    Size  Crate Name\n"
		       " 0.3%   5.5% 15.6KiB    std std::a_rather_long_function_name\n"
		       "10.0% 100.0%      1B shapes shapes::f\n");
	free(buf);
	/* cut to 40 columns: the fixed columns take 29, the name 11 */
	f = open_memstream(&buf, &len);
	CHECK(bloat_table_print(f, &t, 40) == 0);
	fclose(f);
	CHECK(strstr(buf, " std std::a_ra...\n"));
	CHECK(strstr(buf, "shapes::f\n"));
	free(buf);
	bloat_table_free(&t);
}

int main(void)
{
	RUN(test_path_crates);
	RUN(test_unit_crate);
	RUN(test_v0_crate);
	RUN(test_strip_generics);
	RUN(test_sizes);
	RUN(test_table);
	UNIT_EXIT();
}
