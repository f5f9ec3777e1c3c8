#!/usr/bin/env bash
# e2e_heap: `sonde heap` (record), `sonde heap report` and the heaptrack /
# heaptrack_print compat names.
#  1. agreement with the real heaptrack (/usr/bin/heaptrack, heaptrack_print)
#     on C, C++ and Rust fixtures: same allocation calls, temporary
#     allocations and leaked bytes, peak heap within 1%; plus the counts the
#     C fixture was designed to have;
#  2. robustness: threads + fork, exit with live threads, SIGSEGV, exit()
#     inside an atexit handler, first malloc inside pthread_getattr_np:
#     exit status passed through, no hang, readable trace,
#     report with the totals block;
#  3. bad input to `sonde heap report`: missing, empty, random, truncated;
#  4. compat: `sonde shims` -> heaptrack CMD, heaptrack_print FILE,
#     heaptrack --analyze FILE.
#
# Two artefacts of heaptrack itself are corrected for before comparing (both
# measured, not assumed):
#  - heaptrack's preload library links libstdc++, whose emergency EH pool is
#    one malloc (72704 B) made at startup and freed at exit, so for programs
#    that don't link libstdc++ themselves heaptrack reports one call more and
#    a peak 72.70K higher. Measured on heap_empty (no allocation at all).
#  - heaptrack_print counts a free as temporary when its allocation-record
#    index equals the last "+" index, and resets that index to 0 after each
#    free; so a free of record 0 (the first allocation ever, e.g. that pool)
#    right after another free counts as temporary. Counted from the trace.
. "$(dirname "$0")/lib.sh"

HT=${HEAPTRACK:-/usr/bin/heaptrack}
HTP=${HEAPTRACK_PRINT:-/usr/bin/heaptrack_print}
have_ht=0
[ -x "$HT" ] && [ -x "$HTP" ] && command -v zstd >/dev/null && have_ht=1
TMO=${HEAP_TIMEOUT:-60}

if ! "$SONDE" heap --help >"$T/help.out" 2>&1 || ! grep -q 'heap' "$T/help.out"; then
	fail heap_cli "sonde heap --help: $(first_lines "$T/help.out")"
	exit 0
fi
pass heap_cli

# ---- helpers ----
# totals FILE: "calls temporary peak_bytes leaked_bytes" from a heaptrack_print /
# sonde heap report text ("-" for a missing value)
totals() {
	awk '
	function bytes(s,   m, u) {
		if (!match(s, /^-?[0-9]+(\.[0-9]+)?/)) return "-"
		m = substr(s, 1, RLENGTH) + 0; u = substr(s, RLENGTH + 1)
		sub(/^ +/, "", u); u = toupper(substr(u, 1, 1))
		if (u == "K") m *= 1e3; else if (u == "M") m *= 1e6; else if (u == "G") m *= 1e9; else if (u == "T") m *= 1e12
		return sprintf("%.0f", m)
	}
	/^calls to allocation functions: / { c = $5 }
	/^temporary memory allocations: / { t = $4 }
	/^peak heap memory consumption: / { p = bytes($5) }
	/^total memory leaked: / { l = bytes($4) }
	END { printf "%s %s %s %s\n", c == "" ? "-" : c, t == "" ? "-" : t, p == "" ? "-" : p, l == "" ? "-" : l }' "$1"
}
# fmt_bytes N: N formatted as heaptrack_print does (B below 1000, else 2 decimals K/M/G)
fmt_bytes() {
	awk -v b="$1" 'BEGIN { split("B K M G T", u, " "); i = 1; v = b + 0
		while (i < 5 && (v > 1000 || v < -1000)) { v /= 1000; i++ }
		if (i == 1) printf "%dB\n", v; else printf "%.2f%s\n", v, u[i] }'
}
# ht_quirk0 FILE.zst: heaptrack temporaries that are "- 0" lines after a free
ht_quirk0() {
	zstd -dc "$1" 2>/dev/null | awk '/^[+-] / { if ($0 == "- 0" && prev != "+") q++; prev = $1 } END { print q + 0 }'
}
needs_libstdcxx() { readelf -d "$1" 2>/dev/null | grep -q 'NEEDED.*libstdc++'; }
is_num() { [[ $1 =~ ^[0-9]+$ ]]; }
has_totals() { # FILE: the heaptrack_print summary block, in order
	awk '/^total runtime: [0-9.]+s\.$/ { a = NR }
	/^calls to allocation functions: [0-9]+ \([0-9.]+\/s\)$/ { b = NR }
	/^temporary memory allocations: [0-9]+ \([0-9.]+\/s\)$/ { c = NR }
	/^peak heap memory consumption: / { d = NR }
	/^peak RSS \(including [a-z]+ overhead\): / { e = NR }
	/^total memory leaked: / { f = NR }
	END { exit !(a && a < b && b < c && c < d && d < e && e < f) }' "$1"
}
missing_totals() { # FILE: which summary lines are missing (for FAIL reasons)
	local m="" l
	for l in 'total runtime: ' 'calls to allocation functions: ' 'temporary memory allocations: ' \
		'peak heap memory consumption: ' 'peak RSS ' 'total memory leaked: '; do
		grep -q "^$l" "$1" || m="$m '$l'"
	done
	if [ -n "$m" ]; then echo "$m"; else echo ' (all present, but not in the order/format of heaptrack_print)'; fi
}

