#!/usr/bin/env bash
# The model goldens (tests/golden/model, issue 16): every render of
# tests/golden/model/renders (report, script, folded, flamegraph SVG and
# speedscope, heap report text, costs, massif and HTML) re-run on the
# committed inputs with this build, compared byte for byte with the
# committed output and stderr. One line per golden; a difference shows the
# first lines of the diff (golden first). Regenerate only for a reviewed
# change of output (tests/golden/model/README.md).
. "$(dirname "$0")/lib.sh"
G=$SONDE_ROOT/tests/golden/model
. "$G/render.sh"

# The recordings name their fixtures at this path: were it there, its
# binaries would be read instead of the committed ones.
FX=/tmp/sonde-model-golden
[ -e "$FX" ] && fail fixtures_gone "$FX exists (a capture running or interrupted?): remove it and run again"

golden_setup "$T/run"
mkdir -p "$T/got"
# excerpt WANT GOT : the first lines of their diff, on one line
excerpt() { diff "$1" "$2" | head -6 | cut -c1-160 | tr '\n' '|' | cut -c1-400; }
while read -r name output args; do
	want=$G/out/$name got=$T/got/$name
	if [ ! -f "$want" ]; then
		fail "golden_$name" "no golden $want: run tests/golden/model/capture"
		continue
	fi
	# shellcheck disable=SC2086 # the arguments are words of the renders file
	rc=$(golden_render "$T/run" "$got" "$output" $args)
	werr=$want.err
	[ -f "$werr" ] || werr=/dev/null
	if [ "$rc" != 0 ]; then
		fail "golden_$name" "exit status $rc: $(first_lines "$got.err")"
	elif ! cmp -s "$want" "$got"; then
		fail "golden_$name" "differs: $(excerpt "$want" "$got")"
	elif ! cmp -s "$werr" "$got.err"; then
		fail "golden_$name" "stderr differs: $(excerpt "$werr" "$got.err")"
	else
		pass "golden_$name"
	fi
done < <(golden_renders)
