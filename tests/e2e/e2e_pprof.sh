#!/usr/bin/env bash
# e2e_pprof: --format pprof on `sonde report` and `sonde heap report`, read
# back by Go's own `go tool pprof` (docs/pprof.md):
#  1. a CPU recording: go tool pprof -top names the same top-5 functions, in
#     the same order, as `sonde report --no-children --sort sym` (C fixture
#     with six clearly different weights; a Rust one: the top function);
#  2. an inlined function: one location with two lines (inner, then outer),
#     -noinlines puts the time on outer as sonde report does; mappings carry
#     the binary's build-id;
#  3. a heap trace: every cost is a sample index, and each index's total is
#     the text report's (calls, temporary, peak, leaked);
#  4. bad output paths: one line, non-zero exit, nothing left behind;
#  5. flamegraph --format pprof from folded stacks, with names that are no
#     UTF-8, inlined (_[i]) and kernel (_[k]) frames.
. "$(dirname "$0")/lib.sh"

command -v go >/dev/null || { skip pprof "go not installed (golang-go): go tool pprof reads the files"; exit 0; }
# go: its home and caches in the test's directory, never the network (only
# for go: rustup's rustc needs the real HOME)
mkdir -p "$T/home"
go_() { HOME=$T/home GOCACHE=$T/gocache GOPATH=$T/gopath GOFLAGS= GOPROXY=off GOTOOLCHAIN=local GOTELEMETRY=off go "$@"; }
if ! go_ tool pprof -h >"$T/goh.out" 2>&1 && ! grep -qi 'usage' "$T/goh.out"; then
	skip pprof "go tool pprof does not run: $(first_lines "$T/goh.out")"
	exit 0
fi
gopprof() { go_ tool pprof "$@" 2>"$T/gopprof.err"; }
# pprof_top FILE [FLAGS]: the function names of `go tool pprof -top`, one a line
pprof_top() {
	local f=$1; shift
	gopprof -top -nodecount=5 "$@" "$f" | awk '
		/^ +flat +flat%/ { on = 1; next }
		on && NF >= 6 { s = $6; for (i = 7; i <= NF; i++) s = s " " $i; print s }'
}
# usage_or_error RC: a failure sonde reports (1, 2, 129), not a crash
usage_or_error() { [ "$1" = 1 ] || [ "$1" = 2 ] || [ "$1" = 129 ]; }
build_id() { readelf -n "$1" 2>/dev/null | awk '/Build ID:/ { print $3; exit }'; }

# ---- 1. CPU: top-5 against sonde report ----
build_fx weights weights.c || { fail pprof_build "weights.c: $(first_lines "$T/build.log")"; exit 0; }
rc=$(run_rc "$T/rec" "$SONDE" record -o "$T/w.data" -- "$FIX/weights" 1.5)
[ "$rc" = 0 ] || { fail pprof_record "sonde record exit $rc: $(first_lines "$T/rec.err")"; exit 0; }
rc=$(run_rc "$T/exp" "$SONDE" report -i "$T/w.data" --format pprof -o "$T/w.pb.gz")
if [ "$rc" = 0 ] && [ "$(head -c2 "$T/w.pb.gz" | od -An -tx1 | tr -d ' ')" = 1f8b ]; then
	pass pprof_cpu_written
else
	fail pprof_cpu_written "exit $rc, $(first_lines "$T/exp.err"); file starts $(head -c4 "$T/w.pb.gz" 2>/dev/null | od -An -tx1)"
fi
"$SONDE" report -i "$T/w.data" --no-children --sort sym >"$T/w.txt" 2>/dev/null
report_syms "$T/w.txt" | head -5 >"$T/sonde.top"
pprof_top "$T/w.pb.gz" >"$T/go.top"
if [ "$(wc -l <"$T/sonde.top")" = 5 ] && cmp -s "$T/sonde.top" "$T/go.top"; then
	pass pprof_cpu_top5
else
	fail pprof_cpu_top5 "sonde report: $(tr '\n' ' ' <"$T/sonde.top"); go tool pprof -top: $(tr '\n' ' ' <"$T/go.top") $(first_lines "$T/gopprof.err")"
