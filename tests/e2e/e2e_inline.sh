#!/usr/bin/env bash
# e2e_inline: an always_inline function doing the hot loop shows up as its own
# frame (outer;inner) in folded stacks and as "inner (inlined)" in call graphs.
. "$(dirname "$0")/lib.sh"

build_fx inline inline.c || { fail inline_build "cannot compile inline.c: $(first_lines "$T/build.log")"; exit 0; }
rc=$(run_rc "$T/rec" "$SONDE" record -g -o "$T/in.data" -- "$FIX/inline" 1.0)
[ "$rc" = 0 ] || { fail inline_record "sonde record exit $rc: $(first_lines "$T/rec.err")"; exit 0; }
pass inline_record

"$SONDE" script -i "$T/in.data" --folded >"$T/in.folded" 2>"$T/f.err"
total=$(awk '{ s += $NF } END { print s + 0 }' "$T/in.folded")
io=$(awk '/;outer;inner(;|[ ])/ { s += $NF } END { print s + 0 }' "$T/in.folded")
if [ "$total" -gt 0 ] && fgt "$(awk -v a="$io" -v t="$total" 'BEGIN { print 100 * a / t }')" 70; then
	pass inline_folded_outer_inner
else
	fail inline_folded_outer_inner "stacks containing ';outer;inner' weigh $io of $total (want > 70%); heaviest: $(sort -k2 -n -r -t' ' "$T/in.folded" | head -1 | cut -c1-200)"
fi
if grep -q '^inline;' "$T/in.folded"; then pass inline_folded_comm_root; else fail inline_folded_comm_root "folded lines should start with the comm 'inline;': $(head -1 "$T/in.folded" | cut -c1-120)"; fi
# main;outer;inner is the whole user chain under the libc start frames
if grep -q 'main;outer;inner' "$T/in.folded"; then pass inline_folded_main; else fail inline_folded_main "no 'main;outer;inner' in folded output"; fi
# --counts: weights become sample counts (smaller than periods in ns)
"$SONDE" script -i "$T/in.data" --folded --counts >"$T/inc.folded" 2>/dev/null
tc=$(awk '{ s += $NF } END { print s + 0 }' "$T/inc.folded")
"$SONDE" script -i "$T/in.data" >"$T/in.script" 2>/dev/null
ns=$(script_nsamples "$T/in.script")
if [ "$tc" -gt 0 ] && [ "$tc" = "$ns" ]; then pass inline_folded_counts; else fail inline_folded_counts "--counts weights sum to $tc, sonde script shows ${ns:-?} samples"; fi

# script (not folded) lists inner as its own frame line, right before outer
if awk '/^\t/ { if (prev ~ / inner[+ ]/ && $0 ~ / outer[+ ]/) { found = 1; exit } prev = $0; next } { prev = "" } END { exit !found }' "$T/in.script"; then
	pass inline_script_frames
else
	fail inline_script_frames "no sample with an 'inner' frame directly followed by 'outer': $(grep -m1 -B1 -A3 ' outer' "$T/in.script" | tr '\n\t' '| ' | cut -c1-250)"
fi

# report (default: Children, caller-order graph): under the outer row the
# inlined callee follows outer: "outer" then "inner (inlined)"
"$SONDE" report -i "$T/in.data" >"$T/r.txt" 2>/dev/null
row_graph "$T/r.txt" outer | graph_frames >"$T/og.txt"
if awk 'prev == "outer" && $0 == "inner (inlined)" { found = 1 } { prev = $0 } END { exit !found }' "$T/og.txt"; then
	pass inline_report_graph
else
	fail inline_report_graph "under the 'outer' row ($(report_pct "$T/r.txt" outer)% children) the call graph has no 'outer' line directly followed by 'inner (inlined)'; its frames: $(head -4 "$T/og.txt" | tr '\n' '|')"
fi
# main's graph reaches the inlined frame too: main → outer → inner (inlined)
row_graph "$T/r.txt" main | graph_frames >"$T/mg.txt"
if awk 'p2 == "main" && p1 == "outer" && $0 == "inner (inlined)" { found = 1 } { p2 = p1; p1 = $0 } END { exit !found }' "$T/mg.txt"; then
	pass inline_report_graph_main
else
	fail inline_report_graph_main "under main's row the graph lacks main|outer|inner (inlined): $(head -4 "$T/mg.txt" | tr '\n' '|')"
fi
# --no-inline: the inlined frame disappears from the graph
"$SONDE" report -i "$T/in.data" --no-inline >"$T/rn.txt" 2>/dev/null
if ! grep -q '(inlined)' "$T/rn.txt" && grep -q 'outer' "$T/rn.txt"; then
	pass inline_report_no_inline
else
	fail inline_report_no_inline "--no-inline still shows '(inlined)' lines or lost outer"
fi
