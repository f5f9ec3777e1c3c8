#!/usr/bin/env bash
# e2e_jit: code a JIT generates into anonymous memory is named by the JIT's
# /tmp/perf-PID.map, as perf names it: "[JIT] tid PID" as the module, the
# map's function names, _[j] in folded stacks and flame graphs; a map that
# another user owns is not trusted (perf refuses it too).
# Both tools record user space only (cpu-clock:u): as root both record the
# kernel too, and on a loaded machine a task preempted often has its
# cpu-clock timer fire as it is switched back in (finish_task_switch,
# irqentry_exit_to_user_mode): 7% of samples with waking load beside it,
# 26% in a CI run, in sonde and perf alike, as the load of the moment
# decides. The share that names the JIT is the user-space one.
. "$(dirname "$0")/lib.sh"

build_fx jit_perfmap jit_perfmap.c || { fail jit_build "cannot compile jit_perfmap.c: $(first_lines "$T/build.log")"; exit 0; }
maps_of() { sed -n 's/^.*\[JIT\] tid \([0-9]*\).*$/\1/p' "$1" | sort -u | sed 's|^|/tmp/perf-|; s|$|.map|'; }

rc=$(run_rc "$T/rec" "$SONDE" record -e cpu-clock:u -F 999 -g -o "$T/jit.data" -- "$FIX/jit_perfmap")
"$SONDE" report -i "$T/jit.data" --no-children --sort dso,sym -g none >"$T/rep.txt" 2>"$T/rep.err"
pct=$(report_pct "$T/rep.txt" jitted_loop)
if [ "$rc" = 0 ] && fgt "${pct:-0}" 90 && grep -qE '\[JIT\] tid [0-9]+ +\[\.\] jitted_loop' "$T/rep.txt"; then
	pass jit_report_named
else
	fail jit_report_named "exit $rc, jitted_loop ${pct:-missing}% (want > 90% in '[JIT] tid PID'): $(report_rows "$T/rep.txt" | head -3 | tr '\n' '|')"
fi

"$SONDE" script -i "$T/jit.data" --folded --jit >"$T/jit.folded" 2>/dev/null
if grep -qE '^jit_perfmap;(.*;)?jitted_loop_\[j\] [0-9]+$' "$T/jit.folded"; then pass jit_folded_marked; else
	fail jit_folded_marked "want 'jit_perfmap;...;jitted_loop_[j] N': $(head -c 300 "$T/jit.folded")"; fi
"$SONDE" flamegraph -i "$T/jit.data" -o "$T/jit.svg" 2>/dev/null
if grep -q 'jitted_loop (' "$T/jit.svg"; then pass jit_flamegraph; else fail jit_flamegraph "no jitted_loop frame in the SVG"; fi

# perf names the same frames the same way
PERF=$(type -P perf)
if perf_usable && [ "$(readlink -f "$PERF")" != "$(readlink -f "$SONDE")" ]; then
	"$PERF" record -q -e cpu-clock:u -F 999 -o "$T/perf.data" -- "$FIX/jit_perfmap" >/dev/null 2>&1
	"$PERF" report -i "$T/perf.data" --stdio --no-children --sort dso,sym >"$T/perf.txt" 2>/dev/null
	ppct=$(report_pct "$T/perf.txt" jitted_loop)
	if fgt "${ppct:-0}" 90 && grep -qE '\[JIT\] tid [0-9]+ +\[\.\] jitted_loop' "$T/perf.txt"; then
		pass jit_as_perf
	else
		fail jit_as_perf "perf: jitted_loop ${ppct:-missing}%, sonde ${pct:-missing}%: $(report_rows "$T/perf.txt" | head -3 | tr '\n' '|')"
	fi
	rm -f $(maps_of "$T/perf.txt")
else
	skip jit_as_perf "Linux perf not installed or not usable"
fi

# a map another user owns names nothing: the frames stay [unknown]
map=$(maps_of "$T/rep.txt" | head -n 1)
if [ "$(id -u)" = 0 ] && [ -f "$map" ] && chown 65534:65534 "$map"; then
	"$SONDE" report -i "$T/jit.data" --no-children --sort dso,sym -g none >"$T/untrusted.txt" 2>"$T/untrusted.err"
	if ! grep -q jitted_loop "$T/untrusted.txt" && grep -q '\[unknown\]' "$T/untrusted.txt"; then
		pass jit_untrusted_map
	else
		fail jit_untrusted_map "a map owned by nobody was used: $(report_rows "$T/untrusted.txt" | head -2 | tr '\n' '|') $(first_lines "$T/untrusted.err")"
	fi
else
	skip jit_untrusted_map "needs root to give the map away"
fi
rm -f $(maps_of "$T/rep.txt")
exit 0
