#!/usr/bin/env bash
# e2e_hostile: targets and places that fight back. Each run must end with
# correct results or with a clear statement of what could not be measured,
# and a non-zero exit where a result was lost.
#  - a full file system under `sonde heap`: the trace keeps what was
#    flushed before the disk filled (the recorder flushes every 64 KB of
#    stream and every 200 ms), says how much, exits non-zero; the report
#    reads the kept part; a trace cut in half reads up to the cut.
#    Under `sonde record` the samples written before the disk filled read
#    back (memcheck's full disk: e2e_outputs.sh).
#  - a command that ignores Ctrl-C (heap, memcheck, stat, record).
#  - a program that closes every descriptor (issue 15, point 1), lowers
#    its memory limits (point 2), is killed by SIGKILL (point 3), under
#    heap, memcheck and record: the same results as without (and as
#    valgrind's) where the runtime can keep its view; where it cannot (a
#    raw system call, kill -9), one line saying what was lost and a
#    non-zero exit, and never a clean leak summary.
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
	# record: sampling stops at the error, the command runs on, the
	# samples written before it read back
	rm -f "$T/full/t.zst"*
	build_fx spin spin.c || fail hostile_build "spin.c"
	rc=$(run_rc "$T/fullrec" "$SONDE" record -g -o "$T/full/p.data" -- "$FIX/spin" 1)
	"$SONDE" report -i "$T/full/p.data" --no-pager >"$T/fullrep.out" 2>"$T/fullrep.err"
	samples=$(sed -n 's/^# Samples: \([0-9]*\) .*/\1/p' "$T/fullrep.out")
	if [ "$rc" = 1 ] && grep -q "cannot write '.*': No space left on device" "$T/fullrec.err" &&
		grep -q "keeps the .* written before the error" "$T/fullrec.err" && [ "${samples:-0}" -gt 10 ]; then
		pass hostile_record_full_disk
	else
		fail hostile_record_full_disk "exit $rc, ${samples:-no} samples kept: $(first_lines "$T/fullrec.err" 3) / $(first_lines "$T/fullrep.err")"
	fi
	umount "$T/full"
else
	skip hostile_heap_full_disk "cannot mount a tmpfs here (not root?)"
	skip hostile_record_full_disk "cannot mount a tmpfs here (not root?)"
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

# ---- the runtime's view taken away (issue 15, points 1-3) ----
build_fx hostile_closefds hostile_closefds.c || { fail hostile_build "hostile_closefds.c: $(first_lines "$T/build.log")"; exit 0; }
build_fx hostile_rlimit hostile_rlimit.c || { fail hostile_build "hostile_rlimit.c"; exit 0; }
build_fx hostile_killed hostile_killed.c || { fail hostile_build "hostile_killed.c"; exit 0; }
have_vg=0
VG=$(type -P valgrind 2>/dev/null)
[ -n "$VG" ] && [ "$(readlink -f "$VG")" != "$(readlink -f "$SONDE")" ] && "$VG" --version >/dev/null 2>&1 && have_vg=1

# figures FILE: memcheck's in use, total heap usage and definitely lost
figures() {
	sed -nE 's/^==[0-9]+== +(in use at exit|total heap usage|definitely lost): (.*)$/\1: \2/p' "$1" | tr '\n' ';'
}
# clean_claim FILE: a line that would pass for a complete leak check
clean_claim() { grep -qE 'All heap blocks were freed|LEAK SUMMARY|in use at exit: [0-9]' "$1"; }
# heap_figures PREFIX TRACE: "calls N leaked L" from the heap report
heap_figures() {
	"$SONDE" heap report "$2" >"$1.rep" 2>"$1.reperr"
	awk '/^calls to allocation functions: / { c = $5 } /^total memory leaked: / { l = $4 }
		END { printf "calls %s leaked %s\n", c, l }' "$1.rep"
}
# killed NAME CMD...: runs CMD (whose fixture writes its pid to $T/NAME.pid
# when ready) and kill -9s the fixture then; prints CMD's exit status
killed() { KILLSIG=KILL killed_by "$@"; }
killed_by() {
	local name=$1 pid; shift
	rm -f "$T/$name.pid"
	"$@" "$T/$name.pid" >"$T/$name.out" 2>"$T/$name.err" &
	pid=$!
	for _ in $(seq 100); do [ -s "$T/$name.pid" ] && break; sleep 0.1; done
	sleep 0.2
	[ -s "$T/$name.pid" ] && kill -"$KILLSIG" "$(cat "$T/$name.pid")" 2>/dev/null
	wait "$pid"
	echo $?
}
# sampled_in DATA SYM: SYM's share of record's samples (percent)
sampled_in() {
	"$SONDE" report -i "$1" --no-pager --no-children --sort sym >"$1.rep" 2>/dev/null
	report_pct "$1.rep" "$2"
}

