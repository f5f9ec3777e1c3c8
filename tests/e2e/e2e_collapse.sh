#!/usr/bin/env bash
# sonde collapse: perf script text -> folded stacks, compared with golden
# outputs of FlameGraph's stackcollapse-perf.pl (tests/fixtures/collapse/,
# made by the real Perl script on Linux perf's and sonde's script text).
# With STACKCOLLAPSE_PL=/path/to/stackcollapse-perf.pl the Perl script is also
# run live on the same inputs and on a fresh capture.
. "$(dirname "$0")/lib.sh"
CF=$FIXSRC/collapse

if ! "$SONDE" collapse --help >/dev/null 2>&1; then
	skip collapse_registered "this sonde has no collapse command"
	exit 0
fi

# golden comparisons: one per line of $CF/cases ("input|options|golden")
golden_all() {
	local n=0 bad=0 in opts g
	while IFS='|' read -r in opts g; do
		[ -n "$in" ] || continue
		n=$((n + 1))
		# shellcheck disable=SC2086
		if ! "$SONDE" collapse $opts "$CF/$in" >"$T/got" 2>"$T/err"; then
			fail "golden_$g" "exit status $? ($(first_lines "$T/err"))"; bad=$((bad + 1)); continue
		fi
		if ! cmp -s "$T/got" "$CF/$g"; then
			fail "golden_$g" "differs: $(diff "$CF/$g" "$T/got" | head -4 | tr '\n' '|' | cut -c1-300)"
			bad=$((bad + 1))
		fi
	done <"$CF/cases"
	[ "$n" -gt 0 ] && [ "$bad" -eq 0 ] && pass "golden_all_$n"
	[ "$n" -gt 0 ] || fail golden_all "no cases in $CF/cases"
}

# the Perl script itself, live, on every fixture input
perl_live() {
	if [ -z "${STACKCOLLAPSE_PL:-}" ] || ! command -v perl >/dev/null; then
		skip perl_live "set STACKCOLLAPSE_PL to FlameGraph's stackcollapse-perf.pl"
		return
	fi
	local bad=0 f opt
	for f in "$CF"/*.perf; do
		for opt in "" --pid --tid --kernel --jit --all --addrs "--event-filter task-clock"; do
			# shellcheck disable=SC2086
			perl "$STACKCOLLAPSE_PL" $opt "$f" >"$T/exp" 2>/dev/null
			# shellcheck disable=SC2086
			"$SONDE" collapse -q $opt "$f" >"$T/got" 2>/dev/null
			cmp -s "$T/exp" "$T/got" || { fail "perl_live_$(basename "$f")$opt" "differs"; bad=1; }
		done
	done
	[ "$bad" -eq 0 ] && pass perl_live
}

# a fresh capture: Linux perf's text (with kernel frames), several threads
capture_live() {
	if ! perf_usable; then skip capture_live "perf cannot record here"; return; fi
	build_fx threads threads.c -pthread || { fail capture_live "cannot build threads.c"; return; }
	perf record -q -g -e cpu-clock -o "$T/p.data" -- "$FIX/threads" >/dev/null 2>&1
	perf script -i "$T/p.data" >"$T/p.txt" 2>/dev/null
	"$SONDE" collapse --tid --kernel "$T/p.txt" >"$T/p.folded" 2>"$T/err" || { fail capture_live "exit $?"; return; }
	local ntid
	ntid=$(cut -d';' -f1 "$T/p.folded" | sort -u | wc -l)
	[ "$ntid" -ge 3 ] && pass capture_live_threads || fail capture_live_threads "only $ntid root frames"
	# every sample's period is counted: the folded total equals the sum of periods
	local want got
	want=$(awk '/^[^\t#]/ && / cpu-clock:/ { for (i = 1; i < NF; i++) if ($i ~ /^[0-9]+\.[0-9]+:$/) { s += $(i + 1); break } } END { print s + 0 }' "$T/p.txt")
	got=$(awk '{ s += $NF } END { print s + 0 }' "$T/p.folded")
	[ "$want" = "$got" ] && pass capture_live_total || fail capture_live_total "sum $got, periods $want"
	if [ -n "${STACKCOLLAPSE_PL:-}" ]; then
		perl "$STACKCOLLAPSE_PL" --tid --kernel "$T/p.txt" >"$T/exp" 2>/dev/null
		cmp -s "$T/exp" "$T/p.folded" && pass capture_live_perl || fail capture_live_perl "differs from the Perl script"
	fi
}

# --inline expands DWARF inline frames of perf's --no-inline text
inline_live() {
	if ! perf_usable; then skip inline_live "perf cannot record here"; return; fi
	build_fx inline inline.c || { fail inline_live "cannot build inline.c"; return; }
	perf record -q -g -e cpu-clock -o "$T/i.data" -- "$FIX/inline" >/dev/null 2>&1
	perf script --no-inline -i "$T/i.data" >"$T/i.txt" 2>/dev/null
	"$SONDE" collapse --inline "$T/i.txt" >"$T/i.folded" 2>"$T/err"
	if grep -q ';outer;inner_\[i\] ' "$T/i.folded"; then pass inline_live
	else fail inline_live "no outer;inner_[i]: $(sort -t' ' -k2 -nr "$T/i.folded" | head -2 | tr '\n' '|')"; fi
}

stdin_and_errors() {
	"$SONDE" collapse <"$CF/perf-threads.perf" >"$T/a" 2>/dev/null
	"$SONDE" collapse - <"$CF/perf-threads.perf" >"$T/b" 2>/dev/null
	cmp -s "$T/a" "$CF/perf-threads.default.folded" && cmp -s "$T/b" "$T/a" && pass stdin_input || fail stdin_input "stdin output differs"
	local rc
	rc=$(run_rc "$T/nf" "$SONDE" collapse "$T/does-not-exist")
	[ "$rc" = 1 ] && grep -q "cannot open" "$T/nf.err" && pass missing_file || fail missing_file "rc=$rc $(first_lines "$T/nf.err")"
	"$SONDE" collapse -o "$T/o.folded" "$CF/perf-threads.perf" 2>/dev/null
	cmp -s "$T/o.folded" "$CF/perf-threads.default.folded" && pass output_option || fail output_option "-o output differs"
	"$SONDE" collapse --help | grep -q -- --event-filter && pass help || fail help "no --event-filter in --help"
}

malformed() {
	{ head -n 20 "$CF/perf-threads.perf"; echo "garbage line here"; echo "another"; tail -n +21 "$CF/perf-threads.perf"; } >"$T/m.txt"
	local rc
	rc=$(run_rc "$T/m" "$SONDE" collapse "$T/m.txt")
	if [ "$rc" = 0 ] && grep -q "skipped 2 malformed lines (first at line 21)" "$T/m.err"; then pass malformed_message
	else fail malformed_message "rc=$rc $(first_lines "$T/m.err")"; fi
	head -c 300000 "$SONDE" >"$T/bin.txt"
	rc=$(run_rc "$T/b" "$SONDE" collapse "$T/bin.txt")
	crashed "$rc" && fail binary_input "crashed ($rc)" || pass binary_input
	printf 'ab 1 1.0: ev:\r\n\t1 f (/x)\r\n\r\n' >"$T/crlf.txt"
	[ "$("$SONDE" collapse "$T/crlf.txt" 2>/dev/null)" = "ab;f 1" ] && pass crlf || fail crlf "$("$SONDE" collapse "$T/crlf.txt" 2>&1 | head -2)"
}

golden_all
perl_live
capture_live
inline_live
stdin_and_errors
malformed
