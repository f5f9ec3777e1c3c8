#!/usr/bin/env bash
# cg_annotate, cg_diff and cg_merge as sonde's compat names, against
# valgrind 3.19's own tools on files valgrind's cachegrind wrote: the same
# bytes (cg_annotate: after cg_norm.py puts what Perl prints in hash order
# in one order); cachegrind.out as `sonde report/flamegraph -i` input; and
# one error line for broken files.
. "$(dirname "$0")/lib.sh"

if ! command -v valgrind >/dev/null || ! command -v cg_annotate >/dev/null; then
	skip cg_tools "valgrind (with cg_annotate, cg_diff, cg_merge) is not installed"
	exit 0
fi
command -v python3 >/dev/null || { skip cg_tools "python3 is needed to compare the reports"; exit 0; }
"$SONDE" shims "$T/bin" >/dev/null 2>&1 || { fail cg_shims "sonde shims failed"; exit 0; }
for n in cg_annotate cg_diff cg_merge; do
	[ -L "$T/bin/$n" ] || fail cg_shims "sonde shims made no $n"
done
NORM=$SONDE_ROOT/tests/e2e/cg_norm.py

# the fixture built in $T so its source is where the debug info says
cp "$FIXSRC/cg_walk.c" "$T/cg_walk.c"
touch -d '2 hours ago' "$T/cg_walk.c"
(cd "$T" && gcc -g -O1 -o cg_walk cg_walk.c) || { fail cg_build "cannot build cg_walk.c"; exit 0; }
cg() { # OUT ARGS...: valgrind's cachegrind on the fixture
	local out=$1; shift
	(cd "$T" && valgrind --tool=cachegrind "$@" --cachegrind-out-file="$out" ./cg_walk >/dev/null 2>&1) ||
		fail cg_valgrind "valgrind --tool=cachegrind $* failed"
}
cg plain.out
cg branch.out --branch-sim=yes
cg nosim.out --cache-sim=no
(cd "$T" && valgrind --tool=cachegrind --cachegrind-out-file=stride8.out ./cg_walk 8 >/dev/null 2>&1)
grep -v '^desc:' "$T/nosim.out" >"$T/v321.out" # 3.21+'s --cache-sim=no form: no desc: lines

# same_ann NAME SORTCOLS ARGS...: both cg_annotates, compared after cg_norm.py
same_ann() {
	local name=$1 cols=$2; shift 2
	(cd "$T" && cg_annotate "$@" >"$T/perl.txt" 2>&1; echo "rc $?" >>"$T/perl.txt")
	(cd "$T" && "$T/bin/cg_annotate" "$@" >"$T/sonde.txt" 2>&1; echo "rc $?" >>"$T/sonde.txt")
	python3 "$NORM" "$cols" <"$T/perl.txt" >"$T/perl.norm"
	python3 "$NORM" "$cols" <"$T/sonde.txt" >"$T/sonde.norm"
	if cmp -s "$T/perl.norm" "$T/sonde.norm"; then
		pass "$name"
	else
		fail "$name" "cg_annotate $* differs from valgrind's: $(diff "$T/perl.norm" "$T/sonde.norm" | head -5 | tr '\n' '|')"
	fi
}

same_ann cg_annotate_plain 0 plain.out
# no ties in this one's rows and one source file: byte for byte without cg_norm.py
(cd "$T" && cg_annotate plain.out >"$T/p.raw" && "$T/bin/cg_annotate" plain.out >"$T/s.raw")
if cmp -s "$T/p.raw" "$T/s.raw"; then pass cg_annotate_bytes; else fail cg_annotate_bytes "$(diff "$T/p.raw" "$T/s.raw" | head -3)"; fi
(cd "$T" && "$T/bin/cg_annotate" --context=1 --threshold=0 plain.out >"$T/s1.raw")
grep -q 'Auto-annotated source: .*cg_walk.c' "$T/s.raw" && grep -q "could not be found" "$T/s1.raw" &&
	grep -q -- '-- line [0-9]* ---' "$T/s1.raw" && pass cg_annotate_sections ||
	fail cg_annotate_sections "no annotated source, unfound files or line markers"
same_ann cg_annotate_branch 0 branch.out
same_ann cg_annotate_nosim 0 nosim.out
same_ann cg_annotate_321_form 0 v321.out
same_ann cg_annotate_show_sort 4,0 --show=D1mr,Ir --sort=D1mr:1,Ir plain.out
same_ann cg_annotate_sort_thresholds 5,6 --sort=DLmr:0,Dw:2% plain.out
same_ann cg_annotate_branch_sort 10 --sort=Bcm --threshold=0.5 branch.out
same_ann cg_annotate_threshold_context 0 --threshold=0 --context=2 plain.out
same_ann cg_annotate_nopercs 0 --show-percs=no --context=0 plain.out
same_ann cg_annotate_user_file 0 --auto=no plain.out cg_walk.c
mkdir -p "$T/inc" && mv "$T/cg_walk.c" "$T/inc/" # sources found through -I only
same_ann cg_annotate_include 0 -I"$T/inc/" plain.out
same_ann cg_annotate_missing_source 0 --include=/nonexistent plain.out
mv "$T/inc/cg_walk.c" "$T/"
# Perl's die() leaves errno as the status: any non-zero one will do
(cd "$T" && "$T/bin/cg_annotate" --show=XX plain.out >/dev/null 2>"$T/err.txt")
[ $? -ne 0 ] && grep -q "^sonde cg_annotate: --show event \`XX' did not appear in input$" "$T/err.txt" &&
	pass cg_annotate_bad_event || fail cg_annotate_bad_event "$(cat "$T/err.txt")"

