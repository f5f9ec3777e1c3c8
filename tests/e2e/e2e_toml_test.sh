#!/bin/bash
# toml-test's corpus through sonde's TOML reader (src/toml): every valid
# case decodes to its expected JSON, every invalid case is refused with one
# "PATH:LINE:COL: what" line and no crash. The corpus comes with Debian's
# golang-github-burntsushi-toml-dev (scripts/install-deps installs it).
source "$(dirname "$0")/lib.sh"

decoder=$(dirname "$SONDE")/tests/tools/toml_decode
corpus=
if dpkg-query -W -f='${Status}' golang-github-burntsushi-toml-dev 2>/dev/null | grep -q "install ok installed"; then
	corpus=$(dpkg -L golang-github-burntsushi-toml-dev | grep '/internal/toml-test/tests$' | head -1)
fi
if [ -z "$corpus" ] || [ ! -d "$corpus/valid" ]; then
	skip toml_test "golang-github-burntsushi-toml-dev is not installed (toml-test's corpus)"
	exit 0
fi
if [ ! -x "$decoder" ]; then
	fail toml_test "no $decoder (make unit builds it)"
	exit 0
fi
if ! command -v python3 >/dev/null; then
	skip toml_test "python3 is not installed"
	exit 0
fi
if python3 "$SONDE_ROOT/tests/e2e/toml_test_run.py" "$decoder" "$corpus" >"$T/out" 2>&1; then
	pass "toml_test ($(grep '^toml-test' "$T/out" | tr '\n' ' ' | sed 's/ $//'))"
else
	fail toml_test "$(grep -v '^toml-test' "$T/out" | head -5 | tr '\n' ';') $(grep '^toml-test' "$T/out" | tr '\n' ' ')"
fi
