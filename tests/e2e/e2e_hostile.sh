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
