#!/usr/bin/env bash
# e2e_text_input: folded stacks and `perf script` text read by `sonde
# report -i` and `sonde script -i` (the model's text reader, issue 16):
#  1. report on the folded stacks of a recording (flamegraph --format
#     folded: counts, _[k]/_[i] marks) names the same functions with the
#     same Children and Self percentages as report --weight samples on the
#     recording itself (the command's root frame aside);
#  2. report --format folded of folded text gives the text back (sorted);
#  3. the same from stdin ('-'), and `perf script` text told from folded;
#  4. script -i FILE.folded prints perf script's layout, which collapses
#     back to the same stacks under the [unknown] command.
. "$(dirname "$0")/lib.sh"

build_fx weights weights.c || { fail text_build "weights.c: $(first_lines "$T/build.log")"; exit 0; }
rc=$(run_rc "$T/rec" "$SONDE" record -o "$T/w.data" -- "$FIX/weights" 1)
[ "$rc" = 0 ] || { fail text_record "sonde record exit $rc: $(first_lines "$T/rec.err")"; exit 0; }
"$SONDE" flamegraph -q -i "$T/w.data" --format folded -o "$T/w.folded" 2>"$T/fg.err"
[ -s "$T/w.folded" ] || { fail text_folded "$(first_lines "$T/fg.err")"; exit 0; }

# ---- 1. the same functions and percentages ----
# rows "children self [x] name", the command's root frame left out, and
# frames without a symbol (the recording's [unknown] is [module] in text)
rows() { grep -E '^ +[0-9.]+%' "$1" | grep -v -e "\] weights\$" -e "\] \[" | sort; }
"$SONDE" report --no-pager -i "$T/w.data" --weight samples --sort sym -g none >"$T/rec.txt" 2>/dev/null
"$SONDE" report --no-pager -i "$T/w.folded" -g none >"$T/text.txt" 2>"$T/text.err"
rows "$T/rec.txt" >"$T/rec.rows"
rows "$T/text.txt" >"$T/text.rows"
if [ "$(wc -l <"$T/rec.rows")" -ge 6 ] && cmp -s "$T/rec.rows" "$T/text.rows"; then
	pass report_folded_as_recording
else
	fail report_folded_as_recording "$(diff "$T/rec.rows" "$T/text.rows" | head -4 | tr '\n' '|') $(first_lines "$T/text.err")"
fi
"$SONDE" report --no-pager -i "$T/w.data" --weight samples --sort sym --no-children -g none >"$T/rec.self" 2>/dev/null
"$SONDE" report --no-pager -i "$T/w.folded" --no-children -g none >"$T/text.self" 2>/dev/null
rows "$T/rec.self" >"$T/rec.selfrows"
rows "$T/text.self" >"$T/text.selfrows"
[ -s "$T/rec.selfrows" ] && cmp -s "$T/rec.selfrows" "$T/text.selfrows" && pass report_folded_self ||
	fail report_folded_self "$(diff "$T/rec.selfrows" "$T/text.selfrows" | head -4 | tr '\n' '|')"
# call graphs are drawn from the text's stacks too
"$SONDE" report --no-pager -i "$T/w.folded" >"$T/text.g" 2>/dev/null
grep -qE -- '---weights$' "$T/text.g" && grep -qE -- '--[0-9.]+%--w40$' "$T/text.g" && pass report_folded_graph || fail report_folded_graph "$(first_lines "$T/text.g" 12)"

# ---- 2. folded back ----
"$SONDE" report --no-pager -i "$T/w.folded" --format folded >"$T/back" 2>/dev/null
[ -s "$T/back" ] && cmp -s "$T/w.folded" "$T/back" && pass report_folded_roundtrip ||
	fail report_folded_roundtrip "$(diff "$T/w.folded" "$T/back" | head -4 | tr '\n' '|')"

# ---- 3. stdin, and perf script text ----
"$SONDE" report --no-pager -i - --format folded <"$T/w.folded" >"$T/stdin" 2>/dev/null
cmp -s "$T/w.folded" "$T/stdin" && pass report_folded_stdin || fail report_folded_stdin "$(diff "$T/w.folded" "$T/stdin" | head -4 | tr '\n' '|')"
printf 'prog 12 [000] 1.000000: 250 cpu-clock: \n\tffff1 leaf (/bin/x)\n\tffff2 main (/bin/x)\n\nprog 12 [000] 1.100000: 250 cpu-clock: \n\tffff2 main (/bin/x)\n\n' >"$T/ps.txt"
"$SONDE" report --no-pager -i "$T/ps.txt" --format folded >"$T/ps.folded" 2>"$T/ps.err"
printf 'prog;main 250\nprog;main;leaf 250\n' >"$T/ps.want"
cmp -s "$T/ps.want" "$T/ps.folded" && pass report_perf_script_text || fail report_perf_script_text "$(first_lines "$T/ps.folded") $(first_lines "$T/ps.err")"
rc=$(run_rc "$T/none" "$SONDE" report -i "$T/nonexistent.folded")
[ "$rc" = 1 ] && grep -q "No such file" "$T/none.err" && pass report_text_missing || fail report_text_missing "exit $rc: $(first_lines "$T/none.err")"

# ---- 4. script ----
printf 'main;foo;bar 3\nmain;foo;baz_[i] 1\nmain;sys_read_[k] 2\n' >"$T/s.folded"
"$SONDE" script --no-pager -i "$T/s.folded" >"$T/s.txt" 2>"$T/s.err"
if grep -q '^\[unknown\]     0 \[000\]     0.000000:          3 unknown: $' "$T/s.txt" &&
	grep -qP '^\t +0 sys_read \(\[kernel\.kallsyms\]\)$' "$T/s.txt" && grep -qP '^\t +0 baz \(\[unknown\]\)$' "$T/s.txt"; then
	pass script_folded_layout
else
	fail script_folded_layout "$(first_lines "$T/s.txt" 5) $(first_lines "$T/s.err")"
fi
"$SONDE" collapse "$T/s.txt" >"$T/s.back" 2>/dev/null
printf '[unknown];main;foo;bar 3\n[unknown];main;foo;baz 1\n[unknown];main;sys_read 2\n' >"$T/s.want"
cmp -s "$T/s.want" "$T/s.back" && pass script_folded_collapses || fail script_folded_collapses "$(first_lines "$T/s.back")"
