#!/usr/bin/env bash
# sonde coz plot on hand-written profile.coz files: two runs appended,
# throughput and latency points, lines whose program speedup is a known
# fraction of their line speedup; the --text ranking and slopes, the HTML
# page (each line once, a hostile name escaped), broken files, `coz plot`.
. "$(dirname "$0")/lib.sh"
unset DISPLAY WAYLAND_DISPLAY

# run FACTOR...: one run (startup .. runtime) with, for each line NAME=K,
# an experiment per 5% step whose period is 100 * (1 - K * speedup): the
# program speedup is K * speedup. hot.c:10 also has a latency point whose
# in-flight count falls by half its speedup.
gen_run() {
	awk -v lines="$1" 'BEGIN {
		OFS = "\t"; print "startup", "time=1"
		n = split(lines, L, " ")
		for (s = 0; s <= 100; s += 5) for (i = 1; i <= n; i++) {
			split(L[i], kv, "="); sp = s / 100
			printf "experiment\tselected=%s\tspeedup=%.2f\tduration=%.0f\tselected-samples=7\n", kv[1], sp, 100000 * (1 - kv[2] * sp)
			print "throughput-point", "name=ops", "delta=1000"
			if (kv[1] == "hot.c:10")
				printf "latency-point\tname=req\tarrivals=100\tdepartures=100\tdifference=%.0f\n", 1000 * (1 - 0.5 * sp)
		}
		print "runtime", "time=99"; print "samples", "location=hot.c:10", "count=5"
	}'
}
LINES='hot.c:10=0.6 mid.c:20=0.2 cold.c:30=0 evil<script>alert(1)</script>.c:1=0.4'
{ gen_run "$LINES"; gen_run "$LINES"; } >"$T/profile.coz"

out=$("$SONDE" coz plot --text "$T/profile.coz" 2>"$T/err"); rc=$?
order=$(awk '$2 == "ops" { printf "%s=%s ", $1, $4 }' <<<"$out")
if [ $rc -eq 0 ] && [ "$order" = 'hot.c:10=0.600 evil<script>alert(1)</script>.c:1=0.400 mid.c:20=0.200 cold.c:30=0.000 ' ]; then
	pass coz_text_rank
else
	fail coz_text_rank "rc $rc, got '$order' $(first_lines "$T/err")"
fi
row=$(awk '$1 == "hot.c:10" && $2 == "ops"' <<<"$out")
if [ "$(awk '{ print $3, $6, $7, $8 }' <<<"$row")" = "21 +6.0% +15.0% +30.0%" ]; then
	pass coz_text_predict
else
	fail coz_text_predict "hot row: '$row'"
fi
# latency: coz's viewer negates the relative change of the mean latency
# (Little's law: in flight / arrival rate); here latency goes with
# (1 - 0.5 s)(1 - 0.6 s) (the rate rises as the experiment shortens), so
# y = -(1.1 s - 0.3 s^2), whose fit through the origin over 0..1 in 5%
# steps has slope -(1.1 - 0.3 * 5.5125 / 7.175) = -0.870
lat=$(awk '$1 == "hot.c:10" && $2 == "req" { print $4 }' <<<"$out")
[ "$lat" = "-0.870" ] && pass coz_text_latency || fail coz_text_latency "req slope '$lat'"

out=$("$SONDE" coz plot --text --min-points 22 "$T/profile.coz" 2>&1)
grep -q 'no line has 22 points' <<<"$out" && ! grep -q '^hot' <<<"$out" && pass coz_min_points ||
	fail coz_min_points "$(head -c 300 <<<"$out")"

# the page: every line's name once (in the data), the hostile one escaped
"$SONDE" coz plot -o "$T/page.html" "$T/profile.coz" 2>"$T/err"; rc=$?
ok=1
for n in hot.c:10 mid.c:20 cold.c:30 'alert(1)'; do
	[ "$(grep -o -F "$n" "$T/page.html" | wc -l)" = 1 ] || { ok=0; fail coz_html_once "'$n' not once"; }
done
[ $rc -eq 0 ] && [ $ok = 1 ] && pass coz_html_once
if ! grep -q -F '<script>alert' "$T/page.html" && grep -q -F '\u003cscript\u003ealert(1)' "$T/page.html" &&
	[ "$(grep -c '<script>' "$T/page.html")" = 2 ] && grep -q 'wrote .*page.html' "$T/err"; then
	pass coz_html_escaped
