/* sonde_demangle on real symbols: the Rust ones were taken with `nm` from
 * a tiny program built by rustc 1.95 (`-C opt-level=0 -g`, default legacy
 * mangling and `-C symbol-mangling-version=v0`). */
#include <stdlib.h>

#include "binary/symbolizer.h"
#include "unit.h"

static char last[4096];

/* Demangles into a static buffer so CHECK_STR can compare (and nothing leaks). */
static const char *dm(const char *sym)
{
	char *d = sonde_demangle(sym);
	if (!d)
		return NULL;
	snprintf(last, sizeof(last), "%s", d);
	free(d);
	return last;
}

static void test_rust_legacy(void)
{
	CHECK_STR(dm("_ZN7fixture3hot17hb02d2dfd9d567739E"), "fixture::hot");
	CHECK_STR(dm("_ZN7fixture4main17h9bfa3b1c6ccd05c4E"), "fixture::main");
	CHECK_STR(dm("_ZN7fixture16Wrapper$LT$T$GT$9get_first17h527064bb4b0a23dcE"), "fixture::Wrapper<T>::get_first");
	CHECK_STR(dm("_ZN7fixture4main28_$u7b$$u7b$closure$u7d$$u7d$17h4c37fb1379b38985E"),
		  "fixture::main::{{closure}}");
	CHECK_STR(dm("_ZN70_$LT$alloc..vec..Vec$LT$T$C$A$GT$$u20$as$u20$core..ops..drop..Drop$GT$4drop17hdd553ceaf2c012f0E"),
		  "<alloc::vec::Vec<T,A> as core::ops::drop::Drop>::drop");
	CHECK_STR(dm("_ZN3std11collections4hash3map28HashMap$LT$K$C$V$C$S$C$A$GT$6insert17h3c3ff62c261187e7E"),
		  "std::collections::hash::map::HashMap<K,V,S,A>::insert");
	CHECK_STR(dm("_ZN4core3ptr181drop_in_place$LT$hashbrown..scopeguard..ScopeGuard$LT$$RF$mut$u20$hashbrown..raw.."
		     "RawTableInner$C$hashbrown..raw..RawTableInner..rehash_in_place..$u7b$$u7b$closure$u7d$$u7d$$GT$$GT$"
		     "17hee29af1315330527E"),
		  "core::ptr::drop_in_place<hashbrown::scopeguard::ScopeGuard<&mut hashbrown::raw::RawTableInner,"
		  "hashbrown::raw::RawTableInner::rehash_in_place::{{closure}}>>");
}

static void test_rust_legacy_suffixes(void)
{
	/* LLVM's ThinLTO renames local symbols with a .llvm.<n> suffix. */
	CHECK_STR(dm("_ZN7fixture3hot17hb02d2dfd9d567739E.llvm.12345678901234"), "fixture::hot");
	CHECK_STR(dm("_ZN7fixture3hot17h0123456789abcdefE"), "fixture::hot");
	/* A hash libiberty rejects (too few distinct digits): our fallback. */
	CHECK_STR(dm("_ZN7fixture3hot17h0000000000000000E"), "fixture::hot");
	CHECK_STR(dm("_ZN7fixture3hot17h1111111111111111E.llvm.99"), "fixture::hot");
	CHECK_STR(dm("_ZN9$LT$a$GT$5$u7e$17h0000000000000000E"), "<a>::~");
	CHECK_STR(dm("_ZN4core3ptr46drop_in_place$LT$alloc..vec..Vec$LT$u8$GT$$GT$17hbf9efeb692dc59f9E"),
		  "core::ptr::drop_in_place<alloc::vec::Vec<u8>>");
}

static void test_rust_v0(void)
{
	CHECK_STR(dm("_RNvCsai4GBYXPky7_7fixture3hot"), "fixture::hot");
	CHECK_STR(dm("_RNvCsai4GBYXPky7_7fixture4main"), "fixture::main");
	CHECK_STR(dm("_RNCNvCsai4GBYXPky7_7fixture4main0B3_"), "fixture::main::{closure#0}");
	CHECK_STR(dm("_RNvMCsai4GBYXPky7_7fixtureINtB2_7WrapperhE9get_firstB2_"), "<fixture::Wrapper<u8>>::get_first");
	CHECK_STR(dm("_RINvNtCsgEmfK2I1SDS_4core3ptr13drop_in_placeINtCsai4GBYXPky7_7fixture7WrapperhEEBJ_"),
		  "core::ptr::drop_in_place::<fixture::Wrapper<u8>>");
	CHECK_STR(dm("_RNvXso_NtCslNYArtu3iFV_5alloc3vecINtB5_3VecNtNtB7_6string6StringENtNtNtCsgEmfK2I1SDS_4core3ops4"
		     "drop4Drop4dropCsfI8Qtdty9IQ_2f2"),
		  "<alloc::vec::Vec<alloc::string::String> as core::ops::drop::Drop>::drop");
	CHECK_STR(dm("_RNvXCsgvbsrvnw3yD_9hashbrownmINtB2_10EquivalentmE10equivalentCsai4GBYXPky7_7fixture"),
		  "<u32 as hashbrown::Equivalent<u32>>::equivalent");
	CHECK_STR(dm("_RNvXNtCsgEmfK2I1SDS_4core3anyReNtB2_3Any7type_idCsjrHSEGnQ3l9_3std"),
		  "<&str as core::any::Any>::type_id");
	/* No crate disambiguators ("[1a2b3c]") and no hashes in the output. */
	const char *s = dm("_RINvMs6_NtCsgvbsrvnw3yD_9hashbrown3rawINtB6_8RawTableTmNtNtCslNYArtu3iFV_5alloc6string6StringEE"
			   "14reserve_rehashNCINvNtB8_3map11make_hashermBR_NtNtNtCsjrHSEGnQ3l9_3std4hash6random11Random"
			   "StateE0ECsai4GBYXPky7_7fixture");
	CHECK_STR(s, "<hashbrown::raw::RawTable<(u32, alloc::string::String)>>::reserve_rehash::<hashbrown::map::"
		     "make_hasher<u32, alloc::string::String, std::hash::random::RandomState>::{closure#0}>");
	CHECK(!strchr(s, '['));
}

static void test_cxx(void)
{
	CHECK_STR(dm("_ZNSt6vectorIiSaIiEE9push_backERKi"), "std::vector<int, std::allocator<int> >::push_back(int const&)");
	CHECK_STR(dm("_Z3fooi"), "foo(int)");
	CHECK_STR(dm("_ZN3foo3barEv"), "foo::bar()");
	CHECK_STR(dm("_Z3fooi.cold"), "foo(int) [clone .cold]");
}

static void test_not_mangled(void)
{
	CHECK(dm("main") == NULL);
	CHECK(dm("hot") == NULL);
	CHECK(dm("") == NULL);
	CHECK(dm(NULL) == NULL);
	CHECK(dm("_Z") == NULL);
	CHECK(dm("_ZN") == NULL);
	CHECK(dm("_R") == NULL);
	CHECK(dm("_ZN7fixture3hot17hb02d2dfd9d5677") == NULL); /* truncated */
	CHECK(dm("_ZN99999999999999999999fixtureE") == NULL);
}

int main(void)
{
	RUN(test_rust_legacy);
	RUN(test_rust_legacy_suffixes);
	RUN(test_rust_v0);
	RUN(test_cxx);
	RUN(test_not_mangled);
	UNIT_EXIT();
}
