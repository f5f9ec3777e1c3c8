#!/usr/bin/env bash
# e2e_cli: --help, help CMD, --version, unknown-command suggestion, shims.
. "$(dirname "$0")/lib.sh"

# --help
rc=$(run_rc "$T/help" "$SONDE" --help)
if [ "$rc" = 0 ] && grep -q record "$T/help.out" && grep -q report "$T/help.out" && grep -q stat "$T/help.out"; then
	pass cli_help
else
	fail cli_help "exit $rc; stdout should list record/report/stat: $(first_lines "$T/help.out")"
fi

# help CMD, and CMD --help
for c in record report script stat; do
	rc=$(run_rc "$T/h_$c" "$SONDE" help "$c")
	if [ "$rc" = 0 ] && grep -q -- "$c" "$T/h_$c.out" && grep -q -- '-' "$T/h_$c.out"; then
		pass "cli_help_$c"
	else
		fail "cli_help_$c" "'sonde help $c' exit $rc, stdout: $(first_lines "$T/h_$c.out") stderr: $(first_lines "$T/h_$c.err")"
	fi
done
rc=$(run_rc "$T/rh" "$SONDE" record --help)
if [ "$rc" = 0 ] && grep -q -- '-F' "$T/rh.out" && grep -q -- '-g' "$T/rh.out"; then
	pass cli_record_dash_help
else
	fail cli_record_dash_help "'sonde record --help' exit $rc, should mention -F and -g: $(first_lines "$T/rh.out") $(first_lines "$T/rh.err")"
fi

# --version
rc=$(run_rc "$T/ver" "$SONDE" --version)
if [ "$rc" = 0 ] && grep -Eq '^sonde [0-9]+\.[0-9]+' "$T/ver.out"; then
	pass cli_version
else
	fail cli_version "exit $rc, stdout '$(first_lines "$T/ver.out")' (want 'sonde X.Y.Z')"
fi

# unknown command: suggestion, exit 2, one line on stderr
rc=$(run_rc "$T/typo" "$SONDE" recrod)
lines=$(wc -l <"$T/typo.err")
if [ "$rc" = 2 ] && grep -q "did you mean 'record'?" "$T/typo.err" && [ "$lines" -le 1 ]; then
	pass cli_typo_suggestion
else
	fail cli_typo_suggestion "'sonde recrod': exit $rc (want 2), $lines stderr lines: $(first_lines "$T/typo.err")"
fi
rc=$(run_rc "$T/typo2" "$SONDE" reprot -i x)
if [ "$rc" = 2 ] && grep -q "did you mean 'report'?" "$T/typo2.err"; then
	pass cli_typo_report
else
	fail cli_typo_report "'sonde reprot': exit $rc (want 2): $(first_lines "$T/typo2.err")"
fi
rc=$(run_rc "$T/typo3" "$SONDE" zzzzzzzz)
if [ "$rc" = 2 ] && ! grep -q "did you mean" "$T/typo3.err" && [ -s "$T/typo3.err" ]; then
	pass cli_unknown_no_suggestion
else
	fail cli_unknown_no_suggestion "'sonde zzzzzzzz': exit $rc (want 2, an error without a suggestion): $(first_lines "$T/typo3.err")"
fi

# usage errors (util/options): every command says what in one line and where
# the options are, and exits 129; `--x=V` and `--x V` alike
bad=""
for c in record report script collapse stat flamegraph heap "heap report" shims; do
	# shellcheck disable=SC2086 # "heap report" is two words
	rc=$(run_rc "$T/u" "$SONDE" $c --no-such-option)
	if [ "$rc" != 129 ] || [ "$(wc -l <"$T/u.err")" != 2 ] || ! grep -q "^sonde $c: unknown option '--no-such-option'" "$T/u.err" ||
		! grep -q "^Run 'sonde $c --help' for the options.$" "$T/u.err"; then
		bad="$bad [$c: exit $rc: $(first_lines "$T/u.err")]"
	fi
done
rc=$(run_rc "$T/u1" "$SONDE" report --sort=nope)
rc2=$(run_rc "$T/u2" "$SONDE" report --sort nope)
rc3=$(run_rc "$T/u3" "$SONDE" record --outptu x true)
[ "$rc" = 129 ] && [ "$rc2" = 129 ] && cmp -s "$T/u1.err" "$T/u2.err" || bad="$bad [report --sort: exit $rc/$rc2]"
grep -q "did you mean '--output'?" "$T/u3.err" || bad="$bad [record --outptu: $(first_lines "$T/u3.err")]"
if [ -z "$bad" ]; then pass cli_usage_errors_129; else fail cli_usage_errors_129 "$bad"; fi

# no arguments: usage, non-zero
rc=$(run_rc "$T/noarg" "$SONDE")
if [ "$rc" != 0 ] && [ "$rc" -lt 128 ] && grep -qi usage "$T/noarg.out" "$T/noarg.err"; then
	pass cli_no_args
else
	fail cli_no_args "'sonde' with no arguments: exit $rc (want non-zero with usage)"
fi

# shims
rc=$(run_rc "$T/shims" "$SONDE" shims "$T/bin")
real_bin=$(cd "$T/bin" 2>/dev/null && pwd -P)
if [ "$rc" = 0 ] && [ -L "$T/bin/perf" ] && [ "$(readlink -f "$T/bin/perf")" = "$(readlink -f "$SONDE")" ]; then
	pass cli_shims_symlink
else
	fail cli_shims_symlink "exit $rc; $T/bin/perf -> '$(readlink -f "$T/bin/perf" 2>/dev/null)', want $(readlink -f "$SONDE")"
fi
if grep -qxF "export PATH='$real_bin':\"\$PATH\"" "$T/shims.out"; then
	pass cli_shims_path_line
else
	fail cli_shims_path_line "stdout '$(first_lines "$T/shims.out")', want: export PATH='$real_bin':\"\$PATH\""
fi
# running it again replaces the links (idempotent)
rc=$(run_rc "$T/shims2" "$SONDE" shims "$T/bin")
if [ "$rc" = 0 ] && [ -L "$T/bin/perf" ]; then pass cli_shims_again; else fail cli_shims_again "second 'sonde shims' exit $rc: $(first_lines "$T/shims2.err")"; fi
# the shim answers as perf
rc=$(run_rc "$T/pv" "$T/bin/perf" --version)
if [ "$rc" = 0 ] && [ -s "$T/pv.out" ]; then
	pass cli_shim_perf_version
else
	fail cli_shim_perf_version "'perf --version' through the shim: exit $rc, stdout '$(first_lines "$T/pv.out")' stderr '$(first_lines "$T/pv.err")'"
fi