# sonde_rec NAME CMD...: `sonde heap -o $T/NAME.zst -- CMD` from $T/run_NAME,
# sets rc_NAME-style globals: SREC_RC
sonde_rec() {
	local name=$1; shift
	mkdir -p "$T/run_$name"
	SREC_RC=$(cd "$T/run_$name" && run_rc "$T/$name.rec" timeout -k 5 "$TMO" "$SONDE" heap -o "$T/$name.zst" -- "$@")
}
# sonde_rep NAME [ARGS]: report of $T/NAME.zst into $T/NAME.rep; sets SREP_RC
sonde_rep() {
	local name=$1; shift
	SREP_RC=$(run_rc "$T/$name.repx" timeout -k 5 "$TMO" "$SONDE" heap report "$T/$name.zst" "$@")
	cp "$T/$name.repx.out" "$T/$name.rep"
}
# ht_rec NAME CMD...: real heaptrack in $T/ht_NAME, the trace path in HT_FILE
ht_rec() {
	local name=$1; shift
	mkdir -p "$T/ht_$name"
	(cd "$T/ht_$name" && timeout -k 5 "$TMO" "$HT" "$@" >"$T/ht_$name.out" 2>&1)
	HT_FILE=$(ls "$T/ht_$name"/heaptrack.*.zst 2>/dev/null | head -1)
	[ -n "$HT_FILE" ] && "$HTP" "$HT_FILE" >"$T/ht_$name.rep" 2>/dev/null
}

# ---- fixtures ----
build_fx heap_basic heap_basic.c || { fail heap_build "heap_basic.c: $(first_lines "$T/build.log")"; exit 0; }
build_fx heap_empty heap_empty.c
for f in forkthreads exitthreads segv atexit getattr; do
	build_fx heap_$f heap_$f.c -pthread || fail heap_build "heap_$f.c: $(first_lines "$T/build.log")"
done
have_cxx=0
if command -v g++ >/dev/null; then
	if [ -x "$FIX/heap_cxx" ] && [ "$FIX/heap_cxx" -nt "$FIXSRC/heap_cxx.cpp" ] ||
		g++ -O2 -g -fno-omit-frame-pointer -o "$FIX/heap_cxx" "$FIXSRC/heap_cxx.cpp" 2>>"$T/build.log"; then
		have_cxx=1
	fi
fi
have_rs=0
if [ -x "$FIX/heap_rust" ] && [ "$FIX/heap_rust" -nt "$FIXSRC/heap_rust.rs" ] ||
	build_rust heap_rust heap_rust.rs -C opt-level=2 -g -C force-frame-pointers=yes 2>/dev/null; then
	have_rs=1
fi

# ---- 0. a program without allocations ----
sonde_rec empty "$FIX/heap_empty"
sonde_rep empty
read -r e_calls e_temp e_peak e_leak <<<"$(totals "$T/empty.rep")"
if [ "$SREC_RC" = 0 ] && [ "$SREP_RC" = 0 ] && [ "$e_calls" = 0 ] && [ "$e_leak" = 0 ]; then
	pass "heap_empty_zero (calls $e_calls, leaked $e_leak)"
else
	fail heap_empty_zero "record exit $SREC_RC, report exit $SREP_RC; calls '$e_calls' leaked '$e_leak' (want 0 and 0 for a program that never allocates); $(first_lines "$T/empty.rec.err") $(first_lines "$T/empty.repx.err")"
