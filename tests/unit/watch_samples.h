/* Output captured from the real tools (cargo and rustc 1.95,
 * gcc 12, clang 14, GNU ld and make of Debian 12), stdout and stderr
 * merged, one string a line; for test_watch_analysis.c. */

/* cargo check, one error (E0425), --color always */
static const char *const sample_check_err[] = {
	"\033[1m\033[92m    Checking\033[0m rp v0.1.0 (/tmp/i19a/rp)",
	"\033[1m\033[91merror[E0425]\033[0m\033[1m: cannot find value `undefined_thing` in this scope\033[0m",
	" \033[1m\033[94m--> \033[0msrc/main.rs:3:13",
	"  \033[1m\033[94m|\033[0m",
	"\033[1m\033[94m3\033[0m \033[1m\033[94m|\033[0m     let y = undefined_thing;",
	"  \033[1m\033[94m|\033[0m             \033[1m\033[91m^^^^^^^^^^^^^^^\033[0m \033[1m\033[91mnot found in this scope\033[0m",
	"",
	"\033[1mFor more information about this error, try `rustc --explain E0425`.\033[0m",
	"\033[1m\033[91merror\033[0m: could not compile `rp` (bin \"rp\") due to 1 previous error",
};

/* cargo check, 3 warnings */
static const char *const sample_check_warn[] = {
	"\033[1m\033[92m    Checking\033[0m rp v0.1.0 (/tmp/i19a/rp)",
	"\033[1m\033[33mwarning\033[0m\033[1m: unused variable: `unused`\033[0m",
	" \033[1m\033[94m--> \033[0msrc/main.rs:2:9",
	"  \033[1m\033[94m|\033[0m",
	"\033[1m\033[94m2\033[0m \033[1m\033[94m|\033[0m     let unused = 3;",
	"  \033[1m\033[94m|\033[0m         \033[1m\033[33m^^^^^^\033[0m \033[1m\033[33mhelp: if this is intentional, prefix it with an underscore: `_unused`\033[0m",
	"  \033[1m\033[94m|\033[0m",
	"  \033[1m\033[94m= \033[0m\033[1mnote\033[0m: `#[warn(unused_variables)]` (part of `#[warn(unused)]`) on by default",
	"",
	"\033[1m\033[33mwarning\033[0m\033[1m: unused variable: `y`\033[0m",
	" \033[1m\033[94m--> \033[0msrc/main.rs:3:9",
	"  \033[1m\033[94m|\033[0m",
	"\033[1m\033[94m3\033[0m \033[1m\033[94m|\033[0m     let y = 2;",
	"  \033[1m\033[94m|\033[0m         \033[1m\033[33m^\033[0m \033[1m\033[33mhelp: if this is intentional, prefix it with an underscore: `_y`\033[0m",
	"",
	"\033[1m\033[33mwarning\033[0m\033[1m: function `dead` is never used\033[0m",
	" \033[1m\033[94m--> \033[0msrc/main.rs:5:4",
	"  \033[1m\033[94m|\033[0m",
	"\033[1m\033[94m5\033[0m \033[1m\033[94m|\033[0m fn dead() {}",
	"  \033[1m\033[94m|\033[0m    \033[1m\033[33m^^^^\033[0m",
	"  \033[1m\033[94m|\033[0m",
	"  \033[1m\033[94m= \033[0m\033[1mnote\033[0m: `#[warn(dead_code)]` (part of `#[warn(unused)]`) on by default",
	"",
	"\033[1m\033[33mwarning\033[0m: `rp` (bin \"rp\") generated 3 warnings (run `cargo fix --bin \"rp\" -p rp` to apply 2 suggestions)",
	"\033[1m\033[92m    Finished\033[0m `dev` profile [unoptimized + debuginfo] target(s) in 0.09s",
};

