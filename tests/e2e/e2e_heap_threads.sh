#!/usr/bin/env bash
# e2e_heap_threads: `sonde heap` on multi-threaded programs whose peak is
# known exactly: the replay must interleave the threads as they ran.
#  1. heap_barrier.c: 4 threads (and 8, more than the cores) each hold
#     1,000 blocks of 10,000 bytes at a barrier: worker()'s share of the
#     peak is 40,000,000 (80,000,000) bytes in every one of 20 (5) runs,
#     and the report's peak is the sum of the per-stack peaks;
#  2. heap_rust_threads.rs: 3 Rust threads meet at a barrier holding
#     3 x 12,048,768 bytes (buffers, their vector, a grown string): exact
#     in every run, and the total peak equals heaptrack's (less the 72,704
#     bytes of heaptrack's own libstdc++ pool, see e2e_heap.sh).
# (That compacting the keys keeps the replay as it was is test_heap_order's.)
. "$(dirname "$0")/lib.sh"

HT=${HEAPTRACK:-/usr/bin/heaptrack}
HTP=${HEAPTRACK_PRINT:-/usr/bin/heaptrack_print}
have_ht=0
[ -x "$HT" ] && [ -x "$HTP" ] && have_ht=1

build_fx heap_barrier heap_barrier.c -pthread || { fail heap_threads_build "heap_barrier.c: $(first_lines "$T/build.log")"; exit 0; }

# peaks TRACE: "worker_bytes total_bytes" from the per-stack peak costs
# (stacks through FUNC, default worker)
peaks() {
	"$SONDE" heap report "$1" --flamegraph-cost peak 2>/dev/null |
		awk -v f="${2:-worker}" '{ v = $NF } index($0, f) { w += v } { t += v } END { printf "%.0f %.0f\n", w, t }'
}
# report_peak TRACE_OR_TEXT: the "peak heap memory consumption" in bytes (1000-based units)
report_peak() {
	awk '/^peak heap memory consumption: / {
		s = $5; m = s + 0; u = substr(s, length(s)); if (u ~ /[0-9]/) u = $6
		u = toupper(substr(u, 1, 1))
		if (u == "K") m *= 1e3; else if (u == "M") m *= 1e6; else if (u == "G") m *= 1e9
		printf "%.0f\n", m }' "$1"
}

# 1. the barrier, many runs
exact_runs() { # NAME THREADS RUNS WANT
	local name=$1 n=$2 runs=$3 want=$4 bad="" i got
	for i in $(seq "$runs"); do
		if ! "$SONDE" heap -o "$T/b$n.$i.zst" -- "$FIX/heap_barrier" "$n" >"$T/b.out" 2>"$T/b.err"; then
			bad="$bad run $i: sonde heap failed: $(first_lines "$T/b.err")"
			continue
		fi
		got=$(peaks "$T/b$n.$i.zst")
		"$SONDE" heap report "$T/b$n.$i.zst" >"$T/b.rep" 2>/dev/null
		local total=${got#* } shown
		shown=$(report_peak "$T/b.rep")
		# the report rounds to 4 digits; the stacks' sum is the exact peak
		if [ "${got% *}" != "$want" ] || ! near "${shown:-0}" "$total" "$((total / 1000 + 1))"; then
			bad="$bad run $i: worker ${got% *} (want $want), stacks $total, report ${shown:-none};"
		fi
		rm -f "$T/b$n.$i.zst"
	done
	if [ -z "$bad" ]; then pass "$name"; else fail "$name" "$bad"; fi
}
exact_runs heap_threads_barrier_4x20 4 20 40000000
exact_runs heap_threads_barrier_8x5 8 5 80000000

# vs_heaptrack NAME SONDE_TRACE CMD...: the total peak equals heaptrack's,
# less its own 72,704-byte pool (its text has 4 digits: 40.07M)
vs_heaptrack() {
	local name=$1 trace=$2 s h; shift 2
	if [ "$have_ht" != 1 ]; then
		skip "$name" "heaptrack not installed"
		return
	fi
	"$HT" -o "$T/ht" "$@" >/dev/null 2>&1
	"$HTP" "$T/ht.zst" >"$T/ht.txt" 2>/dev/null
	s=$(peaks "$trace"); s=${s#* }
	h=$(report_peak "$T/ht.txt")
	if [ -n "$h" ] && near "$((h - 72704))" "$s" 10000; then
		pass "$name"
	else
		fail "$name" "sonde $s, heaptrack ${h:-none} (less its 72704-byte pool)"
	fi
	rm -f "$T/ht.zst"
}
"$SONDE" heap -o "$T/ht_s.zst" -- "$FIX/heap_barrier" 4 >/dev/null 2>&1
vs_heaptrack heap_threads_barrier_vs_heaptrack "$T/ht_s.zst" "$FIX/heap_barrier" 4

# 2. Rust threads
if build_rust heap_rust_threads heap_rust_threads.rs -O -g; then
	bad=""
	for i in 1 2 3 4 5; do
		"$SONDE" heap -o "$T/r$i.zst" -- "$FIX/heap_rust_threads" >/dev/null 2>"$T/r.err" ||
			{ bad="$bad run $i failed: $(first_lines "$T/r.err");"; continue; }
		got=$(peaks "$T/r$i.zst" heap_rust_threads::worker)
		[ "${got% *}" = 36146304 ] || bad="$bad run $i: worker ${got% *} (want 36146304);"
	done
	if [ -z "$bad" ]; then pass heap_threads_rust_exact; else fail heap_threads_rust_exact "$bad"; fi
	vs_heaptrack heap_threads_rust_vs_heaptrack "$T/r1.zst" "$FIX/heap_rust_threads"
else
	skip heap_threads_rust_exact "rustc not installed"
fi
