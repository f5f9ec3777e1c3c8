#!/usr/bin/env bash
# e2e_memcheck_leaks: the leak check's finer points against the real
# valgrind (when installed; else the figures valgrind 3.19 printed):
#  1. cliques: which block of a lost structure leads it (tests/fixtures/
#     leak_cliques.c), the whole report after masking addresses and paths;
#  2. loss record order: size, kind, blocks, then the age of the allocation
#     stack; --leak-resolution=low|med|high (leak_order.c), the whole report;
#  3. exit paths: _exit, _Exit and exit with pointers in dead frames, live
#     frames and single registers, from gcc -O0/-O2 and clang
#     (leak_exit.c), the whole report; a vfork child's _exit; an atexit
#     handler's block;
#  4. heuristics: LEAK SUMMARY's "of which reachable via heuristic" and
#     --leak-check-heuristics on C++ layouts (leak_heur.cpp) and C
#     (leak_heur.c), with valgrind's messages for bad sets.
. "$(dirname "$0")/lib.sh"

have_vg=0
VG=$(type -P valgrind 2>/dev/null)
[ -n "$VG" ] && [ "$(readlink -f "$VG")" != "$(readlink -f "$SONDE")" ] && "$VG" --version >/dev/null 2>&1 && have_vg=1

# report FILE -> the main process's report from HEAP SUMMARY on, its
# ==PID== prefixes gone, addresses and objects' paths masked, without
# sonde's one line of its own (reads are checked only with --precise)
report() {
	local pid
	pid=$(sed -n '1s/^==\([0-9]*\)==.*/\1/p' "$1")
	sed -n "s/^==$pid== \{0,1\}//p" "$1" | sed -n '/^HEAP SUMMARY:/,$p' |
		grep -v '^Invalid reads of heap memory are checked only with --precise' |
		sed -E 's/0x[0-9A-Fa-f]+/0xX/g; s/\(in [^)]*\)/(in OBJ)/'
}
# leaks FILE -> the loss record headlines and the LEAK SUMMARY (C++ frames
# are named differently by the two tools; these lines are not)
leaks() { report "$1" | grep -E 'in loss record|^ +[a-z ]+: |of which reachable|ERROR SUMMARY'; }
# figures FILE -> "def ind pos reach" bytes/blocks from the LEAK SUMMARY
figures() {
	report "$1" | awk '
	function num(s) { gsub(/,/, "", s); return s + 0 }
	/definitely lost: / { d = num($(NF-4)) "/" num($(NF-1)) }
	/indirectly lost: / { i = num($(NF-4)) "/" num($(NF-1)) }
	/  possibly lost: / { p = num($(NF-4)) "/" num($(NF-1)) }
	/still reachable: / { r = num($(NF-4)) "/" num($(NF-1)) }
	END { printf "%s %s %s %s\n", d ? d : "0/0", i ? i : "0/0", p ? p : "0/0", r ? r : "0/0" }'
}

# check NAME HOW(report|leaks) WANT BINARY ARGS... : sonde's HOW of the run
# against valgrind's (WANT: the figures when valgrind is missing)
check() {
	local name=$1 how=$2 want=$3 opts=() bin
	shift 3
	while [ "${1#--}" != "$1" ]; do opts+=("$1"); shift; done
	bin=$1
	shift
	timeout -k 5 120 "$SONDE" memcheck "${opts[@]}" "$bin" "$@" >/dev/null 2>"$T/$name.sonde"
	if [ $have_vg = 1 ]; then
		timeout -k 5 120 "$VG" "${opts[@]}" "$bin" "$@" >/dev/null 2>"$T/$name.vg"
		"$how" "$T/$name.sonde" >"$T/$name.got"
		"$how" "$T/$name.vg" >"$T/$name.want"
		if [ -s "$T/$name.want" ] && cmp -s "$T/$name.got" "$T/$name.want"; then
			pass "memcheck_$name ($(figures "$T/$name.sonde"))"
		else
			fail "memcheck_$name" "$(diff "$T/$name.want" "$T/$name.got" | grep '^[<>]' | head -6 | tr '\n' '|')"
		fi
	else
		local got
		got=$(figures "$T/$name.sonde")
		[ "$got" = "$want" ] && pass "memcheck_$name ($got, valgrind's figures)" ||
			fail "memcheck_$name" "sonde '$got', valgrind 3.19 '$want'"
	fi
}