fi
# sample types: samples/count and cpu/nanoseconds (the default), per-thread labels
gopprof -raw "$T/w.pb.gz" >"$T/w.raw"
if grep -q '^samples/count cpu/nanoseconds\[dflt\]' "$T/w.raw" && grep -q 'pid:\[' "$T/w.raw" && grep -q 'comm:\[weights\]' "$T/w.raw"; then
	pass pprof_cpu_types
else
	fail pprof_cpu_types "go tool pprof -raw: $(grep -m1 -A1 '^Samples:' "$T/w.raw" | tr '\n' '|')"
fi
# the totals agree: samples and the event count
ns=$(awk '/^# Samples: / { print $3; exit }' "$T/w.txt")
tot=$(awk '/^Samples:/ { on = 1; getline; next } /^[A-Z]/ { on = 0 } on && $0 ~ /^ +[0-9]+ +[0-9]+:/ { s += $1 } END { print s + 0 }' "$T/w.raw")
if [ -n "$ns" ] && [ "$tot" = "$ns" ]; then pass pprof_cpu_samples; else fail pprof_cpu_samples "sonde report: ${ns:-?} samples, pprof: $tot"; fi
bid=$(build_id "$FIX/weights")
if [ -n "$bid" ] && grep -Eq "^ *[0-9]+: .*/weights $bid " "$T/w.raw"; then
	pass pprof_cpu_buildid
else
	fail pprof_cpu_buildid "no mapping of weights with build-id ${bid:-?}: $(sed -n '/^Mappings/,$p' "$T/w.raw" | head -3 | tr '\n' '|')"
fi

# Rust: the hot function on top in both. Its loop is inlined std code
# (wrapping_add...), where pprof's flat time goes by default: -noinlines
# counts it for the function it was inlined into, as sonde report does.
if command -v rustc >/dev/null && { [ -x "$FIX/pprof_rust" ] && [ "$FIX/pprof_rust" -nt "$FIXSRC/fixture.rs" ] ||
	build_rust pprof_rust fixture.rs -C opt-level=2 -g -C force-frame-pointers=yes; }; then
	"$SONDE" record -g -o "$T/r.data" -- "$FIX/pprof_rust" >/dev/null 2>&1
	"$SONDE" report -i "$T/r.data" --format pprof -o "$T/r.pb.gz" 2>/dev/null
	"$SONDE" report -i "$T/r.data" --no-children --sort sym >"$T/r.txt" 2>/dev/null
	s1=$(report_syms "$T/r.txt" | head -1)
	g1=$(pprof_top "$T/r.pb.gz" -noinlines | head -1)
	if [ "$s1" = fixture::hot ] && [ "$g1" = "$s1" ]; then
		pass pprof_rust_top
	else
		fail pprof_rust_top "sonde report's top: '${s1}', go tool pprof -noinlines's: '${g1}' $(first_lines "$T/gopprof.err")"
	fi
else
	skip pprof_rust_top "rustc missing or the fixture does not build"
fi

# ---- 2. inlined frames ----
build_fx inline inline.c || { fail pprof_build "inline.c: $(first_lines "$T/build.log")"; exit 0; }
"$SONDE" record -g -o "$T/in.data" -- "$FIX/inline" 0.6 >/dev/null 2>&1
"$SONDE" report -i "$T/in.data" --format pprof -o "$T/in.pb.gz" 2>/dev/null
gopprof -raw "$T/in.pb.gz" >"$T/in.raw"
# a location line "N: 0xADDR M=1 inner FILE:8" continued by "   outer FILE:13"
if awk '/^ +[0-9]+: 0x[0-9a-f]+ M=[0-9]+ inner / { getline n; if (n ~ /^ +outer /) found = 1 } END { exit !found }' "$T/in.raw"; then
	pass pprof_inline_lines
else
	fail pprof_inline_lines "no location with lines inner then outer: $(grep -m2 -A1 ' inner ' "$T/in.raw" | tr '\n' '|')"
fi
"$SONDE" report -i "$T/in.data" --no-children --sort sym >"$T/in.txt" 2>/dev/null
s1=$(report_syms "$T/in.txt" | head -1)
g1=$(pprof_top "$T/in.pb.gz" -noinlines | head -1)
gi=$(pprof_top "$T/in.pb.gz" | head -1)
# (pprof names the merged node "inner" or "inner (inline)", by the location it met first)
if [ "$s1" = outer ] && [ "$g1" = outer ] && { [ "$gi" = "inner (inline)" ] || [ "$gi" = inner ]; }; then
	pass pprof_inline_top
