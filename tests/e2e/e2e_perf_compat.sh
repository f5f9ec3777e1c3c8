#!/usr/bin/env bash
# e2e_perf_compat: perf command lines through the shims, and attaching (-p).
. "$(dirname "$0")/lib.sh"

build_fx split split.c || { fail compat_build "cannot compile split.c: $(first_lines "$T/build.log")"; exit 0; }
build_fx spin spin.c || { fail compat_build "cannot compile spin.c: $(first_lines "$T/build.log")"; exit 0; }

# a genuine Linux perf.data, made before the shim shadows the real perf
genuine=0
if perf_usable && [ "$(readlink -f "$(type -P perf)")" != "$(readlink -f "$SONDE")" ] &&
	"$(type -P perf)" record -q -e cpu-clock -o "$T/genuine.data" -- "$FIX/spin" 0.1 >/dev/null 2>&1; then
	genuine=1
fi

line=$("$SONDE" shims "$T/bin" 2>"$T/shims.err")
if [ -x "$T/bin/perf" ] && [[ $line == export\ PATH=* ]]; then
	pass compat_shims
else
	fail compat_shims "sonde shims: '$line' $(first_lines "$T/shims.err")"
	exit 0
fi
eval "$line"
if [ "$(type -P perf)" = "$(cd "$T/bin" && pwd -P)/perf" ]; then pass compat_path; else fail compat_path "perf resolves to $(type -P perf)"; fi

rc=$(run_rc "$T/rec" perf record -g -o "$T/x.data" "$FIX/split" 0.8)
if [ "$rc" = 0 ] && [ -s "$T/x.data" ] && head -c 8 "$T/x.data" | grep -q SONDEDAT; then
	pass compat_perf_record_g
else
	fail compat_perf_record_g "perf record -g -o: exit $rc, file $(head -c 8 "$T/x.data" 2>/dev/null | tr -dc '[:print:]'): $(first_lines "$T/rec.err")"
fi
rc=$(run_rc "$T/rep" perf report --stdio -i "$T/x.data")
a=$(report_pct "$T/rep.out" hot_a 2)
if [ "$rc" = 0 ] && [ -n "$a" ] && grep -q '^# Samples' "$T/rep.out"; then
	pass compat_perf_report
else
	fail compat_perf_report "perf report --stdio: exit $rc, hot_a self '${a}': $(first_lines "$T/rep.err")"
fi
# perf-style --no-children --sort works too
rc=$(run_rc "$T/rep2" perf report --stdio --no-children --sort sym -i "$T/x.data")
a=$(report_pct "$T/rep2.out" hot_a)
if [ "$rc" = 0 ] && [ -n "$a" ] && near "$a" 75 10; then pass compat_perf_report_sort; else fail compat_perf_report_sort "exit $rc, hot_a ${a:-missing}% (want 75±10): $(first_lines "$T/rep2.err")"; fi
rc=$(run_rc "$T/scr" perf script -i "$T/x.data")
if [ "$rc" = 0 ] && grep -qP '^\t *[0-9a-f]+ hot_a\+0x[0-9a-f]+ \(' "$T/scr.out" && [ "$(script_nsamples "$T/scr.out")" -gt 100 ]; then
	pass compat_perf_script
else
	fail compat_perf_script "perf script: exit $rc, $(script_nsamples "$T/scr.out") samples, first lines: $(first_lines "$T/scr.out" 3)"
fi
rc=$(run_rc "$T/cg" perf record --call-graph dwarf -o "$T/dw.data" "$FIX/split" 0.3)
if [ "$rc" = 0 ] && [ -s "$T/dw.data" ]; then pass compat_call_graph_dwarf_accepted; else fail compat_call_graph_dwarf_accepted "perf record --call-graph dwarf: exit $rc: $(first_lines "$T/cg.err")"; fi
rc=$(run_rc "$T/cgf" perf record --call-graph fp -F 499 -o "$T/fp.data" "$FIX/split" 0.3)
if [ "$rc" = 0 ] && [ -s "$T/fp.data" ]; then pass compat_call_graph_fp; else fail compat_call_graph_fp "perf record --call-graph fp -F 499: exit $rc: $(first_lines "$T/cgf.err")"; fi