/* cargo test, 1 passed, 2 failed (RUST_BACKTRACE=0) */
static const char *const sample_test[] = {
	"\033[1m\033[92m   Compiling\033[0m rp v0.1.0 (/tmp/i19a/rp)",
	"\033[1m\033[92m    Finished\033[0m `test` profile [unoptimized + debuginfo] target(s) in 0.55s",
	"\033[1m\033[92m     Running\033[0m unittests src/main.rs (target/debug/deps/rp-be4551e2e89d79d7)",
	"",
	"running 3 tests",
	"test tests::bad ... FAILED",
	"test tests::bad2 ... FAILED",
	"test tests::good ... ok",
	"",
	"failures:",
	"",
	"---- tests::bad stdout ----",
	"",
	"thread 'tests::bad' (32277) panicked at src/main.rs:12:16:",
	"assertion `left == right` failed: one is not two",
	"  left: 1",
	" right: 2",
	"note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace",
	"",
	"---- tests::bad2 stdout ----",
	"",
	"thread 'tests::bad2' (32278) panicked at src/main.rs:14:17:",
	"boom",
	"",
	"",
	"failures:",
	"    tests::bad",
	"    tests::bad2",
	"",
	"test result: FAILED. 1 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.01s",
	"",
	"\033[1m\033[91merror\033[0m: test failed, to rerun pass `--bin rp`",
};

/* cargo check --message-format json-diagnostic-rendered-ansi, 1 error */
static const char *const sample_json_err[] = {
	"    Checking rp v0.1.0 (/tmp/i19a/rp)",
	("{\"reason\":\"compiler-message\",\"package_id\":\"path+file:///tmp/i19a/rp#0."
		"1.0\",\"manifest_path\":\"/tmp/i19a/rp/Cargo.toml\",\"target\":{\"kind\":[\"bin\""
		"],\"crate_types\":[\"bin\"],\"name\":\"rp\",\"src_path\":\"/tmp/i19a/rp/src/main."
		"rs\",\"edition\":\"2021\",\"doc\":true,\"doctest\":false,\"test\":true},\"message\""
		":{\"$message_type\":\"diagnostic\",\"message\":\"cannot find value `nope` in "
		"this scope\",\"code\":{\"code\":\"E0425\",\"explanation\":\"An unresolved name w"
		"as used.\\n\\nErroneous code examples:\\n\\n```compile_fail,E0425\\nsomethi"
		"ng_that_doesnt_exist::foo;\\n// error: unresolved name `something_that_"
		"doesnt_exist::foo`\\n\\n// or:\\n\\ntrait Foo {\\n    fn bar() {\\n        S"
		"elf; // error: unresolved name `Self`\\n    }\\n}\\n\\n// or:\\n\\nlet x = u"
		"nknown_variable;  // error: unresolved name `unknown_variable`\\n```\\n\\"
		"nPlease verify that the name wasn't misspelled and ensure that the\\nid"
		"entifier being referred to is valid for the given situation. Example:\\"
		"n\\n```\\nenum something_that_does_exist {\\n    Foo,\\n}\\n```\\n\\nOr:\\n\\n`"
		"``\\nmod something_that_does_exist {\\n    pub static foo : i32 = 0i32;\\"
		"n}\\n\\nsomething_that_does_exist::foo; // ok!\\n```\\n\\nOr:\\n\\n```\\nlet u"
		"nknown_variable = 12u32;\\nlet x = unknown_variable; // ok!\\n```\\n\\nIf "
		"the item is not defined in the current module, it must be imported usi"
		"ng a\\n`use` statement, like so:\\n\\n```\\n# mod foo { pub fn bar() {} }\\"
		"n# fn main() {\\nuse foo::bar;\\nbar();\\n# }\\n```\\n\\nIf the item you are"
		" importing is not defined in some super-module of the\\ncurrent module,"
		" then it must also be declared as public (e.g., `pub fn`).\\n\"},\"level\""
		":\"error\",\"spans\":[{\"file_name\":\"src/main.rs\",\"byte_start\":45,\"byte_end"
		"\":49,\"line_start\":3,\"line_end\":3,\"column_start\":13,\"column_end\":17,\"is"
		"_primary\":true,\"text\":[{\"text\":\"    let y = nope; let z = 1;\",\"highlig"
		"ht_start\":13,\"highlight_end\":17}],\"label\":\"not found in this scope\",\"s"
		"uggested_replacement\":null,\"suggestion_applicability\":null,\"expansion\""
		":null}],\"children\":[],\"rendered\":\"\\u001b[1m\\u001b[91merror[E0425]\\u001"
		"b[0m\\u001b[1m: cannot find value `nope` in this scope\\u001b[0m\\n \\u001"
		"b[1m\\u001b[94m--> \\u001b[0msrc/main.rs:3:13\\n  \\u001b[1m\\u001b[94m|\\u0"
		"01b[0m\\n\\u001b[1m\\u001b[94m3\\u001b[0m \\u001b[1m\\u001b[94m|\\u001b[0m   "
		"  let y = nope; let z = 1;\\n  \\u001b[1m\\u001b[94m|\\u001b[0m           "
		"  \\u001b[1m\\u001b[91m^^^^\\u001b[0m \\u001b[1m\\u001b[91mnot found in thi"
		"s scope\\u001b[0m\\n\\n\"}}"),
	("{\"reason\":\"compiler-message\",\"package_id\":\"path+file:///tmp/i19a/rp#0."
		"1.0\",\"manifest_path\":\"/tmp/i19a/rp/Cargo.toml\",\"target\":{\"kind\":[\"bin\""
		"],\"crate_types\":[\"bin\"],\"name\":\"rp\",\"src_path\":\"/tmp/i19a/rp/src/main."
		"rs\",\"edition\":\"2021\",\"doc\":true,\"doctest\":false,\"test\":true},\"message\""
		":{\"$message_type\":\"diagnostic\",\"message\":\"For more information about t"
		"his error, try `rustc --explain E0425`.\",\"code\":null,\"level\":\"failure-"
		"note\",\"spans\":[],\"children\":[],\"rendered\":\"\\u001b[1mFor more informati"
		"on about this error, try `rustc --explain E0425`.\\u001b[0m\\n\"}}"),
	"error: could not compile `rp` (bin \"rp\") due to 1 previous error",
	"{\"reason\":\"build-finished\",\"success\":false}",
};

