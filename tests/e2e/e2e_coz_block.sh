#!/usr/bin/env bash
# e2e_coz_block: blocking and waking under `sonde coz run` (docs/coz.md,
# "Blocking and waking"). coz_block.c / coz_block.rs: a worker runs the hot
# line while the main thread waits for it, then the main thread works
# alone and prints how long that work stalled: slept, i.e. wall less CPU
# time less the time it waited runnable for a CPU (on a loaded machine that
# wait alone was 250-350 ms, as long as the line's 550; it is the
# scheduler's, not a delay the profiler inserted). With
# the line sped up 100% over the whole run (--end-to-end), a main thread
# woken by the worker owes none of the delay inserted while it waited; a
# main thread polling with nanosleep (no thread wakes it) owes all of it,
# the line's sampled time S (1 ms per selected sample, from the profile),
# and pays it in that work:
#  1. C: pthread join, mutex, cond, barrier, rwlock, sigwait stall < 0.25 S;
#     poll stalls > 0.45 S;
#  2. Rust std: Mutex, Condvar, mpsc, park (futex through syscall(2)) and
#     join stall < 0.25 S; poll stalls > 0.45 S;
#  3. --end-to-end writes one experiment with end-to-end delta=1;
#  4. _exit still ends the profile (runtime and samples records);
#  5. a program that ignores and blocks SIGPROF is still sampled;
#  6. SIGINT (the program's default action) ends the profile, then kills
#     the program; sonde exits 130; SIGHUP and SIGTERM 2 ms apart: the
#     same, at once (the second waits for the first);
#  7. a vfork child that _exits leaves the parent's profile alone: one
#     runtime record, written at the end;
#  8. main ending with pthread_exit: the process still ends when its
#     last thread does, with the profile.
. "$(dirname "$0")/lib.sh"

build_fx coz_block coz_block.c -pthread -I"$SONDE_ROOT/include" ||
	{ fail coz_block_build "$(first_lines "$T/build.log")"; exit 0; }
cd "$T" || exit 0
c_line=$(grep -n 'HOT_LINE' "$FIXSRC/coz_block.c" | tail -1 | cut -d: -f1)

