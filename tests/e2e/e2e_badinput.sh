#!/usr/bin/env bash
# e2e_badinput: damaged or foreign input files, and targets that fail, crash,
# are interrupted or cannot be written, give clear errors and never crash sonde.
. "$(dirname "$0")/lib.sh"

build_fx spin spin.c || { fail badinput_build "cannot compile spin.c: $(first_lines "$T/build.log")"; exit 0; }
build_fx crash crash.c || { fail badinput_build "cannot compile crash.c: $(first_lines "$T/build.log")"; exit 0; }

# clean_error NAME RC ERRFILE [WANT_REGEX] : non-zero, < 128, <= 2 stderr lines starting with "sonde:"
clean_error() {
	local name=$1 rc=$2 err=$3 want=${4:-}
	local n; n=$(wc -l <"$err")
	if [ "$rc" = 0 ]; then fail "$name" "exit 0, want an error; stderr: $(first_lines "$err")"
	elif crashed "$rc"; then fail "$name" "crashed with exit $rc; stderr: $(first_lines "$err")"
	elif [ "$n" -gt 2 ] || [ "$n" -lt 1 ]; then fail "$name" "$n stderr lines (want 1-2): $(first_lines "$err" 4)"
	elif ! head -1 "$err" | grep -q '^sonde:'; then fail "$name" "stderr does not start with 'sonde:': $(first_lines "$err")"
	elif [ -n "$want" ] && ! grep -Eqi "$want" "$err"; then fail "$name" "stderr lacks /$want/: $(first_lines "$err")"
	else pass "$name"; fi
}

# ---- a good recording to damage ----
rc=$(run_rc "$T/rec" "$SONDE" record -g -o "$T/good.data" -- "$FIX/spin" 0.6)
if [ "$rc" != 0 ] || [ ! -s "$T/good.data" ]; then
	fail badinput_good_record "sonde record exit $rc: $(first_lines "$T/rec.err")"
	exit 0
fi

rc=$(run_rc "$T/missing" "$SONDE" report -i "$T/does-not-exist.data")
clean_error report_missing_file "$rc" "$T/missing.err" 'does-not-exist|No such file'

: >"$T/empty.data"
rc=$(run_rc "$T/empty" "$SONDE" report -i "$T/empty.data")
clean_error report_empty_file "$rc" "$T/empty.err" 'empty'

head -c 4096 /dev/urandom >"$T/random.data"
rc=$(run_rc "$T/rand" "$SONDE" report -i "$T/random.data")
clean_error report_random_bytes "$rc" "$T/rand.err" 'not a sonde'
rc=$(run_rc "$T/rands" "$SONDE" script -i "$T/random.data")
clean_error script_random_bytes "$rc" "$T/rands.err"

# the right magic followed by garbage: must not crash (error or partial report)
{ head -c 16 "$T/good.data"; head -c 4096 /dev/urandom; } >"$T/garbage.data"
rc=$(run_rc "$T/garb" "$SONDE" report -i "$T/garbage.data")
if crashed "$rc"; then fail report_magic_then_garbage "crashed with exit $rc: $(first_lines "$T/garb.err")"; else pass report_magic_then_garbage; fi

# truncated: 2/3 of a real recording still reports, with a warning, exit 0
size=$(stat -c %s "$T/good.data")
# (a cut that happens to fall on a record boundary reads as "no end marker";
# one byte further it cannot, so try the next length too)
for cut in $((size * 2 / 3)) $((size * 2 / 3 + 1)); do
	head -c $cut "$T/good.data" >"$T/trunc.data"
	rc=$(run_rc "$T/trunc" "$SONDE" report -i "$T/trunc.data" -g none)
	grep -qi truncated "$T/trunc.err" && break
	grep -qi 'end marker' "$T/trunc.err" || break
done
if [ "$rc" = 0 ] && grep -qi truncated "$T/trunc.err" && [ -n "$(report_pct "$T/trunc.out" spin_hot)" ]; then
	pass report_truncated_file
else
	fail report_truncated_file "first $cut of $size bytes: exit $rc (want 0), stderr '$(first_lines "$T/trunc.err")' (want a 'truncated' warning), spin_hot row: '$(report_pct "$T/trunc.out" spin_hot)'"
fi
# every prefix length a few bytes apart near the header must not crash
ok=1
for n in 1 8 15 16 17 20 24 40 100 $((size - 1)); do
	head -c $n "$T/good.data" >"$T/pre.data"
	rc=$(run_rc "$T/pre" "$SONDE" report -i "$T/pre.data")
	crashed "$rc" && { ok=0; fail report_prefixes "prefix of $n bytes: exit $rc"; break; }
