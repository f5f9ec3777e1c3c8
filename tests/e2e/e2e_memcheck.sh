#!/usr/bin/env bash
# e2e_memcheck: `sonde memcheck` / `valgrind` compat, the leak check at exit.
#  1. leak fixtures (tests/fixtures/leak_graphs.c, leak_threads.c): the
#     LEAK SUMMARY equals the real valgrind's, kind by kind, bytes and
#     blocks (when valgrind is installed; else the expected figures);
#  2. valgrind's shapes: ==PID== lines, loss records with frames in the
#     fixture's source, --error-exitcode, --xml=yes validating, the
#     `valgrind` name, --tool=none (the real valgrind) and unknown options;
#  3. clean programs (C, C++, Rust with a thread, HashMap, format!) report
#     nothing lost, nothing reachable (built-in suppressions), no errors;
#  4. a suppression file with an error names its line.
. "$(dirname "$0")/lib.sh"

have_vg=0
VG=$(type -P valgrind 2>/dev/null)
[ -n "$VG" ] && [ "$(readlink -f "$VG")" != "$(readlink -f "$SONDE")" ] && "$VG" --version >/dev/null 2>&1 && have_vg=1

# summary FILE -> "def_bytes/def_blocks ind.. pos.. reach.." from a LEAK SUMMARY (0/0 when absent)
summary() {
	awk '
	function num(s) { gsub(/,/, "", s); return s + 0 }
	/definitely lost: / { d = num($(NF-4)) "/" num($(NF-1)) }
	/indirectly lost: / { i = num($(NF-4)) "/" num($(NF-1)) }
	/  possibly lost: / { p = num($(NF-4)) "/" num($(NF-1)) }
	/still reachable: / { r = num($(NF-4)) "/" num($(NF-1)) }
	END { printf "%s %s %s %s\n", d ? d : "0/0", i ? i : "0/0", p ? p : "0/0", r ? r : "0/0" }' "$1"
}

build_c leak_graphs leak_graphs.c -O1 -g || fail leak_graphs_build "$(first_lines "$T/build.log")"
build_c leak_threads leak_threads.c -O1 -g -pthread || fail leak_threads_build "$(first_lines "$T/build.log")"

