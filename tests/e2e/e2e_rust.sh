#!/usr/bin/env bash
# e2e_rust: Rust symbols are demangled, legacy and v0, without hashes.
. "$(dirname "$0")/lib.sh"

command -v rustc >/dev/null || { skip rust "rustc not installed"; exit 0; }

for mangling in legacy v0; do
	flags=(-C opt-level=2 -g -C force-frame-pointers=yes)
	[ $mangling = v0 ] && flags+=(-C symbol-mangling-version=v0)
	# the binary must be called `fixture`-something; the crate name comes from fixture.rs
	if [ ! -x "$FIX/rust_$mangling" ] || [ "$FIXSRC/fixture.rs" -nt "$FIX/rust_$mangling" ]; then
		build_rust "rust_$mangling" fixture.rs "${flags[@]}" || { fail "rust_${mangling}_build" "rustc failed: $(first_lines "$T/build.log")"; continue; }
	fi
	rc=$(run_rc "$T/rec_$mangling" "$SONDE" record -g -o "$T/$mangling.data" -- "$FIX/rust_$mangling")
	if [ "$rc" != 0 ]; then fail "rust_${mangling}_record" "exit $rc: $(first_lines "$T/rec_$mangling.err")"; continue; fi
	"$SONDE" report -i "$T/$mangling.data" --no-children >"$T/$mangling.txt" 2>"$T/$mangling.err"
	p=$(report_pct "$T/$mangling.txt" fixture::hot)
	if [ -n "$p" ] && fgt "$p" 50; then
		pass "rust_${mangling}_demangled"
	else
		fail "rust_${mangling}_demangled" "fixture::hot ${p:-missing}% (want > 50); rows: $(report_syms "$T/$mangling.txt" | head -5 | tr '\n' ' ')"
	fi
	if grep -Eq '::h[0-9a-f]{16}' "$T/$mangling.txt"; then
		fail "rust_${mangling}_no_hash" "hash suffix left: $(grep -Eo '[^ ]*::h[0-9a-f]{16}' "$T/$mangling.txt" | head -2 | tr '\n' ' ')"
	else
		pass "rust_${mangling}_no_hash"
	fi
	if grep -Eq '(^|[ ;(])(_ZN|_R[A-Z])[0-9A-Za-z_]' "$T/$mangling.txt"; then
		fail "rust_${mangling}_no_raw" "raw mangled symbol: $(grep -Eo '(_ZN|_R[A-Z])[0-9A-Za-z_]+' "$T/$mangling.txt" | head -2 | tr '\n' ' ')"
	else
		pass "rust_${mangling}_no_raw"
	fi
	# script and folded also show the demangled name
	"$SONDE" script -i "$T/$mangling.data" --folded >"$T/$mangling.folded" 2>/dev/null
	if grep -q 'fixture::main;fixture::hot' "$T/$mangling.folded"; then
		pass "rust_${mangling}_folded"
	else
		fail "rust_${mangling}_folded" "no 'fixture::main;fixture::hot' in folded stacks: $(sort -t' ' -k2 -n -r "$T/$mangling.folded" | head -1 | cut -c1-200)"
	fi
done
