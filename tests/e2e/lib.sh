# Shared helpers for end-to-end tests. Source it; then use
#   pass NAME / fail NAME WHY / skip NAME WHY
#   expect NAME COMMAND...      (passes when COMMAND succeeds)
#   build_c NAME SRC [FLAGS...] (compiles a fixture into $FIX, cached by content)
set -u
SONDE=${SONDE:?SONDE must point at the sonde binary}
SONDE_ROOT=${SONDE_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
SONDE_TMP=${SONDE_TMP:-$SONDE_ROOT/tests/tmp}
FIXSRC=$SONDE_ROOT/tests/fixtures
FIX=$SONDE_TMP/fixtures
mkdir -p "$FIX"
T=$(mktemp -d "$SONDE_TMP/$(basename "$0" .sh).XXXXXX")
trap 'rm -rf "$T"' EXIT
# Recorders copy binaries into the build-id cache: the test's own, never ~/.cache.
export SONDE_BUILDID_DIR=$T/buildid-cache

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: ${2:-}"; }
skip() { echo "SKIP $1: ${2:-}"; }
expect() {
	local name=$1; shift
	if "$@" >/dev/null 2>&1; then pass "$name"; else fail "$name" "command failed: $*"; fi
}

# build_c OUT SRC FLAGS... : compile tests/fixtures/SRC into $FIX/OUT
build_c() {
	local out=$1 src=$2; shift 2
	local cc=${CC_FIXTURE:-gcc}
	"$cc" -o "$FIX/$out" "$FIXSRC/$src" "$@" 2>>"$T/build.log" || { echo "cannot build $src" >&2; return 1; }
}

# build_rust OUT SRC FLAGS... : rustc tests/fixtures/SRC into $FIX/OUT
build_rust() {
	local out=$1 src=$2; shift 2
	command -v rustc >/dev/null || return 1
	rustc -o "$FIX/$out" "$FIXSRC/$src" "$@" 2>>"$T/build.log" || { echo "cannot build $src" >&2; return 1; }
}

# bloat_ws: tests/fixtures/bloat (sonde bloat's cargo workspace) copied once
# per lane into $FIX/bloat-ws (again when the fixture changed), for
# e2e_bloat and e2e_bloat_cargo to share: cargo keeps both feature sets'
# builds in its target dir, so each is built once. Prints the directory.
bloat_ws() {
	local ws=$FIX/bloat-ws
	if [ ! -f "$ws/.copied" ] || [ -n "$(find "$FIXSRC/bloat" -newer "$ws/.copied" -print -quit)" ]; then
		rm -rf "$ws"
		cp -r "$FIXSRC/bloat" "$ws" && touch "$ws/.copied"
	fi
	echo "$ws"
}

perf_usable() {
	command -v perf >/dev/null && perf record -q -e cpu-clock -o "$T/probe.data" true >/dev/null 2>&1
}

# ---- helpers added for the e2e suite ----

# build_fx OUT SRC [EXTRA...] : build_c with the flags every profiling fixture
# uses (-O2 -g -fno-omit-frame-pointer), reusing $FIX/OUT when it is newer
# than its source and burn.h.
build_fx() {
	local out=$1 src=$2; shift 2
	if [ -x "$FIX/$out" ] && [ "$FIX/$out" -nt "$FIXSRC/$src" ] && [ "$FIX/$out" -nt "$FIXSRC/burn.h" ]; then
		return 0
	fi
	build_c "$out" "$src" -O2 -g -fno-omit-frame-pointer "$@"
}

# report_pct FILE SYM [COL] : the COL-th percentage (1 = first column: Children,
# or Overhead with --no-children; 2 = Self) of the report rows whose symbol is
# exactly SYM, summed over rows (several comms/DSOs); empty if no row has it.
# Works on `sonde report` and `perf report --stdio` text alike.
report_pct() {
	awk -v sym="$2" -v col="${3:-1}" '
		/^#/ { next }
		/^ *[0-9.]+%/ && match($0, /\[[.kgu]\] /) {
			s = substr($0, RSTART + RLENGTH); sub(/ +$/, "", s)
			if (s != sym) next
			n = 0
			for (i = 1; i <= NF; i++) if ($i ~ /^[0-9.]+%$/) { n++; if (n == col) { v = $i; sub(/%/, "", v); tot += v; found = 1 } }
		}
		END { if (found) printf "%.2f\n", tot }' "$1"
}

# report_syms FILE : the symbols of the report rows, in row order, one a line
# (first occurrence only).
report_syms() {
	awk '
		/^#/ { next }
		/^ *[0-9.]+%/ && match($0, /\[[.kgu]\] /) {
			s = substr($0, RSTART + RLENGTH); sub(/ +$/, "", s)
			if (!(s in seen)) { seen[s] = 1; print s }
		}' "$1"
}

# report_rows FILE : only the percentage rows of a report (no header, no graph)
report_rows() { grep -E '^ *[0-9.]+%' "$1" | grep -E '\[[.kgu]\] ' || true; }

# samples_of FILE : N from "# Samples: N of event ..." (K/M suffixes expanded)
samples_of() {
	awk '/^# Samples: / { v = $3; m = 1
		if (v ~ /K$/) { m = 1000; sub(/K$/, "", v) } else if (v ~ /M$/) { m = 1000000; sub(/M$/, "", v) }
		printf "%d\n", v * m; exit }' "$1"
}