done
[ $ok = 1 ] && pass report_prefixes

# a newer format version (byte 8 = major version) asks to upgrade
cp "$T/good.data" "$T/v2.data"
printf '\x02' | dd of="$T/v2.data" bs=1 seek=8 conv=notrunc status=none
rc=$(run_rc "$T/v2" "$SONDE" report -i "$T/v2.data")
clean_error report_version_2 "$rc" "$T/v2.err" 'upgrad'
if [ "$(wc -l <"$T/v2.err")" = 1 ]; then pass report_version_2_one_line; else fail report_version_2_one_line "$(wc -l <"$T/v2.err") lines: $(first_lines "$T/v2.err")"; fi

# a genuine Linux perf.data
if perf_usable; then
	PERF=$(type -P perf)
	if [ "$(readlink -f "$PERF")" != "$(readlink -f "$SONDE")" ] &&
		"$PERF" record -q -e cpu-clock -o "$T/genuine.data" -- "$FIX/spin" 0.2 >/dev/null 2>&1; then
		rc=$(run_rc "$T/gen" "$SONDE" report -i "$T/genuine.data")
		if [ "$rc" = 0 ] && grep -q '^# Samples:' "$T/gen.out" && grep -q 'spin' "$T/gen.out"; then
			pass report_genuine_perf_data
		else
			fail report_genuine_perf_data "sonde report on perf's perf.data: exit $rc: $(first_lines "$T/gen.err")"
		fi
	else
		skip report_genuine_perf_data "cannot make a perf.data with Linux perf"
	fi
else
	skip report_genuine_perf_data "Linux perf not usable"
fi

# ---- record: failing, crashing, interrupted targets ----
rc=$(run_rc "$T/nx" "$SONDE" record -o "$T/nx.data" -- "$T/no-such-command")
# (the informational "recording cpu-clock ... (no hardware 'cycles' ...)" note does not count)
n=$(grep -vc "^sonde: recording .* Hz" "$T/nx.err")
if [ "$rc" = 127 ] && [ "$n" = 1 ] && grep -q 'no-such-command' "$T/nx.err"; then
	pass record_nonexistent_command
else
	fail record_nonexistent_command "exit $rc (want 127), $n stderr lines (want 1 naming the command): $(first_lines "$T/nx.err")"
fi
rc=$(run_rc "$T/nx2" "$SONDE" record -q -o "$T/nx2.data" -- no-such-command-on-path)
n=$(wc -l <"$T/nx2.err")
if [ "$rc" = 127 ] && [ "$n" = 1 ] && grep -q '^sonde: .*no-such-command-on-path' "$T/nx2.err"; then
	pass record_nonexistent_on_path_quiet
else
	fail record_nonexistent_on_path_quiet "record -q: exit $rc (want 127), $n stderr lines (want 1): $(first_lines "$T/nx2.err")"
fi

rc=$(run_rc "$T/e127" "$SONDE" record -q -o "$T/e127.data" -- sh -c 'exit 127')
[ "$rc" = 127 ] && pass record_exit_127 || fail record_exit_127 "sh -c 'exit 127' under sonde record: exit $rc"
rc=$(run_rc "$T/e3" "$SONDE" record -q -o "$T/e3.data" -- sh -c 'exit 3')
[ "$rc" = 3 ] && pass record_exit_3 || fail record_exit_3 "sh -c 'exit 3' under sonde record: exit $rc"

# killed by SIGKILL after 0.3 s of work: 137, complete file with samples
rc=$(run_rc "$T/k9" "$SONDE" record -g -o "$T/k9.data" -- "$FIX/crash" kill)
if [ "$rc" = 137 ]; then pass record_sigkill_status; else fail record_sigkill_status "exit $rc (want 137): $(first_lines "$T/k9.err")"; fi
rrc=$(run_rc "$T/k9r" "$SONDE" report -i "$T/k9.data" -g none)
p=$(report_pct "$T/k9r.out" crash_work)
if [ "$rrc" = 0 ] && [ -n "$p" ] && ! grep -Eqi 'truncated|end marker|damaged' "$T/k9r.err"; then
	pass record_sigkill_file_complete
else
	fail record_sigkill_file_complete "report exit $rrc, crash_work ${p:-missing}%, stderr: $(first_lines "$T/k9r.err")"
fi

# segfault: 139, samples up to the crash
rc=$(run_rc "$T/sv" "$SONDE" record -g -o "$T/sv.data" -- "$FIX/crash" segv)
if [ "$rc" = 139 ]; then pass record_segv_status; else fail record_segv_status "exit $rc (want 139): $(first_lines "$T/sv.err")"; fi
rrc=$(run_rc "$T/svr" "$SONDE" report -i "$T/sv.data" -g none)
p=$(report_pct "$T/svr.out" crash_work)
if [ "$rrc" = 0 ] && [ -n "$p" ] && fgt "$p" 50; then
	pass record_segv_samples
