/* cargo bloat: which of cargo's compiler-artifact messages is analyzed */
#include <stdbool.h>

#include "unit.h"
#include "compat/compat.h"

/* one compiler-artifact line of `cargo build --message-format=json` */
#define ART(kind, types, files, exe)                                                                    \
	"{\"reason\":\"compiler-artifact\",\"target\":{\"kind\":[" kind "],\"crate_types\":[" types "],"    \
	"\"name\":\"x\"},\"filenames\":[" files "],\"executable\":" exe ",\"fresh\":false}\n"

#define RLIB(n) ART("\"lib\"", "\"lib\"", "\"/t/lib" n ".rlib\",\"/t/deps/lib" n "-1.rmeta\"", "null")
#define BIN(n) ART("\"bin\"", "\"bin\"", "\"/t/" n "\"", "\"/t/" n "\"")
#define CDYLIB(n) ART("\"cdylib\",\"rlib\"", "\"cdylib\",\"rlib\"", "\"/t/lib" n ".so\",\"/t/lib" n ".rlib\"", "null")
#define BUILD_SCRIPT ART("\"custom-build\"", "\"bin\"", "\"/t/build/b/build-script-build\"", "\"/t/build/b/bs\"")
#define OTHER "{\"reason\":\"compiler-message\",\"message\":{\"rendered\":\"warning\"}}\n" \
	      "{\"reason\":\"build-script-executed\",\"package_id\":\"p\"}\n"

static char *pick(const char *out, bool lib, const char **why)
{
	*why = NULL;
	return cargo_bloat_artifact(out, lib, why);
}

static void test_last_binary(void)
{
	const char *why;
	char *p = pick(RLIB("shapes") OTHER RLIB("textkit") BIN("app") "{\"reason\":\"build-finished\",\"success\":true}\n",
		       false, &why);
	CHECK_STR(p, "/t/app");
	free(p);
	/* several binaries: the last one, as cargo-bloat; build scripts are not candidates */
	p = pick(BIN("one") BIN("two") BUILD_SCRIPT, false, &why);
	CHECK_STR(p, "/t/two");
	free(p);
	/* a binary, then a library that finished later: still the binary */
	p = pick(BIN("app") RLIB("late"), false, &why);
	CHECK_STR(p, "/t/app");
	free(p);
}

static void test_cdylib(void)
{
	const char *why;
	char *p = pick(RLIB("dep") CDYLIB("plugin"), false, &why);
	CHECK_STR(p, "/t/libplugin.so");
	free(p);
	/* --lib: binaries are not what was asked for */
	p = pick(CDYLIB("plugin") BIN("app"), true, &why);
	CHECK_STR(p, "/t/libplugin.so");
	free(p);
}

static void test_refused(void)
{
	const char *why;
	/* only rlibs (`cargo bloat --lib` on a plain library) */
	CHECK(!pick(RLIB("shapes") RLIB("textkit"), true, &why));
	CHECK(why && strstr(why, "only 'bin', 'dylib' and 'cdylib' crate types are supported"));
	CHECK(!pick(BIN("app"), true, &why));
	CHECK(why && strstr(why, "crate types"));
	/* no artifact at all; broken lines are skipped */
	CHECK(!pick("{\"reason\":\"compiler-artifact\", broken\n" OTHER, false, &why));
	CHECK(why && strstr(why, "no build artifact"));
	CHECK(!pick("", false, &why));
	CHECK(why != NULL);
}

int main(void)
{
	RUN(test_last_binary);
	RUN(test_cdylib);
	RUN(test_refused);
	UNIT_EXIT();
}
