#!/usr/bin/env bash
# cargo flamegraph / flamegraph on sonde: `sonde shims` on PATH, the
# tests/fixtures/cargo_demo project (two binaries, no dependencies, no
# `debug = true`), built offline inside $T.
. "$(dirname "$0")/lib.sh"

command -v cargo >/dev/null || { skip cargo "cargo not installed"; exit 0; }
"$SONDE" shims "$T/bin" >/dev/null 2>&1 || { fail shims "sonde shims failed"; exit 0; }
[ -L "$T/bin/cargo-flamegraph" ] || { skip cargo "this sonde has no cargo-flamegraph compat name"; exit 0; }
export PATH="$T/bin:$PATH" CARGO_TARGET_DIR="$T/target" CARGO_NET_OFFLINE=true
unset CARGO_PROFILE_RELEASE_DEBUG
cp -r "$FIXSRC/cargo_demo" "$T/demo"
cd "$T/demo" || exit 1

# share SVG NAME : summed percentage of the frames titled NAME
share() {
	grep -o "<title>$2 ([0-9,]* samples, [0-9.]*%)</title>" "$1" |
		sed -E 's/.*, ([0-9.]+)%\).*/\1/' | awk '{ s += $1 } END { printf "%.2f\n", s + 0 }'
}
# 1. --bin other with arguments
rc=$(run_rc "$T/other" cargo flamegraph --bin other -o x.svg -- arg1 arg2)
if [ "$rc" = 0 ] && [ -s x.svg ]; then pass bin-other; else fail bin-other "status $rc: $(first_lines "$T/other.err" 6)"; fi
grep -q 'other: args=\["arg1", "arg2"\]' "$T/other.out" && pass args-arrive || fail args-arrive "$(first_lines "$T/other.out")"
hot=$(share x.svg other::other_hot); warm=$(share x.svg other::other_warm)
if fgt "$hot" "$warm" && fgt "$hot" 50; then pass other-hot-share; else fail other-hot-share "other_hot $hot%, other_warm $warm%"; fi
if command -v xmllint >/dev/null; then xmllint --noout x.svg 2>/dev/null && pass other-xml || fail other-xml "invalid XML"; fi
grep -q 'was built without debug info' "$T/other.err" && fail no-warning-by-default "warned although debug info was turned on" ||
	pass no-warning-by-default

# 2. default binary (default-run)
rc=$(run_rc "$T/def" cargo flamegraph)
if [ "$rc" = 0 ] && [ -s flamegraph.svg ]; then pass default-run; else fail default-run "status $rc: $(first_lines "$T/def.err" 6)"; fi
h=$(share flamegraph.svg cargo_demo::demo_main_hot)
fgt "$h" 80 && pass default-hot || fail default-hot "cargo_demo::demo_main_hot has $h% (want > 80)"
grep -q 'cargo_demo: args=\[\]' "$T/def.out" && pass default-ran || fail default-ran "$(first_lines "$T/def.out")"

# 3. debug info turned off by the user: the warning
rc=$(CARGO_PROFILE_RELEASE_DEBUG=false run_rc "$T/nodbg" cargo flamegraph --bin other -o nodbg.svg)
if [ "$rc" = 0 ] && grep -q 'was built without debug info' "$T/nodbg.err" && grep -q 'debug = true' "$T/nodbg.err"; then
	pass no-debug-warning
else
	fail no-debug-warning "status $rc: $(first_lines "$T/nodbg.err" 4)"
fi

# 4. the target's exit status comes through, the graph is still written
rc=$(run_rc "$T/failst" cargo flamegraph --bin other -o fail.svg -- fail)
[ "$rc" = 3 ] && [ -s fail.svg ] && pass target-status || fail target-status "status $rc (want 3)"

# 5. no default-run and two binaries: a clear message naming them
sed -i '/^default-run/d' Cargo.toml
rc=$(run_rc "$T/pick" cargo flamegraph -o pick.svg)
if [ "$rc" != 0 ] && grep -q 'cargo_demo, other' "$T/pick.err" && grep -q -- '--bin' "$T/pick.err"; then pass pick-binary
else fail pick-binary "status $rc: $(first_lines "$T/pick.err")"; fi

# 6. the standalone form
build_fx split split.c || { fail build "cannot build split.c"; exit 0; }
rc=$(run_rc "$T/sa" flamegraph -o y.svg -- "$FIX/split" 1)
a=$(share y.svg hot_a)
if [ "$rc" = 0 ] && near "$a" 75 10; then pass standalone; else fail standalone "status $rc, hot_a $a%: $(first_lines "$T/sa.err")"; fi

# 7. unknown option: flamegraph-style usage error
rc=$(run_rc "$T/bad" cargo flamegraph --no-such-option)
[ "$rc" = 2 ] && grep -q "unknown option '--no-such-option'" "$T/bad.err" && pass bad-option || fail bad-option "status $rc: $(first_lines "$T/bad.err")"
exit 0