# near A B TOL : true when |A - B| <= TOL (floating point)
near() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= t) }'; }
# fgt A B : true when A > B (floating point)
fgt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a > b) }'; }

# run_rc OUTPREFIX CMD... : runs CMD with stdout/stderr in OUTPREFIX.out/.err,
# prints its exit status (never fails, so `rc=$(run_rc ...)` is safe under set -e)
run_rc() {
	local p=$1; shift
	"$@" >"$p.out" 2>"$p.err"
	echo $?
}

# now_ms : wall clock in milliseconds
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# crashed RC : true when an exit status means the process died of a signal
crashed() { [ "$1" -ge 128 ]; }

# first_lines FILE [N] : the first N (3) lines of FILE on one line, for FAIL reasons
first_lines() { head -n "${2:-3}" "$1" 2>/dev/null | tr '\n' '|' | cut -c1-300; }

# script_tids FILE : distinct thread ids in `sonde script`/`perf script` text
script_tids() {
	awk '/^[^\t].* [0-9]+\.[0-9]+: +[0-9]+ [^ ]+:( |$)/ {
		for (i = 2; i <= NF; i++) if ($i ~ /^[0-9]+\.[0-9]+:$/) {
			j = i - 1; if ($j ~ /^\[[0-9]+\]$/) j--
			t = $j; sub(/.*\//, "", t); if (t ~ /^[0-9]+$/) print t; break
		}
	}' "$1" | sort -u
}

# script_nsamples FILE : number of samples in `sonde script`/`perf script` text
# (the report header's "# Samples: 1K" is rounded, this is exact)
script_nsamples() { grep -cE '^[^\t].* [0-9]+\.[0-9]+: +[0-9]+ [^ ]+:( |$)' "$1"; }

# row_graph FILE SYM : the call-graph lines printed under the first report row
# whose symbol is SYM (up to the next row)
row_graph() {
	awk -v sym="$2" '
		/^ *[0-9.]+%/ && match($0, /\[[.kgu]\] /) {
			if (on) exit
			s = substr($0, RSTART + RLENGTH); sub(/ +$/, "", s)
			if (s == sym) on = 1
			next
		}
		on { print }' "$1"
}

# graph_frames : reads call-graph lines on stdin, prints just the frame names
# (tree drawing and percentages removed), one a line
graph_frames() { sed -E 's/^[ |]*//; s/^-*([0-9.]+%)?-*//; s/^ +//' | grep -v '^$' || true; }