/* the same, 2 warnings */
static const char *const sample_json_warn[] = {
	("{\"reason\":\"compiler-message\",\"package_id\":\"path+file:///tmp/i19a/rp#0."
		"1.0\",\"manifest_path\":\"/tmp/i19a/rp/Cargo.toml\",\"target\":{\"kind\":[\"bin\""
		"],\"crate_types\":[\"bin\"],\"name\":\"rp\",\"src_path\":\"/tmp/i19a/rp/src/main."
		"rs\",\"edition\":\"2021\",\"doc\":true,\"doctest\":false,\"test\":true},\"message\""
		":{\"$message_type\":\"diagnostic\",\"message\":\"unused variable: `z`\",\"code\""
		":{\"code\":\"unused_variables\",\"explanation\":null},\"level\":\"warning\",\"spa"
		"ns\":[{\"file_name\":\"src/main.rs\",\"byte_start\":41,\"byte_end\":42,\"line_st"
		"art\":3,\"line_end\":3,\"column_start\":9,\"column_end\":10,\"is_primary\":true"
		",\"text\":[{\"text\":\"    let z = 1;\",\"highlight_start\":9,\"highlight_end\":"
		"10}],\"label\":null,\"suggested_replacement\":null,\"suggestion_applicabili"
		"ty\":null,\"expansion\":null}],\"children\":[{\"message\":\"`#[warn(unused_var"
		"iables)]` (part of `#[warn(unused)]`) on by default\",\"code\":null,\"leve"
		"l\":\"note\",\"spans\":[],\"children\":[],\"rendered\":null},{\"message\":\"if thi"
		"s is intentional, prefix it with an underscore\",\"code\":null,\"level\":\"h"
		"elp\",\"spans\":[{\"file_name\":\"src/main.rs\",\"byte_start\":41,\"byte_end\":42"
		",\"line_start\":3,\"line_end\":3,\"column_start\":9,\"column_end\":10,\"is_prim"
		"ary\":true,\"text\":[{\"text\":\"    let z = 1;\",\"highlight_start\":9,\"highli"
		"ght_end\":10}],\"label\":null,\"suggested_replacement\":\"_z\",\"suggestion_ap"
		"plicability\":\"MachineApplicable\",\"expansion\":null}],\"children\":[],\"ren"
		"dered\":null}],\"rendered\":\"\\u001b[1m\\u001b[33mwarning\\u001b[0m\\u001b[1m"
		": unused variable: `z`\\u001b[0m\\n \\u001b[1m\\u001b[94m--> \\u001b[0msrc/"
		"main.rs:3:9\\n  \\u001b[1m\\u001b[94m|\\u001b[0m\\n\\u001b[1m\\u001b[94m3\\u00"
		"1b[0m \\u001b[1m\\u001b[94m|\\u001b[0m     let z = 1;\\n  \\u001b[1m\\u001b["
		"94m|\\u001b[0m         \\u001b[1m\\u001b[33m^\\u001b[0m \\u001b[1m\\u001b[33"
		"mhelp: if this is intentional, prefix it with an underscore: `_z`\\u001"
		"b[0m\\n  \\u001b[1m\\u001b[94m|\\u001b[0m\\n  \\u001b[1m\\u001b[94m= \\u001b[0"
		"m\\u001b[1mnote\\u001b[0m: `#[warn(unused_variables)]` (part of `#[warn("
		"unused)]`) on by default\\n\\n\"}}"),
	("{\"reason\":\"compiler-artifact\",\"package_id\":\"path+file:///tmp/i19a/rp#0"
		".1.0\",\"manifest_path\":\"/tmp/i19a/rp/Cargo.toml\",\"target\":{\"kind\":[\"bin"
		"\"],\"crate_types\":[\"bin\"],\"name\":\"rp\",\"src_path\":\"/tmp/i19a/rp/src/main"
		".rs\",\"edition\":\"2021\",\"doc\":true,\"doctest\":false,\"test\":true},\"profile"
		"\":{\"opt_level\":\"0\",\"debuginfo\":2,\"debug_assertions\":true,\"overflow_che"
		"cks\":true,\"test\":false},\"features\":[],\"filenames\":[\"/tmp/i19a/rp/targe"
		"t/debug/deps/librp-efb244dcf960df43.rmeta\"],\"executable\":null,\"fresh\":"
		"false}"),
	"{\"reason\":\"build-finished\",\"success\":true}",
};

