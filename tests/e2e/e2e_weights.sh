#!/usr/bin/env bash
# e2e_weights: every input through the profile model, rendered by a chosen
# weight (docs/ARCHITECTURE.md):
#  1. a heap trace read by `sonde report` and `sonde flamegraph` (-i TRACE
#     --weight W): the same totals and stacks as `sonde heap report`;
#  2. --weight names checked, the input's weights listed in the error;
#  3. `sonde report --format folded` on sonde.data and perf.data: the same
#     lines as `sonde script --folded`, periods or (--weight samples) counts;
#  4. `sonde report -i TRACE --format pprof`: every weight a sample type
#     (go tool pprof reads it).
. "$(dirname "$0")/lib.sh"

TMO=${HEAP_TIMEOUT:-60}
build_fx heap_basic heap_basic.c || { fail weights_build "$(first_lines "$T/build.log")"; exit 0; }
rc=$(cd "$T" && run_rc "$T/rec" timeout -k 5 "$TMO" "$SONDE" heap -o "$T/h.zst" -- "$FIX/heap_basic")
if [ "$rc" != 0 ] || [ ! -s "$T/h.zst" ]; then
	fail weights_record "sonde heap exit $rc: $(first_lines "$T/rec.err")"
	exit 0
fi

# ---- 1. a heap trace as a profile ----
# the folded stacks of each cost, but for the command's name as root frame
for w in allocations temporary peak leaked; do
	"$SONDE" heap report "$T/h.zst" --flamegraph-cost "$w" >"$T/heap.$w" 2>/dev/null
	"$SONDE" flamegraph -i "$T/h.zst" --weight "$w" --format folded -o "$T/fg.$w" 2>"$T/fg.$w.err"
	sed 's/^heap_basic;//' "$T/fg.$w" | sed 's/_\[i\]//g' | sort >"$T/fg.$w.norm"
	sed 's/_\[i\]//g' "$T/heap.$w" | sort >"$T/heap.$w.norm"
	if [ -s "$T/heap.$w" ] && cmp -s "$T/heap.$w.norm" "$T/fg.$w.norm"; then
		pass "flamegraph_heap_weight_$w"
	else
		fail "flamegraph_heap_weight_$w" "$(diff "$T/heap.$w.norm" "$T/fg.$w.norm" | head -4 | tr '\n' '|')"
	fi
done
# the SVG through the same path, widths in bytes
if "$SONDE" flamegraph -i "$T/h.zst" --weight leaked -o "$T/leak.svg" 2>"$T/svg.err" &&
	grep -q 'leak_blocks' "$T/leak.svg" && grep -q '40,960 bytes' "$T/svg.err"; then
	pass flamegraph_heap_svg
else
	fail flamegraph_heap_svg "$(first_lines "$T/svg.err")"
fi
# report: the event count is the weight's total (heap_basic's designed peak and leaks)
"$SONDE" report --no-pager -i "$T/h.zst" --weight peak >"$T/rep.peak" 2>"$T/rep.err"
grep -q '^# Event count (approx.): 18092816$' "$T/rep.peak" && grep -q 'grow$' "$T/rep.peak" &&
	pass report_heap_peak || fail report_heap_peak "$(first_lines "$T/rep.peak" 4)"
"$SONDE" report --no-pager -i "$T/h.zst" --weight leaked -g none >"$T/rep.leak" 2>/dev/null
grep -q '^# Event count (approx.): 40960$' "$T/rep.leak" && grep -q '100.00%.*leak_blocks$' "$T/rep.leak" &&
	pass report_heap_leaked || fail report_heap_leaked "$(first_lines "$T/rep.leak" 4)"

# ---- 2. weight names ----
rc=$(run_rc "$T/bad" "$SONDE" report -i "$T/h.zst" --weight bogus)
[ "$rc" = 129 ] && grep -q "^sonde report: unknown weight 'bogus' for --weight; this input has allocations, allocated, temporary, peak or leaked" "$T/bad.err" &&
	grep -q "^Run 'sonde report --help' for the options" "$T/bad.err" &&
	pass weight_unknown_heap || fail weight_unknown_heap "exit $rc: $(first_lines "$T/bad.err")"

# ---- 3. report --format folded ----
build_fx inline inline.c || { fail weights_build_inline "$(first_lines "$T/build.log")"; exit 0; }
if "$SONDE" record -q -g -o "$T/cpu.data" -- "$FIX/inline" 0.3 >/dev/null 2>&1; then
	"$SONDE" report -i "$T/cpu.data" --format folded >"$T/rf" 2>/dev/null
	"$SONDE" script -i "$T/cpu.data" --folded >"$T/sf" 2>/dev/null
	[ -s "$T/rf" ] && cmp -s "$T/rf" "$T/sf" && pass report_folded_sonde_data || fail report_folded_sonde_data "differs from script --folded"
	"$SONDE" report -i "$T/cpu.data" --format folded --weight samples >"$T/rfc" 2>/dev/null
	"$SONDE" script -i "$T/cpu.data" --folded --counts >"$T/sfc" 2>/dev/null
	[ -s "$T/rfc" ] && cmp -s "$T/rfc" "$T/sfc" && pass report_folded_samples || fail report_folded_samples "differs from script --folded --counts"
	rc=$(run_rc "$T/bad2" "$SONDE" report -i "$T/cpu.data" --weight peak)
	[ "$rc" = 129 ] && grep -q "this input has period or samples" "$T/bad2.err" &&
		pass weight_unknown_cpu || fail weight_unknown_cpu "exit $rc: $(first_lines "$T/bad2.err")"
else
	skip report_folded_sonde_data "sonde record failed"
fi
if perf_usable && perf record -q -g -e cpu-clock -o "$T/perf.data" -- "$FIX/inline" 0.3 >/dev/null 2>&1; then
	"$SONDE" report -i "$T/perf.data" --format folded >"$T/prf" 2>/dev/null
	"$SONDE" script -i "$T/perf.data" --folded >"$T/psf" 2>/dev/null
	[ -s "$T/prf" ] && cmp -s "$T/prf" "$T/psf" && pass report_folded_perf_data || fail report_folded_perf_data "differs from script --folded"
else
	skip report_folded_perf_data "perf cannot record here"
fi

# ---- 4. pprof of a heap trace read by report: every weight a sample type ----
if command -v go >/dev/null && go tool pprof -h >/dev/null 2>&1; then
	"$SONDE" report -i "$T/h.zst" --format pprof -o "$T/h.pb.gz" 2>/dev/null
	go tool pprof -sample_index=leaked -top "$T/h.pb.gz" >"$T/pp.top" 2>&1
	go tool pprof -raw "$T/h.pb.gz" >"$T/pp.raw" 2>&1
	grep -q 'allocations/count\[dflt\] allocated/bytes temporary/count peak/bytes leaked/bytes' "$T/pp.raw" &&
		grep -q 'Total samples = 40kB' "$T/pp.top" && grep -q 'leak_blocks$' "$T/pp.top" &&
		pass report_pprof_heap_weights || fail report_pprof_heap_weights "$(first_lines "$T/pp.top" 6)"
else
	skip report_pprof_heap_weights "no go tool pprof"
fi
