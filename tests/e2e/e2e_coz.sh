#!/usr/bin/env bash
# e2e_coz: `sonde coz run` on coz_two_threads.c, built with include/sonde/coz.h:
#  1. profile.coz has coz's records: startup, experiments each followed by
#     the "item" throughput point with a positive delta (the deltas add up
#     to at most the items made) and the "make" latency point (arrivals,
#     departures, at most 1 in progress), runtime, and samples naming both threads'
#     loop lines by absolute path;
#  2. --fixed-line on the side thread's line at --fixed-speedup 100 delays
#     the main thread: the run takes >= 1.3x as long as at speedup 0, and
#     every experiment names that line and speedup;
#  3. the program's exit status passes through;
#  4. a --fixed-line with no code is refused before the run;
#  5. Rust (coz_rust.rs, the coz crate's ABI written locally): two
#     std::threads, whose small sigaltstacks sonde's handler never uses,
#     run to their status 7 with "rust-item" deltas, and with
#     -s '%coz_rust.rs' the samples in core's inlined arithmetic go to the
#     in-scope line that calls it (the inline chain: e2e_coz_scope.sh).
. "$(dirname "$0")/lib.sh"

build_fx coz_two_threads coz_two_threads.c -pthread -I"$SONDE_ROOT/include" ||
	{ fail coz_build "$(first_lines "$T/build.log")"; exit 0; }
src=$FIXSRC/coz_two_threads.c
main_line=$(grep -n 'MAIN_LINE' "$src" | cut -d: -f1)
side_line=$(grep -n 'SIDE_LINE' "$src" | cut -d: -f1)
cd "$T" || exit 0

# 1. the records
"$SONDE" coz run --- "$FIX/coz_two_threads" 3000 >"$T/out" 2>&1
if ! [ -s profile.coz ]; then
	fail coz_profile "no profile.coz: $(first_lines "$T/out")"
else
	expect coz_startup grep -q '^startup	time=[0-9]*$' profile.coz
	expect coz_runtime grep -q '^runtime	time=[0-9]*$' profile.coz
	bad=$(awk -F'\t' '
		$1 == "experiment" { if (pending) print "no point after an experiment"; pending = 1; n++
			if ($2 !~ /^selected=\/.*:[0-9]+$/ || $3 !~ /^speedup=[01]\.[0-9][0-9]$/ ||
			    $4 !~ /^duration=[0-9]+$/ || $5 !~ /^selected-samples=[0-9]+$/) print "bad experiment: " $0 }
		$1 == "latency-point" { lat++
			if ($2 != "name=make" || $3 !~ /^arrivals=[1-9][0-9]*$/ || $4 !~ /^departures=[1-9][0-9]*$/ ||
			    $5 !~ /^difference=[01]$/) print "bad latency point: " $0 }
		$1 == "throughput-point" { pending = 0; d = substr($3, 7) + 0; sum += d
			if ($2 != "name=item") print "bad point: " $0
			if (d <= 0) print "delta 0: " $0 }
		END { if (n < 2) print n " experiments"; if (lat != n) print lat " latency points for " n " experiments"; if (sum > 3000) print "deltas sum to " sum " > 3000 items" }' profile.coz)
	if [ -z "$bad" ]; then pass coz_experiments; else fail coz_experiments "$(head -3 <<<"$bad" | tr '\n' '|')"; fi
	for l in "$main_line" "$side_line"; do
		n=$(awk -F'\t' -v loc="location=$src:$l" '$1 == "samples" && $2 == loc { print substr($3, 7) }' profile.coz)
		if [ "${n:-0}" -ge 50 ]; then pass "coz_samples_line_$l"
		else fail "coz_samples_line_$l" "samples of $src:$l: ${n:-none}"; fi
	done
fi

# 2. the delay mechanism: a 100% virtual speedup of the side thread's line
# makes the main thread pay the side thread's whole sampled time
timed_run() { # SPEEDUP -> wall ms
	local t0 t1
	t0=$(now_ms)
	"$SONDE" coz run -o "fixed$1.coz" --fixed-line "coz_two_threads.c:$side_line" --fixed-speedup "$1" \
		--- "$FIX/coz_two_threads" 3000 >>"$T/out" 2>&1
	t1=$(now_ms)
	echo $((t1 - t0))
}
w0=$(timed_run 0)
w100=$(timed_run 100)
if awk -v a="$w0" -v b="$w100" 'BEGIN { exit !(b >= 1.3 * a) }'; then
	pass coz_fixed_line_delays
else
	fail coz_fixed_line_delays "speedup 0: ${w0} ms, speedup 100: ${w100} ms (want >= 1.3x)"
fi
other=$(awk -F'\t' -v sel="selected=$src:$side_line" '$1 == "experiment" && ($2 != sel || $3 != "speedup=1.00")' fixed100.coz)
n=$(grep -c '^experiment' fixed100.coz)
if [ -z "$other" ] && [ "$n" -ge 1 ]; then pass coz_fixed_line_records
else fail coz_fixed_line_records "$n experiments; $(head -1 <<<"$other")"; fi

# 3. exit status
"$SONDE" coz run -o rc.coz --- "$FIX/coz_two_threads" 100 3 >/dev/null 2>&1
rc=$?
if [ "$rc" = 3 ]; then pass coz_exit_status; else fail coz_exit_status "status $rc, want 3"; fi

# 4. a line without code
if "$SONDE" coz run -o none.coz --fixed-line coz_two_threads.c:1 --- "$FIX/coz_two_threads" 10 >"$T/err" 2>&1; then
	fail coz_fixed_line_nocode "accepted a line without code"
elif grep -q 'no code in the profiled objects is on that line' "$T/err" && ! [ -e none.coz ]; then
	pass coz_fixed_line_nocode
else
	fail coz_fixed_line_nocode "$(first_lines "$T/err")"
fi

# 5. Rust
if ! command -v rustc >/dev/null; then
	skip coz_rust "no rustc"
elif ! build_rust coz_rust coz_rust.rs -g -O -C force-frame-pointers=yes; then
	fail coz_rust_build "$(first_lines "$T/build.log")"
else
	"$SONDE" coz run -o rust.coz -s '%coz_rust.rs' --- "$FIX/coz_rust" 3000 >/dev/null 2>"$T/rust.err"
	rc=$?
	call_line=$(grep -n 'x = x.wrapping_mul' "$FIXSRC/coz_rust.rs" | cut -d: -f1)
	deltas=$(awk -F'\t' '$1 == "throughput-point" && $2 == "name=rust-item" && substr($3, 7) + 0 > 0' rust.coz | wc -l)
	n=$(awk -F'\t' -v loc="location=$FIXSRC/coz_rust.rs:$call_line" '$1 == "samples" && $2 == loc { print substr($3, 7) }' rust.coz)
	if [ "$rc" = 7 ] && [ "$deltas" -ge 1 ] && [ "${n:-0}" -ge 50 ]; then
		pass coz_rust
	else
		fail coz_rust "status $rc (want 7), $deltas rust-item deltas, ${n:-no} samples on line $call_line; $(first_lines "$T/rust.err")"
	fi
fi
