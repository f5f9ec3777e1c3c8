#!/usr/bin/env bash
# e2e_stat: sonde stat counts like perf stat, repeats, and propagates status.
. "$(dirname "$0")/lib.sh"

build_fx spin spin.c || { fail stat_build "cannot compile spin.c: $(first_lines "$T/build.log")"; exit 0; }

# the fixture's own runtime: CPU time (user+sys) of one run, best of 2. spin
# burns a fixed amount of CPU time, so this stays right on a loaded machine
# where wall time would not; task-clock measures the same thing.
TIMEFORMAT='%3R %3U %3S'
best=999999 wall=0
for _ in 1 2; do
	read -r r u s < <({ time "$FIX/spin" 0.4 >/dev/null; } 2>&1)
	ms=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%d", (u + s) * 1000 }')
	[ "$ms" -lt "$best" ] && best=$ms wall=$r
done
rc=$(run_rc "$T/st" "$SONDE" stat -r 3 -- "$FIX/spin" 0.4)
[ "$rc" = 0 ] && pass stat_exit_0 || fail stat_exit_0 "sonde stat -r 3: exit $rc: $(first_lines "$T/st.err")"
if grep -q 'Performance counter stats' "$T/st.err"; then pass stat_on_stderr; else fail stat_on_stderr "no 'Performance counter stats' on stderr: $(first_lines "$T/st.err" 4) / stdout: $(first_lines "$T/st.out")"; fi
grep -q '(3 runs)' "$T/st.err" && pass stat_runs || fail stat_runs "no '(3 runs)' in: $(grep -m1 'Performance' "$T/st.err")"
grep -q -- '+-' "$T/st.err" && pass stat_variance || fail stat_variance "no '+-' variance column"
tc=$(awk '/task-clock/ { v = $1; gsub(/,/, "", v); print v; exit }' "$T/st.err")
if [ -n "$tc" ] && near "$tc" "$best" "$(awk -v b="$best" 'BEGIN { print b * 0.3 }')"; then
	pass stat_task_clock
else
	fail stat_task_clock "task-clock '${tc:-missing}' msec vs native CPU time ${best} ms (wall ${wall} s; want within 30%); line: $(grep -m1 task-clock "$T/st.err")"
fi
grep -q 'msec' "$T/st.err" && pass stat_msec_unit || fail stat_msec_unit "task-clock not in msec"
for ev in context-switches cpu-migrations page-faults; do
	if grep -Eq "^ +[0-9,]+ +$ev" "$T/st.err"; then pass "stat_$ev"; else fail "stat_$ev" "no count line for $ev: $(grep -m1 "$ev" "$T/st.err")"; fi
done
if grep -Eq '(<not supported>|[0-9,]+) +cycles' "$T/st.err"; then pass stat_cycles; else fail stat_cycles "cycles line: '$(grep -m1 cycles "$T/st.err")' (want a count or <not supported>)"; fi
if grep -Eq 'seconds time elapsed' "$T/st.err"; then pass stat_elapsed; else fail stat_elapsed "no 'seconds time elapsed' line"; fi

# exit status propagates
rc=$(run_rc "$T/e3" "$SONDE" stat -- sh -c 'exit 3')
[ "$rc" = 3 ] && pass stat_exit_status || fail stat_exit_status "sonde stat -- sh -c 'exit 3': exit $rc (want 3)"
rc=$(run_rc "$T/nx" "$SONDE" stat -- "$T/no-such-command")
[ "$rc" = 127 ] && pass stat_nonexistent || fail stat_nonexistent "exit $rc (want 127): $(first_lines "$T/nx.err")"

# -e chooses events
rc=$(run_rc "$T/ev" "$SONDE" stat -e task-clock,page-faults -- "$FIX/spin" 0.1)
if [ "$rc" = 0 ] && grep -q task-clock "$T/ev.err" && grep -q page-faults "$T/ev.err" && ! grep -q context-switches "$T/ev.err"; then
	pass stat_events_option
else
	fail stat_events_option "-e task-clock,page-faults: exit $rc, stderr: $(grep -E 'clock|faults|switches' "$T/ev.err" | tr '\n' '|')"
fi
