#!/usr/bin/env bash
# e2e_cachegrind: sonde cachegrind (qemu-user + the libsonde-cg.so engine)
# against the real valgrind --tool=cachegrind on the same fixture with the
# same --I1/--D1/--LL: totals and the hot functions' counts close, valgrind's
# cg_annotate reads sonde's file, the guest's exit status and death by a
# signal pass through with the counts still written, threads (one of them
# calling exit), the stacks file drawn by sonde flamegraph, the valgrind
# front-end, and the one line when qemu-user is missing.
. "$(dirname "$0")/lib.sh"

if ! command -v qemu-x86_64 >/dev/null; then
	skip cachegrind "qemu-x86_64 not installed (apt-get install qemu-user)"
	exit 0
fi
have_vg=0
VG=$(type -P valgrind 2>/dev/null)
[ -n "$VG" ] && [ "$(readlink -f "$VG")" != "$(readlink -f "$SONDE")" ] && "$VG" --version >/dev/null 2>&1 && have_vg=1

build_c cg_loops cg_loops.c -O2 -g || { fail cg_build "$(first_lines "$T/build.log")"; exit 0; }
build_c cg_threads cg_threads.c -O2 -g -pthread || { fail cg_build_threads "$(first_lines "$T/build.log")"; exit 0; }
build_c cg_longjmp cg_longjmp.c -O2 -g || { fail cg_build_longjmp "$(first_lines "$T/build.log")"; exit 0; }
GEOM=(--I1=32768,8,64 --D1=32768,8,64 --LL=1048576,16,64)
cd "$T" || exit 1