fi

base_calls=0 base_peak=0
if [ $have_ht = 1 ]; then
	ht_rec empty "$FIX/heap_empty"
	read -r base_calls _ base_peak _ <<<"$(totals "$T/ht_empty.rep")"
	is_num "$base_calls" && is_num "$base_peak" || { base_calls=0 base_peak=0; }
fi

# ---- 1. agreement with heaptrack ----
# agree NAME BIN: records BIN with both tools and compares the totals
agree() {
	local name=$1 bin=$2
	sonde_rec "$name" "$bin"
	if [ "$SREC_RC" != 0 ] || [ ! -s "$T/$name.zst" ]; then
		fail "${name}_record" "sonde heap exit $SREC_RC, trace $(stat -c %s "$T/$name.zst" 2>/dev/null || echo missing): $(first_lines "$T/$name.rec.err")"
		return
	fi
	pass "${name}_record (trace $(stat -c %s "$T/$name.zst") B)"
	sonde_rep "$name"
	if [ "$SREP_RC" != 0 ] || ! has_totals "$T/$name.rep"; then
		fail "${name}_report" "sonde heap report exit $SREP_RC; missing:$(missing_totals "$T/$name.rep"); $(first_lines "$T/$name.repx.err")"
		return
	fi
	pass "${name}_report"
	read -r s_calls s_temp s_peak s_leak <<<"$(totals "$T/$name.rep")"
	S_CALLS=$s_calls S_TEMP=$s_temp S_PEAK=$s_peak S_LEAK=$s_leak
	if [ $have_ht = 0 ]; then
		skip "${name}_vs_heaptrack" "no $HT / $HTP / zstd"
		return
	fi
	ht_rec "$name" "$bin"
	if [ -z "$HT_FILE" ] || ! has_totals "$T/ht_$name.rep"; then
		skip "${name}_vs_heaptrack" "the real heaptrack failed: $(first_lines "$T/ht_$name.out")"
		return
	fi
	read -r h_calls h_temp h_peak h_leak <<<"$(totals "$T/ht_$name.rep")"
	local q0 adj_calls=0 adj_peak=0 note=""
	q0=$(ht_quirk0 "$HT_FILE")
	if ! needs_libstdcxx "$bin"; then
		adj_calls=$base_calls adj_peak=$base_peak
		note=" (heaptrack's own libstdc++ pool: -$adj_calls call, -$(fmt_bytes "$adj_peak") peak)"
	fi
	local hc=$((h_calls - adj_calls)) ht=$((h_temp - q0)) hp=$((h_peak - adj_peak))
	if [ "$s_calls" = "$hc" ]; then
		pass "${name}_calls (sonde $s_calls, heaptrack $h_calls$note)"
	else
		fail "${name}_calls" "sonde $s_calls vs heaptrack $hc (raw $h_calls$note)"
	fi
	if [ "$s_temp" = "$ht" ]; then
		pass "${name}_temporary (sonde $s_temp, heaptrack $h_temp, $q0 exit-order artefact)"
	else
		fail "${name}_temporary" "sonde $s_temp vs heaptrack $ht (raw $h_temp - $q0 frees of record 0 after a free)"
	fi
	if [ "$(fmt_bytes "$s_leak")" = "$(fmt_bytes "$h_leak")" ]; then
		pass "${name}_leaked (sonde $(fmt_bytes "$s_leak"), heaptrack $(fmt_bytes "$h_leak"))"
	else
		fail "${name}_leaked" "sonde $(fmt_bytes "$s_leak") ($s_leak B) vs heaptrack $(fmt_bytes "$h_leak")"
	fi
	if is_num "$s_peak" && [ "$hp" -gt 0 ] && near "$s_peak" "$hp" "$(awk -v h="$hp" 'BEGIN { print h * 0.01 }')"; then
		pass "${name}_peak (sonde $(fmt_bytes "$s_peak"), heaptrack $(fmt_bytes "$hp")$note)"
	else
		fail "${name}_peak" "sonde $(fmt_bytes "$s_peak") vs heaptrack $(fmt_bytes "$hp") (raw $(fmt_bytes "$h_peak")$note; want within 1%)"
	fi
}

