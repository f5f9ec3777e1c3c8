#!/usr/bin/env bash
# e2e_perf_import: sonde reads perf.data written by Linux perf — report and
# script agree with perf's own report (fp and --call-graph dwarf recordings),
# pipe-mode and truncated files load, broken ones fail with one line.
. "$(dirname "$0")/lib.sh"

perf_usable || { skip perf_import "Linux perf not installed or not usable"; exit 0; }
PERF=$(type -P perf)
if [ "$(readlink -f "$PERF")" = "$(readlink -f "$SONDE")" ]; then skip perf_import "perf on PATH is a sonde shim"; exit 0; fi
build_fx weights weights.c || { fail perf_import_build "cannot compile weights.c: $(first_lines "$T/build.log")"; exit 0; }
if [ ! -x "$FIX/weights_nofp" ] || [ "$FIXSRC/weights.c" -nt "$FIX/weights_nofp" ]; then
	build_c weights_nofp weights.c -O2 -g -fomit-frame-pointer ||
		{ fail perf_import_build "cannot compile weights.c: $(first_lines "$T/build.log")"; exit 0; }
fi

top5() { grep -E '^ *[0-9.]+%' "$1" | grep -F '[.] ' | head -5 | awk '{ v = $1; sub(/%/, "", v); s = $0; sub(/.*\[\.\] /, "", s); sub(/ +$/, "", s); print s, v }'; }

# compare NAME PERF.DATA : sonde's top-5 self symbols vs perf's (±5 points, same order up to near-ties)
compare() {
	local name=$1 data=$2
	"$PERF" report -i "$data" --stdio --no-children --sort sym >"$T/$name.perf.txt" 2>/dev/null
	local rc
	rc=$(run_rc "$T/$name.sonde" "$SONDE" report -i "$data" --no-children --sort sym -g none)
	if [ "$rc" != 0 ]; then fail "${name}_report" "sonde report exit $rc: $(first_lines "$T/$name.sonde.err")"; return; fi
	pass "${name}_report"
	top5 "$T/$name.perf.txt" >"$T/$name.p5"
	top5 "$T/$name.sonde.out" >"$T/$name.s5"
	local summary="perf: $(tr '\n' ' ' <"$T/$name.p5")| sonde: $(tr '\n' ' ' <"$T/$name.s5")"
	if [ "$(wc -l <"$T/$name.s5")" -lt 5 ]; then fail "${name}_rows" "sonde has $(wc -l <"$T/$name.s5") user rows ($summary)"; return; fi
	local ok=1 why="" sym pv sv
	while read -r sym pv; do
		sv=$(report_pct "$T/$name.sonde.out" "$sym")
		if [ -z "$sv" ] || ! near "$pv" "$sv" 5; then ok=0; why+="$sym perf $pv% sonde ${sv:-missing}%; "; fi
	done <"$T/$name.p5"
	if [ $ok = 1 ]; then pass "${name}_percentages"; else fail "${name}_percentages" "$why($summary)"; fi
	ok=1 why=""
	local -a ps ss
	mapfile -t ps < <(awk '{ print $1 }' "$T/$name.p5")
	mapfile -t ss < <(awk '{ print $1 }' "$T/$name.s5")
	local i a b
	for i in 0 1 2 3 4; do
		[ "${ps[$i]}" = "${ss[$i]}" ] && continue
		a=$(report_pct "$T/$name.perf.txt" "${ps[$i]}"); b=$(report_pct "$T/$name.perf.txt" "${ss[$i]}")
		if [ -z "$b" ] || ! near "$a" "$b" 3; then ok=0; why+="#$((i + 1)) perf ${ps[$i]} vs sonde ${ss[$i]}; "; fi
	done
	if [ $ok = 1 ]; then pass "${name}_order"; else fail "${name}_order" "$why($summary)"; fi
	# the header names the event and perf's command line
	if grep -q "of event 'cpu-clock'" "$T/$name.sonde.out" && grep -q '^# Command: .*perf record' "$T/$name.sonde.out"; then
		pass "${name}_header"
	else
		fail "${name}_header" "$(head -6 "$T/$name.sonde.out" | tr '\n' '|')"
	fi
}

# ---- frame pointers (-g) ----
"$PERF" record -q -e cpu-clock -F 999 -g -o "$T/fp.data" -- "$FIX/weights" 1.5 >/dev/null 2>"$T/fp.rec.err" ||
	{ fail perf_import_fp_record "perf record failed: $(first_lines "$T/fp.rec.err")"; exit 0; }