else
	fail coz_html_escaped "$(first_lines "$T/err")"
fi
grep -q 'http' <(grep -o -E '(src|href)="[^"]*"' "$T/page.html") && fail coz_html_offline "refers to the network" ||
	pass coz_html_offline
# default path: beside the profile
"$SONDE" coz plot "$T/profile.coz" 2>/dev/null && [ -s "$T/profile.coz.html" ] && pass coz_html_default ||
	fail coz_html_default "no $T/profile.coz.html"

# broken files: one FILE:LINE error, exit 1
printf 'experiment\tselected=a.c:1\tspeedup=0.5\tduration=10\nthroughput-point\tname=x\tdel' >"$T/trunc.coz"
printf 'startup\ttime=1\n\x01\x02junk\n' >"$T/junk.coz"
printf 'experiment\tselected=a.c:1\tspeedup=0\tduration=99999999999999999999999999999999999999\n' >"$T/huge.coz"
for f in trunc:2 junk:2; do
	err=$("$SONDE" coz plot --text "$T/${f%:*}.coz" 2>&1 >/dev/null); rc=$?
	if [ $rc -eq 1 ] && [ "$(wc -l <<<"$err")" = 1 ] && grep -q "${f%:*}.coz:${f#*:}: " <<<"$err"; then
		pass "coz_bad_${f%:*}"
	else
		fail "coz_bad_${f%:*}" "rc $rc: $err"
	fi
done
"$SONDE" coz plot --text "$T/huge.coz" >/dev/null 2>&1; rc=$?
[ $rc -lt 128 ] && pass coz_huge || fail coz_huge "rc $rc"

# coz plot through the compat name
"$SONDE" shims "$T/bin" >/dev/null 2>&1
if [ -L "$T/bin/coz" ] && "$T/bin/coz" plot --text "$T/profile.coz" 2>/dev/null | grep -q '^hot.c:10 '; then
	pass coz_compat
else
	fail coz_compat "no coz shim, or coz plot --text failed"
fi

# a profile Debian's coz 0.2.2 wrote (4 runs of tests/fixtures/coz/coz_two_threads.c
# built with clang -gdwarf-4), and both profiles against coz's own viewer code
REAL=$SONDE_ROOT/tests/fixtures/coz/debian-coz-0.2.2.coz
out=$("$SONDE" coz plot --text --min-points 2 "$REAL" 2>&1)
if grep -q '31 experiments, 4 runs' <<<"$out" && grep -q '^/tmp/cozreal/p.c:6 *ops *11 ' <<<"$out"; then
	pass coz_real_file
else
	fail coz_real_file "$(head -c 300 <<<"$out")"
fi
VIEWER_JS=/usr/share/coz-profiler/viewer/js/profile.js
if [ -r "$VIEWER_JS" ] && command -v node >/dev/null; then
	"$SONDE" coz plot -o "$T/real.html" "$REAL" 2>/dev/null
	node "$SONDE_ROOT/tests/e2e/coz_viewer_check.js" "$VIEWER_JS" "$REAL" "$T/real.html" 2>&1 | sed 's/coz_viewer_same/&_real/'
	node "$SONDE_ROOT/tests/e2e/coz_viewer_check.js" "$VIEWER_JS" "$T/profile.coz" "$T/page.html" 2>&1
else
	skip coz_viewer_same "coz's viewer (Debian's coz-profiler) or node not installed"
fi

# the page in headless Chromium, when chromium, node and playwright-core are there
BROWSER_DIR=$SONDE_ROOT/tests/browser
chromium=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
if [ -z "$chromium" ] || ! command -v node >/dev/null; then
	skip coz_browser "chromium or node not installed"
	exit 0
fi
if [ ! -d "$BROWSER_DIR/node_modules/playwright-core" ]; then
	if ! command -v npm >/dev/null ||
		! timeout 300 npm ci --prefix "$BROWSER_DIR" --no-audit --no-fund >"$T/npm.log" 2>&1; then
		skip coz_browser "cannot install playwright-core (npm ci --prefix tests/browser)"
		exit 0
	fi
fi
CHROMIUM=$chromium timeout 120 node "$BROWSER_DIR/coz_plot_test.mjs" "$T/page.html" 2>"$T/browser.err"
rc=$?
[ $rc -eq 0 ] || [ $rc -eq 1 ] || fail coz_browser "node exited with $rc: $(first_lines "$T/browser.err")"
exit 0