# 1. cliques
FULL=(--leak-check=full --show-leak-kinds=all)
if build_c leak_cliques leak_cliques.c -O1 -g; then
	check cliques_all report "360/6 2544/10 0/0 0/0" "${FULL[@]}" "$FIX/leak_cliques" all
	check cliques_cycle_first report "32/2 32/2 0/0 0/0" "${FULL[@]}" "$FIX/leak_cliques" cycle_first
	check cliques_swallow report "16/1 2040/2 0/0 0/0" "${FULL[@]}" "$FIX/leak_cliques" swallow
	# guard pages for every block: other addresses, the same cliques
	"$SONDE" memcheck --precise "${FULL[@]}" "$FIX/leak_cliques" all >/dev/null 2>"$T/precise.sonde"
	if [ -s "$T/cliques_all.want" ]; then
		report "$T/precise.sonde" | cmp -s - "$T/cliques_all.want" && pass memcheck_cliques_precise ||
			fail memcheck_cliques_precise "$(report "$T/precise.sonde" | diff "$T/cliques_all.want" - | grep '^[<>]' | head -4 | tr '\n' '|')"
	else
		got=$(figures "$T/precise.sonde")
		[ "$got" = "360/6 2544/10 0/0 0/0" ] && pass memcheck_cliques_precise || fail memcheck_cliques_precise "$got"
	fi
else
	fail cliques_build "$(first_lines "$T/build.log")"
fi

# 2. loss record order and --leak-resolution
if build_c leak_order leak_order.c -O1 -g; then
	check order_all report "312/11 48/1 48/2 48/3" "${FULL[@]}" "$FIX/leak_order" all
	check order_age report "64/4 0/0 0/0 0/0" "${FULL[@]}" "$FIX/leak_order" age
	check order_freed_first report "96/2 0/0 0/0 0/0" "${FULL[@]}" "$FIX/leak_order" freed_first
	check order_kinds report "56/2 48/1 48/2 48/3" "${FULL[@]}" "$FIX/leak_order" kinds
	for r in low med; do
		check "order_resolution_$r" report "312/11 48/1 48/2 48/3" --leak-resolution=$r "${FULL[@]}" "$FIX/leak_order" all
	done
else
	fail order_build "$(first_lines "$T/build.log")"
fi

