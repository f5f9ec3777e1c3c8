#!/usr/bin/env bash
# e2e_cannot_run: a command that cannot start, and an output that cannot be
# written, on every command that runs a target (record, stat, flamegraph,
# heap, memcheck and the perf, heaptrack, valgrind, flamegraph names):
#  - a missing program, a file without x, a directory, a script whose
#    interpreter is missing: one line saying why, exit 127 (not found) or
#    126, no file written, no report;
#  - -o / --log-file / --xml-file that cannot be written: the error comes
#    before the target starts (it never runs), not after the run.
. "$(dirname "$0")/lib.sh"

"$SONDE" shims "$T/bin" >/dev/null 2>&1 || fail cannot_run_shims "sonde shims failed"
mkdir -p "$T/cwd" "$T/adir"
: >"$T/noexec"
printf '#!/nonexistent/interpreter\n' >"$T/badinterp"
chmod +x "$T/badinterp"

# cmd label: the command line before the program
cmds=("sonde record:$SONDE record --" "sonde stat:$SONDE stat --" "sonde flamegraph:$SONDE flamegraph --"
	"sonde heap:$SONDE heap --" "sonde memcheck:$SONDE memcheck --" "perf record:$T/bin/perf record"
	"perf stat:$T/bin/perf stat" "heaptrack:$T/bin/heaptrack" "valgrind:$T/bin/valgrind --leak-check=full"
	"flamegraph:$T/bin/flamegraph --")
progs=("missing:$T/no-such-program:127" "not_on_path:no-such-command-xyz:127" "not_executable:$T/noexec:126"
	"directory:$T/adir:126" "bad_interpreter:$T/badinterp:127")
for p in "${progs[@]}"; do
	pname=${p%%:*} rest=${p#*:}
	prog=${rest%:*} want=${rest##*:}
	bad=""
	for c in "${cmds[@]}"; do
		label=${c%%:*}
		read -r -a words <<<"${c#*:}"
		rm -rf "$T/cwd" && mkdir -p "$T/cwd"
		rc=$(cd "$T/cwd" && run_rc "$T/r" "${words[@]}" "$prog")
		lines=$(cat "$T/r.out" "$T/r.err" | wc -l)
		files=$(ls -A "$T/cwd")
		if [ "$rc" != "$want" ] || [ "$lines" != 1 ] || [ -n "$files" ] || ! grep -q "$(basename "$prog")" "$T/r.err"; then
			bad="$bad [$label: exit $rc, $lines lines: $(first_lines "$T/r.err" 2)$(first_lines "$T/r.out" 2)${files:+, wrote $files}]"
		fi
	done
	if [ -z "$bad" ]; then pass "cannot_run_$pname"; else fail "cannot_run_$pname" "want exit $want, one line, no file:$bad"; fi
done

# outputs checked before the target runs: it would create $T/ran
runs_marker=(sh -c 'touch "$0"' "$T/ran")
outs=("sonde record -o:$SONDE record -o $T/nodir/out.data --" "sonde flamegraph -o:$SONDE flamegraph -o $T/nodir/fg.svg --"
	"sonde flamegraph --keep-data:$SONDE flamegraph --keep-data $T/nodir/fg.data -o $T/fg.svg --"
	"flamegraph -o:$T/bin/flamegraph -o $T/nodir/fg.svg --" "sonde heap -o:$SONDE heap -o $T/nodir/h.zst --"
	"heaptrack -o:$T/bin/heaptrack -o $T/nodir/h.zst" "perf record -o:$T/bin/perf record -o $T/nodir/perf.data"
	"sonde memcheck --log-file:$SONDE memcheck --log-file=$T/nodir/log --"
	"valgrind --log-file:$T/bin/valgrind --log-file=$T/nodir/log.%p"
	"valgrind --xml-file:$T/bin/valgrind --xml=yes --xml-file=$T/nodir/x.xml")
bad=""
for c in "${outs[@]}"; do
	label=${c%%:*}
	read -r -a words <<<"${c#*:}"
	rm -f "$T/ran"
	rc=$(cd "$T/cwd" && run_rc "$T/o" "${words[@]}" "${runs_marker[@]}")
	if [ "$rc" = 0 ] || [ -e "$T/ran" ] || ! grep -q "nodir" "$T/o.err"; then
		bad="$bad [$label: exit $rc, target $([ -e "$T/ran" ] && echo ran || echo 'did not run'): $(first_lines "$T/o.err" 2)]"
	fi
done
if [ -z "$bad" ]; then pass cannot_write_before_run; else fail cannot_write_before_run "$bad"; fi
# cargo flamegraph: before the build (no cargo project here: the build would fail otherwise)
rc=$(cd "$T/cwd" && run_rc "$T/cf" "$T/bin/cargo-flamegraph" flamegraph -o "$T/nodir/fg.svg")
if [ "$rc" != 0 ] && grep -q "cannot write '$T/nodir/fg.svg'" "$T/cf.err"; then
	pass cannot_write_cargo_flamegraph
else
	fail cannot_write_cargo_flamegraph "exit $rc: $(first_lines "$T/cf.err")"
fi
# a file that can be written is left as it was by the check
echo keep >"$T/kept.svg"
rc=$(cd "$T/cwd" && run_rc "$T/k" "$SONDE" flamegraph -o "$T/kept.svg" -- "$T/no-such-program")
if [ "$rc" = 127 ] && [ "$(cat "$T/kept.svg")" = keep ]; then
	pass cannot_run_output_untouched
else
	fail cannot_run_output_untouched "exit $rc, '$T/kept.svg' now: $(first_lines "$T/kept.svg")"
fi