/* gcc -fdiagnostics-color=always -Wall -Wextra: 3 warnings, 1 error */
static const char *const sample_gcc[] = {
	"\033[01m\033[Kbad.c:\033[m\033[K In function \342\200\230\033[01m\033[Kmain\033[m\033[K\342\200\231:",
	"\033[01m\033[Kbad.c:8:15:\033[m\033[K \033[01;35m\033[Kwarning: \033[m\033[Kcomparison of integer expressions of different signedness: \342\200\230\033[01m\033[Kunsigned int\033[m\033[K\342\200\231 and \342\200\230\033[01m\033[Kint\033[m\033[K\342\200\231 [\033[01;35m\033[K-Wsign-compare\033[m\033[K]",
	"    8 |         if (u \033[01;35m\033[K<\033[m\033[K s) printf(\"odd\\n\");",
	"      |               \033[01;35m\033[K^\033[m\033[K",
	"\033[01m\033[Kbad.c:9:16:\033[m\033[K \033[01;31m\033[Kerror: \033[m\033[K\342\200\230\033[01m\033[Kundefined_var\033[m\033[K\342\200\231 undeclared (first use in this function)",
	"    9 |         return \033[01;31m\033[Kundefined_var\033[m\033[K + helper(2);",
	"      |                \033[01;31m\033[K^~~~~~~~~~~~~\033[m\033[K",
	"\033[01m\033[Kbad.c:9:16:\033[m\033[K \033[01;36m\033[Knote: \033[m\033[Keach undeclared identifier is reported only once for each function it appears in",
	"\033[01m\033[Kbad.c:6:13:\033[m\033[K \033[01;35m\033[Kwarning: \033[m\033[Kunused variable \342\200\230\033[01m\033[Kunused\033[m\033[K\342\200\231 [\033[01;35m\033[K-Wunused-variable\033[m\033[K]",
	"    6 |         int \033[01;35m\033[Kunused\033[m\033[K;",
	"      |             \033[01;35m\033[K^~~~~~\033[m\033[K",
	"\033[01m\033[Kbad.c:\033[m\033[K At top level:",
	"\033[01m\033[Kbad.c:3:12:\033[m\033[K \033[01;35m\033[Kwarning: \033[m\033[K\342\200\230\033[01m\033[Kunused_fn\033[m\033[K\342\200\231 defined but not used [\033[01;35m\033[K-Wunused-function\033[m\033[K]",
	"    3 | static int \033[01;35m\033[Kunused_fn\033[m\033[K(void) { return 1; }",
	"      |            \033[01;35m\033[K^~~~~~~~~\033[m\033[K",
};