S_CALLS=- S_TEMP=- S_PEAK=- S_LEAK=-
agree heap_basic "$FIX/heap_basic"
# the counts heap_basic was designed to have (see its header comment)
if [ "$S_CALLS" != - ]; then
	[ "$S_CALLS" = 101231 ] && pass "heap_basic_expected_calls ($S_CALLS)" || fail heap_basic_expected_calls "$S_CALLS (want 101231)"
	[ "$S_TEMP" = 100020 ] && pass "heap_basic_expected_temporary ($S_TEMP)" || fail heap_basic_expected_temporary "$S_TEMP (want 100000 malloc/free pairs + 20 realloc steps = 100020)"
	[ "$(fmt_bytes "$S_LEAK")" = 40.96K ] && pass "heap_basic_expected_leaked ($(fmt_bytes "$S_LEAK"))" || fail heap_basic_expected_leaked "$(fmt_bytes "$S_LEAK") (want 10 x 4096 = 40.96K)"
	[ "$(fmt_bytes "$S_PEAK")" = 18.09M ] && pass "heap_basic_expected_peak ($(fmt_bytes "$S_PEAK"))" || fail heap_basic_expected_peak "$(fmt_bytes "$S_PEAK") (want 18092816 B = 18.09M)"
	# sections of heaptrack_print's default output
	for s in 'MOST CALLS TO ALLOCATION FUNCTIONS' 'PEAK MEMORY CONSUMERS' 'MOST TEMPORARY ALLOCATIONS'; do
		grep -qx "$s" "$T/heap_basic.rep" && pass "heap_report_section '$s'" || fail heap_report_section "no line '$s'"
	done
	# the top temporary site is churn (100000 of them), named in the report
	if awk '/^MOST TEMPORARY ALLOCATIONS$/ { on = 1; next } on && /^[0-9]+ temporary allocations of [0-9]+ allocations in total/ { getline f; print f; exit }' "$T/heap_basic.rep" | grep -q churn; then
		pass heap_report_temporary_site
	else
		got=$(awk '/^MOST TEMPORARY/ { on = 1; next } on && NF { print; n++ } n == 2 { exit }' "$T/heap_basic.rep" | tr '\n' '|')
		fail heap_report_temporary_site "first site under MOST TEMPORARY ALLOCATIONS: '$got' (want a line 'N temporary allocations of M allocations in total (P%) from' then churn)"
	fi
	# -l: the leaks section names leak_blocks
	"$SONDE" heap report "$T/heap_basic.zst" -l >"$T/leaks.rep" 2>"$T/leaks.err"
	if grep -qE '^(MEMORY LEAKS|MOST LEAKED)$' "$T/leaks.rep" && awk '/^(MEMORY LEAKS|MOST LEAKED)$/ { on = 1 } on' "$T/leaks.rep" | grep -q leak_blocks; then
		pass heap_report_leaks_section
	else
		fail heap_report_leaks_section "report -l: no 'MEMORY LEAKS' section naming leak_blocks: $(first_lines "$T/leaks.err")"
	fi
	# when the peak was reached: within the run
	at=$(awk '/^peak heap memory reached after: / { sub(/s$/, "", $6); print $6 }' "$T/heap_basic.rep")
	total=$(awk '/^total runtime: / { sub(/s\.$/, "", $3); print $3 }' "$T/heap_basic.rep")
	if [ -n "$at" ] && [ -n "$total" ] && awk -v a="$at" -v t="$total" 'BEGIN { exit !(a >= 0 && a <= t + 0.01) }'; then
		pass "heap_report_peak_time (${at}s of ${total}s)"
	else
		fail heap_report_peak_time "'peak heap memory reached after' is '$at', total runtime '$total'"
	fi
	# -n 1 prints fewer sites than the default
	"$SONDE" heap report "$T/heap_basic.zst" -n 1 >"$T/n1.rep" 2>/dev/null
	a=$(grep -c ' from$' "$T/heap_basic.rep"); b=$(grep -c ' from$' "$T/n1.rep")
	if [ "$b" -ge 1 ] && [ "$b" -lt "$a" ]; then pass "heap_report_n1 ($b sites vs $a)"; else fail heap_report_n1 "-n 1 prints $b sites, default $a"; fi
	for c in allocations temporary leaked peak; do
		rc=$(run_rc "$T/fg_$c" "$SONDE" heap report "$T/heap_basic.zst" --flamegraph-cost "$c")
		[ "$rc" = 0 ] && [ -s "$T/fg_$c.out" ] && pass "heap_report_flamegraph_cost_$c" || fail "heap_report_flamegraph_cost_$c" "exit $rc: $(first_lines "$T/fg_$c.err")"
	done
