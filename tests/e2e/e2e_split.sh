#!/usr/bin/env bash
# e2e_split: a 75%/25% split between hot_a and hot_b must show up as such.
. "$(dirname "$0")/lib.sh"

build_fx split split.c || { fail split_build "cannot compile split.c: $(first_lines "$T/build.log")"; exit 0; }

rc=$(run_rc "$T/rec" "$SONDE" record -g -o "$T/split.data" -- "$FIX/split" 1.5)
if [ "$rc" != 0 ] || [ ! -s "$T/split.data" ]; then
	fail split_record "sonde record exit $rc: $(first_lines "$T/rec.err")"
	exit 0
fi
pass split_record

"$SONDE" report -i "$T/split.data" --no-children -g none >"$T/nc.txt" 2>"$T/nc.err"
a=$(report_pct "$T/nc.txt" hot_a)
b=$(report_pct "$T/nc.txt" hot_b)
if [ -z "$a" ] || [ -z "$b" ]; then
	fail split_symbols "hot_a=${a:-missing} hot_b=${b:-missing} in: $(report_rows "$T/nc.txt" | head -5 | tr '\n' '|')"
	exit 0
fi
pass split_symbols
order=$(report_syms "$T/nc.txt" | grep -nx -e hot_a -e hot_b | cut -d: -f2 | tr '\n' ' ')
if [ "$order" = "hot_a hot_b " ]; then pass split_order; else fail split_order "row order: $order(want hot_a before hot_b)"; fi
if near "$a" 75 10; then pass split_hot_a_75; else fail split_hot_a_75 "hot_a ${a}% (want 75±10)"; fi
if near "$b" 25 10; then pass split_hot_b_25; else fail split_hot_b_25 "hot_b ${b}% (want 25±10)"; fi

n=$(samples_of "$T/nc.txt")
# default frequency should give well over 1000 samples for 1.5 s of CPU
if [ -n "$n" ] && [ "$n" -ge 500 ]; then pass split_sample_count; else fail split_sample_count "'# Samples:' says ${n:-nothing} (want >= 500 for 1.5 s)"; fi
if grep -q "^# Samples: .* of event 'cpu-clock'" "$T/nc.txt" || grep -q "^# Samples: .* of event 'cycles" "$T/nc.txt"; then
	pass split_header_event
else
	fail split_header_event "header: $(grep '^# Samples' "$T/nc.txt")"
fi
grep -q '^# Lost samples: ' "$T/nc.txt" && grep -q '^# Duration: ' "$T/nc.txt" &&
	pass split_header_lines || fail split_header_lines "missing '# Lost samples:' or '# Duration:' in header"

# Children column: main carries ~all of the time, hot_a its own ~75%.
"$SONDE" report -i "$T/split.data" -g none >"$T/ch.txt" 2>"$T/ch.err"
mc=$(report_pct "$T/ch.txt" main 1)
ms=$(report_pct "$T/ch.txt" main 2)
if [ -n "$mc" ] && fgt "$mc" 90; then pass split_children_main; else fail split_children_main "main Children ${mc:-missing}% (want ≈100, > 90)"; fi
if [ -n "$ms" ] && ! fgt "$ms" 5; then pass split_self_main; else fail split_self_main "main Self ${ms:-missing}% (want ≈0, <= 5)"; fi
ac=$(report_pct "$T/ch.txt" hot_a 1)
as=$(report_pct "$T/ch.txt" hot_a 2)
if [ -n "$ac" ] && [ -n "$as" ] && near "$ac" "$as" 3; then pass split_children_leaf; else fail split_children_leaf "hot_a Children ${ac:-?}% vs Self ${as:-?}% (a leaf, apart from its clock_gettime calls: want within 3)"; fi
# With children, main (≈100%) sorts above hot_a.
first=$(report_syms "$T/ch.txt" | grep -vx -e _start -e __libc_start_main -e __libc_start_call_main -e '__libc_start_main_impl' | head -1)
if [ "$first" = main ]; then pass split_children_order; else fail split_children_order "first user row '$first' (want main)"; fi

# The call graph (default) has tree lines under rows: hot_a called from main.
"$SONDE" report -i "$T/split.data" --no-children >"$T/g.txt" 2>/dev/null
if awk '/\[\.\] hot_a *$/ { on = 1; next } on && /^ *[0-9.]+% / { exit } on && /main/ { found = 1 } END { exit !found }' "$T/g.txt"; then
	pass split_callgraph
else
	fail split_callgraph "no call-graph line mentioning main under hot_a's row"
fi
# --percent-limit hides hot_b (25%) at 50
"$SONDE" report -i "$T/split.data" --no-children -g none --percent-limit 50 >"$T/pl.txt" 2>/dev/null
if [ -n "$(report_pct "$T/pl.txt" hot_a)" ] && [ -z "$(report_pct "$T/pl.txt" hot_b)" ]; then
	pass split_percent_limit
else
	fail split_percent_limit "--percent-limit 50 rows: $(report_syms "$T/pl.txt" | tr '\n' ' ')"
fi