else
	fail pprof_inline_top "sonde report's top '$s1', pprof -noinlines '$g1' (want outer), pprof '$gi' (want 'inner (inline)')"
fi

# ---- 3. heap: every cost a sample index, totals as the text report's ----
build_fx heap_basic heap_basic.c || { fail pprof_build "heap_basic.c: $(first_lines "$T/build.log")"; exit 0; }
rc=$(cd "$T" && run_rc "$T/hrec" "$SONDE" heap -o "$T/h.zst" -- "$FIX/heap_basic")
[ "$rc" = 0 ] || { fail pprof_heap_record "sonde heap exit $rc: $(first_lines "$T/hrec.err")"; exit 0; }
"$SONDE" heap report "$T/h.zst" --no-pager >"$T/h.txt" 2>/dev/null
rc=$(run_rc "$T/hexp" "$SONDE" heap report "$T/h.zst" --format pprof -o "$T/h.pb.gz")
if [ "$rc" = 0 ] && [ -s "$T/h.pb.gz" ] && ! grep -q '^total runtime' "$T/hexp.out"; then
	pass pprof_heap_written
else
	fail pprof_heap_written "exit $rc: $(first_lines "$T/hexp.err")"
fi
gopprof -raw "$T/h.pb.gz" >"$T/h.raw"
types=$(awk '/^Samples:/ { getline; gsub(/\[dflt\]/, ""); print; exit }' "$T/h.raw")
if [ "$types" = "allocations/count allocated/bytes temporary/count peak/bytes leaked/bytes" ]; then
	pass pprof_heap_types
else
	fail pprof_heap_types "sample types: '$types'"
