#!/usr/bin/env bash
# e2e_stripped: a stripped binary's samples are grouped per function, named
# by module and the start of the .eh_frame FDE that holds them
# ("split_stripped+0x1160"), one row per function instead of one [unknown]
# row: split.c's 75%/25% between hot_a and hot_b shows as two rows whose
# addresses are hot_a's and hot_b's (nm of the unstripped build), with the
# same shares; the call graph reaches main's row through them.
. "$(dirname "$0")/lib.sh"

build_fx split split.c || { fail stripped_build "cannot compile split.c: $(first_lines "$T/build.log")"; exit 0; }
command -v strip >/dev/null && command -v nm >/dev/null || { skip stripped "binutils not installed"; exit 0; }
cp "$FIX/split" "$T/split_stripped"
strip "$T/split_stripped"
if nm "$T/split_stripped" 2>/dev/null | grep -q .; then
	fail stripped_build "strip left a symbol table"
	exit 0
fi
addr_of() { nm "$FIX/split" | awk -v f="$1" '$3 == f { sub(/^0+/, "", $1); print "0x" $1 }'; }
a=$(addr_of hot_a)
b=$(addr_of hot_b)

rc=$(run_rc "$T/rec" "$SONDE" record -g -o "$T/s.data" -- "$T/split_stripped" 1.2)
[ "$rc" = 0 ] || { fail stripped_record "exit $rc: $(first_lines "$T/rec.err")"; exit 0; }
"$SONDE" report -i "$T/s.data" --no-children -g none >"$T/s.txt" 2>"$T/s.err"
pa=$(report_pct "$T/s.txt" "split_stripped+$a")
pb=$(report_pct "$T/s.txt" "split_stripped+$b")
if [ -n "$pa" ] && [ -n "$pb" ] && near "$pa" 75 10 && near "$pb" 25 10; then
	pass stripped_rows_per_function
else
	fail stripped_rows_per_function "hot_a ($a) ${pa:-missing}%, hot_b ($b) ${pb:-missing}% (want ~75/25): $(report_syms "$T/s.txt" | head -4 | tr '\n' ' ')"
fi
unk=$(awk '/^ *[0-9.]+%/ && / split_stripped +\[\.\] \[unknown\]/ { sub(/%/, "", $1); s += $1 } END { printf "%.2f", s + 0 }' "$T/s.txt")
if fgt 1 "$unk"; then pass stripped_no_unknown_row; else fail stripped_no_unknown_row "[unknown] rows of the binary hold $unk%"; fi
# main has no FDE of its own name either; the folded stacks go root to leaf
# through the FDE names
"$SONDE" script -i "$T/s.data" --folded >"$T/s.folded" 2>/dev/null
if grep -q "split_stripped+$a" "$T/s.folded" && grep -q "split_stripped+$b" "$T/s.folded"; then
	pass stripped_folded
else
	fail stripped_folded "$(head -2 "$T/s.folded" | cut -c1-200)"
fi

# rebuilt since the recording (its code moved): the names come from the
# recorded build, which the build-id cache kept, not from the new file
cp "$T/split_stripped" "$T/split_stripped.orig"
if gcc -O2 -g -fno-omit-frame-pointer -falign-functions=4096 -o "$T/split_stripped" "$FIXSRC/split.c" 2>>"$T/build.log" &&
	strip "$T/split_stripped" && ! cmp -s "$T/split_stripped" "$T/split_stripped.orig"; then
	"$SONDE" report -i "$T/s.data" --no-children -g none >"$T/r.txt" 2>"$T/r.err"
	ra=$(report_pct "$T/r.txt" "split_stripped+$a")
	rb=$(report_pct "$T/r.txt" "split_stripped+$b")
	if [ -n "$ra" ] && [ -n "$rb" ] && near "$ra" "$pa" 0.01 && near "$rb" "$pb" 0.01; then
		pass stripped_rebuilt_from_cache
	else
		fail stripped_rebuilt_from_cache "after a rebuild: hot_a ${ra:-missing}% (was $pa), hot_b ${rb:-missing}% (was $pb): $(report_syms "$T/r.txt" | head -4 | tr '\n' ' ') $(first_lines "$T/r.err")"
	fi
else
	fail stripped_build "cannot rebuild split.c: $(first_lines "$T/build.log")"
fi
