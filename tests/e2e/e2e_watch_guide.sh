#!/usr/bin/env bash
# e2e_watch_guide: the guide's bacon.toml (tests/fixtures/watch/
# guide-bacon.toml, copied unchanged from the Rust Profiling Tools Guide)
# and `bacon --init`'s file, run through the `bacon` compat name with
# `sonde shims` first on PATH, on a fixture cargo project (wfix):
#  1. the guide's file parses: `bacon -l` lists its 27 jobs (beside bacon's
#     built-in ones);
#  2. every one of its jobs starts headless (`--once`) and ends with a badge
#     line; flamegraph writes flamegraph.svg; the jobs that find the binary
#     with `jq -r '.resolve.root | split(" ")[0]'` fail visibly on today's
#     cargo (docs/watch.md): their output shows the path+file:// path;
#     bloat (`cargo bloat --release -n 20` through the cargo-bloat shim)
#     passes with cargo-bloat's table;
#  3. --init's profiling jobs (bloat too) all succeed and leave their artifacts:
#     flamegraph.svg, perf.data, heaptrack.wfix.*.zst, cachegrind.out.*,
#     profile.coz.
# Slow (every profiler runs): the normal lane only.
. "$(dirname "$0")/lib.sh"

case "${LANE_TAG:-}" in *san*) skip watch_guide "the normal lane runs it (every profiler, twice as slow here)"; exit 0 ;; esac
for t in cargo jq; do
	command -v "$t" >/dev/null || { skip watch_guide "no $t (scripts/install-deps installs it)"; exit 0; }
done
mkdir -p "$T/bin" && "$SONDE" shims "$T/bin" >/dev/null 2>&1 || { fail watch_shims "sonde shims failed"; exit 0; }
export PATH="$T/bin:$PATH" WFIX_ROUNDS=300
unset CARGO_BUILD_TARGET CARGO_TARGET_DIR # the jobs run ./target/release/...

# 1. parse and list
cp -rL "$FIXSRC/watch/wfix" "$T/guide"
cp "$FIXSRC/watch/guide-bacon.toml" "$T/guide/bacon.toml"
cd "$T/guide" || exit 0
jobs=$(sed -n 's/^\[jobs\.\([a-z-]*\)\]$/\1/p' bacon.toml)
bacon -l >"$T/list" 2>"$T/err"
missing=$(for j in $jobs; do grep -q "^$j " "$T/list" || echo "$j"; done)
if [ "$(wc -w <<<"$jobs")" = 27 ] && [ -z "$missing" ] && grep -q '^default job: clippy$' "$T/list"; then
	pass watch_guide_parses
else
	fail watch_guide_parses "$(wc -w <<<"$jobs") jobs, not listed: $missing; $(first_lines "$T/err")"
fi

# 2. every job starts and ends with its badge line
jq_jobs="perf perf-stat heaptrack valgrind valgrind-quick cachegrind coz size"
bad=
svg=no
for job in $jobs; do
	timeout -k 5 120 bacon --once "$job" >"$T/$job.out" 2>&1
	rc=$?
	[ "$job" = flamegraph ] && [ -s flamegraph.svg ] && svg=yes
	if ! grep -q "^\[guide\] $job: " "$T/$job.out"; then
		bad="$bad $job(no badge, rc $rc: $(grep -v '^\s*$' "$T/$job.out" | tail -1 | cut -c1-80))"
	elif [[ " $jq_jobs " == *" $job "* ]] && ! grep -q 'release/path+file' "$T/$job.out"; then
		bad="$bad $job(the guide's jq path should show, rc $rc)"
	fi
done
if [ -z "$bad" ]; then pass watch_guide_every_job_runs; else fail watch_guide_every_job_runs "$bad"; fi
if grep -q "^\[guide\] flamegraph: pass!" "$T/flamegraph.out" && [ "$svg" = yes ]; then
	pass watch_guide_flamegraph_svg
else
	fail watch_guide_flamegraph_svg "svg: $svg; $(tail -2 "$T/flamegraph.out" | tr '\n' '|')"
fi

if grep -q "^\[guide\] bloat: pass!" "$T/bloat.out" && grep -q '\.text.*Name' "$T/bloat.out" &&
	grep -q '\.text section size, the file size is' "$T/bloat.out"; then
	pass watch_guide_bloat
else
	fail watch_guide_bloat "$(grep -v '^\s*$' "$T/bloat.out" | tail -3 | tr '\n' '|' | cut -c1-200)"
fi

# 3. --init's jobs
cp -rL "$FIXSRC/watch/wfix" "$T/init"
cd "$T/init" || exit 0
if ! bacon --init >"$T/init.out" 2>&1 || ! [ -s bacon.toml ]; then
	fail watch_init "$(first_lines "$T/init.out")"
else
	pass watch_init
	bad=
	for job in build-release flamegraph perf perf-report perf-stat heaptrack heaptrack-print valgrind cachegrind \
		cachegrind-annotate coz coz-plot size bloat; do
		rounds=300
		[ "$job" = coz ] && rounds=4000
		WFIX_ROUNDS=$rounds timeout -k 5 180 bacon --once "$job" >"$T/i-$job.out" 2>&1 ||
			bad="$bad $job($(grep -v '^\s*$' "$T/i-$job.out" | tail -1 | cut -c1-100))"
	done
	if [ -z "$bad" ]; then pass watch_init_jobs_succeed; else fail watch_init_jobs_succeed "$bad"; fi
	missing=
	for a in flamegraph.svg perf.data 'heaptrack.wfix.*.zst' 'cachegrind.out.*' profile.coz; do
		compgen -G "$a" >/dev/null || missing="$missing $a"
	done
	if [ -z "$missing" ]; then pass watch_init_artifacts; else fail watch_init_artifacts "missing:$missing"; fi
fi