# column N (1 = Ir) of the summary line
summary_col() { awk -v c="$2" '/^summary:/ { print $(c + 1) }' "$1"; }
# column N of function FN, its lines summed
fn_col() { awk -v f="$2" -v c="$3" '/^fn=/ { on = (substr($0, 4) == f); next } /^fl=/ { next }
	on && /^[0-9]/ { s += $(c + 1) } END { print s + 0 }' "$1"; }
# |a - b| <= pct% of b (both 0 counts as equal)
within() { awk -v a="$1" -v b="$2" -v p="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= b * p / 100 || (a == 0 && b == 0)) }'; }

"$SONDE" cachegrind "${GEOM[@]}" --cachegrind-out-file="$T/s.out" "$FIX/cg_loops" >"$T/s.stdout" 2>"$T/s.err"
rc=$?
if [ $rc = 0 ] && [ -s "$T/s.out" ] && [ -s "$T/s.out.stacks" ]; then pass cg_runs; else fail cg_runs "rc=$rc $(first_lines "$T/s.err")"; fi
if grep -q '^==[0-9]*== I   refs: ' "$T/s.err" && grep -q '^==[0-9]*== LL miss rate: ' "$T/s.err" &&
	grep -q '^==[0-9]*== D   refs: .* rd   + .* wr)$' "$T/s.err"; then
	pass cg_summary_layout
else
	fail cg_summary_layout "$(first_lines "$T/s.err" 4)"
fi
if cmp -s "$T/s.stdout" <("$FIX/cg_loops"); then pass cg_guest_stdout; else fail cg_guest_stdout "$(first_lines "$T/s.stdout")"; fi

if [ $have_vg = 1 ]; then
	"$VG" --tool=cachegrind "${GEOM[@]}" --cachegrind-out-file="$T/v.out" "$FIX/cg_loops" >/dev/null 2>"$T/v.err"
	# totals: Ir Dr Dw within 0.5 %; D1mr D1mw DLmr within 5 %
	ok=1 why=
	for c in 1:0.5:Ir 4:0.5:Dr 7:0.5:Dw 5:5:D1mr 8:5:D1mw 6:5:DLmr; do
		IFS=: read -r col pct name <<<"$c"
		a=$(summary_col "$T/s.out" "$col") b=$(summary_col "$T/v.out" "$col")
		within "$a" "$b" "$pct" || { ok=0; why="$why $name sonde=$a valgrind=$b;"; }
	done
	if [ $ok = 1 ]; then pass cg_totals_vs_valgrind; else fail cg_totals_vs_valgrind "$why"; fi
	# the hot functions: Ir within 1 %, D1mr within 5 %
	ok=1 why=
	for f in rows cols naive blocked chase; do
		a=$(fn_col "$T/s.out" $f 1) b=$(fn_col "$T/v.out" $f 1)
		within "$a" "$b" 1 || { ok=0; why="$why $f Ir sonde=$a valgrind=$b;"; }
		a=$(fn_col "$T/s.out" $f 5) b=$(fn_col "$T/v.out" $f 5)
		within "$a" "$b" 5 || { ok=0; why="$why $f D1mr sonde=$a valgrind=$b;"; }
	done
	if [ $ok = 1 ]; then pass cg_functions_vs_valgrind; else fail cg_functions_vs_valgrind "$why"; fi
	# the 5 source lines with the most D1mr: the same, in valgrind's order
	if top=$(python3 "$SONDE_ROOT/tests/e2e/cg_top5.py" "$T/s.out" "$T/v.out"); then pass cg_top5_d1mr; else fail cg_top5_d1mr "$(tr '\n' '|' <<<"$top")"; fi
	# the same fl= and fn= names for the fixture's code
	names() { awk '/^fl=/ { fl = $0 } /^fn=/ { print fl " " $0 }' "$1" | grep 'cg_loops.c' | sort -u; }
	if [ -n "$(names "$T/v.out")" ] && [ "$(names "$T/s.out")" = "$(names "$T/v.out")" ]; then
		pass cg_names_vs_valgrind
	else
		fail cg_names_vs_valgrind "$(diff <(names "$T/s.out") <(names "$T/v.out") | head -4 | tr '\n' '|')"
	fi
	# the branch predictor too
	"$SONDE" cachegrind -q --cache-sim=no --branch-sim=yes --cachegrind-out-file="$T/sb.out" "$FIX/cg_loops" >/dev/null 2>&1
	"$VG" --tool=cachegrind --cache-sim=no --branch-sim=yes --cachegrind-out-file="$T/vb.out" "$FIX/cg_loops" >/dev/null 2>&1
	ok=1 why=
	for c in 1:0.5:Ir 2:0.5:Bc 3:5:Bcm; do
		IFS=: read -r col pct name <<<"$c"
		a=$(summary_col "$T/sb.out" "$col") b=$(summary_col "$T/vb.out" "$col")
		within "$a" "$b" "$pct" || { ok=0; why="$why $name sonde=$a valgrind=$b;"; }
	done
	if [ "$(sed -n 's/^events: //p' "$T/sb.out")" != "$(sed -n 's/^events: //p' "$T/vb.out")" ]; then
		ok=0 why="$why events line differs;"
	fi
	if [ $ok = 1 ]; then pass cg_branches_vs_valgrind; else fail cg_branches_vs_valgrind "$why"; fi
else
	skip cg_vs_valgrind "valgrind not installed"
fi

# Rust: std HashMap, BTreeMap and sorts (rustc -C opt-level=3 -g). malloc's
# mmap threshold is fixed: glibc raises it as big blocks are freed, so the
# sorts' vectors come from the heap, whose layout differs under valgrind
# (the vectors at other offsets in their pages than natively; under qemu
# they are where they are natively): which of the stable sort's unrolled
# reads misses then differs (quicksort.rs:132-135), not how many
if [ $have_vg = 1 ] && build_rust cg_rust dw_collections.rs -C opt-level=3 -g; then
	TUNE=glibc.malloc.mmap_threshold=131072
	GLIBC_TUNABLES=$TUNE "$SONDE" cachegrind -q "${GEOM[@]}" --cachegrind-out-file="$T/sr.out" "$FIX/cg_rust" --rounds 2 >/dev/null 2>"$T/sr.err"
	GLIBC_TUNABLES=$TUNE "$VG" --tool=cachegrind "${GEOM[@]}" --cachegrind-out-file="$T/vr.out" "$FIX/cg_rust" --rounds 2 >/dev/null 2>&1
	ok=1 why=
	for c in 1:0.5:Ir 4:0.5:Dr 7:0.5:Dw 5:5:D1mr; do
		IFS=: read -r col pct name <<<"$c"
		a=$(summary_col "$T/sr.out" "$col") b=$(summary_col "$T/vr.out" "$col")
		within "$a" "$b" "$pct" || { ok=0; why="$why $name sonde=$a valgrind=$b;"; }
	done
	# (not btree_work: valgrind names ~3 % more of option.rs's code after
	# it, while its instructions' own counts agree with callgrind's)
	for f in dw_collections::hash_work dw_collections::sort_work; do
		a=$(fn_col "$T/sr.out" $f 1) b=$(fn_col "$T/vr.out" $f 1)
		within "$a" "$b" 1 || { ok=0; why="$why $f Ir sonde=$a valgrind=$b;"; }
		a=$(fn_col "$T/sr.out" $f 5) b=$(fn_col "$T/vr.out" $f 5)
		within "$a" "$b" 5 || { ok=0; why="$why $f D1mr sonde=$a valgrind=$b;"; }
	done
	if [ $ok = 1 ]; then pass cg_rust_vs_valgrind; else fail cg_rust_vs_valgrind "$why $(first_lines "$T/sr.err")"; fi
	if top=$(python3 "$SONDE_ROOT/tests/e2e/cg_top5.py" "$T/sr.out" "$T/vr.out"); then pass cg_rust_top5_d1mr; else fail cg_rust_top5_d1mr "$(tr '\n' '|' <<<"$top")"; fi
elif [ $have_vg = 1 ]; then
	skip cg_rust_vs_valgrind "rustc missing or the fixture did not build"
fi

if [ -x /usr/bin/cg_annotate ]; then
	if /usr/bin/cg_annotate "$T/s.out" >"$T/ann.txt" 2>&1 && grep -q 'PROGRAM TOTALS' "$T/ann.txt" &&
		grep -q 'cg_loops.c:cols' "$T/ann.txt"; then
		pass cg_annotate_reads_sonde
	else
		fail cg_annotate_reads_sonde "$(first_lines "$T/ann.txt")"
	fi
else
	skip cg_annotate_reads_sonde "no /usr/bin/cg_annotate"
fi

# the flame graph of D1 misses: naive wider than blocked
if "$SONDE" flamegraph -i "$T/s.out" --weight D1mr -o "$T/fg.svg" >/dev/null 2>"$T/fg.err"; then
	n=$(grep -o '<title>naive ([0-9,]*' "$T/fg.svg" | head -1 | grep -o '[0-9,]*$' | tr -d ,)
	b=$(grep -o '<title>blocked ([0-9,]*' "$T/fg.svg" | head -1 | grep -o '[0-9,]*$' | tr -d ,)
	if [ -n "$n" ] && [ -n "$b" ] && [ "$n" -gt $((b * 5)) ]; then pass cg_flamegraph_d1mr; else fail cg_flamegraph_d1mr "naive=$n blocked=$b"; fi
else
	fail cg_flamegraph_d1mr "$(first_lines "$T/fg.err")"
fi
if grep -q '^cg_loops-[0-9]*/[0-9]*;__libc_start_main;(below main);main;naive ' "$T/s.out.stacks"; then pass cg_stacks_frames; else fail cg_stacks_frames "$(grep naive "$T/s.out.stacks" | head -2)"; fi

# exit status and signals pass through, the counts written either way
"$SONDE" cachegrind -q --cachegrind-out-file="$T/e3.out" "$FIX/cg_loops" 3 >/dev/null 2>"$T/e3.err"
rc=$?
if [ $rc = 3 ] && [ -s "$T/e3.out" ]; then pass cg_exit_status; else fail cg_exit_status "rc=$rc $(first_lines "$T/e3.err")"; fi
"$SONDE" cachegrind -q --cachegrind-out-file="$T/sv.out" "$FIX/cg_loops" segv >/dev/null 2>"$T/sv.err"
rc=$?
if [ $rc = 139 ] && grep -q '^fn=cols' "$T/sv.out"; then pass cg_segv; else fail cg_segv "rc=$rc $(first_lines "$T/sv.err")"; fi

# valgrind's stderr around the summary: the preamble, and the block about
# the signal the program died of (qemu's own line not printed), the same
# once pids and addresses are masked and the name lines are valgrind's
vgmask() { sed -E 's/^==[0-9]+==/==PID==/; s/^--[0-9]+--/--PID--/; s/0x[0-9A-F]+:/0xADDR:/; s/^(==PID==) sonde cachegrind, .*/\1 NAME/;
	s/^(==PID==) Cachegrind, .*/\1 NAME/; s/^(==PID==) (Cache simulation on|Copyright \(C\)) .*/\1 COPYRIGHT/;
	s/^(==PID==) Using (sonde|Valgrind)-.*/\1 VERSION/' "$1" | sed -n '1,/^==PID== I   refs:/p' | grep -v '^==PID== I   refs:'; }
"$SONDE" cachegrind "${GEOM[@]}" --cachegrind-out-file="$T/pre.out" "$FIX/cg_loops" segv >/dev/null 2>"$T/pre.err"
if [ $have_vg = 1 ]; then
	"$VG" --tool=cachegrind "${GEOM[@]}" --cachegrind-out-file="$T/vpre.out" "$FIX/cg_loops" segv >/dev/null 2>"$T/vpre.err"
	if [ -n "$(vgmask "$T/vpre.err")" ] && [ "$(vgmask "$T/pre.err")" = "$(vgmask "$T/vpre.err")" ]; then
		pass cg_vg_stderr_segv
	else
		fail cg_vg_stderr_segv "$(diff <(vgmask "$T/pre.err") <(vgmask "$T/vpre.err") | head -6 | tr '\n' '|')"
	fi
	# a worker thread's crash: the block and its stack (valgrind names
	# clone by its alias "clone", sonde's symbol table "__clone")
	"$SONDE" cachegrind -q --cachegrind-out-file="$T/tsq.out" "$FIX/cg_threads" segv >/dev/null 2>"$T/tsq.err"
	"$VG" -q --tool=cachegrind --cachegrind-out-file="$T/vtsq.out" "$FIX/cg_threads" segv >/dev/null 2>"$T/vtsq.err"
	a=$(vgmask "$T/tsq.err" | grep -v '^--PID--' | sed 's/: __clone (/: clone (/') b=$(vgmask "$T/vtsq.err" | grep -v '^--PID--')
	if grep -q ' at 0xADDR: worker (cg_threads.c:' <<<"$b" && [ "$a" = "$b" ]; then pass cg_vg_stderr_thread_segv; else fail cg_vg_stderr_thread_segv "$(diff <(echo "$a") <(echo "$b") | head -6 | tr '\n' '|')"; fi
fi
if ! grep -q '^qemu: ' "$T/pre.err" && grep -q "^==[0-9]*== Command: $FIX/cg_loops segv\$" "$T/pre.err" &&
	[ "$(sed -n 1p "$T/pre.err" | sed 's/^==[0-9]*== //')" = "sonde cachegrind, a cache and branch-prediction profiler" ]; then
	pass cg_preamble
else
	fail cg_preamble "$(first_lines "$T/pre.err" 5)"
fi

# threads: both workers counted; exit_group from a worker still writes
"$SONDE" cachegrind -q --cachegrind-out-file="$T/t.out" "$FIX/cg_threads" >/dev/null 2>"$T/t.err"
rc=$?
w=$(fn_col "$T/t.out" work 1)
w1=$(grep -c '^cg_threads-[0-9]*/[0-9]*;start_thread;worker;work ' "$T/t.out.stacks")
if [ $rc = 0 ] && [ "${w:-0}" -gt 20000000 ] && [ "$w1" = 2 ]; then pass cg_threads; else fail cg_threads "rc=$rc work Ir=$w $(first_lines "$T/t.err")"; fi
# four threads: --per-thread=yes's lines and the stacks file's threads add
# up to the program's totals exactly; worker i (named worker-i) did its
# work() i + 1 times, and that is what its thread holds
"$SONDE" cachegrind --per-thread=yes "${GEOM[@]}" --cachegrind-out-file="$T/t4.out" "$FIX/cg_threads" 4 >/dev/null 2>"$T/t4.err"
rc=$?
ok=1 why=
nthr=$(grep -c '^==[0-9]*== thread [0-9]* (' "$T/t4.err")
[ $rc = 0 ] && [ "$nthr" = 5 ] || { ok=0; why="rc=$rc $nthr thread lines;"; }
# per-thread lines: I refs, D refs, D1 misses summed
sums=$(sed -n 's/^==[0-9]*== thread [0-9]* ([^)]*): //p' "$T/t4.err" | tr -d , |
	awk '{ ir += $3; d += $6; d1 += $14 } END { print ir, d, d1 }')
tot=$(awk '/^summary:/ { print $2, $5 + $8, $6 + $9 }' "$T/t4.out")
[ "$sums" = "$tot" ] || { ok=0; why="$why per-thread lines $sums, summary $tot;"; }
# the stacks file: per thread root, all events summed = the summary
st=$(awk 'NR > 1 { for (i = NF - 8; i <= NF; i++) s[i - NF + 8] += $i } END { for (i = 0; i < 9; i++) printf "%s%d", i ? " " : "", s[i]; print "" }' "$T/t4.out.stacks")
[ "$st" = "$(sed -n 's/^summary: //p' "$T/t4.out")" ] || { ok=0; why="$why stacks $st;"; }
w0=
for i in 0 1 2 3; do
	# the thread's line total = its stacks summed, its work() (i + 1) x worker-0's
	tl=$(grep "^==[0-9]*== thread [0-9]* (worker-$i): " "$T/t4.err" | sed 's/.*: I refs: \([0-9,]*\).*/\1/' | tr -d ,)
	ts=$(awk -v t="worker-$i" 'index($0, t "-") == 1 { s += $(NF - 8) } END { print s + 0 }' "$T/t4.out.stacks")
	wi=$(awk -v t="worker-$i" 'index($0, t "-") == 1 && / *;start_thread;worker;work / { s += $(NF - 8) } END { print s + 0 }' "$T/t4.out.stacks")
	[ -z "$w0" ] && w0=$wi
	[ "$tl" = "$ts" ] && [ "$wi" -gt 0 ] && within "$wi" $((w0 * (i + 1))) 0.1 || { ok=0; why="$why worker-$i line=$tl stacks=$ts work=$wi;"; }
done
if [ $ok = 1 ]; then pass cg_threads4_totals; else fail cg_threads4_totals "$why $(first_lines "$T/t4.err")"; fi
"$SONDE" report -i "$T/t4.out.stacks" --weight Ir --sort comm --no-children >"$T/t4.rep" 2>&1
if grep -q ' worker-3 *$' "$T/t4.rep" && grep -q ' cg_threads *$' "$T/t4.rep"; then pass cg_threads4_report_comm; else fail cg_threads4_report_comm "$(first_lines "$T/t4.rep" 9)"; fi
"$SONDE" cachegrind "${GEOM[@]}" --cachegrind-out-file="$T/t4d.out" "$FIX/cg_threads" 4 >/dev/null 2>"$T/t4d.err"
if ! grep -q ' thread ' "$T/t4d.err" && [ "$(grep -c '^==' "$T/t4d.err")" = "$(grep -c '^==' "$T/t4.err" | awk '{ print $1 - 6 }')" ]; then
	pass cg_per_thread_default_off
else
	fail cg_per_thread_default_off "$(first_lines "$T/t4d.err")"
fi
if [ $have_vg = 1 ]; then
	"$VG" --tool=cachegrind --cachegrind-out-file="$T/vt.out" "$FIX/cg_threads" >/dev/null 2>&1
	if within "$w" "$(fn_col "$T/vt.out" work 1)" 1; then pass cg_threads_vs_valgrind; else fail cg_threads_vs_valgrind "sonde=$w valgrind=$(fn_col "$T/vt.out" work 1)"; fi
fi
"$SONDE" cachegrind -q --cachegrind-out-file="$T/tx.out" "$FIX/cg_threads" exit >/dev/null 2>"$T/tx.err"
rc=$?
if [ $rc = 5 ] && grep -q '^fn=work' "$T/tx.out"; then pass cg_thread_exit; else fail cg_thread_exit "rc=$rc $(first_lines "$T/tx.err")"; fi
"$SONDE" cachegrind -q --cachegrind-out-file="$T/ts.out" "$FIX/cg_threads" segv >/dev/null 2>"$T/ts.err"
rc=$?
if [ $rc = 139 ] && grep -q '^fn=work' "$T/ts.out"; then pass cg_thread_segv; else fail cg_thread_segv "rc=$rc $(first_lines "$T/ts.err")"; fi

# the shadow stack after a longjmp out of ten frames: after() under main
for sim in yes no; do
	"$SONDE" cachegrind -q --cache-sim=$sim --cachegrind-out-file="$T/lj.$sim" "$FIX/cg_longjmp" >/dev/null 2>"$T/lj.err"
	rows=$(grep ';after ' "$T/lj.$sim.stacks" | sed -E 's/( [0-9]+)+$//; s/^cg_longjmp-[0-9]+\/[0-9]+;//' | tr '\n' '|')
	if [ "$rows" = "__libc_start_main;(below main);main;after|" ]; then pass cg_longjmp_$sim; else fail cg_longjmp_$sim "$rows $(first_lines "$T/lj.err")"; fi
done

# fork and exec: one file per process, as cachegrind.out.%p (the shell and
# its subshell; a child that execs writes nothing, as under valgrind,
# which runs no tool's end for an image that execs)
fork_cmd='echo a; (echo b; exit 0); ls / >/dev/null; echo c'
mkdir -p "$T/fork" "$T/vfork"
(cd "$T/fork" && "$SONDE" cachegrind -q /bin/sh -c "$fork_cmd" >"$T/fork.out" 2>"$T/fork.err")
n=$(ls "$T/fork"/cachegrind.out.[0-9]* 2>/dev/null | wc -l)
want=2
[ $have_vg = 1 ] && want=$(cd "$T/vfork" && "$VG" --tool=cachegrind -q /bin/sh -c "$fork_cmd" >/dev/null 2>&1; ls cachegrind.out.[0-9]* 2>/dev/null | wc -l)
if [ "$n" = "$want" ] && [ "$(tr '\n' ' ' <"$T/fork.out")" = "a b c " ]; then pass cg_fork_exec; else fail cg_fork_exec "$n files (valgrind: $want) $(first_lines "$T/fork.err")"; fi

# --trace-children=yes: the exec'd program counted under qemu too
mkdir -p "$T/follow"
(cd "$T/follow" && "$SONDE" cachegrind -q --trace-children=yes /bin/sh -c "$FIX/cg_loops 7; echo \$?" >"$T/follow.out" 2>"$T/follow.err")
n=$(grep -l '^fn=cols' "$T/follow"/cachegrind.out.[0-9]* 2>/dev/null | grep -vc stacks)
if [ "$n" = 1 ] && [ "$(tail -1 "$T/follow.out")" = 7 ]; then pass cg_trace_children; else fail cg_trace_children "$n $(first_lines "$T/follow.err")"; fi
# the exec'd program's file names its own command line, as valgrind's
f=$(grep -l '^fn=cols' "$T/follow"/cachegrind.out.[0-9]* 2>/dev/null | head -1)
if [ -n "$f" ] && [ "$(sed -n 's/^cmd: //p' "$f")" = "$FIX/cg_loops 7" ] &&
	grep -q "^cmd: /bin/sh -c $FIX/cg_loops 7; echo \\\$?\$" $(grep -L '^fn=cols' "$T/follow"/cachegrind.out.[0-9]*); then
	pass cg_trace_children_cmd
else
	fail cg_trace_children_cmd "$(grep -h '^cmd:' "$T/follow"/cachegrind.out.[0-9]* | tr '\n' '|')"
fi

# valgrind's command line through sonde's valgrind front-end
mkdir -p "$T/bin" "$T/vgrun"
ln -sf "$SONDE" "$T/bin/valgrind"
(cd "$T/vgrun" && "$T/bin/valgrind" --tool=cachegrind --cache-sim=no "$FIX/cg_loops" >/dev/null 2>"$T/vg.err")
rc=$?
f=$(ls "$T/vgrun"/cachegrind.out.[0-9]* 2>/dev/null | grep -v stacks | head -1)
if [ $rc = 0 ] && [ -n "$f" ] && grep -q '^events: Ir$' "$f"; then pass cg_valgrind_frontend; else fail cg_valgrind_frontend "rc=$rc $(first_lines "$T/vg.err")"; fi

# no qemu: one line naming the package
out=$(PATH=/nonexistent "$SONDE" cachegrind "$FIX/cg_loops" 2>&1 >/dev/null)
rc=$?
if [ $rc = 1 ] && [ "$out" = "sonde cachegrind: needs qemu-user (apt-get install qemu-user)" ]; then
	pass cg_no_qemu
else
	fail cg_no_qemu "rc=$rc $out"
fi

# bad options are usage errors; a guest killed by SIGKILL leaves no counts: one line
"$SONDE" cachegrind --I1=3000,8,64 true >/dev/null 2>"$T/bad.err"
rc=$?
if [ $rc = 129 ] && grep -q 'power of two' "$T/bad.err"; then pass cg_bad_geometry; else fail cg_bad_geometry "rc=$rc $(first_lines "$T/bad.err")"; fi
"$SONDE" cachegrind -q --cachegrind-out-file="$T/k.out" sh -c 'kill -9 $$' >/dev/null 2>"$T/k.err"
rc=$?
if [ $rc = 137 ] && [ "$(wc -l <"$T/k.err")" = 1 ] && [ ! -e "$T/k.out" ]; then pass cg_killed; else fail cg_killed "rc=$rc $(first_lines "$T/k.err")"; fi
