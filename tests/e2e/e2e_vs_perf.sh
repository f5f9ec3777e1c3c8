#!/usr/bin/env bash
# e2e_vs_perf: sonde's self percentages agree with Linux perf's on the same
# workload (top 5 by self: same order up to near-ties, each within ±5 points),
# and, on one perf.data, its --comm / --dso / --percentage ones are perf's.
. "$(dirname "$0")/lib.sh"

perf_usable || { skip vs_perf "Linux perf not installed or not usable"; exit 0; }
build_fx weights weights.c || { fail vs_perf_build "cannot compile weights.c: $(first_lines "$T/build.log")"; exit 0; }

# The real perf, not a sonde shim that may come first on PATH.
PERF=$(type -P perf)
if [ "$(readlink -f "$PERF")" = "$(readlink -f "$SONDE")" ]; then skip vs_perf "perf on PATH is a sonde shim"; exit 0; fi

"$PERF" record -q -e cpu-clock -F 999 -o "$T/perf.data" -- "$FIX/weights" 1.5 >/dev/null 2>"$T/prec.err" ||
	{ fail vs_perf_perf_record "perf record failed: $(first_lines "$T/prec.err")"; exit 0; }
rc=$(run_rc "$T/srec" "$SONDE" record -e cpu-clock -F 999 -o "$T/sonde.data" -- "$FIX/weights" 1.5)
[ "$rc" = 0 ] || { fail vs_perf_sonde_record "sonde record exit $rc: $(first_lines "$T/srec.err")"; exit 0; }

"$PERF" report -i "$T/perf.data" --stdio --no-children --sort sym >"$T/perf.txt" 2>/dev/null
"$SONDE" report -i "$T/sonde.data" --no-children --sort sym -g none >"$T/sonde.txt" 2>"$T/srep.err"

# top 5 user rows ([.]) of each
top5() { grep -E '^ *[0-9.]+%' "$1" | grep -F '[.] ' | head -5 | awk '{ v = $1; sub(/%/, "", v); s = $0; sub(/.*\[\.\] /, "", s); sub(/ +$/, "", s); print s, v }'; }
top5 "$T/perf.txt" >"$T/p5"
top5 "$T/sonde.txt" >"$T/s5"
if [ "$(wc -l <"$T/s5")" -lt 5 ]; then
	fail vs_perf_rows "sonde report has $(wc -l <"$T/s5") user rows (want 5): $(report_rows "$T/sonde.txt" | head -5 | tr '\n' '|')"
	exit 0
fi
pass vs_perf_rows
summary="perf: $(tr '\n' ' ' <"$T/p5")| sonde: $(tr '\n' ' ' <"$T/s5")"

# each of perf's top 5 within ±5 points in sonde
ok=1 why=""
while read -r sym pv; do
	sv=$(report_pct "$T/sonde.txt" "$sym")
	if [ -z "$sv" ] || ! near "$pv" "$sv" 5; then ok=0; why+="$sym perf $pv% sonde ${sv:-missing}%; "; fi
done <"$T/p5"
if [ $ok = 1 ]; then pass vs_perf_percentages; else fail vs_perf_percentages "differ by > 5 points: $why($summary)"; fi

# same order, allowing a swap of neighbours whose perf percentages are within 3 points
ok=1 why=""
mapfile -t psyms < <(awk '{ print $1 }' "$T/p5")
mapfile -t ssyms < <(awk '{ print $1 }' "$T/s5")
for i in 0 1 2 3 4; do
	[ "${psyms[$i]}" = "${ssyms[$i]}" ] && continue
	# a mismatch is fine when the two symbols are within 3 points of each other (in perf's view)
	a=$(report_pct "$T/perf.txt" "${psyms[$i]}"); b=$(report_pct "$T/perf.txt" "${ssyms[$i]}")
	if [ -z "$b" ] || ! near "$a" "$b" 3; then ok=0; why+="#$((i + 1)) perf ${psyms[$i]} ($a%) vs sonde ${ssyms[$i]} (perf ${b:-?}%); "; fi