/* clang -fcolor-diagnostics -Wall -Wextra: "1 warning and 1 error generated." */
static const char *const sample_clang[] = {
	"\033[1mbad.c:9:9: \033[0m\033[0;1;31merror: \033[0m\033[1muse of undeclared identifier 'undefined_var'\033[0m",
	"        return undefined_var + helper(2);",
	"\033[0;1;32m               ^",
	"\033[0m\033[1mbad.c:8:8: \033[0m\033[0;1;35mwarning: \033[0m\033[1mcomparison of integers of different signs: 'unsigned int' and 'int' [-Wsign-compare]\033[0m",
	"        if (u < s) printf(\"odd\\n\");",
	"\033[0;1;32m            ~ ^ ~",
	"\033[0m1 warning and 1 error generated.",
};

/* gcc on a call to an undefined function: ld's error */
static const char *const sample_ld[] = {
	"/usr/bin/ld: /tmp/ccAG6rmC.o: in function `main':",
	"link.c:(.text+0x5): undefined reference to `missing'",
	"collect2: error: ld returned 1 exit status",
};

/* make running gcc (no colour) on the same file */
static const char *const sample_make[] = {
	"gcc -Wall -Wextra -c bad.c -o bad.o",
	"bad.c: In function \342\200\230main\342\200\231:",
	"bad.c:8:15: warning: comparison of integer expressions of different signedness: \342\200\230unsigned int\342\200\231 and \342\200\230int\342\200\231 [-Wsign-compare]",
	"    8 |         if (u < s) printf(\"odd\\n\");",
	"      |               ^",
	"bad.c:9:16: error: \342\200\230undefined_var\342\200\231 undeclared (first use in this function)",
	"    9 |         return undefined_var + helper(2);",
	"      |                ^~~~~~~~~~~~~",
	"bad.c:9:16: note: each undeclared identifier is reported only once for each function it appears in",
	"bad.c:6:13: warning: unused variable \342\200\230unused\342\200\231 [-Wunused-variable]",
	"    6 |         int unused;",
	"      |             ^~~~~~",
	"bad.c: At top level:",
	"bad.c:3:12: warning: \342\200\230unused_fn\342\200\231 defined but not used [-Wunused-function]",
	"    3 | static int unused_fn(void) { return 1; }",
	"      |            ^~~~~~~~~",
	"make: *** [Makefile:2: all] Error 1",
};