# same_as_without FIXTURE MODE MEMCHECK_FIGURES HEAP_FIGURES: memcheck and
# heap see the run whole, exit status 0
same_as_without() {
	local n=${1#hostile_}_$2 rc got
	rc=$(run_rc "$T/mc_$n" "$SONDE" memcheck -- "$FIX/$1" "$2")
	got=$(figures "$T/mc_$n.err")
	[ "$rc" = 0 ] && [ "$got" = "$3" ] && pass "hostile_memcheck_$n" ||
		fail "hostile_memcheck_$n" "exit $rc, '$got': $(first_lines "$T/mc_$n.err" 12)"
	rc=$(run_rc "$T/heap_$n" "$SONDE" heap -o "$T/heap_$n.zst" -- "$FIX/$1" "$2")
	got=$(heap_figures "$T/heap_$n" "$T/heap_$n.zst")
	[ "$rc" = 0 ] && [ "$got" = "$4" ] && pass "hostile_heap_$n" ||
		fail "hostile_heap_$n" "exit $rc, $got: $(first_lines "$T/heap_$n.err")"
}
# as_valgrind FIXTURE MODE: memcheck's figures of that run are valgrind's
as_valgrind() {
	local n=${1#hostile_}_$2
	if [ $have_vg = 0 ]; then
		skip "hostile_memcheck_${n}_as_valgrind" "no valgrind to compare with"
		return
	fi
	"$VG" -- "$FIX/$1" "$2" >/dev/null 2>"$T/vg_$n.err"
	[ "$(figures "$T/vg_$n.err")" = "$(figures "$T/mc_$n.err")" ] && pass "hostile_memcheck_${n}_as_valgrind" ||
		fail "hostile_memcheck_${n}_as_valgrind" "valgrind '$(figures "$T/vg_$n.err")', sonde '$(figures "$T/mc_$n.err")'"
}

for mode in close-loop close_range closefrom dup2 dup3; do
	same_as_without hostile_closefds "$mode" "in use at exit: 5,000 bytes in 30 blocks;total heap usage: 2,030 allocs, 2,000 frees, 69,000 bytes allocated;definitely lost: 5,000 bytes in 30 blocks;" "calls 2030 leaked 5.00K"
done
as_valgrind hostile_closefds close_range
# a raw system call gets past the C library: said, with a non-zero exit
for mode in raw-close raw-close_range; do
	rc=$(run_rc "$T/cf_$mode" "$SONDE" memcheck -- "$FIX/hostile_closefds" "$mode")
	if [ "$rc" = 1 ] && grep -q "^sonde: '.*hostile_closefds' took the heap runtime's descriptor away .*the leak check could not run.*seen up to then: 1,010 allocs" "$T/cf_$mode.err" &&
		! clean_claim "$T/cf_$mode.err"; then
		pass "hostile_memcheck_closefds_$mode"
	else
		fail "hostile_memcheck_closefds_$mode" "exit $rc: $(grep -E 'HEAP|use|LEAK|freed|^sonde' "$T/cf_$mode.err" | head -5 | tr '\n' '|')"
	fi
	rc=$(run_rc "$T/cfh_$mode" "$SONDE" heap -o "$T/cfh_$mode.zst" -- "$FIX/hostile_closefds" "$mode")
	got=$(heap_figures "$T/cfh_$mode" "$T/cfh_$mode.zst")
	if [ "$rc" = 1 ] && grep -q "took the heap runtime's descriptor away .*calls after that are missing" "$T/cfh_$mode.err" &&
		[ "$got" = "calls 1010 leaked 1000B" ] && grep -q "^note: the recording is incomplete: .*descriptor away" "$T/cfh_$mode.rep"; then
		pass "hostile_heap_closefds_$mode"
	else
		fail "hostile_heap_closefds_$mode" "exit $rc, $got: $(first_lines "$T/cfh_$mode.err") / $(tail -1 "$T/cfh_$mode.rep")"
	fi
done
# record's descriptors live in sonde: nothing the program closes is its
rc=$(run_rc "$T/cfr" "$SONDE" record -o "$T/cfr.data" -- "$FIX/hostile_closefds" raw-close_range)
pct=$(sampled_in "$T/cfr.data" after_close)
[ "$rc" = 0 ] && fgt "${pct:-0}" 50 && pass hostile_record_closefds ||
	fail hostile_record_closefds "exit $rc, after_close ${pct:-no}%: $(first_lines "$T/cfr.err")"

# memory limits lowered through the C library: the runtime keeps its room
for mode in as data; do
	same_as_without hostile_rlimit "$mode" "in use at exit: 5,000 bytes in 30 blocks;total heap usage: 2,031 allocs, 2,001 frees, 105,425,120 bytes allocated;definitely lost: 5,000 bytes in 30 blocks;" "calls 2031 leaked 5.00K"
done
as_valgrind hostile_rlimit as
# ...and through the system call itself: the runtime runs out, and says so
rc=$(run_rc "$T/rl_raw" "$SONDE" memcheck -- "$FIX/hostile_rlimit" raw)
if [ "$rc" = 1 ] && grep -q "^sonde: the heap runtime ran out of memory .*RLIMIT_AS.*the leak check could not run" "$T/rl_raw.err" &&
	! clean_claim "$T/rl_raw.err"; then
	pass hostile_memcheck_rlimit_raw
else
	fail hostile_memcheck_rlimit_raw "exit $rc: $(grep -E 'HEAP|use|LEAK|freed|^sonde|^libsonde' "$T/rl_raw.err" | head -5 | tr '\n' '|')"
fi
rc=$(run_rc "$T/rlh_raw" "$SONDE" heap -o "$T/rlh_raw.zst" -- "$FIX/hostile_rlimit" raw)
got=$(heap_figures "$T/rlh_raw" "$T/rlh_raw.zst")
if [ "$rc" = 1 ] && grep -q "ran out of memory .*calls after that are missing" "$T/rlh_raw.err" &&
	grep -q "^note: the recording is incomplete: the heap runtime ran out of memory" "$T/rlh_raw.rep"; then
	pass hostile_heap_rlimit_raw
else
	fail hostile_heap_rlimit_raw "exit $rc, $got: $(first_lines "$T/rlh_raw.err")"
fi
rc=$(run_rc "$T/rlr" "$SONDE" record -o "$T/rlr.data" -- "$FIX/hostile_rlimit" as)
pct=$(sampled_in "$T/rlr.data" after_limit)
[ "$rc" = 0 ] && fgt "${pct:-0}" 50 && pass hostile_record_rlimit ||
	fail hostile_record_rlimit "exit $rc, after_limit ${pct:-no}%: $(first_lines "$T/rlr.err")"

# kill -9: what was seen until then, the shell's 137, never "no leaks"
rc=$(killed kmc "$SONDE" memcheck -- "$FIX/hostile_killed")
if [ "$rc" = 137 ] && grep -q "^sonde: '.*hostile_killed' was killed by SIGKILL .*the leak check could not run; seen up to then: 1,01[0-9] allocs, 1,00[0-9] frees, 10 blocks (1,000 bytes) in use" "$T/kmc.err" &&
	grep -q "Invalid write of size 1" "$T/kmc.err" && ! clean_claim "$T/kmc.err"; then
	pass hostile_memcheck_killed
else
	fail hostile_memcheck_killed "exit $rc: $(grep -E 'Invalid|HEAP|use|LEAK|freed|^sonde' "$T/kmc.err" | head -6 | tr '\n' '|')"
fi
rc=$(killed kheap "$SONDE" heap -o "$T/kheap.zst" -- "$FIX/hostile_killed")
got=$(heap_figures "$T/kheap" "$T/kheap.zst")
calls=${got#calls }; calls=${calls%% *}
if [ "$rc" = 137 ] && grep -q "was killed by SIGKILL .*the trace holds its calls" "$T/kheap.err" &&
	[ "${calls:-0}" -ge 1011 ] && grep -q "^note: the recording is incomplete: .*killed by SIGKILL" "$T/kheap.rep"; then
	pass hostile_heap_killed
else
	fail hostile_heap_killed "exit $rc, $got: $(first_lines "$T/kheap.err") / $(tail -1 "$T/kheap.rep")"
fi
rc=$(killed krec "$SONDE" record -o "$T/krec.data" -- "$FIX/hostile_killed")
pct=$(sampled_in "$T/krec.data" wait_for_kill)
[ "$rc" = 137 ] && grep -q "was killed by signal 9" "$T/krec.err" && fgt "${pct:-0}" 50 && pass hostile_record_killed ||
	fail hostile_record_killed "exit $rc, wait_for_kill ${pct:-no}%: $(first_lines "$T/krec.err")"
# a program that kills itself is seen doing it: its run ends as valgrind ends it
rc=$(run_rc "$T/kself" "$SONDE" memcheck -- "$FIX/hostile_killed" self)
want_self="in use at exit: 1,000 bytes in 10 blocks;total heap usage: 1,011 allocs, 1,001 frees, 33,008 bytes allocated;definitely lost: 1,000 bytes in 10 blocks;"
if [ $have_vg = 1 ]; then
	"$VG" -- "$FIX/hostile_killed" self >/dev/null 2>"$T/kself_vg.err"
	want_self=$(figures "$T/kself_vg.err")
fi
[ "$rc" = 137 ] && [ "$(figures "$T/kself.err")" = "$want_self" ] && pass hostile_memcheck_killed_self ||
	fail hostile_memcheck_killed_self "exit $rc, '$(figures "$T/kself.err")' want '$want_self'"

# a signal whose default action ends the program (SIGTERM, SIGHUP, SIGPIPE
# from another process): the leak check runs first, as valgrind's does.
# (SIGINT is not in the list: a background job of a script starts with it
# ignored, and neither tool can undo that.)
for sig in TERM HUP PIPE USR1; do
	rc=$(KILLSIG=$sig killed_by "ksig$sig" "$SONDE" memcheck -- "$FIX/hostile_killed")
	want_fig="in use at exit: 1,000 bytes in 10 blocks;total heap usage: 1,013 allocs, 1,003 frees, 37,576 bytes allocated;definitely lost: 1,000 bytes in 10 blocks;"
	want_rc=$((128 + $(kill -l "$sig")))
	if [ $have_vg = 1 ]; then
		want_rc=$(KILLSIG=$sig killed_by "vsig$sig" "$VG" -- "$FIX/hostile_killed")
		want_fig=$(figures "$T/vsig$sig.err")
	fi
	if [ "$rc" = "$want_rc" ] && [ "$(figures "$T/ksig$sig.err")" = "$want_fig" ] &&
		grep -q "Process terminating with default action of signal $(kill -l "$sig") (SIG$sig)" "$T/ksig$sig.err"; then
		pass "hostile_memcheck_sig$sig"
	else
		fail "hostile_memcheck_sig$sig" "exit $rc (want $want_rc), '$(figures "$T/ksig$sig.err")' want '$want_fig': $(first_lines "$T/ksig$sig.err")"
	fi
done