# perf report on a file written by the real perf: sonde imports it
if [ $genuine = 1 ]; then
	rc=$(run_rc "$T/gen" perf report --stdio -i "$T/genuine.data")
	if [ "$rc" = 0 ] && grep -q '^# Samples:' "$T/gen.out"; then
		pass compat_report_genuine_perf_data
	else
		fail compat_report_genuine_perf_data "exit $rc: $(first_lines "$T/gen.err")"
	fi
else
	skip compat_report_genuine_perf_data "Linux perf not usable to make a perf.data"
fi

# perf stat
rc=$(run_rc "$T/st" perf stat "$FIX/spin" 0.3)
if [ "$rc" = 0 ] && grep -q 'Performance counter stats' "$T/st.err" && grep -q 'task-clock' "$T/st.err"; then
	pass compat_perf_stat
else
	fail compat_perf_stat "perf stat: exit $rc, stderr: $(first_lines "$T/st.err" 4)"
fi

# perf record without -o writes ./perf.data (in sonde's format), perf report reads it
mkdir "$T/cwd"
(cd "$T/cwd" && perf record -q "$FIX/split" 0.3 >/dev/null 2>"$T/cwd.err"); rc=$?
if [ "$rc" = 0 ] && [ -s "$T/cwd/perf.data" ] && [ ! -e "$T/cwd/sonde.data" ]; then
	pass compat_default_perf_data
	(cd "$T/cwd" && perf report --stdio >"$T/cwdr.out" 2>"$T/cwdr.err"); rc=$?
	if [ "$rc" = 0 ] && [ -n "$(report_pct "$T/cwdr.out" hot_a 2)" ]; then pass compat_report_default_input; else fail compat_report_default_input "perf report (no -i) in that dir: exit $rc: $(first_lines "$T/cwdr.err")"; fi
else
	fail compat_default_perf_data "exit $rc; files in cwd: $(ls "$T/cwd" | tr '\n' ' '): $(first_lines "$T/cwd.err")"
fi

# The guide's first commands on a Rust release build (no frame pointers):
# `perf record -g ./app` then `perf report` must give whole stacks, so
# nearly every sample reaches main (perf's own -g walks frame pointers
# and loses most of them there; sonde's perf unwinds with CFI).
if command -v rustc >/dev/null &&
	{ [ -x "$FIX/dw_collections" ] && [ "$FIX/dw_collections" -nt "$FIXSRC/dw_collections.rs" ] ||
		build_rust dw_collections dw_collections.rs -C opt-level=3 -g -C force-frame-pointers=no; }; then
	mkdir "$T/guide"
	(cd "$T/guide" && perf record -g "$FIX/dw_collections" 1.0 >"$T/guide.out" 2>"$T/guide.err" &&
		perf report >"$T/guide.rep" 2>"$T/guide.rerr"); rc=$?
	m=$(report_pct "$T/guide.rep" main)
	if [ "$rc" = 0 ] && [ -n "$m" ] && fgt "$m" 94.99; then
		pass compat_guide_rust_stacks_reach_main
	else
		fail compat_guide_rust_stacks_reach_main "exit $rc, main's Children ${m:-missing}% (want >= 95): $(first_lines "$T/guide.err") $(report_syms "$T/guide.rep" | head -4 | tr '\n' ' ')"
	fi
	# perf record's default rate is 4000 Hz
	if grep -q ' at 4000 Hz' "$T/guide.err"; then
		pass compat_perf_default_4000hz
	else
		fail compat_perf_default_4000hz "$(first_lines "$T/guide.err")"
	fi
	if grep -q '^# Call graph: dwarf' "$T/guide.rep"; then
		pass compat_guide_call_graph_in_header
	else
		fail compat_guide_call_graph_in_header "no '# Call graph: dwarf' line: $(grep '^#' "$T/guide.rep" | head -8 | tr '\n' '|')"
	fi