# 3. exit paths, from several compilers: what the stack and registers hold
# when the program calls exit or _exit
builds=("gcc -O0" "gcc -O2")
command -v clang >/dev/null && builds+=("clang -O2")
for b in "${builds[@]}"; do
	out=leak_exit_$(echo "$b" | tr -d ' -')
	CC_FIXTURE=${b%% *} build_c "$out" leak_exit.c ${b#* } -g || { fail "${out}_build" "$(first_lines "$T/build.log")"; continue; }
	cases=("_exit dead 108/8 0/0 0/0 0/0" "exit dead 108/8 0/0 0/0 0/0")
	[ "$b" = "gcc -O2" ] && cases+=("_Exit dead 108/8 0/0 0/0 0/0" "_exit live 0/0 0/0 0/0 100/1" "exit reg 0/0 0/0 0/0 64/1")
	for c in "${cases[@]}"; do
		read -r how where want <<<"$c"
		check "${out#leak_}_${how}_$where" report "$want" --leak-check=full "$FIX/$out" "$how" "$where"
	done
done
# the only pointer in one register: exit's frames save the callee-saved
# ones on the stack; at _exit only rbx and rbp are saved (by valgrind's
# freeres wrapper); caller-saved ones are never roots
if [ "$(uname -m)" = x86_64 ] && [ -x "$FIX/leak_exit_gccO2" ]; then
	for c in "_exit rbx 0/0" "_exit rbp 0/0" "_exit r12 64/1" "_exit rsi 64/1" "exit r13 0/0"; do
		read -r how reg def <<<"$c"
		reach=0/0
		[ "$def" = 0/0 ] && reach=64/1
		check "exit_reg_${how}_$reg" report "$def 0/0 0/0 $reach" --leak-check=full "$FIX/leak_exit_gccO2" "$how" "%$reg"
	done
fi
# a vfork child's _exit ends the child, not the parent's check (valgrind
# reports the child too: the parent's report is the main process's)
if [ -x "$FIX/leak_exit_gccO2" ]; then
	check exit_vfork report "20/1 0/0 0/0 30/1" --leak-check=full "$FIX/leak_exit_gccO2" vfork
	# what an atexit handler allocates: its stack goes through exit, not
	# through sonde's own exit
	check exit_atexit report "33/1 0/0 0/0 0/0" --leak-check=full "$FIX/leak_exit_gccO2" atexit
fi

# 4. heuristics
if command -v g++ >/dev/null && CC_FIXTURE=g++ build_c leak_heur_cxx leak_heur.cpp -O1 -g -D_GLIBCXX_USE_CXX11_ABI=0; then
	check heur_cxx_all leaks "0/0 0/0 77/1 181/4" "${FULL[@]}" "$FIX/leak_heur_cxx" all
	check heur_cxx_string leaks "0/0 0/0 0/0 73/2" "${FULL[@]}" "$FIX/leak_heur_cxx" string
	check heur_cxx_newarray leaks "0/0 0/0 0/0 68/1" "${FULL[@]}" "$FIX/leak_heur_cxx" newarray
	check heur_cxx_multi leaks "0/0 0/0 0/0 40/1" "${FULL[@]}" "$FIX/leak_heur_cxx" multi
	check heur_cxx_none leaks "0/0 0/0 258/5 0/0" --leak-check-heuristics=none "${FULL[@]}" "$FIX/leak_heur_cxx" all
	check heur_cxx_some leaks "0/0 0/0 145/2 113/3" --leak-check-heuristics=stdstring,multipleinheritance "${FULL[@]}" "$FIX/leak_heur_cxx" all
else
	skip heur_cxx "no C++ compiler, or the fixture did not build"
fi
if build_c leak_heur leak_heur.c -O1 -g; then
	check heur_c leaks "0/0 0/0 90/1 272/3" "${FULL[@]}" "$FIX/leak_heur"
	check heur_c_length64 leaks "0/0 0/0 255/3 107/1" --leak-check-heuristics=length64 "${FULL[@]}" "$FIX/leak_heur"
fi
# the summary lines themselves, valgrind or not
f=$T/heur_c.sonde
if [ -s "$f" ] && report "$f" | grep -qx '                      of which reachable via heuristic:' &&
	report "$f" | grep -qx '                        length64           : 107 bytes in 1 blocks'; then
	pass memcheck_heur_summary_lines
else
	fail memcheck_heur_summary_lines "$(report "$f" | sed -n '/LEAK SUMMARY/,/suppressed/p' | tr '\n' '|')"
fi

# bad sets: valgrind's words and status
for v in foo all,none none,stdstring ""; do
	rc=$(run_rc "$T/badh" "$SONDE" memcheck "--leak-check-heuristics=$v" true)
	want="valgrind: Bad option: --leak-check-heuristics=$v|valgrind: $v is an invalid leak-check-heuristics set|valgrind: Use --help for more information or consult the user manual.|"
	got=$(tr '\n' '|' <"$T/badh.err")
	[ "$rc" = 1 ] && [ "$got" = "$want" ] && pass "memcheck_heuristics_bad_set ($v)" ||
		fail "memcheck_heuristics_bad_set" "'$v': exit $rc, $got"
done
rc=$(run_rc "$T/okh" "$SONDE" memcheck --leak-check-heuristics=stdstring, true)
[ "$rc" = 0 ] && pass memcheck_heuristics_empty_word || fail memcheck_heuristics_empty_word "exit $rc: $(first_lines "$T/okh.err")"
exit 0