fi
if [ $have_cxx = 1 ]; then agree heap_cxx "$FIX/heap_cxx"; else skip heap_cxx "no g++"; fi
if [ $have_rs = 1 ]; then agree heap_rust "$FIX/heap_rust"; else skip heap_rust "no rustc"; fi

# ---- 2. robustness ----
# robust NAME WANT_RC MIN_CALLS MIN_LEAK CMD...
robust() {
	local name=$1 want=$2 mincalls=$3 minleak=$4; shift 4
	sonde_rec "$name" "$@"
	if [ "$SREC_RC" = 124 ] || [ "$SREC_RC" = 137 ]; then
		fail "${name}_record" "sonde heap did not finish in ${TMO}s (exit $SREC_RC)"
		return
	fi
	if [ "$SREC_RC" = "$want" ]; then pass "${name}_exit_status ($SREC_RC)"; else fail "${name}_exit_status" "sonde heap exit $SREC_RC, the program's is $want: $(first_lines "$T/$name.rec.err")"; fi
	if [ ! -s "$T/$name.zst" ]; then
		fail "${name}_trace" "no trace $T/$name.zst"
		return
	fi
	sonde_rep "$name"
	if [ "$SREP_RC" = 0 ] && has_totals "$T/$name.rep"; then
		pass "${name}_report"
	else
		fail "${name}_report" "report exit $SREP_RC; missing:$(missing_totals "$T/$name.rep"); $(first_lines "$T/$name.repx.err")"
		return
	fi
	read -r c t p l <<<"$(totals "$T/$name.rep")"
	if is_num "$c" && [ "$c" -ge "$mincalls" ] && is_num "$l" && [ "$l" -ge "$minleak" ]; then
		pass "${name}_counts (calls $c >= $mincalls, leaked $l >= $minleak)"
	else
		fail "${name}_counts" "calls $c (want >= $mincalls), leaked $l B (want >= $minleak)"
	fi
}
# 8 threads x (20000 malloc + 2858 realloc + 199 calloc) = 184456 in the parent
robust heap_forkthreads 0 184456 0 "$FIX/heap_forkthreads"
robust heap_exitthreads 0 100 10000 "$FIX/heap_exitthreads"
robust heap_segv 139 7000 500000 "$FIX/heap_segv"
# main 1000 + first() 100 + last() 10 (which runs after first() calls exit)
robust heap_atexit 7 1110 2560 "$FIX/heap_atexit"
# the main thread's first malloc is inside pthread_getattr_np (as in Rust's
# std::rt::init): must not deadlock
TMO0=$TMO TMO=20
robust heap_getattr 0 10 1000 "$FIX/heap_getattr"
TMO=$TMO0