fi
# fmt_bytes N: as heaptrack_print writes bytes (B below 1000, else 2 decimals K/M/G)
fmt_bytes() {
	awk -v b="$1" 'BEGIN { split("B K M G T", u, " "); i = 1; v = b + 0
		while (i < 5 && (v > 1000 || v < -1000)) { v /= 1000; i++ }
		if (i == 1) printf "%dB\n", v; else printf "%.2f%s\n", v, u[i] }'
}
calls=$(awk '/^calls to allocation functions: / { print $5 }' "$T/h.txt")
temp=$(awk '/^temporary memory allocations: / { print $4 }' "$T/h.txt")
peak=$(awk '/^peak heap memory consumption: / { print $5 }' "$T/h.txt")
leak=$(awk '/^total memory leaked: / { print $4 }' "$T/h.txt")
i=0
for t in $types; do
	name=${t%%/*}
	# the total of this index as go tool pprof -top states it ("... of N total")
	total=$(gopprof -sample_index=$i -unit=B -top -nodecount=1 "$T/h.pb.gz" |
		awk '/^Showing nodes accounting for / { for (k = 1; k <= NF; k++) if ($k == "total") { v = $(k - 1); sub(/B$/, "", v); print v; exit } }')
	case $name in
	allocations) want=$calls; got=$total ;;
	temporary) want=$temp; got=$total ;;
	peak) want=$peak; got=$(fmt_bytes "$total") ;;
	leaked) want=$leak; got=$(fmt_bytes "$total") ;;
	*) want=; got= ;;
	esac
	if [ -z "$total" ]; then
		fail "pprof_heap_index_$name" "go tool pprof -sample_index=$i -top gave no total: $(first_lines "$T/gopprof.err")"
	elif [ -n "$want" ] && [ "$got" != "$want" ]; then
		fail "pprof_heap_index_$name" "pprof total $total ($got), sonde heap report $want"
	else
		pass "pprof_heap_index_$name"
	fi
	i=$((i + 1))
done
# heap_basic's known numbers, exactly
if [ "$calls" = 101231 ] && [ "$(gopprof -sample_index=leaked -unit=B -top "$T/h.pb.gz" | grep -c 'of 40960B total')" = 1 ]; then
	pass pprof_heap_exact
else
	fail pprof_heap_exact "calls $calls (want 101231), leaked: $(gopprof -sample_index=leaked -unit=B -top "$T/h.pb.gz" | grep 'Showing nodes')"
fi
bid=$(build_id "$FIX/heap_basic")
if [ -n "$bid" ] && grep -Eq "^ *1: 0x[0-9a-f]+/0x[0-9a-f]+/0x0 .*/heap_basic $bid " "$T/h.raw"; then
	pass pprof_heap_mapping
else
	fail pprof_heap_mapping "the first mapping is not heap_basic with build-id ${bid:-?}: $(sed -n '/^Mappings/,$p' "$T/h.raw" | head -2 | tr '\n' '|')"
fi
# the notes: the command, the text report's totals, the run's duration
if grep -q '^Comment: command: .*heap_basic' "$T/h.raw" &&
	grep -q "^Comment: sonde heap: $calls calls to allocation functions, $temp temporary, peak [0-9]* B, leaked 40960 B\$" "$T/h.raw" &&
	grep -Eq '^Duration: [0-9.]+m?s' "$T/h.raw"; then
	pass pprof_heap_comments
else
	fail pprof_heap_comments "$(grep -E '^(Comment|Duration)' "$T/h.raw" | tr '\n' '|')"
fi
# whole stacks: main's callers too, as pprof's users expect
if gopprof -traces "$T/h.pb.gz" | grep -A3 -E '^ +main$' | grep -Eq '__libc_start|_start'; then
	pass pprof_heap_full_stacks
else
	fail pprof_heap_full_stacks "no caller of main: $(gopprof -traces "$T/h.pb.gz" | sed -n 8,16p | tr '\n' '|')"
fi
# one profile model: `sonde report -i TRACE` writes the very same profile
"$SONDE" report -i "$T/h.zst" --format pprof -o "$T/hr.pb.gz" 2>/dev/null
gopprof -raw "$T/hr.pb.gz" >"$T/hr.raw"
if [ -s "$T/hr.raw" ] && cmp -s "$T/h.raw" "$T/hr.raw"; then
	pass pprof_heap_same_as_report
else
	fail pprof_heap_same_as_report "go tool pprof -raw differs: $(diff "$T/h.raw" "$T/hr.raw" | head -4 | tr '\n' '|')"
fi

# ---- 4. bad output paths ----
for cmd in "report -i $T/w.data" "heap report $T/h.zst"; do
	rc=$(run_rc "$T/bad" "$SONDE" $cmd --format pprof -o "$T/no/such/dir/p.pb.gz")
	if usage_or_error "$rc" && [ "$(wc -l <"$T/bad.err")" = 1 ] && grep -q 'no/such/dir' "$T/bad.err"; then
		pass "pprof_bad_path_${cmd%% *}"
	else
		fail "pprof_bad_path_${cmd%% *}" "exit $rc: $(first_lines "$T/bad.err")"
	fi
done
rc=$(run_rc "$T/o" "$SONDE" report -i "$T/w.data" -o "$T/x.pb.gz")
if usage_or_error "$rc" && [ ! -e "$T/x.pb.gz" ]; then pass pprof_o_needs_format; else fail pprof_o_needs_format "exit $rc"; fi
rc=$(run_rc "$T/f" "$SONDE" report -i "$T/w.data" --format protobuf)
if usage_or_error "$rc" && grep -q 'pprof' "$T/f.err"; then pass pprof_bad_format; else fail pprof_bad_format "exit $rc: $(first_lines "$T/f.err")"; fi

# ---- 5. flamegraph --format pprof from folded stacks, odd names included ----
printf 'app;main;hot\377\376 70\napp;main;warm_[i] 20\napp;main;sys_[k] 10\n' >"$T/odd.folded"
rc=$(run_rc "$T/fg" "$SONDE" flamegraph --folded "$T/odd.folded" --format pprof -o "$T/odd.pb.gz")
gopprof -raw "$T/odd.pb.gz" >"$T/odd.raw"
top=$(pprof_top "$T/odd.pb.gz" | head -3 | tr '\n' '|') # then main and app, tied
# not UTF-8: the bytes come back as the Latin-1 characters they are
if [ "$rc" = 0 ] && [ "$top" = "hot$(printf '\303\277\303\276')|warm (inline)|sys|" ] &&
	grep -A1 ' warm :0 s=0' "$T/odd.raw" | grep -Eq '^ +main :0' && grep -q '\[kernel.kallsyms\]' "$T/odd.raw"; then
	pass pprof_flamegraph_folded
else
	fail pprof_flamegraph_folded "exit $rc: $(first_lines "$T/fg.err"); top: $top $(first_lines "$T/gopprof.err")"
fi