else
	skip compat_guide_rust_stacks_reach_main "rustc not installed"
fi

# hints name the command the user typed: perf record, not sonde record
mkdir "$T/empty"
rc=$(cd "$T/empty" && run_rc "$T/hint" perf report --stdio)
rc2=$(cd "$T/empty" && run_rc "$T/hint2" perf script)
perf report --help >"$T/hint3.out" 2>&1
perf script --help >"$T/hint4.out" 2>&1
if [ "$rc" = 1 ] && [ "$rc2" = 1 ] && grep -qF "record one first with 'perf record -- CMD'" "$T/hint.err" &&
	grep -qF "'perf record -- CMD'" "$T/hint2.err" && ! grep -q 'sonde' "$T/hint.err" "$T/hint2.err" &&
	grep -q '^usage: perf report ' "$T/hint3.out" && grep -q '^usage: perf script ' "$T/hint4.out"; then
	pass compat_hints_say_perf
else
	fail compat_hints_say_perf "exit $rc/$rc2: $(first_lines "$T/hint.err" 1) / $(first_lines "$T/hint2.err" 1) / $(head -1 "$T/hint3.out") / $(head -1 "$T/hint4.out")"
fi
(cd "$T/empty" && "$SONDE" report >/dev/null 2>"$T/hint5.err")
if grep -qF "'sonde record -- CMD'" "$T/hint5.err"; then pass hints_say_sonde; else fail hints_say_sonde "$(first_lines "$T/hint5.err")"; fi

# sonde itself defaults to sonde.data
mkdir "$T/cwd2"
(cd "$T/cwd2" && "$SONDE" record -q -- "$FIX/spin" 0.2 >/dev/null 2>"$T/cwd2.err"); rc=$?
if [ "$rc" = 0 ] && [ -s "$T/cwd2/sonde.data" ]; then pass record_default_sonde_data; else fail record_default_sonde_data "exit $rc; files: $(ls "$T/cwd2" | tr '\n' ' ')"; fi

# ---- attach to a running process ----
"$FIX/spin" 8 >/dev/null 2>&1 &
tpid=$!
sleep 0.3
t0=$(now_ms)
rc=$(run_rc "$T/att" "$SONDE" record -p "$tpid" --duration 1 -o "$T/att.data")
dt=$(( $(now_ms) - t0 ))
alive=0; kill -0 "$tpid" 2>/dev/null && alive=1
kill -KILL "$tpid" 2>/dev/null; wait "$tpid" 2>/dev/null
if [ "$rc" = 0 ] && [ "$dt" -lt 3000 ] && [ "$dt" -ge 800 ]; then
	pass attach_duration
else
	fail attach_duration "sonde record -p PID --duration 1: exit $rc after ${dt} ms (want 0, ~1 s): $(first_lines "$T/att.err")"
fi
[ $alive = 1 ] && pass attach_target_survives || fail attach_target_survives "the attached process died when sonde detached"
"$SONDE" report -i "$T/att.data" --no-children -g none >"$T/attr.out" 2>"$T/attr.err"
p=$(report_pct "$T/attr.out" spin_hot)
if [ -n "$p" ] && fgt "$p" 50; then pass attach_hot_function; else fail attach_hot_function "spin_hot ${p:-missing}% (want > 50): $(report_syms "$T/attr.out" | head -3 | tr '\n' ' ') $(first_lines "$T/attr.err")"; fi
rc=$(run_rc "$T/att2" "$SONDE" record -p 999999999 --duration 1 -o "$T/att2.data")
if [ "$rc" != 0 ] && ! crashed "$rc" && [ "$(wc -l <"$T/att2.err")" -le 2 ]; then pass attach_no_such_pid; else fail attach_no_such_pid "exit $rc: $(first_lines "$T/att2.err")"; fi