else
	fail record_segv_samples "report exit $rrc, crash_work ${p:-missing}% (want > 50), stderr: $(first_lines "$T/svr.err")"
fi

# -o /dev/full: ENOSPC is reported in one line, non-zero, not a crash
rc=$(run_rc "$T/full" "$SONDE" record -o /dev/full -- "$FIX/spin" 0.3)
n=$(wc -l <"$T/full.err")
if [ "$rc" != 0 ] && ! crashed "$rc" && grep -q 'No space left' "$T/full.err" && [ "$n" -le 2 ]; then
	pass record_dev_full
else
	fail record_dev_full "exit $rc (want non-zero < 128), $n stderr lines (want a 'No space left' error, <= 2 lines): $(first_lines "$T/full.err")"
fi

# unwritable output directory
rc=$(run_rc "$T/nodir" "$SONDE" record -o "$T/no/such/dir/x.data" -- true)
clean_error record_bad_output_dir "$rc" "$T/nodir.err"

# ---- Ctrl-C: SIGINT to the whole foreground process group ----
# A terminal sends SIGINT to every process of the foreground job. Job control
# (set -m) gives the job its own process group and, unlike a plain background
# job of a script, leaves SIGINT not ignored in it.
set -m
"$SONDE" record -g -o "$T/int.data" -- "$FIX/spin" 10 >"$T/int.out" 2>"$T/int.err" &
spid=$!
set +m
# the command must be running (exec'd) when the terminal's SIGINT comes: a
# loaded machine can take longer than a fixed sleep to get there
for _ in $(seq 100); do
	pgrep -x spin -P "$spid" >/dev/null 2>&1 && break
	sleep 0.1
done
sleep 0.3
t0=$(now_ms)
kill -INT -- -"$spid" 2>/dev/null
exited=0
for _ in $(seq 30); do
	kill -0 "$spid" 2>/dev/null || { exited=1; break; }
	sleep 0.1
