#!/usr/bin/env bash
# e2e_coz_vs_debian: sonde coz run against Debian's coz 0.2.2 on the same
# binary: tests/fixtures/coz/coz_rounds.c built with clang -gdwarf-4 (coz's
# libelfin reads no DWARF 5, and on gcc 12's -gdwarf-4 it drops every CU,
# "Ignoring DWARF format error when reading line table: DW_FORM_sec_offset
# not expected for attribute (DW_AT)0x2137": gcc's DW_AT_GNU_locviews, which
# -gstrict-dwarf or -gno-variable-location-views leave out; with no line in
# scope coz writes only startup and runtime).
# Per round the main thread runs BOUND_LINE
# (60 M steps) and OTHER_LINE (20 M), a side thread SIDE_LINE (30 M):
#  1. causal ranking: each tool profiles each of the three lines with
#     --fixed-line at --fixed-speedup 0 and 100 (a run of 120 rounds each,
#     about 4 experiments after dropping the last one of each run);
#     `sonde coz plot --text` on each tool's profiles must rank the three
#     lines the same (by slope; the fixture makes it BOUND > OTHER > SIDE,
#     but the test compares the tools with each other);
#  2. sample ranking: one default run of each; the three lines with the most
#     samples (the `samples` records) must come in the same order.
#  3. DWARF 5 (gcc 12 by default, rustc -C dwarf-version=5): Debian's coz
#     stops at "unknown compilation unit version 5", sonde writes experiments.
# Skips when Debian's coz (not sonde's shim), its libcoz.so or clang is missing.
. "$(dirname "$0")/lib.sh"

COZ=""
for p in $(type -aP coz); do
	[ "$(readlink -f "$p")" = "$(readlink -f "$SONDE")" ] && continue
	COZ=$p; break
done
libcoz=$(ls /usr/lib/coz-profiler/libcoz.so /usr/lib/*/coz-profiler/libcoz.so 2>/dev/null | head -1)
if [ -z "$COZ" ] || [ -z "$libcoz" ]; then
	skip coz_vs_debian "Debian's coz (coz-profiler) is not installed"; exit 0
fi
command -v clang >/dev/null || { skip coz_vs_debian "no clang (coz needs a -gdwarf-4 build)"; exit 0; }
CC_FIXTURE=clang build_c coz_rounds_dw4 coz/coz_rounds.c -O2 -g -gdwarf-4 -fno-omit-frame-pointer -pthread \
	-I"$SONDE_ROOT/include" || { fail coz_vs_debian_build "$(first_lines "$T/build.log")"; exit 0; }
src=$FIXSRC/coz/coz_rounds.c
cd "$T" || exit 0
# one lane at a time (e2e_coz_accuracy takes the same lock): the other
# lane's timing runs would be the load
exec 9>"${TMPDIR:-/tmp}/sonde-e2e-coz-timing.lock"
flock -w 600 9 || { skip coz_vs_debian "another lane held the timing lock for 10 minutes"; exit 0; }
# and ahead of the rest of the machine when we may (root): nice -10 weighs
# 9x a default process, so other work disturbs the timings much less
HI=()
[ "$(nice -n -10 nice 2>/dev/null)" = -10 ] && HI=(nice -n -10)
ARGS="60000 20000 30000" # clang makes a step about 5x cheaper than gcc: rounds of ~20 ms
declare -A LINE
for m in BOUND OTHER SIDE; do LINE[$m]=$(grep -n "${m}_LINE" "$src" | tail -1 | cut -d: -f1); done

# prof TOOL OUT ARGS... : one profiling run into OUT (appended)
prof() {
	local tool=$1 out=$2; shift 2
	if [ "$tool" = sonde ]; then
		"${HI[@]}" "$SONDE" coz run -o "$out" "$@" >>"$T/sonde.log" 2>&1
	else
		"${HI[@]}" "$COZ" run -o "$out" "$@" >>"$T/coz.log" 2>&1
	fi
}

# 1. causal ranking
# full_only: a profile without each run's last experiment, the one the
# program's exit cuts short: coz 0.2.2 logs it with the full experiment
# length as its duration (its profiler thread finishes its sleep after the
# program has stopped making progress), which skews short runs
full_only() {
	awk '$1 == "experiment" { printf "%s", buf; buf = "" }
		$1 == "experiment" || $1 ~ /-point$/ { buf = buf $0 "\n"; next }
		$1 == "runtime" { buf = "" }
		{ print }'
}
# causal_runs : the fixed-line runs of both tools (profiles TOOL.LINE.coz)
causal_runs() {
	local tool m sp
	rm -f ./*.raw
	for tool in sonde coz; do
		for m in BOUND OTHER SIDE; do
			for sp in 0 100; do
				prof "$tool" "$tool.$m.raw" --fixed-line "coz_rounds.c:${LINE[$m]}" --fixed-speedup "$sp" \
					--- "$FIX/coz_rounds_dw4" 120 $ARGS
			done
			full_only <"$tool.$m.raw" >"$tool.$m.coz"
		done
	done
}
causal_runs
# rank TOOL : the lines by slope, highest first, "BOUND OTHER SIDE" style,
# each with its slope after a colon
rank() {
	local m
	for m in BOUND OTHER SIDE; do
		"$SONDE" coz plot --text --min-points 2 "$1.$m.coz" 2>/dev/null |
			awk -v m="$m" -v loc="coz_rounds.c:${LINE[$m]}" '
				NR > 2 && substr($1, length($1) - length(loc) + 1) == loc && $2 == "round" { print $4, m; exit }'
	done | sort -gr | awk '{ printf "%s%s:%s", (NR > 1 ? " " : ""), $2, $1 }'
}
# same_order NAME WHAT SONDE COZ : passes when the two rankings ("KEY:value
# KEY:value ..." or "KEY=value ...") name the same three keys in the same order
same_order() {
	local keys_s keys_c
	keys_s=$(sed 's/[:=][^ ]*//g' <<<"$3"); keys_c=$(sed 's/[:=][^ ]*//g' <<<"$4")
	echo "$2: sonde $3; coz $4" >&2
	if [ "$(wc -w <<<"$keys_s")" != 3 ] || [ "$(wc -w <<<"$keys_c")" != 3 ]; then
		fail "$1" "not three lines ranked: sonde '$3', coz '$4'"
	elif [ "$keys_s" = "$keys_c" ]; then
		pass "$1"
	else
		fail "$1" "sonde ranks '$3', coz '$4'"
	fi
}
if [ "$(cat coz.*.coz 2>/dev/null | grep -c '^experiment')" = 0 ]; then
	fail coz_vs_debian_causal "Debian's coz wrote no experiments: $(grep -v 'Included source\|not in scope' "$T/coz.log" | first_lines /dev/stdin)"