# started FILE : waits (20 s at most) for the profile's first experiment:
# the runtime is in and its signal handlers with it (a fixed sleep was not
# enough on a loaded machine: the signals came before them, the program
# ran on to the end or died with no profile)
started() {
	local i
	for ((i = 0; i < 200; i++)); do
		grep -q '^experiment' "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# stall BIN LINE MODE ITERS -> "stalled-ms S"
stall() {
	rm -f run.coz
	"$SONDE" coz run -o run.coz --end-to-end --fixed-line "$2" --fixed-speedup 100 \
		--- "$1" "$3" "$4" >/dev/null 2>"$T/err"
	echo "$(awk '$1 == "stalled" { print $2 }' "$T/err") $(awk -F'\t' '$1 == "experiment" { print substr($5, 18) + 0 }' run.coz)"
}

# check NAME BIN LINE ITERS MODES... (retried once: a load spike stalls too)
check() {
	local name=$1 bin=$2 line=$3 iters=$4; shift 4
	local m r try bad
	for m in "$@"; do
		for try in 1 2; do
			r=$(stall "$bin" "$line" "$m" "$iters")
			if [ "$m" = poll ]; then
				awk -v r="$r" 'BEGIN { split(r, x, " "); exit !(x[2] >= 50 && x[1] > 0.45 * x[2]) }' && { bad=; break; }
				bad="poll stalled ${r%% *} ms, ${r#* } ms of the line sampled (want > 0.45 of it: the poller pays); $(first_lines "$T/err")"
			else
				awk -v r="$r" 'BEGIN { split(r, x, " "); exit !(x[2] >= 50 && x[1] != "" && x[1] < 0.25 * x[2]) }' &&
					{ bad=; break; }
				bad="$m stalled ${r%% *} ms, ${r#* } ms of the line sampled (want < 0.25 of it); $(first_lines "$T/err")"
			fi
		done
		if [ -z "$bad" ]; then pass "${name}_$m"; else fail "${name}_$m" "$bad"; fi
	done
}

# 1. C
check coz_block_c "$FIX/coz_block" "coz_block.c:$c_line" 2500 join mutex cond barrier rwlock sigwait poll

# 2. Rust
if ! command -v rustc >/dev/null; then
	skip coz_block_rust "no rustc"
elif ! build_rust coz_block_rs coz_block.rs -g -O; then
	fail coz_block_rust_build "$(first_lines "$T/build.log")"
else
	rs_line=$(grep -n 'HOT_LINE' "$FIXSRC/coz_block.rs" | tail -1 | cut -d: -f1)
	check coz_block_rust "$FIX/coz_block_rs" "coz_block.rs:$rs_line" 15000 mutex condvar channel park join poll
fi

# 3. end-to-end records
rm -f e2e.coz
"$SONDE" coz run -o e2e.coz --end-to-end --- "$FIX/coz_block" join 500 >/dev/null 2>"$T/err"
got=$(awk -F'\t' '$1 == "experiment" { n++ } $1 == "throughput-point" && $2 == "name=end-to-end" { e = $3 }
	END { print n + 0, e }' e2e.coz)
if [ "$got" = "1 delta=1" ]; then pass coz_end_to_end
else fail coz_end_to_end "experiments, end-to-end point: '$got'; $(first_lines "$T/err")"; fi

# 4. _exit
rm -f exit.coz
"$SONDE" coz run -o exit.coz --- "$FIX/coz_block" join 300 _exit >/dev/null 2>"$T/err"
rc=$?
if [ "$rc" = 5 ] && grep -q '^runtime' exit.coz && grep -q "^samples	location=$FIXSRC/coz_block.c:$c_line	" exit.coz; then
	pass coz_underscore_exit
else
	fail coz_underscore_exit "status $rc (want 5); $(grep -c . exit.coz 2>/dev/null) lines; $(first_lines "$T/err")"
fi

# 5. SIGPROF kept
rm -f prof.coz
"$SONDE" coz run -o prof.coz --- "$FIX/coz_block" join 1000 sigprof >/dev/null 2>"$T/err"
n=$(awk -F'\t' -v loc="location=$FIXSRC/coz_block.c:$c_line" '$1 == "samples" && $2 == loc { print substr($3, 7) }' prof.coz)
if [ "${n:-0}" -ge 50 ]; then pass coz_sigprof_kept
else fail coz_sigprof_kept "${n:-no} samples on the hot line; $(first_lines "$T/err")"; fi

# 6. SIGINT to sonde and the program's process group, as a Ctrl-C sends it
# (setsid: their own group; perl: SIGINT back to its default, which a
# script's background job starts without)
rm -f int.coz
setsid perl -e '$SIG{INT} = "DEFAULT"; exec @ARGV or die' \
	"$SONDE" coz run -o int.coz --- "$FIX/coz_block" poll 20000 >/dev/null 2>"$T/err" &
pid=$!
started int.coz
kill -INT -- "-$pid" 2>/dev/null
wait "$pid"
rc=$?
if [ "$rc" = 130 ] && grep -q '^runtime' int.coz && grep -q "^samples	location=$FIXSRC/coz_block.c:$c_line	" int.coz; then
	pass coz_sigint_flush
else
	fail coz_sigint_flush "status $rc (want 130); $(grep -c . int.coz 2>/dev/null) lines: $(tr '\n' '|' <int.coz 2>/dev/null | cut -c1-200); $(first_lines "$T/err")"
fi

rm -f hup.coz
setsid "$SONDE" coz run -o hup.coz --- "$FIX/coz_block" poll 20000 >/dev/null 2>"$T/err" &
pid=$!
started hup.coz
t0=$(now_ms)
kill -HUP -- "-$pid" 2>/dev/null
sleep 0.002
kill -TERM -- "-$pid" 2>/dev/null
wait "$pid"
rc=$?
t1=$(now_ms)
# (10 s: a hang, not a slow flush; the sanitizer build took 5.5 s on a loaded machine)
if [ "$rc" -gt 128 ] && [ $((t1 - t0)) -lt 10000 ] && grep -q '^runtime' hup.coz && grep -q '^samples' hup.coz; then
	pass coz_two_fatal_signals
else
	fail coz_two_fatal_signals "status $rc after $((t1 - t0)) ms; $(grep -c '^runtime' hup.coz 2>/dev/null) runtime records"
fi

# 7. vfork
rm -f vfork.coz
t0=$(now_ms)
"$SONDE" coz run -o vfork.coz --- "$FIX/coz_block" join 3000 vfork >/dev/null 2>"$T/err"
t1=$(now_ms)
rt=$(awk -F'\t' '$1 == "runtime" { n++; t = substr($2, 6) / 1e6 } END { print n + 0, int(t) }' vfork.coz)
if [ "${rt% *}" = 1 ] && [ "${rt#* }" -ge $(((t1 - t0) / 2)) ]; then
	pass coz_vfork_child_exit
else
	fail coz_vfork_child_exit "runtime records, ms: $rt, the run took $((t1 - t0)) ms; $(first_lines "$T/err")"
fi

# 8. pthread_exit from main
rm -f pexit.coz
timeout -k 5 20 "$SONDE" coz run -o pexit.coz --- "$FIX/coz_block" mutex 1000 pthread_exit >/dev/null 2>"$T/err"
rc=$?
if [ "$rc" = 0 ] && grep -q '^runtime' pexit.coz && grep -q "^samples	location=$FIXSRC/coz_block.c:$c_line	" pexit.coz; then
	pass coz_main_pthread_exit
else
	fail coz_main_pthread_exit "status $rc (124: hung); $(grep -c . pexit.coz 2>/dev/null) lines; $(first_lines "$T/err")"
fi
