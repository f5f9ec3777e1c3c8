#!/usr/bin/env bash
# The SVG flamegraph: a hand-written folded file becomes an SVG that is
# well-formed XML, has frames of the right proportions and escapes hostile
# names; then headless Chromium drives it (tests/browser/svg_test.mjs) when
# chromium and node are installed, and opens graphs of a 200-frame stack.
. "$(dirname "$0")/lib.sh"

DRIVER=$(dirname "$SONDE")/tests/test_flame
BROWSER_DIR=$SONDE_ROOT/tests/browser

cat >"$T/in.folded" <<'EOF'
main;run;hot_a 55
main;run;hot_a;memcpy_[i] 5
main;run;hot_b;leaf_x 20
main;run;hot_b 10
main;init;sys_read_[k] 5
main;<script>alert(1)</script> 3
main;]]>;x&y"'z 2
EOF

# svg_of IN OUT [driver options]: through `sonde flamegraph` once it exists,
# else through the unit-test driver.
svg_of() {
	local in=$1 out=$2; shift 2
	if "$SONDE" flamegraph --help >/dev/null 2>&1; then
		"$SONDE" flamegraph --folded "$in" -o "$out" "$@"
	else
		"$DRIVER" --svg "$in" "$out" "$@"
	fi
}

# width NAME FILE: the width of the rect of the first frame titled "NAME (..."
width() {
	awk -v key="<title>$1 (" '{ i = index($0, key); if (!i) next
		s = substr($0, i); if (match(s, / width="[0-9.]+"/)) { w = substr(s, RSTART + 8, RLENGTH - 9); print w; exit } }' "$2"
}

if ! "$SONDE" flamegraph --help >/dev/null 2>&1 && [ ! -x "$DRIVER" ]; then
	skip svg_build "neither 'sonde flamegraph' nor $DRIVER available"
	exit 0
fi

if svg_of "$T/in.folded" "$T/out.svg" 2>"$T/svg.err" && [ -s "$T/out.svg" ]; then
	pass svg_written
else
	fail svg_written "$(first_lines "$T/svg.err")"
	exit 0
fi

if command -v xmllint >/dev/null; then
	if xmllint --noout "$T/out.svg" 2>"$T/xml.err"; then pass svg_xmllint; else fail svg_xmllint "$(first_lines "$T/xml.err")"; fi
else
	skip svg_xmllint "xmllint not installed (libxml2-utils)"
fi

wall=$(width main "$T/out.svg") wa=$(width hot_a "$T/out.svg") wb=$(width hot_b "$T/out.svg") wl=$(width leaf_x "$T/out.svg")
if [ -n "$wall" ] && [ -n "$wa" ] && [ -n "$wb" ] && [ -n "$wl" ] &&
	near "$(awk -v a="$wa" -v m="$wall" 'BEGIN { print 100 * a / m }')" 60 1 &&
	near "$(awk -v a="$wb" -v m="$wall" 'BEGIN { print 100 * a / m }')" 30 1 &&
	near "$(awk -v a="$wl" -v m="$wall" 'BEGIN { print 100 * a / m }')" 20 1; then
	pass svg_proportions
else
	fail svg_proportions "main=$wall hot_a=$wa hot_b=$wb leaf_x=$wl (want 60%, 30%, 20% of main)"
fi

if grep -q '<title>&lt;script&gt;alert(1)&lt;/script&gt; (' "$T/out.svg" && ! grep -q '<script>alert' "$T/out.svg" &&
	[ "$(grep -c '<script' "$T/out.svg")" -eq 1 ] && [ "$(grep -o ']]>' "$T/out.svg" | wc -l)" -eq 1 ] &&
	grep -q '<title>x&amp;y&quot;&#39;z (' "$T/out.svg"; then
	pass svg_escaped
else
	fail svg_escaped "hostile names not escaped: $(grep -o '<title>[^<]*script[^<]*' "$T/out.svg" | head -1)"
fi

# Icicle, differential and another palette through the driver: well-formed,
# diff colours red (grew) and blue (shrank).
if [ -x "$DRIVER" ] && command -v xmllint >/dev/null; then
	printf 'main;grew 10 40\nmain;shrank 50 10\nmain;same 20 20\n' >"$T/diff.folded"
	"$DRIVER" --svg "$T/in.folded" "$T/icicle.svg" --inverted --palette rust &&
		"$DRIVER" --svg "$T/diff.folded" "$T/diff.svg" &&
		xmllint --noout "$T/icicle.svg" "$T/diff.svg" 2>"$T/xml2.err"
	rc=$?
	grew=$(grep -o '<title>grew ([^<]*</title><rect [^>]*' "$T/diff.svg" | grep -o 'fill="rgb([0-9,]*)"')
	shrank=$(grep -o '<title>shrank ([^<]*</title><rect [^>]*' "$T/diff.svg" | grep -o 'fill="rgb([0-9,]*)"')
	if [ $rc -eq 0 ] && [[ $grew == 'fill="rgb(255,'* ]] && [[ $shrank == *',255)"' ]] && grep -q 'Icicle Graph' "$T/icicle.svg"; then
		pass svg_icicle_diff
	else
		fail svg_icicle_diff "rc=$rc grew=$grew shrank=$shrank $(first_lines "$T/xml2.err")"
	fi
fi

# ---- the browser test ----
chromium=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
if [ -z "$chromium" ]; then
	skip svg_browser "chromium not installed (apt-get install chromium)"
	exit 0
fi
if ! command -v node >/dev/null; then
	skip svg_browser "node not installed"
	exit 0
fi
if [ ! -d "$BROWSER_DIR/node_modules/playwright-core" ]; then
	if ! command -v npm >/dev/null ||
		! timeout 300 npm ci --prefix "$BROWSER_DIR" --no-audit --no-fund >"$T/npm.log" 2>&1; then
		skip svg_browser "cannot install playwright-core (npm ci --prefix tests/browser): $(tail -n 2 "$T/npm.log" 2>/dev/null | tr '\n' ' ')"
		exit 0
	fi
fi
cp "$T/out.svg" "$SONDE_TMP/flame_test.svg"
# a 200-frame stack: far taller than the test's 400-px window
{ printf 'main'; for i in $(seq 200); do printf ';f%d' "$i"; done; printf ' 10\nmain;other 5\n'; } >"$T/deep.folded"
"$SONDE" flamegraph --folded "$T/deep.folded" -o "$SONDE_TMP/flame_deep.svg" 2>/dev/null
"$SONDE" flamegraph --folded "$T/deep.folded" --inverted -o "$SONDE_TMP/flame_deep_icicle.svg" 2>/dev/null
CHROMIUM=$chromium timeout 300 node "$BROWSER_DIR/svg_test.mjs" "$SONDE_TMP/flame_test.svg" "$SONDE_TMP" \
	"$SONDE_TMP/flame_deep.svg" "$SONDE_TMP/flame_deep_icicle.svg" 2>"$T/browser.err"
rc=$?
if [ $rc -ne 0 ] && [ $rc -ne 1 ]; then
	fail svg_browser "node exited with $rc: $(first_lines "$T/browser.err")"
fi
exit 0
