#!/usr/bin/env bash
# e2e_bloat_cargo: `cargo bloat` on sonde (the cargo-bloat compat name of
# `sonde shims`, first on PATH) in a copy of tests/fixtures/bloat (bloatapp
# with the path crates shapes and textkit), built offline in the lane's
# copy e2e_bloat shares (lib.sh's bloat_ws):
#  1. `cargo bloat --release -n 20`: cargo-bloat's table (header, 20 rows,
#     the "And N smaller methods" and ".text section size" rows) and
#     "    Analyzing target/release/bloatapp" on stderr;
#  2. --crates lists shapes, textkit and std; -p/--bin with --message-format
#     json gives cargo-bloat's fields; --features grow changes the binary;
#  3. refused with one line saying what to do: outside a cargo project,
#     --time, --lib on rlibs; a build error shows cargo's own errors.
. "$(dirname "$0")/lib.sh"

command -v cargo >/dev/null || { skip bloat_cargo "cargo not installed"; exit 0; }
"$SONDE" shims "$T/bin" >/dev/null 2>&1 || { fail bloat_cargo_shims "sonde shims failed"; exit 0; }
[ -L "$T/bin/cargo-bloat" ] || { fail bloat_cargo_shims "sonde shims installed no cargo-bloat"; exit 0; }
ws=$(bloat_ws)
export PATH="$T/bin:$PATH" CARGO_TARGET_DIR="$ws/target" CARGO_NET_OFFLINE=true
unset CARGO_BUILD_TARGET CARGO_PROFILE_RELEASE_DEBUG
cd "$ws" || exit 0
cargo build --release --offline -q 2>"$T/build.err" || { fail bloat_cargo_build "$(first_lines "$T/build.err")"; exit 0; }

# errs NAME RC WANT : a failure with one "sonde:" line holding WANT
errs() {
	local n
	n=$(grep -c '^sonde: ' "$T/$1.err")
	if [ "$2" != 0 ] && [ "$n" = 1 ] && grep -q "^sonde: .*$3" "$T/$1.err"; then
		pass "bloat_cargo_$1"
	else
		fail "bloat_cargo_$1" "status $2, $n sonde lines: $(grep -v '^ *\(Compiling\|Finished\)' "$T/$1.err" | head -3 | tr '\n' '|')"
	fi
}

# 1. the guide's line
rc=$(run_rc "$T/table" cargo bloat --release -n 20)
rows=$(awk '/\.text/ && /Name/ { on = 1; next } /And [0-9]+ smaller methods\. Use -n N to show more\./ { print n; exit } on { n++ }' "$T/table.out")
if [ "$rc" = 0 ] && [ "$rows" = 20 ] && grep -q '\.text section size, the file size is' "$T/table.out"; then
	pass bloat_cargo_table
else
	fail bloat_cargo_table "status $rc, $rows rows: $(grep -v '^ *\(Compiling\|Finished\)' "$T/table.err" | head -3 | tr '\n' '|')"
fi
grep -qx '    Analyzing target/release/bloatapp' "$T/table.err" && pass bloat_cargo_analyzing ||
	fail bloat_cargo_analyzing "$(grep Analyzing "$T/table.err")"

# 2. crates, JSON, features
rc=$(run_rc "$T/crates" cargo bloat --release --crates)
missing=$(for c in shapes textkit std; do grep -qw "$c" "$T/crates.out" || printf "%s " "$c"; done)
if [ "$rc" = 0 ] && [ -z "$missing" ]; then pass bloat_cargo_crates
else fail bloat_cargo_crates "status $rc, missing: $missing $(first_lines "$T/crates.err")"; fi

fields='has("file-size") and has("text-section-size") and (.functions | length > 0)'
rc=$(run_rc "$T/json" cargo bloat --release -p bloatapp --bin bloatapp --message-format json)
if [ "$rc" = 0 ] && jq -e "$fields" "$T/json.out" >/dev/null 2>&1; then pass bloat_cargo_json
else fail bloat_cargo_json "status $rc: $(first_lines "$T/json.out" 2) $(first_lines "$T/json.err")"; fi

rc=$(run_rc "$T/grow" cargo bloat --release --features grow --message-format json)
old=$(jq '."text-section-size"' "$T/json.out" 2>/dev/null)
new=$(jq '."text-section-size"' "$T/grow.out" 2>/dev/null)
if [ "$rc" = 0 ] && [ -n "$old" ] && [ -n "$new" ] && [ "$new" -gt "$old" ]; then pass bloat_cargo_features
else fail bloat_cargo_features "status $rc, .text $old -> $new"; fi

# 3. errors
rc=$(run_rc "$T/time" cargo bloat --release --time)
errs time "$rc" "cargo build --timings"
rc=$(run_rc "$T/lib" cargo bloat --release --lib)
errs lib "$rc" "only 'bin', 'dylib' and 'cdylib' crate types are supported"
mkdir -p "$T/empty"
if (cd "$T/empty" && cargo locate-project >/dev/null 2>&1); then
	skip bloat_cargo_outside "a Cargo.toml above $T"
else
	rc=$(cd "$T/empty" && run_rc "$T/outside" cargo bloat --release)
	errs outside "$rc" "cargo project"
fi
# a broken copy in its own target dir (a shared one would rebuild the first)
cp -r "$FIXSRC/bloat" "$T/broken"
echo 'pub fn sonde_broken() -> u32 { "not a number" }' >>"$T/broken/shapes/src/lib.rs"
rc=$(cd "$T/broken" && CARGO_TARGET_DIR="$T/broken/target" run_rc "$T/broken" cargo bloat --release)
if grep -q 'error\[E0308\]' "$T/broken.err"; then errs broken "$rc" "building with cargo failed"
else fail bloat_cargo_broken "status $rc, cargo's error not shown: $(first_lines "$T/broken.err")"; fi
exit 0