done
if [ $ok = 1 ]; then pass vs_perf_order; else fail vs_perf_order "$why($summary)"; fi

# and against the designed weights (40/25/15/10/6 of user time), ±6 points
ok=1 why=""
for w in 40 25 15 10 06; do
	sv=$(report_pct "$T/sonde.txt" "w$w")
	if [ -z "$sv" ] || ! near "$sv" "$((10#$w))" 6; then ok=0; why+="w$w ${sv:-missing}%; "; fi
done
if [ $ok = 1 ]; then pass vs_perf_designed_weights; else fail vs_perf_designed_weights "$why($summary)"; fi

# sample counts within 20% of each other (same frequency, same workload)
pn=$("$PERF" script -i "$T/perf.data" 2>/dev/null >"$T/perf.script"; script_nsamples "$T/perf.script")
"$SONDE" script -i "$T/sonde.data" >"$T/sonde.script" 2>/dev/null
sn=$(script_nsamples "$T/sonde.script")
if [ "$pn" -gt 0 ] && near "$sn" "$pn" $(( pn / 5 + 1 )); then pass vs_perf_sample_count; else fail vs_perf_sample_count "sonde $sn samples vs perf $pn at -F 999 (want within 20%)"; fi

# ---- filters on the same perf.data: the numbers are perf's ----
if build_fx forkexec forkexec.c && build_fx fx_child fx_child.c &&
	"$PERF" record -q -e cpu-clock -o "$T/fe.data" -- "$FIX/forkexec" "$FIX/fx_child" >/dev/null 2>"$T/ferec.err"; then
	ok=1 why=""
	for args in "--comm fx_child" "--comm fx_child --percentage relative" "--dso fx_child" "--dso fx_child --percentage relative"; do
		# shellcheck disable=SC2086
		"$PERF" report -i "$T/fe.data" --stdio --no-children $args >"$T/fp.txt" 2>/dev/null
		# shellcheck disable=SC2086
		"$SONDE" report -i "$T/fe.data" --no-children -g none $args >"$T/fs.txt" 2>/dev/null
		pv=$(report_pct "$T/fp.txt" child_work) sv=$(report_pct "$T/fs.txt" child_work)
		pe=$(sed -n 's/^# Event count (approx.): //p' "$T/fp.txt") se=$(sed -n 's/^# Event count (approx.): //p' "$T/fs.txt")
		if [ -z "$pv" ] || [ "$pv" != "$sv" ] || [ "$pe" != "$se" ]; then
			ok=0
			why+="$args: child_work perf ${pv:-?}% sonde ${sv:-?}%, event count perf ${pe:-?} sonde ${se:-?}; "
		fi
	done
	if [ $ok = 1 ]; then pass vs_perf_filters_percentage; else fail vs_perf_filters_percentage "$why"; fi
else
	fail vs_perf_filters_percentage "perf record of forkexec failed: $(first_lines "$T/ferec.err")"
fi

# names: the function a sample is in is named by its symbol, as perf names
# it, clones included (work.constprop.0, not DWARF's "work"); on one
# perf.data, so both name the same addresses
build_fx clones clones.c && "$PERF" record -q -e cpu-clock -o "$T/clones.data" -- "$FIX/clones" 0.5 >/dev/null 2>&1
pname=$("$PERF" report -i "$T/clones.data" --stdio --no-children --sort sym 2>/dev/null | grep -F '[.] ' | head -1 | sed 's/.*\[\.\] //; s/ *$//')
sname=$("$SONDE" report -i "$T/clones.data" --no-children --sort sym -g none 2>/dev/null | grep -F '[.] ' | head -1 | sed 's/.*\[\.\] //; s/ *$//')
if [ -n "$pname" ] && [ "$sname" = "$pname" ] && [ "$pname" = work.constprop.0 ]; then
	pass vs_perf_clone_names
else
	fail vs_perf_clone_names "sonde '$sname', perf '$pname' (want work.constprop.0)"
fi