else
	rs=$(rank sonde); rc=$(rank coz)
	if [ "$(sed 's/:[^ ]*//g' <<<"$rs")" != "$(sed 's/:[^ ]*//g' <<<"$rc")" ]; then
		echo "causal ranking (slope), first try: sonde $rs; coz $rc" >&2
		causal_runs # once more: a busy machine skews single runs
		rs=$(rank sonde); rc=$(rank coz)
	fi
	same_order coz_vs_debian_causal "causal ranking (slope)" "$rs" "$rc"
fi

# 2. sample ranking, from one default run each
prof sonde sonde.default.coz --- "$FIX/coz_rounds_dw4" 100 $ARGS
prof coz coz.default.coz --- "$FIX/coz_rounds_dw4" 100 $ARGS
# top3 FILE : the three lines with the most samples (by line number), with counts
top3() {
	awk -F'\t' '$1 == "samples" { loc = substr($2, 10); n[loc] += substr($3, 7) }
		END { for (l in n) print n[l], l }' "$1" | sort -nr | head -3 |
		awk '{ l = $2; sub(/.*:/, "", l); printf "%s%s=%s", (NR > 1 ? " " : ""), l, $1 }'
}
same_order coz_vs_debian_samples \
	"sample ranking (line=samples; BOUND ${LINE[BOUND]}, OTHER ${LINE[OTHER]}, SIDE ${LINE[SIDE]})" \
	"$(top3 sonde.default.coz)" "$(top3 coz.default.coz)"

# 3. DWARF 5 (gcc 12's default, rustc -C dwarf-version=5): Debian's coz dies
# reading it (libelfin: "unknown compilation unit version 5") and writes no
# profile; sonde profiles the same binary
dwarf5() { # NAME BINARY ARGS...
	local name=$1 bin=$2; shift 2
	"$COZ" run -o "$name.coz.coz" --- "$bin" "$@" >"$name.coz.log" 2>&1
	local crc=$?
	"$SONDE" coz run -o "$name.sonde.coz" --- "$bin" "$@" >"$name.sonde.log" 2>&1
	local n
	n=$(grep -c '^experiment' "$name.sonde.coz" 2>/dev/null)
	if ! grep -q 'unknown compilation unit version 5' "$name.coz.log"; then
		fail "$name" "Debian's coz did not stop at DWARF 5 (status $crc): $(grep -v 'Included source\|not in scope' "$name.coz.log" | first_lines /dev/stdin)"
	elif [ "${n:-0}" -ge 1 ] && grep -q '^runtime' "$name.sonde.coz"; then
		pass "$name"
	else
		fail "$name" "sonde: ${n:-no} experiments; $(first_lines "$name.sonde.log")"
	fi
}
build_c coz_rounds_dw5 coz/coz_rounds.c -O2 -g -fno-omit-frame-pointer -pthread -I"$SONDE_ROOT/include" &&
	dwarf5 coz_vs_debian_dwarf5_c "$FIX/coz_rounds_dw5" 40 12000 4000 6000
if command -v rustc >/dev/null && build_rust coz_rust_dw5 coz_rust.rs -C opt-level=3 -g -C dwarf-version=5; then
	dwarf5 coz_vs_debian_dwarf5_rust "$FIX/coz_rust_dw5" 3000
else
	skip coz_vs_debian_dwarf5_rust "no rustc that takes -C dwarf-version=5"
fi
