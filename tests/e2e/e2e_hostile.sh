#!/usr/bin/env bash
# e2e_hostile: targets and places that fight back. Each run must end with
# correct results or with a clear statement of what could not be measured,
# and a non-zero exit where a result was lost.
#  - a full file system under `sonde heap`: the trace keeps what was
#    flushed before the disk filled (the recorder flushes every 64 KB of
#    stream and every 200 ms), says how much, exits non-zero; the report
#    reads the kept part; a trace cut in half reads up to the cut.
. "$(dirname "$0")/lib.sh"

build_fx heap_churn heap_churn.c -pthread || { fail hostile_build "heap_churn.c: $(first_lines "$T/build.log")"; exit 0; }

# ---- a full disk: a tmpfs with 16 KB left ----
mkdir -p "$T/full"
if mount -t tmpfs -o size=96k tmpfs "$T/full" 2>/dev/null; then
	head -c 81920 /dev/zero >"$T/full/filler" 2>/dev/null
	rc=$(run_rc "$T/fullh" "$SONDE" heap -o "$T/full/t.zst" -- "$FIX/heap_churn" 2 1)
	"$SONDE" heap report "$T/full/t.zst" >"$T/fullr.out" 2>"$T/fullr.err"
	calls=$(awk '/^calls to allocation functions: / { print $5 }' "$T/fullr.out")
	if [ "$rc" != 0 ] && grep -q "No space left on device; the trace keeps the recording's first [0-9]* KB" "$T/fullh.err" &&
		[ "${calls:-0}" -gt 1000 ]; then
		pass hostile_heap_full_disk
	else
		fail hostile_heap_full_disk "exit $rc, ${calls:-no} calls in the kept trace: $(first_lines "$T/fullh.err") / $(first_lines "$T/fullr.err")"
	fi
	umount "$T/full"
else
	skip hostile_heap_full_disk "cannot mount a tmpfs here (not root?)"
fi

# ---- a trace cut short (sonde killed, a disk filled elsewhere): what was
# flushed before the cut reads back; a run under a second included ----
"$SONDE" heap -o "$T/short.zst" -- "$FIX/heap_churn" 1 1 >/dev/null 2>&1
size=$(stat -c %s "$T/short.zst" 2>/dev/null || echo 0)
head -c $((size / 2)) "$T/short.zst" >"$T/half.zst"
"$SONDE" heap report "$T/half.zst" >"$T/half.out" 2>"$T/half.err"
calls=$(awk '/^calls to allocation functions: / { print $5 }' "$T/half.out")
if [ "$size" -gt 0 ] && [ "${calls:-0}" -gt 100000 ] && grep -q 'damaged' "$T/half.err"; then
	pass hostile_heap_cut_trace_keeps_blocks
else
	fail hostile_heap_cut_trace_keeps_blocks "${calls:-no} calls from the first half of a ${size}-byte trace: $(first_lines "$T/half.err")"
fi

# ---- a command that ignores Ctrl-C: SIGTERM a second later, SIGKILL on a
# second Ctrl-C, for every command that runs one; exit 130 either way ----
build_fx hostile_ignint hostile_ignint.c || { fail hostile_build "hostile_ignint.c"; exit 0; }
stops() { # NAME ARG(x: ignore SIGTERM too) CMD...
	local name=$1 arg=$2 pid t0 dt rc; shift 2
	"$@" "$FIX/hostile_ignint" $arg >/dev/null 2>"$T/$name.err" &
	pid=$!
	sleep 1
	t0=$(now_ms)
	kill -INT "$pid" 2>/dev/null
	[ -n "$arg" ] && { sleep 1.5; kill -INT "$pid" 2>/dev/null; }
	for _ in $(seq 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	dt=$(( $(now_ms) - t0 ))
	if kill -0 "$pid" 2>/dev/null; then
		fail "$name" "still running ${dt} ms after Ctrl-C: $(first_lines "$T/$name.err")"
		kill -KILL "$pid" 2>/dev/null
		pkill -KILL -f hostile_ignint 2>/dev/null
		wait "$pid" 2>/dev/null
		return
	fi
	wait "$pid"; rc=$?
	local want=SIGTERM
	[ -n "$arg" ] && want=SIGKILL
	if [ "$rc" = 130 ] && grep -q "sending $want" "$T/$name.err"; then
		pass "$name"
	else
		fail "$name" "exit $rc after ${dt} ms: $(first_lines "$T/$name.err" 4)"
	fi
}
stops hostile_ctrl_c_heap "" "$SONDE" heap -o "$T/ign.zst" --
stops hostile_ctrl_c_heap_twice x "$SONDE" heap -o "$T/ign2.zst" --
stops hostile_ctrl_c_memcheck x "$SONDE" memcheck --
stops hostile_ctrl_c_stat x "$SONDE" stat --
stops hostile_ctrl_c_record x "$SONDE" record -o "$T/ign.data" --