done
dt=$(( $(now_ms) - t0 ))
if [ $exited = 1 ]; then
	wait "$spid"; irc=$?
	pass record_ctrl_c_exits
	# a suite started as a background job (`make check &`) hands every
	# command SIGINT ignored, and no shell can undo that: the target then
	# outlives the SIGINT and sonde ends it with SIGTERM (exit 143), as it
	# should; only a SIGINT the target can receive must give 130
	ign=$(awk '/^SigIgn:/ { print $2 }' /proc/$$/status 2>/dev/null)
	if [ "$irc" = 130 ]; then
		pass record_ctrl_c_status
	elif [ "$irc" = 143 ] && [ -n "$ign" ] && (( (16#$ign >> 1) & 1 )); then
		skip record_ctrl_c_status "SIGINT is ignored in this environment (the suite runs as a background job): the target ended by sonde's SIGTERM (143)"
	else
		fail record_ctrl_c_status "exit $irc after SIGINT (want 130 = 128+SIGINT, the target's status)"
	fi
	rrc=$(run_rc "$T/intr" "$SONDE" report -i "$T/int.data" -g none)
	p=$(report_pct "$T/intr.out" spin_hot)
	n=$(samples_of "$T/intr.out")
	if [ "$rrc" = 0 ] && [ -n "$p" ] && ! grep -Eqi 'end marker|truncated|damaged' "$T/intr.err"; then
		pass record_ctrl_c_file
	else
		fail record_ctrl_c_file "report exit $rrc, spin_hot ${p:-missing}%, ${n:-no} samples, stderr: $(first_lines "$T/intr.err")"
	fi
else
	fail record_ctrl_c_exits "sonde record still running ${dt} ms after SIGINT to its process group (want < 3 s)"
	kill -KILL -- -"$spid" 2>/dev/null
	wait "$spid" 2>/dev/null
fi
# no target left behind
if ps -o pid= -g "$spid" 2>/dev/null | grep -q .; then
	fail record_no_orphan "processes of the interrupted job still run: $(ps -o pid=,comm= -g "$spid" | tr '\n' ' ')"
	kill -KILL -- -"$spid" 2>/dev/null
else
	pass record_no_orphan
fi

# ---- values that mean nothing: a usage error (exit 129), not a report ----
meaningless() { # NAME WANT CMD...
	local name=$1 want=$2 rc; shift 2
	rc=$(run_rc "$T/$name" "$@")
	if [ "$rc" = 129 ] && [ "$(wc -l <"$T/$name.err")" -le 2 ] && grep -Eqi "$want" "$T/$name.err"; then
		pass "$name"
	else
		fail "$name" "exit $rc (want 129): $(first_lines "$T/$name.err")"
	fi
}
if [ -s "$T/good.data" ]; then
	for v in -1 nan inf 1e309 101; do
		meaningless "report_percent_limit_$v" 'percent' "$SONDE" report -i "$T/good.data" --percent-limit "$v"
	done
fi
"$SONDE" heap -o "$T/h.zst" -- true >/dev/null 2>&1
if [ -s "$T/h.zst" ]; then
	meaningless heap_report_n_negative 'count' "$SONDE" heap report "$T/h.zst" -n -1
	meaningless heap_report_s_negative 'count' "$SONDE" heap report "$T/h.zst" -s -1
fi
meaningless stat_empty_event 'event' "$SONDE" stat -e '' -- true
meaningless stat_empty_separator 'separator' "$SONDE" stat -x '' -- true

# ---- counts past 2^64: they stop there (with a warning), never wrap ----
printf 'main;a 10000000000000000000\nmain;b 10000000000000000000\nmain;a 5\n' >"$T/big.folded"
rc=$(run_rc "$T/bigf" "$SONDE" flamegraph --folded "$T/big.folded" -o "$T/big.svg")
over=$(grep -o '<rect x="[0-9.]*" y="[0-9.]*" width="[0-9.]*"' "$T/big.svg" 2>/dev/null |
	awk -F'"' '$2 + $6 > 1200.05 { n++ } END { print n + 0 }')
pct=$(grep -o '[0-9.]*%)</title>' "$T/big.svg" 2>/dev/null | awk '{ v = $0 + 0; if (v > m) m = v } END { print m + 0 }')
if [ "$rc" = 0 ] && [ "$over" = 0 ] && ! fgt "$pct" 100 && grep -q '2^64' "$T/bigf.err"; then
	pass flamegraph_counts_saturate
else
	fail flamegraph_counts_saturate "exit $rc, $over rectangles past the image, largest share $pct%: $(first_lines "$T/bigf.err")"
fi
printf 'prog 1 100.0: 99999999999999999999 cpu-clock: \n\t1 f (/bin/x)\n\nprog 1 100.1: 5 cpu-clock: \n\t1 f (/bin/x)\n\n' >"$T/bigp.script"
rc=$(run_rc "$T/bigp" "$SONDE" collapse "$T/bigp.script")
if [ "$rc" = 0 ] && grep -qx 'prog;f 18446744073709551615' "$T/bigp.out" && grep -q '2^64' "$T/bigp.err"; then
	pass collapse_period_saturates
else
	fail collapse_period_saturates "exit $rc: $(first_lines "$T/bigp.out") / $(first_lines "$T/bigp.err")"
fi

# ---- endless input: refused in bounded memory, with where it went wrong ----
# (an ASan build cannot start under ulimit -v: its shadow memory is a
# reservation of terabytes)
bounded_ok=1
(ulimit -v 1500000; "$SONDE" --version) >/dev/null 2>&1 || bounded_ok=0
endless() { # NAME WANT CMD...
	local name=$1 want=$2 rc; shift 2
	if [ $bounded_ok = 0 ]; then
		skip "$name" "this sonde cannot run under ulimit -v (a sanitizer build)"
		return
	fi
	rc=$( (ulimit -v 1500000; timeout 60 "$@" >/dev/null 2>"$T/$name.err"); echo $?)
	if [ "$rc" != 0 ] && [ "$rc" != 124 ] && ! crashed "$rc" && [ "$(wc -l <"$T/$name.err")" -le 2 ] &&
		grep -Eqi "$want" "$T/$name.err"; then
		pass "$name"
	else
		fail "$name" "exit $rc: $(first_lines "$T/$name.err")"
	fi
}
endless collapse_dev_zero 'longer than|byte 0' "$SONDE" collapse /dev/zero
endless flamegraph_folded_dev_zero 'longer than|byte 0' "$SONDE" flamegraph --folded /dev/zero -o "$T/z.svg"
endless flamegraph_perf_script_dev_zero 'longer than|byte 0' "$SONDE" flamegraph --perf-script /dev/zero -o "$T/z2.svg"
endless heap_report_dev_zero 'not a sonde heap trace' "$SONDE" heap report /dev/zero
if command -v zstd >/dev/null; then
	head -c 300000000 /dev/zero | zstd -q -c >"$T/bomb.zst"
	endless heap_report_zstd_bomb 'not a sonde heap trace' "$SONDE" heap report "$T/bomb.zst"
fi