# a Rust program: std's sources are not here (listed as not found)
if build_rust cg_maps cg_maps.rs -g -O; then
	(cd "$T" && valgrind --tool=cachegrind --cachegrind-out-file=rust.out "$FIX/cg_maps" >/dev/null 2>&1)
	same_ann cg_annotate_rust 0 rust.out
	same_ann cg_annotate_rust_context 0 --threshold=0.01 --context=1 rust.out
else
	skip cg_annotate_rust "no rustc"
fi

# cg_diff: function blocks in one order (Perl prints them in hash order)
dnorm() { awk 'NR<=3{print; next} /^fl=/{fl=$0; next} /^fn=/{fn=$0; next} /^summary:/{s=$0; next}
	{print fl "\t" fn "\t" $0 | "sort"} END{close("sort"); print s}'; }
same_diff() {
	local name=$1; shift
	(cd "$T" && cg_diff "$@" 2>&1 | dnorm >"$T/perl.diff")
	(cd "$T" && "$T/bin/cg_diff" "$@" 2>&1 | dnorm >"$T/sonde.diff")
	if cmp -s "$T/perl.diff" "$T/sonde.diff" && [ -s "$T/sonde.diff" ]; then
		pass "$name"
	else
		fail "$name" "cg_diff $* differs: $(diff "$T/perl.diff" "$T/sonde.diff" | head -4 | tr '\n' '|')"
	fi
}
same_diff cg_diff_plain plain.out stride8.out
same_diff cg_diff_mod --mod-filename='s/\.\/elf/ELF/' --mod-funcname='s/_(\w+)$/X$1/g' plain.out stride8.out
(cd "$T" && cg_diff plain.out stride8.out >d.out 2>/dev/null)
same_ann cg_annotate_of_diff 0 d.out

# cg_merge: the same file, the same progress lines
(cd "$T" && cg_merge -o perl.merged plain.out stride8.out plain.out 2>perl.err)
(cd "$T" && "$T/bin/cg_merge" -o sonde.merged plain.out stride8.out plain.out 2>sonde.err)
sed -i 's/^[^:]*cg_merge: /cg_merge: /; s/perl.merged/OUT/' "$T/perl.err"
sed -i 's/^[^:]*cg_merge: /cg_merge: /; s/sonde.merged/OUT/' "$T/sonde.err"
if cmp -s "$T/perl.merged" "$T/sonde.merged" && cmp -s "$T/perl.err" "$T/sonde.err"; then
	pass cg_merge
else
	fail cg_merge "$(diff "$T/perl.merged" "$T/sonde.merged" | head -3 | tr '\n' '|')"
fi
(cd "$T" && "$T/bin/cg_merge" plain.out branch.out >/dev/null 2>"$T/merge.err")
[ $? -ne 0 ] && grep -q 'events:" line' "$T/merge.err" && pass cg_merge_events_mismatch ||
	fail cg_merge_events_mismatch "$(cat "$T/merge.err")"

# cachegrind.out as a profile: flamegraph and report -i
"$SONDE" flamegraph -i "$T/plain.out" --weight D1mr -o "$T/d1.svg" >/dev/null 2>&1
grep -q 'cg_walk.c:walk' "$T/d1.svg" && pass cg_flamegraph_input || fail cg_flamegraph_input "no walk frame in the SVG"
"$SONDE" report -i "$T/plain.out" --weight Ir --no-children >"$T/rep.txt" 2>&1
top=$(grep -v '^#' "$T/rep.txt" | grep -m1 '%')
case $top in
*cg_walk.c:walk*) pass cg_report_input ;;
*) fail cg_report_input "top row: $top" ;;
esac
"$SONDE" report -i "$T/branch.out" --weight Bcm >/dev/null 2>&1 && pass cg_report_branch_weight ||
	fail cg_report_branch_weight "--weight Bcm refused"

# broken files: one line naming the file and line, non-zero exit
head -c 700 "$T/plain.out" >"$T/trunc.out"
head -c 300 /dev/urandom >"$T/junk.out"
{ head -5 "$T/plain.out"; echo "10 99999999999999999999999"; } >"$T/huge.out"
for f in trunc junk huge; do
	"$T/bin/cg_annotate" "$T/$f.out" >/dev/null 2>"$T/err.txt"
	rc=$?
	if [ $rc -ne 0 ] && [ "$(wc -l <"$T/err.txt")" -eq 1 ] && grep -q "^sonde cg_annotate: $T/$f.out:[0-9]*: " "$T/err.txt"; then
		pass "cg_annotate_broken_$f"
	else
		fail "cg_annotate_broken_$f" "rc $rc: $(head -2 "$T/err.txt")"
	fi
done
