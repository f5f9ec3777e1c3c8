#!/usr/bin/env bash
# e2e_coz_scope: what `sonde coz run` charges samples to (docs/coz.md,
# Status 2, 5, 6):
#  1. binary scope: coz_scope_libmain's hot loop is in a shared library
#     (gcc -shared -g): with -b '%libczscope%' the samples name the
#     library's source line; without -b (MAIN only) no library line;
#  2. a -b pattern matching nothing is refused before the run, naming
#     the objects there are;
#  3. a library the program dlopen()s, named by its path with -b, is found
#     after the start (the runtime's dlopen wrapper);
#  4. inline chains: with -s '%main.c' the bytes of a header's inlined
#     helper count for the calling line in coz_scope_main.c;
#  5. Rust (coz_rust.rs, -C opt-level=3 -g): by default no sample or
#     experiment names Rust's standard library (/rustc/...), while the
#     program's own lines get the samples.
. "$(dirname "$0")/lib.sh"

src=$FIXSRC/coz
cc_scope() { # OUT SRC FLAGS...
	local out=$1 s=$2; shift 2
	gcc -O2 -g -fno-omit-frame-pointer -I"$SONDE_ROOT/include" -o "$T/$out" "$src/$s" "$@" 2>>"$T/build.log"
}
samples_at() { # PROFILE FILE:LINE -> the samples count of that line (0 if none)
	[ -f "$1" ] || { echo 0; return; }
	awk -F'\t' -v loc="location=$2" '$1 == "samples" && $2 == loc { n += substr($3, 7) } END { print n + 0 }' "$1"
}
mkdir -p "$T/lib"
if ! gcc -shared -fPIC -O2 -g -o "$T/lib/libczscope.so" "$src/coz_scope_lib.c" 2>>"$T/build.log" ||
	! cc_scope libmain coz_scope_libmain.c -L"$T/lib" -lczscope -Wl,-rpath,"$T/lib" ||
	! cc_scope dlmain coz_scope_libmain.c -DCOZ_SCOPE_DLOPEN -ldl || ! cc_scope inlmain coz_scope_main.c; then
	fail coz_scope_build "$(first_lines "$T/build.log")"
	exit 0
fi
lib_line=$(grep -n '/\* LIB_LINE' "$src/coz_scope_lib.c" | cut -d: -f1)
call_line=$(grep -n '/\* CALL_LINE' "$src/coz_scope_main.c" | cut -d: -f1)
cd "$T" || exit 0

# 1. a shared library in binary scope, and not by default
"$SONDE" coz run -o lib.coz -b '%libczscope%' --- ./libmain 1500 >/dev/null 2>"$T/lib.err"
n=$(samples_at lib.coz "$src/coz_scope_lib.c:$lib_line")
if [ "$n" -ge 50 ]; then pass coz_scope_library
else fail coz_scope_library "$n samples on coz_scope_lib.c:$lib_line; $(first_lines "$T/lib.err")"; fi
"$SONDE" coz run -o main.coz --- ./libmain 1500 >/dev/null 2>"$T/main.err"
n=$(grep -c 'coz_scope_lib\.c' main.coz)
if [ -s main.coz ] && [ "$n" = 0 ]; then pass coz_scope_main_only
else fail coz_scope_main_only "$n records name coz_scope_lib.c without -b; $(first_lines "$T/main.err")"; fi

# 2. a pattern naming no object
if "$SONDE" coz run -o none.coz -b '%nosuchlib%' --- ./libmain 10 >/dev/null 2>"$T/none.err"; then
	fail coz_scope_no_match "accepted -b '%nosuchlib%'"
elif [ "$(wc -l <"$T/none.err")" = 1 ] && grep -q "%nosuchlib%.*matches none.*MAIN (.*libczscope.so" "$T/none.err" &&
	! [ -e none.coz ]; then
	pass coz_scope_no_match
else
	fail coz_scope_no_match "$(first_lines "$T/none.err")"
fi

# 3. a dlopen()ed library
"$SONDE" coz run -o dl.coz -b "$T/lib/libczscope.so" --- ./dlmain 1500 "$T/lib/libczscope.so" >/dev/null 2>"$T/dl.err"
n=$(samples_at dl.coz "$src/coz_scope_lib.c:$lib_line")
if [ "$n" -ge 50 ]; then pass coz_scope_dlopen
else fail coz_scope_dlopen "$n samples on coz_scope_lib.c:$lib_line; $(first_lines "$T/dl.err")"; fi

# 4. an inlined header helper counts for its caller's line
"$SONDE" coz run -o inl.coz -s '%main.c' --- ./inlmain 1500 >/dev/null 2>"$T/inl.err"
n=$(samples_at inl.coz "$src/coz_scope_main.c:$call_line")
total=$(awk -F'\t' '$1 == "samples" { n += substr($3, 7) } END { print n + 0 }' inl.coz)
if [ "$n" -ge 50 ] && [ $((n * 2)) -ge "$total" ]; then pass coz_scope_inline_caller
else fail coz_scope_inline_caller "$n of $total samples on coz_scope_main.c:$call_line; $(first_lines "$T/inl.err")"; fi
if ! grep -q 'coz_scope_inline\.h' inl.coz; then pass coz_scope_inline_out
else fail coz_scope_inline_out "an out-of-scope header line: $(grep -m1 'coz_scope_inline\.h' inl.coz)"; fi

# 5. Rust's standard library is out of the default scope
if ! command -v rustc >/dev/null; then
	skip coz_scope_rust "no rustc"
elif ! rustc -C opt-level=3 -g -o "$T/rust_o3" "$FIXSRC/coz_rust.rs" 2>>"$T/build.log"; then
	fail coz_scope_rust_build "$(first_lines "$T/build.log")"
else
	"$SONDE" coz run -o rust.coz --- ./rust_o3 1500 >/dev/null 2>"$T/rust.err"
	std=$(grep -c '/rustc/' rust.coz)
	own=$(awk -F'\t' '$1 == "samples" && index($2, "coz_rust.rs:") { n += substr($3, 7) } END { print n + 0 }' rust.coz)
	if [ "$std" = 0 ] && [ "$own" -ge 50 ]; then pass coz_scope_rust_default
	else fail coz_scope_rust_default "$std records name /rustc/, $own samples on coz_rust.rs; $(first_lines "$T/rust.err")"; fi
fi