# ---- 3. bad input ----
# badinput NAME FILE: never a crash; an error line, or a report with a warning
badinput() {
	local name=$1 file=$2 rc lines
	rc=$(run_rc "$T/bad_$name" timeout -k 5 60 "$SONDE" heap report "$file")
	lines=$(grep -c . "$T/bad_$name.err")
	if [ "$rc" -ge 124 ]; then
		fail "heap_bad_$name" "exit $rc (crash or hang): $(first_lines "$T/bad_$name.err")"
	elif [ "$rc" != 0 ] && [ "$lines" -ge 1 ] && [ "$lines" -le 2 ]; then
		pass "heap_bad_$name (exit $rc: $(head -1 "$T/bad_$name.err" | cut -c1-100))"
	elif [ "$rc" = 0 ] && [ "$lines" -ge 1 ] && has_totals "$T/bad_$name.out"; then
		pass "heap_bad_$name (partial report, warning: $(head -1 "$T/bad_$name.err" | cut -c1-100))"
	else
		fail "heap_bad_$name" "exit $rc, $lines stderr lines (want a 1-2 line error, or exit 0 + warning + totals): $(first_lines "$T/bad_$name.err")"
	fi
}
badinput missing "$T/no-such-file.zst"
: >"$T/empty.bin"; badinput empty "$T/empty.bin"
head -c 65536 /dev/urandom >"$T/random.bin"; badinput random "$T/random.bin"
head -c 65536 /dev/urandom | zstd -q -c >"$T/random.zst" 2>/dev/null && badinput random_zstd "$T/random.zst"
printf 'not a trace\n' >"$T/text.bin"; badinput text "$T/text.bin"
badinput directory "$T"
if [ -s "$T/heap_basic.zst" ]; then
	sz=$(stat -c %s "$T/heap_basic.zst")
	for pct in 1 10 50 90 99; do
		head -c $((sz * pct / 100)) "$T/heap_basic.zst" >"$T/trunc$pct.zst"
		badinput "truncated_${pct}pct" "$T/trunc$pct.zst"
	done
	# decompressed and cut in the middle of a record, recompressed
	if zstd -dc "$T/heap_basic.zst" >"$T/raw.bin" 2>/dev/null && [ -s "$T/raw.bin" ]; then
		rsz=$(stat -c %s "$T/raw.bin")
		head -c $((rsz / 2 + 3)) "$T/raw.bin" | zstd -q -c >"$T/cut.zst"
		rc=$(run_rc "$T/cut" "$SONDE" heap report "$T/cut.zst")
		read -r c _ <<<"$(totals "$T/cut.out")"
		if [ "$rc" = 0 ] && is_num "$c" && [ "$c" -gt 0 ] && [ "$c" -lt 101231 ]; then
			pass "heap_bad_cut_record (partial report: $c calls$(grep -q . "$T/cut.err" && echo ", warning: $(head -1 "$T/cut.err" | cut -c1-80)"))"
		elif [ "$rc" -lt 124 ] && [ "$rc" != 0 ]; then
			pass "heap_bad_cut_record (exit $rc: $(head -1 "$T/cut.err" | cut -c1-100))"
		else
			fail heap_bad_cut_record "exit $rc, calls '$c': $(first_lines "$T/cut.err")"
		fi
		if [ "$rc" = 0 ] && ! grep -q . "$T/cut.err"; then
			fail heap_bad_cut_warning "a trace cut mid-record gives a report without any warning on stderr"
		else
			pass heap_bad_cut_warning
		fi
	fi
fi
[ $have_ht = 1 ] && [ -n "${HT_FILE:-}" ] && badinput heaptrack_format "$HT_FILE"

# ---- 4. compat names ----
if "$SONDE" shims "$T/bin" >/dev/null 2>&1 && [ -e "$T/bin/heaptrack" ] && [ -e "$T/bin/heaptrack_print" ]; then
	pass heap_shims
	mkdir -p "$T/compat"
	rc=$(cd "$T/compat" && PATH="$T/bin:$PATH" run_rc "$T/compat" timeout -k 5 "$TMO" heaptrack "$FIX/heap_basic")
	f=$(ls "$T/compat"/heaptrack.heap_basic.*.zst 2>/dev/null | head -1)
	if [ "$rc" = 0 ] && [ -n "$f" ] && [[ $(basename "$f") =~ ^heaptrack\.heap_basic\.[0-9]+\.zst$ ]]; then
		pass "heap_compat_record ($(basename "$f"))"
		if cat "$T/compat.out" "$T/compat.err" | grep -qF "$(basename "$f")"; then
			pass heap_compat_names_file
		else
			fail heap_compat_names_file "output doesn't mention $(basename "$f"): $(cat "$T/compat.out" "$T/compat.err" | head -3 | tr '\n' '|')"
		fi
		for how in print analyze; do
			if [ $how = print ]; then
				rc=$(PATH="$T/bin:$PATH" run_rc "$T/cp_$how" heaptrack_print "$f")
			else
				rc=$(PATH="$T/bin:$PATH" run_rc "$T/cp_$how" heaptrack --analyze "$f")
			fi
			read -r c _ <<<"$(totals "$T/cp_$how.out")"
			if [ "$rc" = 0 ] && has_totals "$T/cp_$how.out" && [ "$c" = 101231 ]; then
				pass "heap_compat_$how (calls $c)"
			else
				fail "heap_compat_$how" "exit $rc, calls '$c' (want 101231); missing:$(missing_totals "$T/cp_$how.out"); $(first_lines "$T/cp_$how.err")"
			fi
		done
	else
		fail heap_compat_record "heaptrack (shim) exit $rc, files: $(ls "$T/compat" | tr '\n' ' '); $(first_lines "$T/compat.err")"
	fi
else
	fail heap_shims "sonde shims $T/bin made no heaptrack/heaptrack_print: $(ls "$T/bin" 2>/dev/null | tr '\n' ' ')"
fi
exit 0