# expected figures (valgrind 3.19 on this fixture), used when valgrind is missing
declare -A WANT=(
	[leak_graphs_list]="64/1 576/9 0/0 0/0"
	[leak_graphs_tree]="72/1 1008/14 0/0 0/0"
	[leak_graphs_cycle]="80/1 160/2 0/0 0/0"
	[leak_graphs_interior]="0/0 0/0 200/1 0/0"
	[leak_graphs_possible_child]="0/0 0/0 192/3 0/0"
	[leak_graphs_global]="0/0 0/0 0/0 320/5"
	[leak_graphs_swallow]="364/1 328/2 0/0 0/0"
	[leak_graphs_fromlost]="64/1 408/6 0/0 0/0"
	[leak_graphs_sizes]="100000/1 131257/4 0/0 0/0"
	[leak_graphs_all]="644/5 2480/33 392/4 336/6"
)
for spec in leak_graphs:list leak_graphs:tree leak_graphs:cycle leak_graphs:interior leak_graphs:possible_child \
	leak_graphs:global leak_graphs:swallow leak_graphs:fromlost leak_graphs:sizes leak_graphs:all \
	leak_threads:none leak_threads:tls leak_threads:tls_thread leak_threads:stack leak_threads:reg; do
	prog=${spec%%:*} arg=${spec#*:} name="${prog}_${arg}"
	[ -x "$FIX/$prog" ] || continue
	timeout -k 5 120 "$SONDE" memcheck --default-suppressions=no --leak-check=full --show-leak-kinds=all "$FIX/$prog" "$arg" >/dev/null 2>"$T/$name.sonde"
	got=$(summary "$T/$name.sonde")
	if [ $have_vg = 1 ]; then
		timeout -k 5 300 "$VG" --leak-check=full --show-leak-kinds=all "$FIX/$prog" "$arg" >/dev/null 2>"$T/$name.vg"
		want=$(summary "$T/$name.vg") src=valgrind
	else
		want=${WANT[$name]:-} src=expected
		[ -n "$want" ] || { skip "memcheck_$name" "no valgrind to compare with"; continue; }
	fi
	[ "$got" = "$want" ] && pass "memcheck_$name (definite indirect possible reachable: $got)" ||
		fail "memcheck_$name" "sonde '$got', $src '$want' (bytes/blocks: definite indirect possible reachable)"
	# the threads' blocks byte for byte, glibc's per-thread TLS vector included
	# (sonde's runtime has TLS of its own, valgrind's preload none)
	if [ $have_vg = 1 ] && [ "$prog" = leak_threads ]; then
		hs() { sed -n 's/.*\(in use at exit: .*\)/\1/p; s/.*\(total heap usage: .*\)/\1/p' "$1" | tr '\n' ' '; }
		[ "$(hs "$T/$name.sonde")" = "$(hs "$T/$name.vg")" ] && pass "memcheck_${name}_heap_summary" ||
			fail "memcheck_${name}_heap_summary" "sonde '$(hs "$T/$name.sonde")', valgrind '$(hs "$T/$name.vg")'"
	fi
done

# valgrind's shapes, on the list fixture
f=$T/leak_graphs_list.sonde
if [ -s "$f" ]; then
	pid=$(sed -n 's/^==\([0-9]*\)== .*/\1/p' "$f" | head -1)
	if [ -n "$pid" ] && ! grep -qv "^==$pid== \?" "$f"; then pass memcheck_prefix; else fail memcheck_prefix "lines without ==PID==: $(grep -v '^==' "$f" | head -2 | tr '\n' '|')"; fi
	grep -q "HEAP SUMMARY:" "$f" && grep -q "total heap usage: .* allocs, .* frees, .* bytes allocated" "$f" &&
		pass memcheck_heap_summary || fail memcheck_heap_summary "$(first_lines "$f" 12)"
	if grep -q "(64 direct, 576 indirect) bytes in 1 blocks are definitely lost in loss record" "$f" &&
		grep -A3 "definitely lost in loss record" "$f" | grep -q "leak_graphs.c:"; then
		pass memcheck_loss_record
	else
		fail memcheck_loss_record "no '640 (64 direct, 576 indirect) ... definitely lost' record with a leak_graphs.c frame: $(grep -A3 'lost in loss' "$f" | head -4 | tr '\n' '|')"
	fi
	grep -q "ERROR SUMMARY: 1 errors from 1 contexts" "$f" && pass memcheck_error_summary ||
		fail memcheck_error_summary "$(grep 'ERROR SUMMARY' "$f")"
fi

# --error-exitcode: leaks with --leak-check=full are errors
[ -x "$FIX/leak_graphs" ] && {
	rc=$(run_rc "$T/ec" "$SONDE" memcheck --leak-check=full --error-exitcode=42 "$FIX/leak_graphs" list)
	[ "$rc" = 42 ] && pass memcheck_error_exitcode || fail memcheck_error_exitcode "exit $rc, want 42"
	rc=$(run_rc "$T/ec0" "$SONDE" memcheck --error-exitcode=42 "$FIX/leak_graphs" global)
	[ "$rc" = 0 ] && pass memcheck_error_exitcode_clean || fail memcheck_error_exitcode_clean "exit $rc for a program with only reachable blocks"
}

# XML: valgrind's protocol, well formed
if [ -x "$FIX/leak_graphs" ]; then
	"$SONDE" memcheck --xml=yes --xml-file="$T/out.xml" "$FIX/leak_graphs" tree >/dev/null 2>&1
	if [ -s "$T/out.xml" ] && xmllint --noout "$T/out.xml" 2>"$T/xml.err" && grep -q "<kind>Leak_DefinitelyLost</kind>" "$T/out.xml" &&
		grep -q "<protocolversion>4</protocolversion>" "$T/out.xml"; then
		pass memcheck_xml
	else
		fail memcheck_xml "$(first_lines "$T/xml.err") $(head -c 300 "$T/out.xml" 2>/dev/null | tr '\n' ' ')"
	fi
fi

# the valgrind name, other tools, bad options
mkdir -p "$T/shims" && "$SONDE" shims "$T/shims" >/dev/null 2>&1
if [ -x "$T/shims/valgrind" ] && [ -x "$FIX/leak_graphs" ]; then
	"$T/shims/valgrind" --leak-check=full "$FIX/leak_graphs" list >/dev/null 2>"$T/vgname.err"
	grep -q "definitely lost in loss record" "$T/vgname.err" && pass memcheck_valgrind_name ||
		fail memcheck_valgrind_name "$(first_lines "$T/vgname.err" 8)"
	# other tools: the real valgrind (tests/e2e/e2e_shims.sh has more)
	# (cachegrind is sonde's own now: e2e_cachegrind.sh)
	rc=$(run_rc "$T/cg" "$T/shims/valgrind" --tool=none "$FIX/leak_graphs" single)
	if command -v valgrind >/dev/null; then
		[ "$rc" = 0 ] && grep -q "not part of sonde; running" "$T/cg.err" && pass memcheck_tool_other ||
			fail memcheck_tool_other "exit $rc: $(first_lines "$T/cg.err")"
	else
		[ "$rc" = 127 ] && grep -q "package: valgrind" "$T/cg.err" && pass memcheck_tool_other ||
			fail memcheck_tool_other "exit $rc: $(first_lines "$T/cg.err")"
	fi
	"$T/shims/valgrind" --version 2>&1 | grep -q "^valgrind-3\.[0-9]*\.[0-9]" && pass memcheck_valgrind_version ||
		fail memcheck_valgrind_version "$("$T/shims/valgrind" --version 2>&1 | head -2)"
	rc=$(run_rc "$T/bad" "$T/shims/valgrind" --no-such-option "$FIX/leak_graphs" single)
	[ "$rc" = 1 ] && grep -q "^valgrind: " "$T/bad.err" && pass memcheck_bad_option ||
		fail memcheck_bad_option "exit $rc: $(first_lines "$T/bad.err")"
else
	fail memcheck_shim "sonde shims did not install valgrind"
fi

# a broken suppression file: the file and line are named, exit non-zero
printf '{\n   broken\n   Memcheck:Leak\n   fun:malloc\n' >"$T/bad.supp"
rc=$(run_rc "$T/supp" "$SONDE" memcheck --suppressions="$T/bad.supp" true)
[ "$rc" != 0 ] && grep -q "bad.supp" "$T/supp.err" && grep -qi "line" "$T/supp.err" && pass memcheck_bad_suppressions ||
	fail memcheck_bad_suppressions "exit $rc: $(first_lines "$T/supp.err")"

# heap errors: the same reports and ERROR SUMMARY as valgrind
cat >"$T/bad_free.c" <<'EOF'
#include <stdlib.h>
int main(void)
{
	char *p = malloc(10);
	free(p);
	free(p);           /* double free */
	int x;
	free(&x);          /* never allocated */
	char *q = malloc(5);
	free(q);
	q = realloc(q, 9); /* realloc of a freed block */
	return 0;
}
EOF
cat >"$T/mismatch.cpp" <<'EOF'
#include <cstdlib>
int main()
{
	int *a = (int *)malloc(4);
	delete a;        /* malloc / delete */
	int *b = new int[3];
	delete b;        /* new[] / delete */
	int *c = new int;
	free(c);         /* new / free */
	return 0;
}
EOF
gcc -O0 -g -o "$T/bad_free" "$T/bad_free.c" 2>>"$T/build.log"
g++ -O0 -g -Wno-mismatched-new-delete -o "$T/mismatch" "$T/mismatch.cpp" 2>>"$T/build.log"
# msgs FILE: the error headlines and block descriptions, addresses cut
msgs() { sed -n 's/^==[0-9]*== \(Invalid free.*\|Mismatched free.*\| Address 0x[0-9a-f]* is .*\| in frame #.*\)/\1/p' "$1" | sed 's/0x[0-9a-f]* //' | tr '\n' '|'; }
for p in bad_free mismatch; do
	[ -x "$T/$p" ] || { skip "memcheck_errors_$p" "could not build it"; continue; }
	"$SONDE" memcheck "$T/$p" >/dev/null 2>"$T/$p.err"
	got=$(grep -o "ERROR SUMMARY: .*" "$T/$p.err")
	if [ $have_vg = 1 ]; then
		"$VG" "$T/$p" >/dev/null 2>"$T/$p.vg"
		want=$(grep -o "ERROR SUMMARY: .*" "$T/$p.vg")
	else
		want="ERROR SUMMARY: 3 errors from 3 contexts (suppressed: 0 from 0)"
	fi
	[ -n "$got" ] && [ "$got" = "$want" ] && pass "memcheck_errors_$p ($got)" || fail "memcheck_errors_$p" "sonde '$got', want '$want'"
	if [ $have_vg = 1 ]; then
		# the same headlines and block descriptions (a stack address: "is on
		# thread 1's stack")
		g=$(msgs "$T/$p.err")
		w=$(msgs "$T/$p.vg")
		[ "$g" = "$w" ] && pass "memcheck_errors_${p}_text" || fail "memcheck_errors_${p}_text" "sonde '$g', valgrind '$w'"
	fi
done
grep -A2 "Invalid free" "$T/bad_free.err" | grep -q "bad_free.c:6)" && grep -A6 "Invalid free" "$T/bad_free.err" | grep -q "Block was alloc'd at" &&
	pass memcheck_double_free_stacks || fail memcheck_double_free_stacks "$(grep -A8 'Invalid free' "$T/bad_free.err" | head -9 | tr '\n' '|')"

# a program that crashes still gets its summary, and its exit status
cat >"$T/crash.c" <<'EOF'
#include <stdlib.h>
int main(void)
{
	void *p = malloc(50);
	p = 0;
	void *volatile q = malloc(70);
	q = 0;
	volatile int *z = 0;
	*z = 1;
	return (int)(long)p;
}
EOF
gcc -O0 -g -o "$T/crash" "$T/crash.c" 2>>"$T/build.log"
if [ -x "$T/crash" ]; then
	rc=$(run_rc "$T/crash" "$SONDE" memcheck --leak-check=full "$T/crash")
	got=$(summary "$T/crash.err")
	if [ $have_vg = 1 ]; then
		"$VG" --leak-check=full "$T/crash" >/dev/null 2>"$T/crash.vg"
		want=$(summary "$T/crash.vg")
	else
		want="120/2 0/0 0/0 0/0"
	fi
	if [ "$rc" = 139 ] && grep -q "Process terminating with default action of signal 11 (SIGSEGV)" "$T/crash.err" && [ "$got" = "$want" ]; then
		pass "memcheck_crash_summary (exit 139, $got)"
	else
		fail memcheck_crash_summary "exit $rc, sonde '$got', want '$want': $(grep -m1 'Process terminating' "$T/crash.err")"
	fi
fi

# clean programs: nothing lost
cat >"$T/clean.c" <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(void) { for (int i = 0; i < 1000; i++) { char *p = malloc(32 + i); strcpy(p, "x"); free(p); } puts("ok"); return 0; }
EOF
cat >"$T/clean.cpp" <<'EOF'
#include <map>
#include <string>
#include <vector>
#include <iostream>
int main() { std::map<int, std::string> m; for (int i = 0; i < 1000; i++) m[i] = std::to_string(i); std::vector<int> v(100); std::cout << m.size() + v.size() << "\n"; }
EOF
cat >"$T/clean.rs" <<'EOF'
use std::collections::HashMap;
fn main() { let mut m = HashMap::new(); for i in 0..1000 { m.insert(i, format!("v{}", i)); } let t = std::thread::spawn(|| (0..100u64).sum::<u64>()); println!("{} {}", m.len(), t.join().unwrap()); }
EOF
gcc -O1 -g -o "$T/clean_c" "$T/clean.c" 2>>"$T/build.log"
g++ -O1 -g -o "$T/clean_cpp" "$T/clean.cpp" 2>>"$T/build.log"
rustc -O -g -o "$T/clean_rs" "$T/clean.rs" 2>>"$T/build.log" >/dev/null
for p in clean_c clean_cpp clean_rs; do
	[ -x "$T/$p" ] || { skip "memcheck_$p" "could not build it"; continue; }
	"$SONDE" memcheck --leak-check=full "$T/$p" >/dev/null 2>"$T/$p.err"
	s=$(summary "$T/$p.err")
	e=$(sed -n 's/.*ERROR SUMMARY: \([0-9,]*\) errors.*/\1/p' "$T/$p.err")
	# with the built-in suppressions even still-reachable is empty
	case "$s $e" in
	"0/0 0/0 0/0 0/0 0") pass "memcheck_${p}_clean ($s, $e errors)" ;;
	*) fail "memcheck_${p}_clean" "definite indirect possible reachable: $s, errors: $e $(grep -m2 -E 'Invalid|overlap|fishy' "$T/$p.err" | tr '\n' '|')" ;;
	esac
	# guard pages for every block: still no errors, same leak summary
	"$SONDE" memcheck --precise --leak-check=full "$T/$p" >/dev/null 2>"$T/$p.precise"
	sp=$(summary "$T/$p.precise")
	ep=$(sed -n 's/.*ERROR SUMMARY: \([0-9,]*\) errors.*/\1/p' "$T/$p.precise")
	[ "$sp $ep" = "$s $e" ] && pass "memcheck_${p}_clean_precise" ||
		fail "memcheck_${p}_clean_precise" "$sp, errors: $ep $(grep -m2 -E 'Invalid|overlap|fishy' "$T/$p.precise" | tr '\n' '|')"
done
exit 0