compare fp "$T/fp.data"

"$PERF" script -i "$T/fp.data" >"$T/fp.perf.script" 2>/dev/null
rc=$(run_rc "$T/fp.script" "$SONDE" script -i "$T/fp.data")
pn=$(script_nsamples "$T/fp.perf.script"); sn=$(script_nsamples "$T/fp.script.out")
if [ "$rc" = 0 ] && [ "$sn" = "$pn" ]; then pass fp_script; else fail fp_script "exit $rc, sonde $sn samples vs perf $pn: $(first_lines "$T/fp.script.err")"; fi
# frame-pointer stacks reach main
"$SONDE" script --folded -i "$T/fp.data" >"$T/fp.folded" 2>/dev/null
if grep -q '^weights;.*main;w40' "$T/fp.folded"; then pass fp_folded_main; else fail fp_folded_main "$(first_lines "$T/fp.folded")"; fi

# ---- pipe mode (perf record -o -) ----
"$PERF" record -q -e cpu-clock -F 999 -g -o - -- "$FIX/weights" 0.3 >"$T/pipe.data" 2>/dev/null
rc=$(run_rc "$T/pipe" "$SONDE" report -i "$T/pipe.data" --no-children --sort sym -g none)
if [ "$rc" = 0 ] && [ -n "$(report_pct "$T/pipe.out" w40)" ]; then pass pipe_mode; else fail pipe_mode "exit $rc: $(first_lines "$T/pipe.err")"; fi

# ---- truncated and broken files ----
size=$(stat -c %s "$T/fp.data")
head -c $((size / 2)) "$T/fp.data" >"$T/half.data"
rc=$(run_rc "$T/half" "$SONDE" report -i "$T/half.data" --no-children --sort sym -g none)
# what was read before the cut is reported (any sample rows: which functions
# fall in the first half depends on the machine's load)
if [ "$rc" = 0 ] && grep -q 'warning: .*half.data.* damaged' "$T/half.err" && grep -qE '^ *[0-9.]+%' "$T/half.out"; then
	pass truncated_loads
else
	fail truncated_loads "exit $rc: $(first_lines "$T/half.err")"
fi
{ printf 'PERFILE2'; head -c 4000 /dev/urandom; } >"$T/junk.data"
rc=$(run_rc "$T/junk" "$SONDE" report -i "$T/junk.data")
if [ "$rc" = 1 ] && [ "$(wc -l <"$T/junk.err")" = 1 ] && grep -q "cannot read '.*junk.data'" "$T/junk.err"; then
	pass junk_one_line
else
	# random bytes may by chance make a header that parses; then it must not crash
	if crashed "$rc"; then fail junk_one_line "crashed (exit $rc)"; else pass junk_one_line; fi
fi
printf '2ELIFREP' >"$T/be.data"; head -c 200 /dev/zero >>"$T/be.data"
rc=$(run_rc "$T/be" "$SONDE" report -i "$T/be.data")
if [ "$rc" = 1 ] && grep -q 'big-endian' "$T/be.err"; then pass big_endian_refused; else fail big_endian_refused "exit $rc: $(first_lines "$T/be.err")"; fi

# ---- DWARF (--call-graph dwarf) on a binary without frame pointers ----
"$PERF" record -q -e cpu-clock -F 999 --call-graph dwarf -o "$T/dw.data" -- "$FIX/weights_nofp" 1.5 >/dev/null 2>"$T/dw.rec.err" ||
	{ fail perf_import_dwarf_record "perf record failed: $(first_lines "$T/dw.rec.err")"; exit 0; }
compare dwarf "$T/dw.data"
rc=$(run_rc "$T/dw.folded" "$SONDE" script --folded -i "$T/dw.data")
# most of the weight sits on stacks that were unwound through main
share=$(awk '{ w = $NF; tot += w; if ($0 ~ /(^|;)main;/) m += w } END { if (tot) printf "%d\n", 100 * m / tot; else print 0 }' "$T/dw.folded.out")
if [ "$rc" = 0 ] && [ "$share" -ge 80 ]; then
	pass dwarf_reaches_main
else
	fail dwarf_reaches_main "exit $rc; ${share}% of the weight has main in its stack (want >= 80): $(first_lines "$T/dw.folded.out")"
fi
